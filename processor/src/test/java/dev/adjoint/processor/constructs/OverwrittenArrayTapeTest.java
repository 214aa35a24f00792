package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A counted loop that overwrites a[i] in iteration i (an RK4 stage, y[i] += ...) pushes the
 * elements it overwrites before it, in one copy ({@code _tape.pushDoubles(a, start, trips)}),
 * instead of one push per iteration; loops that write a[i] twice, write another element, run a
 * loop inside or tape more than that element keep the per-iteration push. Checked against
 * finite differences, and forward over reverse (which pushes each value's tangent after it)
 * keeps pushing element by element.
 */
class OverwrittenArrayTapeTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Stages", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Stages {
          @Differentiable
          public static double stages(double[] x, int s) {
            int n = x.length;
            double[] y = new double[n];
            double[] tmp = new double[n];
            for (int step = 0; step < s; step++) {
              for (int i = 0; i < n; i++) {
                tmp[i] = y[i] + 0.3 * Math.sin(x[i] * y[i] + 1);
              }
              for (int i = 1; i < n; i++) {
                y[i] += 0.2 * tmp[i - 1] * x[i];
              }
              y[0] += 0.1 * x[0] * tmp[0];
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
              sum += y[i] * y[i] * (i + 1);
            }
            return sum;
          }

          /** tmp[i + 1] is written too: each element is pushed as the iteration finds it. */
          @Differentiable
          public static double twoElements(double[] x) {
            int n = x.length;
            double[] tmp = new double[n + 1];
            for (int k = 0; k < 3; k++) {
              for (int i = 0; i < n; i++) {
                tmp[i] = tmp[i] * x[i] + 1;
                tmp[i + 1] = tmp[i + 1] * 0.5 + x[i];
              }
            }
            return tmp[n] + tmp[0] * tmp[1];
          }

          @Differentiable(hessian = true)
          public static double second(double a, double b) {
            double[] y = {a, b, a * b};
            for (int k = 0; k < 3; k++) {
              for (int i = 0; i < 3; i++) {
                y[i] = Math.sin(y[i] * a) + b * y[i];
              }
            }
            return y[0] * y[1] + y[2];
          }
        }
        """);
  }

  @Test
  void anRk4LikeLoopPushesTheOverwrittenElementsAtOnce() {
    String source = c.generatedSource("p.StagesGrad");
    String stages = source.substring(source.indexOf(" stages(double[] x, int s) {"));
    stages = stages.substring(0, stages.indexOf("\n    }\n"));
    assertTrue(stages.contains("_tape.pushDoubles(tmp, 0, n);"), stages);
    assertTrue(stages.contains("_tape.pushDoubles(y, 1, n - 1);"), stages);
    assertFalse(stages.contains("pushDouble(tmp[i])") || stages.contains("pushDouble(y[i])"), stages);
    for (int s : new int[] {0, 1, 4}) {
      assertMatches(c, "p.Stages", "stages", 1e-6, new double[] {0.3, -0.8, 1.2, 0.5}, s);
    }
    assertMatches(c, "p.Stages", "stages", 1e-6, new double[] {0.7}, 3);
  }

  @Test
  void aLoopWritingAnotherElementPushesPerIteration() {
    String source = c.generatedSource("p.StagesGrad");
    String two = source.substring(source.indexOf("public static TwoElements twoElements("));
    two = two.substring(0, two.indexOf("\n    }\n"));
    // (its outer loop may keep tmp whole as a checkpoint: CheckpointedLoopTest)
    assertFalse(two.contains("pushDoubles(tmp, 0, n)"), two);
    assertMatches(c, "p.Stages", "twoElements", 1e-6, (Object) new double[] {0.3, -0.8, 1.2});
  }

  @Test
  void forwardOverReverseStillPushesEachValueWithItsTangent() {
    String source = c.generatedSource("p.StagesGrad");
    String hvp = source.substring(source.indexOf("public static SecondHvp secondHvp("));
    hvp = hvp.substring(0, hvp.indexOf("\n    }\n"));
    assertFalse(hvp.contains("pushDoubles"), hvp);
    assertMatches(c, "p.Stages", "second", 1e-6, 0.4, 0.9);
    double[] x = {0.4, 0.9};
    double[][] h = (double[][]) Compiled.components(c.call("p.StagesGrad", "secondHessian", 0.4, 0.9)).get("hessian");
    double step = 1e-5;
    for (int j = 0; j < 2; j++) {
      double[] up = x.clone();
      double[] down = x.clone();
      up[j] += step;
      down[j] -= step;
      Map<String, Object> gu = Compiled.components(c.call("p.StagesGrad", "second", up[0], up[1]));
      Map<String, Object> gd = Compiled.components(c.call("p.StagesGrad", "second", down[0], down[1]));
      String[] names = {"a", "b"};
      for (int i = 0; i < 2; i++) {
        double fd = ((double) gu.get(names[i]) - (double) gd.get(names[i])) / (2 * step);
        assertEquals(fd, h[i][j], 1e-5 * Math.max(1, Math.abs(fd)), "H[" + i + "][" + j + "]");
      }
    }
  }
}
