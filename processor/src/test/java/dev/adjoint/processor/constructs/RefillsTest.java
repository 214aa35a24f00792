package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A loop that fills a scratch array from inputs nothing writes, at the top of a loop's body, is
 * run again where that iteration's adjoint begins instead of taping the elements it overwrites
 * ({@code analysis/Refills}): GMM's centred point {@code xc[j] = x[i * d + j] - mu[c * d + j]}.
 * Not when the fill reads an array the method writes, when the array is read after the loop, or
 * when something else writes it. Checked against finite differences.
 */
class RefillsTest {
  static Compiled c;
  static String source;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Refill", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Refill {
          @Differentiable
          public static double centred(double[] mu, double[] x, int d, int k, int n) {
            double[] xc = new double[d];
            double s = 0;
            for (int i = 0; i < n; i++) {
              for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                  xc[j] = x[i * d + j] - mu[c * d + j];
                }
                double sq = 0;
                for (int j = 0; j < d; j++) {
                  sq += xc[j] * xc[j] * mu[c * d + j];
                }
                s += Math.exp(-sq);
              }
            }
            return s;
          }

          /** w changes in the loop: the fill of xc cannot be recomputed from it. */
          @Differentiable
          public static double fromWritten(double[] mu, double[] x, int d, int k) {
            double[] xc = new double[d];
            double[] w = new double[d];
            double s = 0;
            for (int c = 0; c < k; c++) {
              for (int j = 0; j < d; j++) {
                xc[j] = x[j] - w[j];
              }
              for (int j = 0; j < d; j++) {
                s += xc[j] * xc[j] * mu[c * d + j];
                w[j] += 0.1 * mu[c * d + j];
              }
            }
            return s;
          }

          /** xc is read after the loop: its elements must come back as they were. */
          @Differentiable
          public static double readAfter(double[] mu, double[] x, int d, int k) {
            double[] xc = new double[d];
            double s = 0;
            for (int c = 0; c < k; c++) {
              for (int j = 0; j < d; j++) {
                xc[j] = x[j] - mu[c * d + j];
              }
              for (int j = 0; j < d; j++) {
                s += xc[j] * xc[j] * mu[c * d + j];
              }
            }
            return s * xc[0];
          }

          /** xc is written again after its fill. */
          @Differentiable
          public static double writtenAgain(double[] mu, double[] x, int d, int k) {
            double[] xc = new double[d];
            double s = 0;
            for (int c = 0; c < k; c++) {
              for (int j = 0; j < d; j++) {
                xc[j] = x[j] - mu[c * d + j];
              }
              xc[0] *= mu[c * d];
              for (int j = 0; j < d; j++) {
                s += xc[j] * xc[j] * mu[c * d + j];
              }
            }
            return s;
          }
        }
        """);
    source = c.generatedSource("p.RefillGrad");
  }

  private static String method(String name) {
    int at = source.indexOf("public static double " + name + "(");
    return source.substring(at, source.indexOf("\n    }\n", at));
  }

  private static final double[] MU = {0.3, -0.7, 1.1, 0.4, -0.2, 0.9};
  private static final double[] X = {0.5, -1.2, 0.8, 0.3, 0.1, -0.4};

  @Test
  void theCentredPointIsRecomputedNotTaped() {
    String m = method("centred");
    assertTrue(m.contains("// recompute xc as this iteration filled it (not taped)"), m);
    assertFalse(m.contains("pushDoubles(xc"), m);
    assertFalse(m.contains("xc[j] = _tape.popDouble()"), m);
    assertMatches(c, "p.Refill", "centred", 1e-6, MU, X, 2, 3, 3);
  }

  @Test
  void notFromAnArrayTheMethodWrites() {
    String m = method("fromWritten");
    assertFalse(m.contains("recompute xc"), m);
    assertMatches(c, "p.Refill", "fromWritten", 1e-6, MU, X, 2, 3);
  }

  @Test
  void notWhenTheArrayIsReadAfterTheLoop() {
    String m = method("readAfter");
    assertFalse(m.contains("recompute xc"), m);
    assertMatches(c, "p.Refill", "readAfter", 1e-6, MU, X, 2, 3);
  }

  @Test
  void notWhenSomethingElseWritesTheArray() {
    String m = method("writtenAgain");
    assertFalse(m.contains("recompute xc"), m);
    assertMatches(c, "p.Refill", "writtenAgain", 1e-6, MU, X, 2, 3);
  }
}
