package dev.adjoint.processor.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NaN and infinities go through generated gradients as IEEE 754 arithmetic takes them through
 * the derivative formulas: {@code ∂(x·y)/∂x = y} is NaN where y is NaN while {@code ∂/∂y = x}
 * stays finite; {@code log} at 0 is -∞ with derivative +∞; a NaN in one array element or tensor
 * element does not leak into the others' gradients; a comparison with NaN is false, so a branch
 * takes its else side and is differentiated along it. Nothing throws, nothing is silently
 * replaced by 0 or a finite number.
 */
class IeeeSpecialValuesTest {
  static final double NAN = Double.NaN;
  static final double INF = Double.POSITIVE_INFINITY;

  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Ieee", """
        package p;

        import dev.adjoint.Differentiable;
        import dev.adjoint.tensor.Tensor;

        public final class Ieee {
          @Differentiable
          public static double mul(double x, double y) {
            return x * y;
          }

          @Differentiable
          public static double div(double x, double y) {
            return x / y;
          }

          @Differentiable
          public static double log(double x) {
            return Math.log(x);
          }

          @Differentiable
          public static double sqrt(double x) {
            return Math.sqrt(x);
          }

          @Differentiable
          public static double exp(double x) {
            return Math.exp(x);
          }

          @Differentiable
          public static double tanh(double x) {
            return Math.tanh(x);
          }

          @Differentiable
          public static double atan(double x) {
            return Math.atan(x);
          }

          @Differentiable
          public static double branch(double x, double y) {
            double s;
            if (x > 0) {
              s = x * y;
            } else {
              s = y - x;
            }
            return s;
          }

          @Differentiable
          public static double squares(double[] xs) {
            double s = 0;
            for (double v : xs) {
              s += v * v;
            }
            return s;
          }

          @Differentiable
          public static double loop(double x, double y, int n) {
            double s = x;
            for (int i = 0; i < n; i++) {
              s = s * y + x;
            }
            return s;
          }

          @Differentiable(wrt = {"a", "b"})
          public static double tmul(Tensor a, Tensor b) {
            return a.mul(b).sum();
          }

          @Differentiable
          public static double tlog(Tensor a) {
            return a.log().sum();
          }

          @Differentiable(forward = true, hessian = true)
          public static double cubic(double x, double y) {
            return x * x * y;
          }
        }
        """);
  }

  static Map<String, Object> grad(String method, Object... args) {
    return Compiled.components(c.call("p.IeeeGrad", method, args));
  }

  /** Equal as IEEE values: both NaN, or ==, or within 1e-12 relative for finite ones. */
  static void same(double expected, double actual, String what) {
    if (Double.isNaN(expected) ? Double.isNaN(actual)
        : expected == actual || Double.isFinite(expected) && Math.abs(expected - actual) <= 1e-12 * Math.abs(expected)) {
      return;
    }
    fail(what + ": expected " + expected + " but was " + actual);
  }

  static void expect(String method, double[] args, double value, double... partials) {
    Object[] boxed = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      boxed[i] = args[i];
    }
    Map<String, Object> g = grad(method, boxed);
    String at = method + java.util.Arrays.toString(args);
    same(value, (double) g.get("value"), at + " value");
    same((double) c.call("p.Ieee", method, boxed), (double) g.get("value"), at + " value against the method");
    int k = 0;
    for (Map.Entry<String, Object> e : g.entrySet()) {
      if (!e.getKey().equals("value")) {
        same(partials[k++], (double) e.getValue(), at + " ∂/∂" + e.getKey());
      }
    }
    assertEquals(partials.length, k, at + ": number of partials");
  }

  static double[] at(double... args) {
    return args;
  }

  @Test
  void products() {
    expect("mul", at(2, NAN), NAN, NAN, 2);           // ∂/∂x = y, ∂/∂y = x
    expect("mul", at(NAN, 2), NAN, 2, NAN);
    expect("mul", at(INF, 2), INF, 2, INF);
    expect("mul", at(INF, 0), NAN, 0, INF);
    expect("mul", at(-INF, -INF), INF, -INF, -INF);
  }

  @Test
  void quotients() {
    expect("div", at(1, 0), INF, INF, -INF);          // ∂/∂x = 1/y, ∂/∂y = -x/y²
    expect("div", at(-1, 0), -INF, INF, INF);
    expect("div", at(0, 0), NAN, INF, NAN);
    expect("div", at(1, INF), 0, 0, -0.0);
    expect("div", at(INF, INF), NAN, 0, NAN);
  }

  @Test
  void logarithmAndRoots() {
    expect("log", at(0), -INF, INF);                  // ∂/∂x = 1/x
    expect("log", at(-0.0), -INF, -INF);
    expect("log", at(INF), INF, 0);
    expect("log", at(NAN), NAN, NAN);
    expect("sqrt", at(0), 0, INF);                    // 1/(2 sqrt x)
    expect("sqrt", at(INF), INF, 0);
    expect("sqrt", at(-1), NAN, NAN);
  }

  @Test
  void saturatingFunctions() {
    expect("exp", at(INF), INF, INF);
    expect("exp", at(-INF), 0, 0);
    expect("exp", at(NAN), NAN, NAN);
    expect("exp", at(1000), INF, INF);
    expect("tanh", at(INF), 1, 0);                    // 1 - tanh²
    expect("tanh", at(-INF), -1, 0);
    expect("tanh", at(NAN), NAN, NAN);
    expect("atan", at(INF), Math.PI / 2, 0);          // 1/(1 + x²)
    expect("atan", at(NAN), NAN, NAN);
  }

  /** A comparison with NaN is false: the else branch is taken, and differentiated. */
  @Test
  void nanTakesTheElseBranch() {
    expect("branch", at(NAN, 2), NAN, -1, 1);
    expect("branch", at(2, NAN), NAN, NAN, 2);
    expect("branch", at(INF, 2), INF, 2, INF);
  }

  @Test
  void nanInOneArrayElementStaysInItsOwnGradient() {
    Map<String, Object> g = grad("squares", (Object) new double[] {1, NAN, 2, INF});
    same(NAN, (double) g.get("value"), "value");
    double[] d = (double[]) g.get("xs");
    same(2, d[0], "∂/∂xs[0]");
    same(NAN, d[1], "∂/∂xs[1]");
    same(4, d[2], "∂/∂xs[2]");
    same(INF, d[3], "∂/∂xs[3]");
  }

  /** Through a loop, the tape carries NaN and infinities like any other value. */
  @Test
  void specialValuesThroughTheTape() {
    Map<String, Object> g = grad("loop", NAN, 0.5, 4);
    same(NAN, (double) g.get("value"), "value");
    same(NAN, (double) g.get("y"), "∂/∂y");
    // s = x(1 + y + y² + ...): ∂/∂x does not depend on x
    same(1 + 0.5 + 0.25 + 0.125 + 0.0625, (double) g.get("x"), "∂/∂x at x = NaN");
    g = grad("loop", 1.0, NAN, 3);
    same(NAN, (double) g.get("value"), "value");
    same(NAN, (double) g.get("x"), "∂/∂x");
    same(NAN, (double) g.get("y"), "∂/∂y");
    g = grad("loop", INF, 0.5, 3);
    same(INF, (double) g.get("value"), "value");
    same(1 + 0.5 + 0.25 + 0.125, (double) g.get("x"), "∂/∂x at x = ∞");
    same(INF, (double) g.get("y"), "∂/∂y at x = ∞");
  }

  @Test
  void tensors() {
    Tensor a = Tensor.of(new double[] {1, NAN, 3, 0}, 2, 2);
    Tensor b = Tensor.of(new double[] {2, 5, INF, -1}, 2, 2);
    Map<String, Object> g = grad("tmul", a, b);
    same(NAN, (double) g.get("value"), "value");
    double[] da = ((Tensor) g.get("a")).toArray();  // = b
    double[] db = ((Tensor) g.get("b")).toArray();  // = a
    double[] bv = b.toArray();
    double[] av = a.toArray();
    for (int i = 0; i < 4; i++) {
      same(bv[i], da[i], "∂/∂a[" + i + "]");
      same(av[i], db[i], "∂/∂b[" + i + "]");
    }
    g = grad("tlog", Tensor.of(new double[] {1, 0, 4, 8}, 4));
    same(-INF, (double) g.get("value"), "value");
    double[] dl = ((Tensor) g.get("a")).toArray();  // 1/a
    same(1, dl[0], "∂/∂a[0]");
    same(INF, dl[1], "∂/∂a[1] at 0");
    same(0.25, dl[2], "∂/∂a[2]");
    same(0.125, dl[3], "∂/∂a[3]");
    g = grad("tlog", Tensor.of(new double[] {INF, 2, NAN}, 3));
    same(NAN, (double) g.get("value"), "value");
    dl = ((Tensor) g.get("a")).toArray();
    same(0, dl[0], "∂/∂a[0] at ∞");
    same(0.5, dl[1], "∂/∂a[1]");
    same(NAN, dl[2], "∂/∂a[2] at NaN");
  }

  /**
   * x²y at y = NaN. The Hessian is built from Hessian-vector products along e_x and e_y: along
   * e_x, ∂(2xy)/∂x = 2y is NaN and ∂(x²)/∂x = 2x = 6; along e_y, ∂(x²)/∂y = 0 (no y in it). The
   * product along e_y of 2xy is 2(ẋy + xẏ) = 2(0·NaN + 3), NaN in IEEE arithmetic, as in any
   * forward-over-reverse system, so that entry may be 6 or NaN. Forward mode along e_x gives
   * 2xy·1 + x²·0 = NaN.
   */
  @Test
  void secondOrderKeepsNaNWhereItBelongs() {
    Map<String, Object> h = Compiled.components(c.call("p.IeeeGrad", "cubicHessian", 3.0, NAN));
    double[][] m = (double[][]) h.get("hessian");
    double[] gradient = (double[]) h.get("gradient");
    same(NAN, gradient[0], "∂/∂x");
    same(9, gradient[1], "∂/∂y");
    same(NAN, m[0][0], "∂²/∂x²");
    same(6, m[0][1], "∂²/∂x∂y along e_x");
    assertTrue(Double.isNaN(m[1][0]) || m[1][0] == 6, "∂²/∂y∂x along e_y: " + m[1][0]);
    same(0, m[1][1], "∂²/∂y²");
    Map<String, Object> jvp = Compiled.components(c.call("p.IeeeGrad", "cubicJvp", 3.0, NAN, 1.0, 0.0));
    same(NAN, (double) jvp.get("tangent"), "tangent along x");
    same(NAN, (double) jvp.get("value"), "value");
  }
}
