package dev.adjoint.processor.diff.rules;

import static dev.adjoint.processor.diff.Sym.add;
import static dev.adjoint.processor.diff.Sym.cond;
import static dev.adjoint.processor.diff.Sym.div;
import static dev.adjoint.processor.diff.Sym.math;
import static dev.adjoint.processor.diff.Sym.mul;
import static dev.adjoint.processor.diff.Sym.neg;
import static dev.adjoint.processor.diff.Sym.num;
import static dev.adjoint.processor.diff.Sym.sub;

import dev.adjoint.processor.diff.Sym;

import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Type;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The derivative rules, one per operation, in one table. A rule sees the operands {@code x},
 * the result {@code y} (the node itself, or the variable that already holds its value, so that
 * d exp(x) reuses exp(x)) and nothing else, and returns the partial derivative of y with respect
 * to each operand: the local Jacobian. Reverse mode multiplies it by the result's adjoint;
 * forward mode would multiply it by the operands' tangents. A null entry means the operand
 * carries no derivative (a condition, an index, an integer).
 *
 * <p>Conventions at non-smooth points: |x|' = 0 at 0; max and min pass the derivative to the
 * first operand on ties; floor, ceil, rint and signum have derivative 0; d/db pow(a, b) is
 * taken as 0 where a &lt;= 0; hypot has derivative 0 at the origin.
 */
public final class Rules {
  /** The partials of one operation. */
  @FunctionalInterface
  interface Rule {
    List<Expr> partials(List<Expr> x, Expr y, boolean strict);
  }

  private static final Map<Op, Rule> TABLE = new EnumMap<>(Op.class);

  private static void register(Op op, Rule rule) {
    TABLE.put(op, rule);
  }

  static {
    // y = a + b: dy/da = 1, dy/db = 1
    register(Op.ADD, (x, y, s) -> List.of(num(1), num(1)));
    // y = a - b: dy/da = 1, dy/db = -1
    register(Op.SUB, (x, y, s) -> List.of(num(1), num(-1)));
    // y = a * b: dy/da = b, dy/db = a
    register(Op.MUL, (x, y, s) -> List.of(x.get(1), x.get(0)));
    // y = a / b: dy/da = 1/b, dy/db = -a/b^2 = -y/b
    register(Op.DIV, (x, y, s) -> List.of(div(num(1), x.get(1)), neg(div(y, x.get(1)))));
    // y = -a: dy/da = -1
    register(Op.NEG, (x, y, s) -> List.of(num(-1)));
    // y = a % b = a - b * trunc(a / b): dy/da = 1, dy/db = -trunc(a / b) (Java's % truncates)
    register(Op.REM, (x, y, s) -> List.of(num(1), neg(new Apply(Op.CAST, List.of(
        new Apply(Op.CAST, List.of(div(x.get(0), x.get(1))), Type.LONG)), Type.DOUBLE))));
    // y = c ? a : b: the derivative follows the branch taken
    register(Op.COND, (x, y, s) -> Arrays.asList(null, cond(x.get(0), num(1), num(0)),
        cond(x.get(0), num(0), num(1))));
    // y = (double) i: integers carry no derivative
    register(Op.CAST, (x, y, s) -> Arrays.asList((Expr) null));

    // y = sin x: cos x
    register(Op.SIN, (x, y, s) -> List.of(math(Op.COS, s, x.get(0))));
    // y = cos x: -sin x
    register(Op.COS, (x, y, s) -> List.of(neg(math(Op.SIN, s, x.get(0)))));
    // y = tan x: 1 + tan^2 x = 1 + y^2
    register(Op.TAN, (x, y, s) -> List.of(add(num(1), mul(y, y))));
    // y = asin x: 1 / sqrt(1 - x^2)
    register(Op.ASIN, (x, y, s) -> List.of(div(num(1), math(Op.SQRT, s, sub(num(1), mul(x.get(0), x.get(0)))))));
    // y = acos x: -1 / sqrt(1 - x^2)
    register(Op.ACOS, (x, y, s) -> List.of(div(num(-1), math(Op.SQRT, s, sub(num(1), mul(x.get(0), x.get(0)))))));
    // y = atan x: 1 / (1 + x^2)
    register(Op.ATAN, (x, y, s) -> List.of(div(num(1), add(num(1), mul(x.get(0), x.get(0))))));
    // y = atan2(a, b): dy/da = b / (a^2 + b^2), dy/db = -a / (a^2 + b^2)
    register(Op.ATAN2, (x, y, s) -> {
      Expr r2 = add(mul(x.get(0), x.get(0)), mul(x.get(1), x.get(1)));
      return List.of(div(x.get(1), r2), neg(div(x.get(0), r2)));
    });
    // y = sinh x: cosh x
    register(Op.SINH, (x, y, s) -> List.of(math(Op.COSH, s, x.get(0))));
    // y = cosh x: sinh x
    register(Op.COSH, (x, y, s) -> List.of(math(Op.SINH, s, x.get(0))));
    // y = tanh x: 1 - tanh^2 x = 1 - y^2
    register(Op.TANH, (x, y, s) -> List.of(sub(num(1), mul(y, y))));
    // y = exp x: exp x = y
    register(Op.EXP, (x, y, s) -> List.of(y));
    // y = expm1 x: exp x = y + 1
    register(Op.EXPM1, (x, y, s) -> List.of(add(y, num(1))));
    // y = log x: 1 / x
    register(Op.LOG, (x, y, s) -> List.of(div(num(1), x.get(0))));
    // y = log1p x: 1 / (1 + x)
    register(Op.LOG1P, (x, y, s) -> List.of(div(num(1), add(num(1), x.get(0)))));
    // y = log10 x: 1 / (x ln 10)
    register(Op.LOG10, (x, y, s) -> List.of(div(num(1), mul(x.get(0), num(Math.log(10))))));
    // y = sqrt x: 1 / (2 sqrt x) = 0.5 / y
    register(Op.SQRT, (x, y, s) -> List.of(div(num(0.5), y)));
    // y = cbrt x: 1 / (3 cbrt(x)^2) = 1 / (3 y^2)
    register(Op.CBRT, (x, y, s) -> List.of(div(num(1), mul(num(3), mul(y, y)))));
    // y = pow(a, b): dy/da = b a^(b-1), dy/db = y ln a (0 where a <= 0)
    register(Op.POW, (x, y, s) -> List.of(powBase(x.get(0), x.get(1), s),
        cond(new Apply(Op.GT, List.of(x.get(0), num(0)), Type.BOOLEAN),
            mul(y, math(Op.LOG, s, x.get(0))), num(0))));
    // y = hypot(a, b): dy/da = a / y, dy/db = b / y (0 at the origin)
    register(Op.HYPOT, (x, y, s) -> {
      Expr nonzero = new Apply(Op.NE, List.of(y, num(0)), Type.BOOLEAN);
      return List.of(cond(nonzero, div(x.get(0), y), num(0)), cond(nonzero, div(x.get(1), y), num(0)));
    });
    // y = |x|: signum x (0 at 0)
    register(Op.ABS, (x, y, s) -> List.of(math(Op.SIGNUM, s, x.get(0))));
    // y = max(a, b): to a when a >= b (ties go to the first operand), else to b
    register(Op.MAX, (x, y, s) -> {
      Expr first = new Apply(Op.GE, List.of(x.get(0), x.get(1)), Type.BOOLEAN);
      return List.of(cond(first, num(1), num(0)), cond(first, num(0), num(1)));
    });
    // y = min(a, b): to a when a <= b (ties go to the first operand), else to b
    register(Op.MIN, (x, y, s) -> {
      Expr first = new Apply(Op.LE, List.of(x.get(0), x.get(1)), Type.BOOLEAN);
      return List.of(cond(first, num(1), num(0)), cond(first, num(0), num(1)));
    });
    // piecewise constant: derivative 0 wherever it exists
    for (Op op : List.of(Op.FLOOR, Op.CEIL, Op.RINT, Op.SIGNUM)) {
      register(op, (x, y, s) -> List.of(num(0)));
    }
    // y = x * pi / 180
    register(Op.TO_RADIANS, (x, y, s) -> List.of(num(Math.PI / 180)));
    // y = x * 180 / pi
    register(Op.TO_DEGREES, (x, y, s) -> List.of(num(180 / Math.PI)));
  }

  // ---------------------------------------------------------------- tensor operations

  /**
   * The adjoint rule of a tensor operation, where the Jacobian is never formed: given the
   * operands {@code x}, the result {@code y} and the result's adjoint {@code g}, each operand's
   * share of the adjoint (a vector-Jacobian product), or null for operands without one.
   * Broadcasting operands get the adjoint summed back to their own shape.
   */
  @FunctionalInterface
  interface Vjp {
    List<Expr> contributions(List<Expr> x, Expr y, Expr g);
  }

  private static final Map<Op, Vjp> TENSOR_TABLE = new EnumMap<>(Op.class);

  /**
   * The tangent rule of a tensor operation: given the operands {@code x}, the result {@code y}
   * and the operands' tangents {@code dx} (zero where an operand does not vary), the result's
   * tangent (a Jacobian-vector product).
   */
  @FunctionalInterface
  interface Jvp {
    Expr tangent(List<Expr> x, Expr y, List<Expr> dx);
  }

  private static final Map<Op, Jvp> TANGENT_TABLE = new EnumMap<>(Op.class);

  /** One entry per tensor operation: its adjoint rule and its tangent rule. */
  private static void registerVjp(Op op, Vjp rule, Jvp tangent) {
    TENSOR_TABLE.put(op, rule);
    TANGENT_TABLE.put(op, tangent);
  }

  static {
    // y = a + b (broadcast): da = reduce(g), db = reduce(g); a double b gets sum(g)
    registerVjp(Op.T_ADD, (x, y, g) -> List.of(reduceTo(g, x.get(0)),
        isTensor(x.get(1)) ? reduceTo(g, x.get(1)) : t(Op.T_SUM, g)),
        (x, y, d) -> plus(d.get(0), d.get(1)));
    // y = a - b: da = reduce(g), db = -reduce(g)
    registerVjp(Op.T_SUB, (x, y, g) -> List.of(reduceTo(g, x.get(0)),
        isTensor(x.get(1)) ? reduceTo(t(Op.T_NEG, g), x.get(1)) : neg(t(Op.T_SUM, g))),
        (x, y, d) -> plus(d.get(0), negT(d.get(1))));
    // y = a * b: da = reduce(g * b), db = reduce(g * a)
    registerVjp(Op.T_MUL, (x, y, g) -> List.of(reduceTo(t(Op.T_MUL, g, x.get(1)), x.get(0)),
        isTensor(x.get(1)) ? reduceTo(t(Op.T_MUL, g, x.get(0)), x.get(1))
            : t(Op.T_SUM, t(Op.T_MUL, g, x.get(0)))),
        (x, y, d) -> plus(prod(d.get(0), x.get(1)), prod(x.get(0), d.get(1))));
    // y = a / b: da = reduce(g / b), db = -reduce(g * y / b)
    registerVjp(Op.T_DIV, (x, y, g) -> List.of(reduceTo(t(Op.T_DIV, g, x.get(1)), x.get(0)),
        isTensor(x.get(1)) ? reduceTo(t(Op.T_NEG, t(Op.T_DIV, t(Op.T_MUL, g, y), x.get(1))), x.get(1))
            : neg(div(t(Op.T_SUM, t(Op.T_MUL, g, y)), x.get(1)))),
        (x, y, d) -> plus(quot(d.get(0), x.get(1)), negT(quot(prod(y, d.get(1)), x.get(1)))));
    // y = -a
    registerVjp(Op.T_NEG, (x, y, g) -> List.of(t(Op.T_NEG, g)),
        (x, y, d) -> negT(d.get(0)));
    // y = a^p (p not differentiated): da = g * p a^(p-1)
    registerVjp(Op.T_POW, (x, y, g) -> Arrays.asList(helper("powBackward", x.get(0), x.get(1), g), null),
        (x, y, d) -> elementwise("powBackward", d.get(0), x.get(0), x.get(1)));
    // y = exp a: da = g * y
    registerVjp(Op.T_EXP, (x, y, g) -> List.of(times(g, y)),
        (x, y, d) -> prod(d.get(0), y));
    // y = log a: da = g / a
    registerVjp(Op.T_LOG, (x, y, g) -> List.of(t(Op.T_DIV, g, x.get(0))),
        (x, y, d) -> quot(d.get(0), x.get(0)));
    // y = sqrt a: da = g * 0.5 / y
    registerVjp(Op.T_SQRT, (x, y, g) -> List.of(helper("sqrtBackward", y, g)),
        (x, y, d) -> elementwise("sqrtBackward", d.get(0), y));
    // y = |a|: da = g * signum(a)
    registerVjp(Op.T_ABS, (x, y, g) -> List.of(helper("absBackward", x.get(0), g)),
        (x, y, d) -> elementwise("absBackward", d.get(0), x.get(0)));
    // y = tanh a: da = g * (1 - y^2)
    registerVjp(Op.T_TANH, (x, y, g) -> List.of(helper("tanhBackward", y, g)),
        (x, y, d) -> elementwise("tanhBackward", d.get(0), y));
    // y = sigmoid a: da = g * y * (1 - y)
    registerVjp(Op.T_SIGMOID, (x, y, g) -> List.of(helper("sigmoidBackward", y, g)),
        (x, y, d) -> elementwise("sigmoidBackward", d.get(0), y));
    // y = relu a: da = g where a > 0, else 0
    registerVjp(Op.T_RELU, (x, y, g) -> List.of(helper("reluBackward", x.get(0), g)),
        (x, y, d) -> elementwise("reluBackward", d.get(0), x.get(0)));
    // y = a^2: da = 2 g a
    registerVjp(Op.T_SQUARE, (x, y, g) -> List.of(t(Op.T_MUL, times(g, x.get(0)), num(2))),
        (x, y, d) -> prod(prod(d.get(0), x.get(0)), num(2)));
    // Y = A B: dA = G Bᵀ, dB = Aᵀ G (no transposed copies; batched and broadcast forms reduce)
    registerVjp(Op.T_MATMUL, (x, y, g) -> List.of(helper("matmulBackwardA", g, x.get(1), shape(x.get(0))),
        helper("matmulBackwardB", x.get(0), g, shape(x.get(1)))),
        (x, y, d) -> plus(matmul(d.get(0), x.get(1)), matmul(x.get(0), d.get(1))));
    // Y = Aᵀ: dA = Gᵀ
    registerVjp(Op.T_TRANSPOSE, (x, y, g) -> List.of(t(Op.T_TRANSPOSE, g)),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_TRANSPOSE, d.get(0)));
    // Y = reshape(A): dA = reshape(G, shape of A)
    registerVjp(Op.T_RESHAPE, (x, y, g) -> {
      Expr[] out = new Expr[x.size()];
      out[0] = t(Op.T_RESHAPE, g, shape(x.get(0)));
      return Arrays.asList(out);
    },
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_RESHAPE, d.get(0), shape(y)));
    // y = sum(A) (a double): dA = g everywhere
    registerVjp(Op.T_SUM, (x, y, g) -> List.of(helper("sumBackward", g, shape(x.get(0)))),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_SUM, d.get(0)));
    // y = mean(A): dA = g / size everywhere
    registerVjp(Op.T_MEAN, (x, y, g) -> List.of(helper("meanBackward", g, shape(x.get(0)))),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_MEAN, d.get(0)));
    // y = max(A): dA = g at the first maximal element
    registerVjp(Op.T_MAX, (x, y, g) -> List.of(helper("maxBackward", x.get(0), g)),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : sumOfProducts(helper("maxBackward", x.get(0), num(1)), d.get(0)));
    // Y = sum(A, axis): dA = G broadcast back along the axis
    registerVjp(Op.T_SUM_AXIS, (x, y, g) -> Arrays.asList(
        helper("sumBackward", g, shape(x.get(0)), x.get(1), x.get(2)), null, null),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_SUM_AXIS, d.get(0), x.get(1), x.get(2)));
    registerVjp(Op.T_MEAN_AXIS, (x, y, g) -> Arrays.asList(
        helper("meanBackward", g, shape(x.get(0)), x.get(1), x.get(2)), null, null),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_MEAN_AXIS, d.get(0), x.get(1), x.get(2)));
    registerVjp(Op.T_MAX_AXIS, (x, y, g) -> Arrays.asList(
        helper("maxBackward", x.get(0), g, x.get(1), x.get(2)), null, null),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_SUM_AXIS, t(Op.T_MUL, helper("maxBackward", x.get(0), helper("sumBackward", num(1), shape(y)), x.get(1), x.get(2)), d.get(0)), x.get(1), x.get(2)));
    // Y = softmax(A): dA = Y * (G - sum(G * Y, axis))
    registerVjp(Op.T_SOFTMAX, (x, y, g) -> Arrays.asList(helper("softmaxBackward", y, g, x.get(1)), null),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : helper("softmaxBackward", y, d.get(0), x.get(1)));
    // Y = logSumExp(A): dA = G * softmax(A)
    registerVjp(Op.T_LOGSUMEXP, (x, y, g) -> Arrays.asList(
        helper("logSumExpBackward", x.get(0), g, x.get(1), x.get(2)), null, null),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : t(Op.T_SUM_AXIS, t(Op.T_MUL, d.get(0), t(Op.T_SOFTMAX, x.get(0), x.get(1))), x.get(1), x.get(2)));
    // y = mean cross-entropy of softmax(logits): dlogits = (softmax(logits) - labels) g / batch
    registerVjp(Op.T_SOFTMAX_CROSS_ENTROPY, (x, y, g) -> Arrays.asList(
        helper("softmaxCrossEntropyBackward", x.get(0), x.get(1), g), null),
        (x, y, d) -> Sym.isZero(d.get(0)) ? num(0) : sumOfProducts(helper("softmaxCrossEntropyBackward", x.get(0), x.get(1), num(1)), d.get(0)));
    // y = mean((p - t)^2): dp = 2 (p - t) g / size, dt = -dp
    registerVjp(Op.T_MSE, (x, y, g) -> {
      Expr dp = helper("mseBackward", x.get(0), x.get(1), g);
      return List.of(dp, t(Op.T_NEG, dp));
    },
        (x, y, d) -> sumOfProducts(helper("mseBackward", x.get(0), x.get(1), num(1)), plus(d.get(0), negT(d.get(1)))));
  }

  /**
   * {@code g * x} for an element-wise operation, where x has the shape of the result: when g is
   * the adjoint of a sum (one scalar everywhere) this is just {@code x * scalar}.
   */
  private static Expr times(Expr g, Expr x) {
    if (g instanceof Expr.Invoke inv && inv.method().equals("sumBackward") && inv.args().size() == 2) {
      return t(Op.T_MUL, x, inv.args().get(0));
    }
    return t(Op.T_MUL, g, x);
  }

  // tangent building blocks: a zero tangent (an operand that does not vary) drops its term

  private static Expr plus(Expr a, Expr b) {
    return Sym.add(a, b);
  }

  private static Expr negT(Expr a) {
    return Sym.isZero(a) ? a : a.type() == Type.TENSOR ? t(Op.T_NEG, a) : neg(a);
  }

  private static Expr prod(Expr a, Expr b) {
    if (Sym.isZero(a) || Sym.isZero(b)) {
      return num(0);
    }
    if (a.type() != Type.TENSOR && b.type() != Type.TENSOR) {
      return mul(a, b);
    }
    return a.type() == Type.TENSOR ? t(Op.T_MUL, a, b) : t(Op.T_MUL, b, a);
  }

  private static Expr quot(Expr a, Expr b) {
    if (Sym.isZero(a)) {
      return num(0);
    }
    return a.type() == Type.TENSOR ? t(Op.T_DIV, a, b) : t(Op.T_MUL, t(Op.T_DIV, sumBackwardOnes(b), b), a);
  }

  private static Expr sumBackwardOnes(Expr like) {
    return helper("sumBackward", num(1), shape(like));
  }

  private static Expr matmul(Expr a, Expr b) {
    return Sym.isZero(a) || Sym.isZero(b) ? num(0) : t(Op.T_MATMUL, a, b);
  }

  /** An element-wise derivative helper {@code fooBackward(args..., tangent)} applied to a tangent. */
  private static Expr elementwise(String helper, Expr d, Expr... args) {
    if (Sym.isZero(d)) {
      return num(0);
    }
    Expr[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = d;
    return helper(helper, all);
  }

  private static Expr sumOfProducts(Expr a, Expr b) {
    if (Sym.isZero(a) || Sym.isZero(b)) {
      return num(0);
    }
    return new Expr.Invoke(TENSOR_ADJOINTS, null, "sumOfProducts", List.of(a, b), Type.DOUBLE);
  }

  /** The tangent of a tensor operation from its operands' tangents. */
  public static Expr jvp(Apply node, Expr result, List<Expr> tangents) {
    Expr t = TANGENT_TABLE.get(node.op()).tangent(node.args(), result, tangents);
    if (node.type() == Type.TENSOR && t.type() != Type.TENSOR && !Sym.isZero(t)) {
      t = helper("sumBackward", t, shape(result)); // a scalar tangent, broadcast to the result
    }
    return t;
  }

  private static final com.palantir.javapoet.ClassName TENSOR_ADJOINTS =
      dev.adjoint.processor.emit.Naming.TENSOR_ADJOINTS;

  private static boolean isTensor(Expr e) {
    return e.type() == Type.TENSOR;
  }

  /**
   * A tensor operation; its result type follows the operation. Products with an adjoint that
   * is a scalar broadcast (the adjoint of a sum) stay scalar products: {@code g * a} with
   * {@code g = s everywhere} is {@code a * s}, and {@code (a * s) * 2} is {@code a * (2 s)}.
   */
  public static Expr t(Op op, Expr... operands) {
    if (op == Op.T_MUL && operands.length == 2) {
      Expr g = operands[0];
      Expr x = operands[1];
      if (g instanceof Apply inner && inner.op() == Op.T_MUL && inner.arg(1).type() != Type.TENSOR
          && x.type() != Type.TENSOR) {
        return t(Op.T_MUL, inner.arg(0), mul(inner.arg(1), x));
      }
      if (x.type() != Type.TENSOR && x instanceof Expr.Const c && c.is(1)) {
        return g;
      }
    }
    Type type = op == Op.T_SUM || op == Op.T_MEAN || op == Op.T_MAX
        || op == Op.T_SOFTMAX_CROSS_ENTROPY || op == Op.T_MSE ? Type.DOUBLE : Type.TENSOR;
    return new Apply(op, List.of(operands), type);
  }

  private static Expr helper(String name, Expr... args) {
    return new Expr.Invoke(TENSOR_ADJOINTS, null, name, List.of(args), Type.TENSOR);
  }

  private static Expr reduceTo(Expr g, Expr operand) {
    return helper("reduceTo", g, shape(operand));
  }

  /** {@code x.shape()}. */
  public static Expr shape(Expr x) {
    return new Expr.Invoke(null, x, "shape", List.of(), Type.INT_ARRAY);
  }

  /** Whether the operation's derivative is given as adjoint contributions (tensor ops). */
  public static boolean hasVjp(Op op) {
    return TENSOR_TABLE.containsKey(op);
  }

  /** The contributions of the adjoint {@code g} of {@code node} to its operands. */
  public static List<Expr> vjp(Apply node, Expr result, Expr g) {
    return TENSOR_TABLE.get(node.op()).contributions(node.args(), result, g);
  }

  /** A tensor of zeros shaped like {@code x}, the adjoint before anything flowed in. */
  public static Expr zerosLike(Expr x) {
    return new Expr.Invoke(TENSOR_ADJOINTS, null, "zerosLike", List.of(x), Type.TENSOR);
  }

  private Rules() {}

  /** d/da pow(a, b) = b * a^(b-1), written plainly for constant exponents (pow(a, 2) → 2a). */
  private static Expr powBase(Expr a, Expr b, boolean strict) {
    if (b instanceof Expr.Const c) {
      double e = c.asDouble();
      if (e == 0) {
        return num(0);
      }
      if (e == 1) {
        return num(1);
      }
      if (e == 2) {
        return mul(num(2), a);
      }
      return mul(num(e), math(Op.POW, strict, a, num(e - 1)));
    }
    return mul(b, math(Op.POW, strict, a, sub(b, num(1))));
  }

  /** Whether the operation has a rule, i.e. can pass derivatives to its operands. */
  public static boolean differentiable(Op op) {
    return TABLE.containsKey(op);
  }

  /**
   * The partial derivatives of {@code node} with respect to each operand; {@code result} is an
   * expression for the node's value.
   */
  public static List<Expr> partials(Apply node, Expr result) {
    Rule rule = TABLE.get(node.op());
    if (rule == null || node.type() != Type.DOUBLE) {
      return java.util.Collections.nCopies(node.args().size(), null);
    }
    return rule.partials(node.args(), result, node.strict());
  }

  /**
   * The partials of a call, read from what the callee's derivative method returned into
   * {@code call.derivative()}: a gradient record's components, a custom derivative's array
   * entries, or for a call of a generated derivative, entries of the callee's Hessian-vector
   * product: d/dx_i of gradient component k is H[k][i] = (H e_k)[i] (H symmetric), d/dx_i of the
   * tangent ∇f·v is (H v)[i], d/dv_i of it is ∇f[i].
   */
  public static List<Expr> partials(Expr.Call call) {
    CallTarget t = call.target();
    Expr[] out = new Expr[call.args().size()];
    for (int i = 0; i < out.length; i++) {
      if (!t.hasPartial(i) || call.derivative() == null) {
        continue;
      }
      String p = t.partials().get(i);
      Type type = t.paramTypes().get(i);
      if (t.kind() == CallTarget.Kind.GENERATED) {
        out[i] = new Expr.RecordGet(call.derivative(), p, type);
      } else if (t.kind() == CallTarget.Kind.SECOND_ORDER) {
        // "hvp 2": entry 2 of the callee's Hessian-vector product, "gradient 2" of its gradient
        String[] at = p.split(" ");
        Expr array = new Expr.Invoke(null, new Expr.Ref(call.derivative()), at[0], List.of(), Type.DOUBLE_ARRAY);
        out[i] = new Apply(Op.ARRAY_READ, List.of(array, Expr.Const.ofInt(Integer.parseInt(at[1]))), Type.DOUBLE);
      } else if (p.isEmpty()) {
        out[i] = new Expr.Ref(call.derivative());
      } else {
        out[i] = new Apply(Op.ARRAY_READ, List.of(new Expr.Ref(call.derivative()),
            Expr.Const.ofInt(Integer.parseInt(p))), Type.DOUBLE);
      }
    }
    return Arrays.asList(out);
  }
}
