package dev.adjoint.processor.numeric;

import static dev.adjoint.processor.numeric.Fn.fn;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Every java.lang.Math function, each also through java.lang.StrictMath, at points in its
 * domain away from non-smooth points (those are in {@link NonSmoothConventionsTest}).
 * {@code M.} in a body stands for {@code Math.} and {@code StrictMath.}: function {@code sin}
 * yields {@code sin_Math} and {@code sin_StrictMath}.
 */
class MathFunctionsTest {
  private static final double LN10 = Math.log(10);

  static final List<Fn> TEMPLATES = List.of(
      fn("sin", "x", "M.sin(x)").at(0.3).at(-1.2).at(2.5).at(10).grad1(Math::cos),
      fn("cos", "x", "M.cos(x)").at(0.3).at(-1.2).at(2.5).at(10).grad1(x -> -Math.sin(x)),
      fn("tan", "x", "M.tan(x)").at(0.3).at(-1.0).at(1.3).at(4)
          .grad1(x -> 1 / (Math.cos(x) * Math.cos(x))),
      fn("asin", "x", "M.asin(x)").at(0.2).at(-0.7).at(0.9)
          .grad1(x -> 1 / Math.sqrt(1 - x * x)),
      fn("acos", "x", "M.acos(x)").at(0.2).at(-0.7).at(0.9)
          .grad1(x -> -1 / Math.sqrt(1 - x * x)),
      fn("atan", "x", "M.atan(x)").at(0.3).at(-2).at(10).grad1(x -> 1 / (1 + x * x)),
      // atan2(y, x) in all four quadrants
      fn("atan2", "y, x", "M.atan2(y, x)").at(1, 2).at(-1, -0.5).at(0.5, -3).at(-2, 1)
          .grad(p -> {
            double y = p[0], x = p[1], r2 = x * x + y * y;
            return new double[] {x / r2, -y / r2};
          }),
      fn("sinh", "x", "M.sinh(x)").at(0.5).at(-1.5).at(2).grad1(Math::cosh),
      fn("cosh", "x", "M.cosh(x)").at(0.5).at(-1.5).at(2).grad1(Math::sinh),
      fn("tanh", "x", "M.tanh(x)").at(0.5).at(-1.5).at(2)
          .grad1(x -> 1 / (Math.cosh(x) * Math.cosh(x))),
      fn("exp", "x", "M.exp(x)").at(0.5).at(-2).at(3).grad1(Math::exp),
      fn("expm1", "x", "M.expm1(x)").at(0.001).at(-0.5).at(2).grad1(Math::exp),
      fn("log", "x", "M.log(x)").at(0.5).at(2).at(10).grad1(x -> 1 / x),
      fn("log1p", "x", "M.log1p(x)").at(-0.5).at(0.001).at(3).grad1(x -> 1 / (1 + x)),
      fn("log10", "x", "M.log10(x)").at(0.5).at(2).at(100).grad1(x -> 1 / (x * LN10)),
      fn("sqrt", "x", "M.sqrt(x)").at(0.25).at(2).at(9).grad1(x -> 0.5 / Math.sqrt(x)),
      fn("cbrt", "x", "M.cbrt(x)").at(8).at(-0.5).at(3)
          .grad1(x -> 1 / (3 * Math.cbrt(x) * Math.cbrt(x))),
      fn("pow", "x, y", "M.pow(x, y)").at(1.5, 2.5).at(0.5, -1.2).at(3, 0.7)
          .grad(p -> new double[] {p[1] * Math.pow(p[0], p[1] - 1), Math.pow(p[0], p[1]) * Math.log(p[0])}),
      fn("powSquare", "x", "M.pow(x, 2)").at(-2).at(0.5).at(3).grad1(x -> 2 * x),
      fn("powCube", "x", "M.pow(x, 3.0)").at(-1.5).at(0.5).at(2).grad1(x -> 3 * x * x),
      fn("powHalf", "x", "M.pow(x, 0.5)").at(0.25).at(2).at(9).grad1(x -> 0.5 / Math.sqrt(x)),
      fn("powNegative", "x", "M.pow(x, -2)").at(-1.5).at(0.5).at(2)
          .grad1(x -> -2 / (x * x * x)),
      fn("powOne", "x", "M.pow(x, 1)").at(-1.5).at(0.5).at(2).grad1(x -> 1),
      fn("powZero", "x", "M.pow(x, 0.0) * x").at(-1.5).at(0.5).at(2).grad1(x -> 1),
      fn("powConstantBase", "x", "M.pow(2, x)").at(-1.5).at(0.5).at(3)
          .grad1(x -> Math.pow(2, x) * Math.log(2)),
      fn("powConstantExponentNegativeBase", "x, y", "M.pow(x, 3) * y").at(-1.5, 2).at(-0.5, -1).at(2, 3)
          .grad(p -> new double[] {3 * p[0] * p[0] * p[1], Math.pow(p[0], 3)}),
      fn("hypot", "x, y", "M.hypot(x, y)").at(3, 4).at(-1, 2).at(0.5, -0.2)
          .grad(p -> new double[] {p[0] / Math.hypot(p[0], p[1]), p[1] / Math.hypot(p[0], p[1])}),
      fn("abs", "x", "M.abs(x)").at(-1.5).at(0.7).at(3).grad1(Math::signum),
      fn("max", "x, y", "M.max(x, y)").at(1, 2).at(3, -1).at(-0.5, -0.7)
          .grad(p -> p[0] >= p[1] ? new double[] {1, 0} : new double[] {0, 1}),
      fn("min", "x, y", "M.min(x, y)").at(1, 2).at(3, -1).at(-0.5, -0.7)
          .grad(p -> p[0] <= p[1] ? new double[] {1, 0} : new double[] {0, 1}),
      fn("floor", "x, y", "M.floor(x) * y + x").at(0.3, 2).at(1.7, -1).at(-2.4, 0.5)
          .grad(p -> new double[] {1, Math.floor(p[0])}),
      fn("ceil", "x, y", "M.ceil(x) * y + x").at(0.3, 2).at(1.7, -1).at(-2.4, 0.5)
          .grad(p -> new double[] {1, Math.ceil(p[0])}),
      fn("rint", "x, y", "M.rint(x) * y + x").at(0.3, 2).at(1.7, -1).at(-2.2, 0.5)
          .grad(p -> new double[] {1, Math.rint(p[0])}),
      fn("signum", "x, y", "M.signum(x) * y + x").at(0.3, 2).at(1.7, -1).at(-2.4, 0.5)
          .grad(p -> new double[] {1, Math.signum(p[0])}),
      fn("floorAlone", "x", "M.floor(x)").at(0.3).at(1.7).at(-2.4).grad1(x -> 0),
      fn("ceilAlone", "x", "M.ceil(x)").at(0.3).at(1.7).at(-2.4).grad1(x -> 0),
      fn("rintAlone", "x", "M.rint(x)").at(0.3).at(1.7).at(-2.2).grad1(x -> 0),
      fn("signumAlone", "x", "M.signum(x)").at(0.3).at(1.7).at(-2.4).grad1(x -> 0),
      fn("toRadians", "x", "M.toRadians(x)").at(30).at(-45.5).at(0.1).grad1(x -> Math.PI / 180),
      fn("toDegrees", "x", "M.toDegrees(x)").at(0.5).at(-1).at(3).grad1(x -> 180 / Math.PI),
      // functions applied to expressions, so the chain rule multiplies by the inner derivative
      fn("sinOfProduct", "x, y", "M.sin(x * y)").at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> new double[] {p[1] * Math.cos(p[0] * p[1]), p[0] * Math.cos(p[0] * p[1])}),
      fn("expOfNegSquare", "x", "M.exp(-x * x)").at(0.3).at(-1.2).at(2)
          .grad1(x -> -2 * x * Math.exp(-x * x)),
      fn("logOfSum", "x, y", "M.log(x * x + y)").at(0.3, 2).at(-1.2, 0.5).at(2.5, 1)
          .grad(p -> {
            double s = p[0] * p[0] + p[1];
            return new double[] {2 * p[0] / s, 1 / s};
          }),
      fn("sqrtOfQuotient", "x, y", "M.sqrt(x / y)").at(0.3, 2).at(1.2, 0.5).at(-2.5, -1)
          .grad(p -> {
            double r = Math.sqrt(p[0] / p[1]);
            return new double[] {0.5 / (r * p[1]), -0.5 * r / p[1]};
          }),
      fn("maxOfExpressions", "x, y", "M.max(x * y, x + y)").at(3, 2).at(0.5, 0.5).at(-1, 2)
          .grad(p -> p[0] * p[1] >= p[0] + p[1] ? new double[] {p[1], p[0]} : new double[] {1, 1}),
      fn("minOfExpressions", "x, y", "M.min(x * y, x + y)").at(3, 2).at(0.5, 0.5).at(-1, 2)
          .grad(p -> p[0] * p[1] <= p[0] + p[1] ? new double[] {p[1], p[0]} : new double[] {1, 1}),
      fn("absOfDifference", "x, y", "M.abs(x - y) * x").at(3, 2).at(0.5, 1.5).at(-1, 2)
          .grad(p -> {
            double d = p[0] - p[1];
            return new double[] {Math.abs(d) + Math.signum(d) * p[0], -Math.signum(d) * p[0]};
          }));

  static final List<Fn> FUNCTIONS = expand(TEMPLATES);

  static List<Fn> expand(List<Fn> templates) {
    List<Fn> out = new ArrayList<>();
    for (Fn t : templates) {
      out.add(t.copy(t.name + "_Math", t.body.replace("M.", "Math.")));
      out.add(t.copy(t.name + "_StrictMath", t.body.replace("M.", "StrictMath.")));
    }
    return out;
  }

  static final FunctionSuite SUITE = new FunctionSuite(FUNCTIONS);

  @TestFactory
  Stream<DynamicNode> gradients() {
    return SUITE.tests();
  }
}
