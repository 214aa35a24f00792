package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Accumulation loops whose bodies hold inner loops, branches and scratch arrays (filled by each
 * iteration before it reads them, used by no other code: analysis.ScratchArrays) run each
 * iteration's adjoint at the iteration's end (analysis.Fusion), with the scratch arrays as the
 * iteration's locals; loops after them may recompute other values. A scratch array read before
 * it is filled (it carries a value from the previous iteration) or read after the loop keeps the
 * loop unfused. All against finite differences.
 */
class FusedScratchTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Mixture", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Mixture {
          /** A small mixture likelihood: per observation, per component, centred and scaled. */
          @Differentiable(wrt = {"alpha", "mu", "w"})
          public static double likelihood(double[] alpha, double[] mu, double[] w, double[] x,
              int n, int d, int k) {
            double[] scaled = new double[k * d];
            for (int c = 0; c < k; c++) {
              for (int j = 0; j < d; j++) {
                scaled[c * d + j] = Math.exp(w[c * d + j]);
              }
            }
            double[] xc = new double[d];
            double[] beta = new double[k];
            double total = 0;
            for (int i = 0; i < n; i++) {
              for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                  xc[j] = (x[i * d + j] - mu[c * d + j]) * scaled[c * d + j];
                }
                int idx = c * d;
                for (int j = 1; j < d; j++) {
                  xc[j] += w[idx] * xc[j - 1];
                  idx++;
                }
                double sq = 0;
                for (int j = 0; j < d; j++) {
                  sq += xc[j] * xc[j];
                }
                beta[c] = alpha[c] - 0.5 * sq;
              }
              double mx = beta[0];
              for (int c = 1; c < k; c++) {
                if (beta[c] > mx) {
                  mx = beta[c];
                }
              }
              double se = 0;
              for (int c = 0; c < k; c++) {
                se += Math.exp(beta[c] - mx);
              }
              total += mx + Math.log(se);
            }
            double amx = alpha[0];
            for (int c = 1; c < k; c++) {
              amx = Math.max(amx, alpha[c]);
            }
            double prior = 0;
            for (int c = 0; c < k * d; c++) {
              prior += scaled[c] * scaled[c];
            }
            return total - n * amx - 0.1 * prior;
          }

          /** t[0] is read before the iteration fills t: it carries a value between iterations. */
          @Differentiable(wrt = {"a", "x"})
          public static double carried(double[] a, double[] x, int d) {
            double[] t = new double[d];
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += t[0] * x[i];
              for (int j = 0; j < d; j++) {
                t[j] = Math.sin(a[j] * x[i]) + 0.5;
              }
              s += t[d - 1] * t[0];
            }
            return s;
          }

          /** t is read after the loop: not the loop's own. */
          @Differentiable(wrt = {"a", "x"})
          public static double readAfter(double[] a, double[] x, int d) {
            double[] t = new double[d];
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              for (int j = 0; j < d; j++) {
                t[j] = Math.sin(a[j] * x[i]) + 0.5;
              }
              s += t[d - 1] * t[0];
            }
            return s + t[0];
          }
        }
        """);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.MixtureGrad");
    String m = source.substring(source.indexOf(" " + name + "(double[] "));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  private static double[] values(int size, double start, double step) {
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      v[i] = start + step * ((i * 7) % 5) - 0.1 * i;
    }
    return v;
  }

  @Test
  void anObservationLoopWithScratchArraysRunsItsAdjointPerIteration() {
    String m = method("likelihood");
    assertTrue(m.contains("its iterations are independent"), m);
    int n = 4;
    int d = 3;
    int k = 3;
    assertMatches(c, "p.Mixture", "likelihood", 1e-6, values(k, 0.2, 0.3), values(k * d, -0.1, 0.2),
        values(k * d, -0.3, 0.15), values(n * d, 0.4, -0.25), n, d, k);
    assertMatches(c, "p.Mixture", "likelihood", 1e-6, values(2, 0.2, 0.3), values(2, -0.1, 0.2),
        values(2, -0.3, 0.15), values(1, 0.4, -0.25), 1, 1, 2);
  }

  @Test
  void aScratchArrayReadBeforeItIsFilledKeepsTheLoopUnfused() {
    String m = method("carried");
    assertFalse(m.contains("its iterations are independent"), m);
    assertMatches(c, "p.Mixture", "carried", 1e-6, values(3, 0.2, 0.3), values(4, 0.4, -0.2), 3);
  }

  @Test
  void aScratchArrayReadAfterTheLoopKeepsItUnfused() {
    String m = method("readAfter");
    assertFalse(m.contains("its iterations are independent"), m);
    assertMatches(c, "p.Mixture", "readAfter", 1e-6, values(3, 0.2, 0.3), values(4, 0.4, -0.2), 3);
  }
}
