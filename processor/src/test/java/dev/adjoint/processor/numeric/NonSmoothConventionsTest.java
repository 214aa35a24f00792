package dev.adjoint.processor.numeric;

import static dev.adjoint.processor.numeric.Fn.fn;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.processor.testing.Compiled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The conventions at non-smooth points, checked exactly (no finite differences there):
 * |x|' = 0 at 0; max and min pass the adjoint to the FIRST argument on ties; floor, ceil, rint
 * and signum have derivative 0, also at their jumps. The expected gradient of each row is the
 * convention itself; values must equal the original method's result.
 */
class NonSmoothConventionsTest {
  static final List<Fn> FUNCTIONS = List.of(
      fn("abs", "x", "Math.abs(x)")
          .at(0).at(-0.0).at(2).at(-3)
          .grad1(x -> x == 0 ? 0 : Math.signum(x)),
      fn("strictAbs", "x", "StrictMath.abs(x)")
          .at(0).at(-0.0).at(-3)
          .grad1(x -> x == 0 ? 0 : Math.signum(x)),
      fn("absPlusX", "x", "Math.abs(x) * 3 + x")
          .at(0).at(-0.0).at(-1)
          .grad1(x -> x == 0 ? 1 : 3 * Math.signum(x) + 1),
      fn("absOfDifference", "x, y", "Math.abs(x - y)")
          .at(2, 2).at(-1.5, -1.5).at(0, 0)
          .grad(p -> new double[] {0, 0}),
      fn("absSquared", "x", "Math.abs(x) * Math.abs(x)")
          .at(0).at(-0.0).at(1.5)
          .grad1(x -> 2 * x),
      // ties: the adjoint goes to the first argument
      fn("max", "x, y", "Math.max(x, y)")
          .at(1, 1).at(0, 0).at(-2.5, -2.5).at(3, 1).at(1, 3)
          .grad(p -> p[0] >= p[1] ? new double[] {1, 0} : new double[] {0, 1}),
      fn("maxSwapped", "x, y", "Math.max(y, x)")
          .at(1, 1).at(0, 0).at(-2.5, -2.5).at(3, 1).at(1, 3)
          .grad(p -> p[1] >= p[0] ? new double[] {0, 1} : new double[] {1, 0}),
      fn("min", "x, y", "Math.min(x, y)")
          .at(1, 1).at(0, 0).at(-2.5, -2.5).at(3, 1).at(1, 3)
          .grad(p -> p[0] <= p[1] ? new double[] {1, 0} : new double[] {0, 1}),
      fn("minSwapped", "x, y", "Math.min(y, x)")
          .at(1, 1).at(0, 0).at(-2.5, -2.5).at(3, 1).at(1, 3)
          .grad(p -> p[1] <= p[0] ? new double[] {0, 1} : new double[] {1, 0}),
      fn("strictMax", "x, y", "StrictMath.max(x, y)")
          .at(1, 1).at(0, 0).at(-2.5, -2.5)
          .grad(p -> new double[] {1, 0}),
      fn("strictMin", "x, y", "StrictMath.min(y, x)")
          .at(1, 1).at(0, 0).at(-2.5, -2.5)
          .grad(p -> new double[] {0, 1}),
      fn("maxWithConstantSecond", "x", "Math.max(x, 2.0)")
          .at(2).at(3).at(1)
          .grad1(x -> x >= 2 ? 1 : 0),
      fn("maxWithConstantFirst", "x", "Math.max(2.0, x)")
          .at(2).at(3).at(1)
          .grad1(x -> 2 >= x ? 0 : 1),
      fn("reluAtZero", "x", "Math.max(x, 0)")
          .at(0).at(-0.0).at(1).at(-1)
          .grad1(x -> x >= 0 ? 1 : 0),
      fn("minWithZeroFirst", "x", "Math.min(0, x)")
          .at(0).at(-0.0).at(1).at(-1)
          .grad1(x -> 0 <= x ? 0 : 1),
      fn("maxOfSame", "x", "Math.max(x, x) + Math.min(x, x)")
          .at(0).at(1.5).at(-2)
          .grad1(x -> 2),
      // tie between two different expressions: the first one's derivative is passed on
      fn("maxTieOfExpressions", "x, y", "Math.max(x * y, x + y)")
          .at(2, 2).at(0, 0).at(3, 1.5)
          .grad(p -> new double[] {p[1], p[0]}),
      fn("maxTieOfExpressionsSwapped", "x, y", "Math.max(x + y, x * y)")
          .at(2, 2).at(0, 0).at(3, 1.5)
          .grad(p -> new double[] {1, 1}),
      fn("minTieOfExpressions", "x, y", "Math.min(x + y, 2 * x)")
          .at(1, 1).at(0, 0).at(-2, -2)
          .grad(p -> new double[] {1, 1}),
      fn("minTieOfExpressionsSwapped", "x, y", "Math.min(2 * x, x + y)")
          .at(1, 1).at(0, 0).at(-2, -2)
          .grad(p -> new double[] {2, 0}),
      // piecewise constant functions: derivative 0 everywhere, including at the jumps
      fn("floor", "x", "Math.floor(x)")
          .at(2).at(-3).at(0).at(-0.0).at(1.5)
          .grad1(x -> 0),
      fn("ceil", "x", "Math.ceil(x)")
          .at(2).at(-1).at(0).at(-0.5)
          .grad1(x -> 0),
      fn("rint", "x", "Math.rint(x)")
          .at(0.5).at(1.5).at(-2.5).at(3)
          .grad1(x -> 0),
      fn("signum", "x", "Math.signum(x)")
          .at(0).at(-0.0).at(1).at(-2)
          .grad1(x -> 0),
      fn("strictPiecewise", "x", "StrictMath.floor(x) + StrictMath.ceil(x) + StrictMath.rint(x) + StrictMath.signum(x)")
          .at(0).at(2).at(0.5).at(-1.5)
          .grad1(x -> 0),
      fn("floorTimesY", "x, y", "Math.floor(x) * y + Math.ceil(y) * x")
          .at(3, 5).at(-1, 0).at(0, -2)
          .grad(p -> new double[] {Math.ceil(p[1]), Math.floor(p[0])}),
      fn("piecewiseInChain", "x", "Math.sin(Math.rint(x) + Math.signum(x)) * x")
          .at(0).at(0.5).at(2)
          .grad1(x -> Math.sin(Math.rint(x) + Math.signum(x))),
      // conventions documented by the processor (Rules.java), beyond the list
      fn("hypotAtOrigin", "x, y", "Math.hypot(x, y)")
          .at(0, 0).at(-0.0, 0).at(0, -0.0)
          .grad(p -> new double[] {0, 0}),
      fn("powNonPositiveBase", "x, y", "Math.pow(x, y)")
          // d/dy pow(x, y) taken as 0 where x <= 0
          .at(-2, 3).at(-1.5, 2).at(0, 2)
          .grad(p -> new double[] {p[1] * Math.pow(p[0], p[1] - 1), 0}));

  static final FunctionSuite SUITE = new FunctionSuite(FUNCTIONS);

  @TestFactory
  Stream<DynamicNode> conventions() {
    return FUNCTIONS.stream().map(f -> {
      List<DynamicNode> tests = new ArrayList<>();
      for (double[] p : f.points) {
        tests.add(DynamicTest.dynamicTest(f.name + FunctionSuite.describe(f, p), () -> check(f, p)));
      }
      return DynamicContainer.dynamicContainer(f.name, tests);
    });
  }

  private static void check(Fn f, double[] p) {
    Compiled c = SUITE.compiledFor(f);
    double[] g = FunctionSuite.generated(c, f, p);
    double value = FunctionSuite.primal(FunctionSuite.primalMethod(c, f), p);
    double[] expected = f.grad.at(p.clone());
    String where = "\n" + f.source() + "at " + f.name + FunctionSuite.describe(f, p) + "\n";
    List<Executable> checks = new ArrayList<>();
    checks.add(() -> {
      if (!FunctionSuite.same(value, g[0])) {
        fail(where + "value: generated " + g[0] + " but the method returns " + value);
      }
    });
    for (int i = 0; i < p.length; i++) {
      int k = i;
      checks.add(() -> {
        if (!(expected[k] == g[k + 1])) { // exact; 0.0 == -0.0
          fail(where + "d/d" + f.params.get(k) + ": generated " + g[k + 1] + ", convention gives "
              + expected[k] + " (whole gradient " + Arrays.toString(Arrays.copyOfRange(g, 1, g.length)) + ")");
        }
      });
    }
    assertAll(checks.stream());
  }
}
