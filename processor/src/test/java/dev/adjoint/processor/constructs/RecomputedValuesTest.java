package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A loop body's local that the reverse sweep needs is evaluated again there from its declaration,
 * instead of being pushed and popped, when it is cheap ({@code + - *}, element reads) and made of
 * values the reverse sweep still has: parameters and top-level locals assigned once, arrays
 * nothing writes, and the indices of the counted loops around it. Anything else stays taped.
 * Checked against finite differences.
 */
class RecomputedValuesTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Recompute", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Recompute {
          /** diff reads two parameters at the loops' indices: recomputed. */
          @Differentiable
          public static double distances(double[][] points, double[] c) {
            int d = c.length;
            double total = 0;
            for (int i = 0; i < points.length; i++) {
              double dist = 0;
              for (int l = 0; l < d; l++) {
                double diff = points[i][l] - c[l] * (i + 1);
                dist += diff * diff;
              }
              total += Math.sqrt(dist);
            }
            return total;
          }

          /** t reads s, which the loop changes: taped. */
          @Differentiable
          public static double changing(double[] x) {
            double s = 1;
            double out = 0;
            for (int i = 0; i < x.length; i++) {
              double t = s * x[i];
              s = s * 0.5 + Math.sin(t);
              out += t * t;
            }
            return out + s;
          }

          /** u reads y, which the method writes: taped. */
          @Differentiable
          public static double written(double[] x) {
            double[] y = new double[x.length];
            double out = 0;
            for (int k = 0; k < 2; k++) {
              for (int i = 0; i < x.length; i++) {
                double u = y[i] + x[i];
                y[i] = Math.sin(u * u);
                out += u * y[i];
              }
            }
            return out;
          }
        }
        """);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.RecomputeGrad");
    String m = source.substring(source.indexOf(" " + name + "("));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void aCheapLocalOfParametersAndIndicesIsRecomputed() {
    String m = method("distances");
    assertFalse(m.contains("pushDouble(diff)"), m);
    // declared in the forward sweep and again in the reverse sweep
    assertEquals(2, m.split("double diff = points\\[i\\]\\[l\\] - c\\[l\\] \\* \\(i \\+ 1\\);", -1).length - 1, m);
    double[][] points = {{0.3, -0.2, 0.9}, {1.1, 0.4, -0.6}, {0.2, 0.8, 0.5}};
    assertMatches(c, "p.Recompute", "distances", 1e-6, points, new double[] {0.4, -0.3, 0.7});
  }

  @Test
  void aLocalOfAValueTheLoopChangesIsTaped() {
    String m = method("changing");
    assertTrue(m.contains("pushDouble(t)"), m);
    assertMatches(c, "p.Recompute", "changing", 1e-6, (Object) new double[] {0.3, -0.9, 1.4, 0.2});
  }

  @Test
  void aLocalOfAWrittenArrayIsTaped() {
    String m = method("written");
    assertTrue(m.contains("pushDouble(u)"), m);
    assertMatches(c, "p.Recompute", "written", 1e-6, (Object) new double[] {0.3, -0.9, 1.4});
  }
}
