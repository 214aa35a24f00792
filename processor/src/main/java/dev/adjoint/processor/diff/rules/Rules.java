package dev.adjoint.processor.diff.rules;

import static dev.adjoint.processor.diff.Sym.add;
import static dev.adjoint.processor.diff.Sym.cond;
import static dev.adjoint.processor.diff.Sym.div;
import static dev.adjoint.processor.diff.Sym.math;
import static dev.adjoint.processor.diff.Sym.mul;
import static dev.adjoint.processor.diff.Sym.neg;
import static dev.adjoint.processor.diff.Sym.num;
import static dev.adjoint.processor.diff.Sym.sub;

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
   * {@code call.derivative()}: a gradient record's components, or a custom derivative's array
   * entries.
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
