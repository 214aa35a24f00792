package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reverse-sweep loop that only adds multiples of some adjoints runs only when one of them is
 * not zero: the minimum over clusters passes its adjoint to one distance, and the other
 * distances' loops are skipped. In a Hessian-vector product the guard asks the adjoints'
 * tangents too: an adjoint can be zero where its tangent is not. Checked against finite
 * differences, at such a point included.
 */
class SkipZeroAdjointsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Skip", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Skip {
          @Differentiable
          public static double closest(double[] point, double[][] centroids) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < centroids.length; j++) {
              double dist = 0;
              for (int l = 0; l < point.length; l++) {
                double diff = point[l] - centroids[j][l];
                dist += diff * diff;
              }
              best = Math.min(best, dist);
            }
            return best;
          }

          /** At x[0] = 1 the adjoint of s is zero, its tangent along x[0] is not. */
          @Differentiable(hessian = true)
          public static double scaled(double[] x) {
            double s = 0;
            for (int l = 1; l < x.length; l++) {
              s = 0.5 * s + x[l] * x[l];
            }
            return (x[0] - 1) * s;
          }
        }
        """);
  }

  @Test
  void theDistancesThatAreNotTheMinimumSkipTheirLoop() {
    String source = c.generatedSource("p.SkipGrad");
    assertTrue(source.contains("if (_d_dist != 0) {"), source);
    double[][] centroids = {{0.1, 0.2}, {0.9, 0.8}, {0.4, 0.6}};
    assertMatches(c, "p.Skip", "closest", 1e-6, new double[] {0.5, 0.5}, centroids);
    assertMatches(c, "p.Skip", "closest", 1e-6, new double[] {0.0, 0.1}, centroids);
  }

  @Test
  void theProductAsksTheTangentOfAZeroAdjointToo() {
    String source = c.generatedSource("p.SkipGrad");
    String hvp = source.substring(source.indexOf("ScaledHvp scaledHvp("));
    assertTrue(hvp.contains("_dot_d_s != 0"), hvp);
    double[] x = {1, 0.4, -0.7, 1.2};
    assertMatches(c, "p.Skip", "scaled", 1e-6, (Object) x);
    double[] v = {1, 0.3, 0.5, -0.2};
    double[] product = (double[]) Compiled.components(c.call("p.SkipGrad", "scaledHvp", x, v)).get("xHvp");
    double step = 1e-6;
    double[] up = x.clone();
    double[] down = x.clone();
    for (int i = 0; i < x.length; i++) {
      up[i] += step * v[i];
      down[i] -= step * v[i];
    }
    double[] gu = (double[]) Compiled.components(c.call("p.SkipGrad", "scaled", (Object) up)).get("x");
    double[] gd = (double[]) Compiled.components(c.call("p.SkipGrad", "scaled", (Object) down)).get("x");
    for (int i = 0; i < x.length; i++) {
      double fd = (gu[i] - gd[i]) / (2 * step);
      assertEquals(fd, product[i], 1e-5 * Math.max(1, Math.abs(fd)), "Hv[" + i + "]");
    }
  }
}
