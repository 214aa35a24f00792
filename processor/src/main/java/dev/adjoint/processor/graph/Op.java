package dev.adjoint.processor.graph;

import java.util.Arrays;
import java.util.Optional;

/**
 * The operations of the computation graph. Each knows how it is written in Java; what its
 * derivative is lives in the rule table ({@code dev.adjoint.processor.diff.rules.Rules}).
 */
public enum Op {
  // arithmetic and logic, written infix or prefix
  ADD("+", 11, Form.INFIX),
  SUB("-", 11, Form.INFIX),
  MUL("*", 12, Form.INFIX),
  DIV("/", 12, Form.INFIX),
  REM("%", 12, Form.INFIX),
  NEG("-", 13, Form.PREFIX),
  NOT("!", 13, Form.PREFIX),
  LT("<", 9, Form.INFIX),
  LE("<=", 9, Form.INFIX),
  GT(">", 9, Form.INFIX),
  GE(">=", 9, Form.INFIX),
  EQ("==", 8, Form.INFIX),
  NE("!=", 8, Form.INFIX),
  AND("&&", 4, Form.INFIX),
  OR("||", 3, Form.INFIX),
  // bit operations on int and long (and &, |, ^ on booleans, not short-circuit): never
  // differentiated; they steer control flow. Shifts bind tighter than comparisons, &, ^ and |
  // looser than == (JLS 15.19, 15.22): (mask >> j & 1) == 1 needs its parentheses.
  SHL("<<", 10, Form.INFIX),
  SHR(">>", 10, Form.INFIX),
  USHR(">>>", 10, Form.INFIX),
  BIT_AND("&", 7, Form.INFIX),
  BIT_XOR("^", 6, Form.INFIX),
  BIT_OR("|", 5, Form.INFIX),
  BIT_NOT("~", 13, Form.PREFIX),
  /** {@code c ? a : b}. */
  COND("?:", 2, Form.SPECIAL),
  /** {@code (double) x}, {@code (int) x}, {@code (long) x}: the result type says which. */
  CAST("cast", 13, Form.SPECIAL),
  /** {@code a[i]}. */
  ARRAY_READ("[]", 15, Form.SPECIAL),
  /**
   * {@code a.length}; with a second operand {@link #INDICES} {@code (i, j)}, the length of a
   * row of an n-D array, {@code a[i][j].length}.
   */
  ARRAY_LENGTH("length", 15, Form.SPECIAL),
  /**
   * {@code new double[n]}; with more operands {@code new double[n][m]...} (rank = operands); with
   * array operands (or none) for an n-D type, an array of those rows, {@code new double[][] {r0,
   * r1}} (a ragged initializer's shape).
   */
  NEW_ARRAY("new", 14, Form.SPECIAL),
  /**
   * The index of one element of an n-D array, {@code (i, j, ...)}: the index operand of
   * {@link #ARRAY_READ} and of {@code Stmt.ArrayStore} for arrays of rank 2 and 3, so that every
   * stage that passes an element's index along (adjoints, tangents, the tape) handles n-D
   * elements unchanged. Written {@code i][j} inside the brackets of the read or store.
   */
  INDICES("][", 15, Form.SPECIAL),

  // java.lang.Math and StrictMath functions of doubles
  SIN("sin", 1), COS("cos", 1), TAN("tan", 1),
  ASIN("asin", 1), ACOS("acos", 1), ATAN("atan", 1), ATAN2("atan2", 2),
  SINH("sinh", 1), COSH("cosh", 1), TANH("tanh", 1),
  EXP("exp", 1), EXPM1("expm1", 1),
  LOG("log", 1), LOG1P("log1p", 1), LOG10("log10", 1),
  SQRT("sqrt", 1), CBRT("cbrt", 1), POW("pow", 2), HYPOT("hypot", 2),
  ABS("abs", 1), MAX("max", 2), MIN("min", 2),
  FLOOR("floor", 1), CEIL("ceil", 1), RINT("rint", 1), SIGNUM("signum", 1),
  TO_RADIANS("toRadians", 1), TO_DEGREES("toDegrees", 1),

  // dev.adjoint.tensor.Tensor methods: operand 0 is the receiver (or, for static ones, the first argument)
  T_ADD("add", Form.METHOD), T_SUB("sub", Form.METHOD), T_MUL("mul", Form.METHOD), T_DIV("div", Form.METHOD),
  T_NEG("neg", Form.METHOD), T_POW("pow", Form.METHOD), T_EXP("exp", Form.METHOD), T_LOG("log", Form.METHOD),
  T_SQRT("sqrt", Form.METHOD), T_ABS("abs", Form.METHOD), T_TANH("tanh", Form.METHOD),
  T_SIGMOID("sigmoid", Form.METHOD), T_RELU("relu", Form.METHOD), T_SQUARE("square", Form.METHOD),
  T_MATMUL("matmul", Form.METHOD), T_TRANSPOSE("transpose", Form.METHOD), T_RESHAPE("reshape", Form.METHOD),
  T_SUM("sum", Form.METHOD), T_MEAN("mean", Form.METHOD), T_MAX("max", Form.METHOD),
  T_SUM_AXIS("sum", Form.METHOD), T_MEAN_AXIS("mean", Form.METHOD), T_MAX_AXIS("max", Form.METHOD),
  T_SOFTMAX("softmax", Form.METHOD), T_LOGSUMEXP("logSumExp", Form.METHOD),
  T_SOFTMAX_CROSS_ENTROPY("softmaxCrossEntropy", Form.STATIC), T_MSE("mse", Form.STATIC),
  /**
   * A call the graph does not differentiate through: a runtime helper of the reverse sweep
   * ({@code TensorAdjoints.reduceTo(...)}) or a query such as {@code x.shape()}. Its owner and
   * name are in {@link Expr.Invoke}.
   */
  INVOKE("invoke", Form.SPECIAL);

  /** How an operation is written. */
  public enum Form { INFIX, PREFIX, MATH_CALL, SPECIAL, METHOD, STATIC }

  private final String symbol;
  private final int precedence;
  private final Form form;
  private final int arity;

  Op(String symbol, int precedence, Form form) {
    this.symbol = symbol;
    this.precedence = precedence;
    this.form = form;
    this.arity = form == Form.PREFIX ? 1 : 2;
  }

  Op(String methodName, Form form) {
    this.symbol = methodName;
    this.precedence = 16;
    this.form = form;
    this.arity = -1;
  }

  Op(String mathName, int arity) {
    this.symbol = mathName;
    this.precedence = 16;
    this.form = Form.MATH_CALL;
    this.arity = arity;
  }

  public String symbol() {
    return symbol;
  }

  /** Java operator precedence (higher binds tighter); calls and primaries are 15-16. */
  public int precedence() {
    return precedence;
  }

  public Form form() {
    return form;
  }

  public int arity() {
    return arity;
  }

  public boolean isMath() {
    return form == Form.MATH_CALL;
  }

  /** A method of {@code Tensor} (instance or static). */
  public boolean isTensor() {
    return form == Form.METHOD || form == Form.STATIC;
  }

  /** The {@code Math}/{@code StrictMath} function of that name and number of arguments. */
  public static Optional<Op> math(String name, int arity) {
    return Arrays.stream(values())
        .filter(op -> op.form == Form.MATH_CALL && op.symbol.equals(name) && op.arity == arity)
        .findFirst();
  }

  /** Whether evaluating this op costs enough that its value is kept rather than recomputed. */
  public boolean isExpensive() {
    if (isTensor()) {
      return true; // a tensor op allocates and loops: keep its result, never recompute it
    }
    return form == Form.MATH_CALL
        && this != ABS && this != MAX && this != MIN && this != FLOOR && this != CEIL
        && this != RINT && this != SIGNUM && this != TO_RADIANS && this != TO_DEGREES;
  }
}
