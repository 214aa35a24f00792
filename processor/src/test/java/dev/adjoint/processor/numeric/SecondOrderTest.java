package dev.adjoint.processor.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Forward mode and second derivatives on every smooth function of the numerical suites,
 * compiled again with {@code @Differentiable(forward = true, hessian = true)}: the tangent equals
 * gradient · direction from reverse mode (1e-12), the Hessian matches finite differences of the
 * gradient (relative 1e-5) and is symmetric, and {@code fHvp} equals Hessian · direction.
 */
class SecondOrderTest {
  @TestFactory
  Stream<DynamicContainer> arithmetic() {
    return suite("arithmetic", ArithmeticTest.SUITE);
  }

  @TestFactory
  Stream<DynamicContainer> mathFunctions() {
    return suite("math", MathFunctionsTest.SUITE);
  }

  @TestFactory
  Stream<DynamicContainer> combined() {
    return suite("combined", CombinedFunctionsTest.SUITE);
  }

  private Stream<DynamicContainer> suite(String name, FunctionSuite suite) {
    Compiled c = Compiled.of(suite.sourcesAnnotated("@Differentiable(forward = true, hessian = true)"));
    return suite.functions().stream().map(f -> DynamicContainer.dynamicContainer(f.name,
        f.points.stream().map(p -> DynamicTest.dynamicTest(java.util.Arrays.toString(p),
            () -> check(c, f, p)))));
  }

  static double[] gradient(Compiled c, Fn f, double[] x) {
    Map<String, Object> g = Compiled.components(c.call(FunctionSuite.GRAD, f.name, box(x)));
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (double) g.get(f.params.get(i));
    }
    return out;
  }

  static Object[] box(double[] x, double... more) {
    Object[] out = new Object[x.length + more.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    for (int i = 0; i < more.length; i++) {
      out[x.length + i] = more[i];
    }
    return out;
  }

  private static void check(Compiled c, Fn f, double[] x) {
    int n = x.length;
    double[] g = gradient(c, f, x);
    SplittableRandom random = new SplittableRandom(f.name.hashCode());
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble(-1, 1);
    }
    // forward mode: the tangent is the directional derivative
    Map<String, Object> jvp = Compiled.components(c.call(FunctionSuite.GRAD, f.name + "Jvp", box(x, v)));
    double expected = 0;
    double scale = 0;
    for (int i = 0; i < n; i++) {
      expected += g[i] * v[i];
      scale += Math.abs(g[i] * v[i]);
    }
    assertEquals(expected, (double) jvp.get("tangent"), 1e-12 * Math.max(scale, 1e-300) + 1e-300,
        "tangent of " + f.name);
    assertEquals((double) c.call(FunctionSuite.MODEL, f.name, box(x)), (double) jvp.get("value"), 0);

    // second derivatives
    Map<String, Object> hess = Compiled.components(c.call(FunctionSuite.GRAD, f.name + "Hessian", box(x)));
    double[][] h = (double[][]) hess.get("hessian");
    double[] hg = (double[]) hess.get("gradient");
    for (int i = 0; i < n; i++) {
      assertEquals(g[i], hg[i], 1e-12 * Math.max(1, Math.abs(g[i])), "gradient from " + f.name + "Hessian");
    }
    List<String> errors = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      double hStep = 1e-3 * Math.max(1, Math.abs(x[j]));
      double[] fd = new double[n];
      double[][] at = new double[4][];
      double[] offsets = {2, 1, -1, -2};
      for (int k = 0; k < 4; k++) {
        double[] xs = x.clone();
        xs[j] += offsets[k] * hStep;
        at[k] = gradient(c, f, xs);
      }
      for (int i = 0; i < n; i++) {
        fd[i] = (-at[0][i] + 8 * at[1][i] - 8 * at[2][i] + at[3][i]) / (12 * hStep);
        double err = Math.abs(fd[i] - h[i][j]) / Math.max(Math.max(Math.abs(fd[i]), Math.abs(h[i][j])), 1e-4);
        if (err > 1e-5) {
          errors.add("H[" + i + "][" + j + "] = " + h[i][j] + " but finite differences give " + fd[i]);
        }
        double sym = Math.abs(h[i][j] - h[j][i]) / Math.max(Math.max(Math.abs(h[i][j]), Math.abs(h[j][i])), 1);
        if (sym > 1e-9) {
          errors.add("H[" + i + "][" + j + "] = " + h[i][j] + " but H[" + j + "][" + i + "] = " + h[j][i]);
        }
      }
    }
    Map<String, Object> hvp = Compiled.components(c.call(FunctionSuite.GRAD, f.name + "Hvp", box(x, v)));
    double[] hv = (double[]) hvp.get("hvp");
    for (int i = 0; i < n; i++) {
      double e = 0;
      double s = 0;
      for (int j = 0; j < n; j++) {
        e += h[i][j] * v[j];
        s += Math.abs(h[i][j] * v[j]);
      }
      if (Math.abs(e - hv[i]) > 1e-10 * Math.max(s, 1e-4)) {
        errors.add("Hv[" + i + "] = " + hv[i] + " but H·v = " + e);
      }
    }
    if (!errors.isEmpty()) {
      throw new AssertionError(f.name + " at " + java.util.Arrays.toString(x) + ":\n" + String.join("\n", errors)
          + "\n" + c.generatedSource(FunctionSuite.GRAD).lines()
              .dropWhile(l -> !l.contains(" " + f.name + "Hvp(")).limit(60).reduce("", (a, b) -> a + "\n" + b));
    }
  }
}
