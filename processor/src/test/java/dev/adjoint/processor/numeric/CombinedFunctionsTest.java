package dev.adjoint.processor.numeric;

import static dev.adjoint.processor.numeric.Fn.fn;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Functions that combine operators, locals and Math functions, reuse values several times and
 * mix Math, StrictMath and statically imported functions, as real models do.
 */
class CombinedFunctionsTest {
  static final List<Fn> FUNCTIONS = List.of(
      fn("rosenbrock", "x, y", """
          double a = 1 - x;
          double b = y - x * x;
          return a * a + 100 * b * b;""")
          .at(1.5, 2).at(-1.2, 1).at(0.3, -0.4)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)};
          }),
      fn("sigmoid", "x", """
          final double e = Math.exp(-x);
          return 1 / (1 + e);""")
          .at(0.5).at(-3).at(4)
          .grad1(x -> {
            double s = 1 / (1 + Math.exp(-x));
            return s * (1 - s);
          }),
      fn("softplus", "x", "Math.log1p(Math.exp(x))")
          .at(0.5).at(-3).at(4)
          .grad1(x -> Math.exp(x) / (1 + Math.exp(x))),
      fn("logSumExp", "x, y", "Math.log(Math.exp(x) + Math.exp(y))")
          .at(0.5, 1).at(-3, 2).at(4, 4.5)
          .grad(p -> {
            double s = Math.exp(p[0]) + Math.exp(p[1]);
            return new double[] {Math.exp(p[0]) / s, Math.exp(p[1]) / s};
          }),
      fn("gaussian", "x, mu, sigma", """
          double z = (x - mu) / sigma;
          return Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));""")
          .at(0.5, 0, 1).at(-1, 0.5, 2).at(2, 1.5, 0.7)
          .grad(p -> {
            double x = p[0], mu = p[1], s = p[2], z = (x - mu) / s;
            double g = Math.exp(-0.5 * z * z) / (s * Math.sqrt(2 * Math.PI));
            return new double[] {-g * z / s, g * z / s, g * (z * z - 1) / s};
          }),
      fn("polarRoundTrip", "x, y", """
          double r = Math.hypot(x, y);
          double theta = Math.atan2(y, x);
          return r * Math.cos(theta) + 2 * r * Math.sin(theta);""")
          // = x + 2y
          .at(1, 2).at(-0.5, 0.3).at(2, -3)
          .grad(p -> new double[] {1, 2}),
      fn("sinReused", "x, y", """
          double s = Math.sin(x);
          return s * s + s * y + s;""")
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> {
            double s = Math.sin(p[0]);
            return new double[] {Math.cos(p[0]) * (2 * s + p[1] + 1), s};
          }),
      fn("relu", "x, y", "Math.max(x, 0) * y")
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> new double[] {p[0] > 0 ? p[1] : 0, Math.max(p[0], 0)}),
      fn("clamp", "x, y", "Math.min(Math.max(x, -1), 1) * y")
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> new double[] {Math.abs(p[0]) < 1 ? p[1] : 0, Math.min(Math.max(p[0], -1), 1)}),
      fn("signTimesAbs", "x", "Math.signum(x) * Math.abs(x)")
          .at(0.3).at(-1.2).at(2.5)
          .grad1(x -> 1),
      fn("fractionalPart", "x", "x - Math.floor(x)")
          .at(0.3).at(-1.2).at(2.7)
          .grad1(x -> 1),
      fn("nestedChain", "x", "Math.exp(Math.sin(Math.log(x * x + 1)))")
          .at(0.3).at(-1.2).at(2.5)
          .grad1(x -> {
            double l = Math.log(x * x + 1);
            return Math.exp(Math.sin(l)) * Math.cos(l) * 2 * x / (x * x + 1);
          }),
      fn("trigIdentity", "x, y", "Math.sin(x) * Math.sin(x) + Math.cos(x) * Math.cos(x) + y")
          // the x-derivative is 0 up to rounding: no 1e-12 relative closed form
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1),
      fn("mixedStrictMath", "x, y", "StrictMath.sin(x) * Math.cos(y) + StrictMath.exp(x - y)")
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {Math.cos(x) * Math.cos(y) + Math.exp(x - y),
                -Math.sin(x) * Math.sin(y) - Math.exp(x - y)};
          }),
      fn("staticImports", "x, y", "sin(x) * exp(y) + sqrt(x * x + 1) + PI * y")
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {Math.cos(x) * Math.exp(y) + x / Math.sqrt(x * x + 1),
                Math.sin(x) * Math.exp(y) + Math.PI};
          }),
      fn("powBothVariable", "x, y", "Math.pow(x * y, x) + Math.cbrt(x * y)")
          .at(0.5, 2).at(1.5, 0.8).at(2, 1.2)
          .grad(p -> {
            double x = p[0], y = p[1], u = x * y, pw = Math.pow(u, x), c = Math.cbrt(u);
            double du = 1 / (3 * c * c);
            return new double[] {pw * (Math.log(u) + 1) + du * y, pw * x / y + du * x};
          }),
      fn("angleDegrees", "x, y", "Math.toDegrees(Math.atan2(y, x)) + Math.toRadians(x * y)")
          .at(1, 2).at(-0.5, 0.3).at(2, -3)
          .grad(p -> {
            double x = p[0], y = p[1], r2 = x * x + y * y, k = 180 / Math.PI, j = Math.PI / 180;
            return new double[] {-k * y / r2 + j * y, k * x / r2 + j * x};
          }),
      fn("hyperbolic", "x, y", """
          double c = Math.cosh(x);
          double s = Math.sinh(x);
          double t = Math.tanh(y);
          return c * c - s * s + t * x;""")
          // c² - s² == 1 up to rounding
          .at(0.3, 2).at(-1.2, 0.5).at(1.5, -1),
      fn("logs", "x, y", "Math.log(x) * Math.log10(y) + Math.log1p(x * y) - Math.expm1(-x)")
          .at(0.3, 2).at(1.2, 0.5).at(2.5, 1.5)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {Math.log10(y) / x + y / (1 + x * y) + Math.exp(-x),
                Math.log(x) / (y * Math.log(10)) + x / (1 + x * y)};
          }),
      fn("inverseTrig", "x", "Math.asin(x) + Math.acos(x) * x + Math.atan(x / 2)")
          .at(0.3).at(-0.6).at(0.9)
          .grad1(x -> 1 / Math.sqrt(1 - x * x) + Math.acos(x) - x / Math.sqrt(1 - x * x)
              + 0.5 / (1 + x * x / 4)),
      fn("cubicPolynomial", "x, y", "3 * x * x * x - 2 * x * y + 7")
          .at(0.3, 2).at(-1.2, 0.5).at(2.5, -1)
          .grad(p -> new double[] {9 * p[0] * p[0] - 2 * p[1], -2 * p[0]}),
      fn("normalize", "x, y", "x / Math.hypot(x, y)")
          .at(1, 2).at(-0.5, 0.3).at(2, -3)
          .grad(p -> {
            double x = p[0], y = p[1], r = Math.hypot(x, y);
            return new double[] {y * y / (r * r * r), -x * y / (r * r * r)};
          }),
      fn("accumulate", "x, y, z", """
          double acc = 0;
          acc += x * y;
          acc += y * z;
          acc += z * x;
          acc *= acc;
          acc -= x;
          return acc;""")
          .at(1, 2, 3).at(-0.5, 0.3, 1).at(2, -3, 0.25)
          .grad(p -> {
            double x = p[0], y = p[1], z = p[2], s = x * y + y * z + z * x;
            return new double[] {2 * s * (y + z) - 1, 2 * s * (x + z), 2 * s * (x + y)};
          }),
      fn("ladder", "x", """
          double a = x;
          a = a * a + x;
          a = Math.sin(a) * a;
          a = a / (1 + x * x);
          return a;""")
          .at(0.3).at(-1.2).at(2.5)
          .grad1(x -> {
            double a1 = x * x + x, da1 = 2 * x + 1;
            double a2 = Math.sin(a1) * a1, da2 = (Math.cos(a1) * a1 + Math.sin(a1)) * da1;
            double d = 1 + x * x;
            return da2 / d - a2 * 2 * x / (d * d);
          }));

  static final FunctionSuite SUITE = new FunctionSuite(FUNCTIONS)
      .imports("""
          import static java.lang.Math.PI;
          import static java.lang.Math.exp;
          import static java.lang.Math.sin;
          import static java.lang.StrictMath.sqrt;
          """);

  @TestFactory
  Stream<DynamicNode> gradients() {
    return SUITE.tests();
  }
}
