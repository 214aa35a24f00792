package dev.adjoint.processor.numeric;

import static dev.adjoint.processor.numeric.Fn.fn;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Operators, locals, assignments, literals and constants: every construct of straight-line
 * scalar code, checked against finite differences and the closed form.
 */
class ArithmeticTest {
  static final List<Fn> FUNCTIONS = List.of(
      fn("add", "x, y", "x + y")
          .at(1, 2).at(-3.5, 0.25).at(1e3, -7)
          .grad(p -> new double[] {1, 1}),
      fn("sub", "x, y", "x - y")
          .at(1, 2).at(-3.5, 0.25).at(1e3, -7)
          .grad(p -> new double[] {1, -1}),
      fn("mul", "x, y", "x * y")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {p[1], p[0]}),
      fn("div", "x, y", "x / y")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {1 / p[1], -p[0] / (p[1] * p[1])}),
      fn("square", "x", "x * x")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 2 * x),
      fn("reciprocal", "x", "1.0 / x")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> -1 / (x * x)),
      fn("neg", "x", "-x")
          .at(1.5).at(-3.5).at(0)
          .grad1(x -> -1),
      fn("negProduct", "x, y", "-(x * y) + -x")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {-p[1] - 1, -p[0]}),
      fn("doubleNeg", "x, y", "-(-x) * y")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {p[1], p[0]}),
      fn("negDivisor", "x, y", "x / -y")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {-1 / p[1], p[0] / (p[1] * p[1])}),
      fn("parens", "x, y", "(x + y) * (x - y)")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * p[0], -2 * p[1]}),
      fn("nestedParens", "x, y", "((x + 1) * ((y - 2) / (x + y)))")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> {
            double x = p[0], y = p[1], s = x + y;
            return new double[] {(y - 2) / s - (x + 1) * (y - 2) / (s * s),
                (x + 1) / s - (x + 1) * (y - 2) / (s * s)};
          }),
      fn("precedence", "x, y", "x + y * x - y / x")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {1 + p[1] + p[1] / (p[0] * p[0]), p[0] - 1 / p[0]}),
      fn("leftAssociative", "x, y, z", "x - y - z + x / y / z")
          .at(1.5, 2, 3).at(-3.5, 0.25, -1).at(0.1, -7, 0.5)
          .grad(p -> {
            double x = p[0], y = p[1], z = p[2];
            return new double[] {1 + 1 / (y * z), -1 - x / (y * y * z), -1 - x / (y * z * z)};
          }),
      fn("locals", "x, y", """
          double a = x * y;
          double b = a + x;
          return a * b;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {2 * x * y * y + 2 * x * y, 2 * x * x * y + x * x};
          }),
      fn("finalLocals", "x, y", """
          final double a = x + y;
          final double b = a * a;
          return b - a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * (p[0] + p[1]) - 1, 2 * (p[0] + p[1]) - 1}),
      fn("multiDeclaration", "x, y", """
          double a = x * 2, b = y * 3;
          return a * b;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {6 * p[1], 6 * p[0]}),
      fn("declareThenAssign", "x, y", """
          double a;
          a = x * y;
          return a + x;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {p[1] + 1, p[0]}),
      fn("reassignLocal", "x, y", """
          double a = x;
          a = a * y;
          a = a + x;
          return a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {p[1] + 1, p[0]}),
      fn("selfTimesOther", "x, y", """
          double a = x;
          double b = y;
          a = a * b;
          a = a * b;
          return a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {p[1] * p[1], 2 * p[0] * p[1]}),
      fn("selfTimesSelf", "x", """
          double a = x + 1;
          a = a * a;
          a = a * a;
          return a;""")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 4 * Math.pow(x + 1, 3)),
      fn("reassignParameter", "x, y", """
          x = x * x;
          return x + y;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * p[0], 1}),
      fn("reassignParameterFromOther", "x, y", """
          y = x * y;
          x = y + x;
          return x * y;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          // f = (xy + x) * xy = x²y² + x²y
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {2 * x * y * y + 2 * x * y, 2 * x * x * y + x * x};
          }),
      fn("overwrittenValue", "x, y", """
          double a = x * y;
          a = y;
          return a * a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {0, 2 * p[1]}),
      fn("swap", "x, y", """
          double t = x;
          x = y;
          y = t;
          return x * x * y;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          // f = y² x
          .grad(p -> new double[] {p[1] * p[1], 2 * p[0] * p[1]}),
      fn("compoundAdd", "x, y", """
          double a = x;
          a += y;
          a += x * y;
          return a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {1 + p[1], 1 + p[0]}),
      fn("compoundSub", "x, y", """
          double a = x * x;
          a -= y;
          a -= x;
          return a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * p[0] - 1, -1}),
      fn("compoundMul", "x, y", """
          double a = x;
          a *= y;
          a *= a;
          return a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {2 * x * y * y, 2 * x * x * y};
          }),
      fn("compoundDiv", "x, y", """
          double a = x;
          a /= y;
          a /= y;
          return a;""")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {1 / (p[1] * p[1]), -2 * p[0] / (p[1] * p[1] * p[1])}),
      fn("compoundOnParameters", "x, y", """
          x += y;
          x *= y;
          y -= 1;
          x /= y;
          return x;""")
          // f = (x + y) y / (y - 1)
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> {
            double x = p[0], y = p[1];
            return new double[] {y / (y - 1),
                ((x + 2 * y) * (y - 1) - (x + y) * y) / ((y - 1) * (y - 1))};
          }),
      fn("compoundSelf", "x", """
          double a = x;
          a += a;
          a *= a;
          a -= x;
          a /= 2;
          return a;""")
          // f = (4x² - x) / 2
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> (8 * x - 1) / 2),
      fn("compoundWithExpression", "x, y", """
          double a = 1;
          a *= x + y;
          a += x * (y - a);
          return a;""")
          // a1 = x + y; f = a1 + x (y - a1) = x + y - x²
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {1 - 2 * p[0], 1}),
      fn("unusedParameter", "x, y", "x * x")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * p[0], 0}),
      fn("constantResult", "x", "3.0")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 0),
      fn("identity", "x", "x")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 1),
      fn("doubleLiterals", "x, y", "1.5e1 * x + .5 * y + 2. * x * y + 1_000.0 / 1e3 * x + 0x1.8p1 * y + 2d * x")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {15 + 2 * p[1] + 1 + 2, 0.5 + 2 * p[0] + 3}),
      fn("intLiterals", "x, y", "2 * x + x / 4 + 3 - y * 5 + 1 / x")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 + 0.25 - 1 / (p[0] * p[0]), -5}),
      fn("intDivisionBeforePromotion", "x, y", "1 / 2 * x + 7 / 2 * y")
          // Java: 1 / 2 == 0 and 7 / 2 == 3 in int arithmetic
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {0, 3}),
      fn("intArithmeticPromoted", "x", "(2 + 3) * x * (10 - 4) - -2 * x")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 32),
      fn("intLiteralInitializer", "x", """
          double a = 2;
          a = a * x;
          a += 1;
          return a * a;""")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 4 * (2 * x + 1)),
      fn("longLiteral", "x", "3L * x + 1L")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> 3),
      fn("mathConstants", "x, y", "Math.PI * x + Math.E * y + StrictMath.PI * x * y - StrictMath.E")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {Math.PI + Math.PI * p[1], Math.E + Math.PI * p[0]}),
      fn("otherClassConstant", "x, y", "q.Consts.SCALE * x * x + Consts.OFFSET * y + Consts.TWICE")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * 2.5 * p[0], -0.125}),
      fn("ownConstants", "x, y", "K * x * x + Model.TWO_PI * y")
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * 0.75 * p[0], 2 * Math.PI}),
      fn("constantsInLocals", "x", """
          final double c = Math.PI / 4;
          double s = Double.MIN_NORMAL * 0 + c;
          return c * x * s;""")
          .at(1.5).at(-3.5).at(0.1)
          .grad1(x -> Math.PI / 4 * (Math.PI / 4)),
      fn("variableUsedManyTimes", "x, y", """
          double t = x * y;
          double u = t * t;
          double v = u * t + t;
          return v / t + t - t;""")
          // = t² + 1 = x²y² + 1
          .at(1.5, 2).at(-3.5, 0.25).at(0.1, -7)
          .grad(p -> new double[] {2 * p[0] * p[1] * p[1], 2 * p[0] * p[0] * p[1]}),
      fn("manyParameters", "a, b, c, d, e", "a * b - c / d + e * e * a")
          .at(1, 2, 3, 4, 5).at(-0.5, 1.5, -2, 0.25, 3).at(2, -1, 0.5, -3, -0.1)
          .grad(p -> new double[] {p[1] + p[4] * p[4], p[0], -1 / p[3],
              p[2] / (p[3] * p[3]), 2 * p[4] * p[0]}));

  static final FunctionSuite SUITE = new FunctionSuite(FUNCTIONS)
      .imports("import q.Consts;\n")
      .members("""
            static final double K = 0.75;
            static final double TWO_PI = 2 * Math.PI;
          """)
      .source("q.Consts", """
          package q;
          public final class Consts {
            public static final double SCALE = 2.5;
            public static final double OFFSET = -0.125;
            public static final double TWICE = 2 * SCALE;
            private Consts() {}
          }
          """);

  @TestFactory
  Stream<DynamicNode> gradients() {
    return SUITE.tests();
  }
}
