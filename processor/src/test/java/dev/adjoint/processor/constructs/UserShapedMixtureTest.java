package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * This session's reverse-mode techniques (elements kept in locals, refilled scratch arrays,
 * running maxima, checkpoint-free accumulation) on a mixture loss written the way a user would,
 * not the way their own tests were: rows of a {@code double[][]}, the scratch array refilled from
 * a row, a triangle whose invariant element is a product, the log-sum-exp's running maximum inside
 * a branch, a private helper called in the loop. Gradients against finite differences.
 */
class UserShapedMixtureTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Mixture", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Mixture {
          private static double penalty(double[] w, int c) {
            return 0.1 * w[c] * w[c];
          }

          @Differentiable(wrt = {"mu", "w"})
          public static double loss(double[][] x, double[] mu, double[] w, int k, boolean robust) {
            int d = x[0].length;
            double total = 0;
            double[] diff = new double[d];
            double[] score = new double[k];
            for (int i = 0; i < x.length; i++) {
              for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                  diff[j] = x[i][j] - mu[c * d + j];
                }
                double s = 0;
                for (int j = 0; j < d; j++) {
                  for (int r = j; r < d; r++) {
                    s += w[c] * diff[j] * diff[r];
                  }
                }
                score[c] = -s - penalty(w, c);
              }
              if (robust) {
                double m = score[0];
                for (int c = 1; c < k; c++) {
                  m = Math.max(m, score[c]);
                }
                double se = 0;
                for (int c = 0; c < k; c++) {
                  se += Math.exp(score[c] - m);
                }
                total += m + Math.log(se);
              } else {
                for (int c = 0; c < k; c++) {
                  total += score[c];
                }
              }
            }
            return total;
          }
        }
        """);
  }

  static final double[][] X = {{0.3, -1.1, 0.8}, {1.4, 0.2, -0.5}, {-0.7, 0.9, 0.1}, {0.05, -0.3, 1.2}};
  static final double[] MU = {0.1, -0.4, 0.6, 1.0, 0.3, -0.2};
  static final double[] W = {0.7, 1.3};

  @Test
  void theRunningMaximumInTheBranchTapesOnlyItsNotes() {
    String g = c.generatedSource("p.MixtureGrad");
    // the iteration that took the maximum, once per observation; not m per component
    assertTrue(g.contains("_tape.pushInt(_mAt);"), g);
    assertTrue(g.contains("_tape.pushBoolean(_mTaken);"), g);
    assertFalse(g.contains("pushDouble(m)"), g);
  }

  @Test
  void robustMixtureMatchesFiniteDifferences() {
    assertMatches(c, "p.Mixture", "loss", 1e-6, X, MU, W, 2, true);
  }

  @Test
  void plainSumMatchesFiniteDifferences() {
    assertMatches(c, "p.Mixture", "loss", 1e-6, X, MU, W, 2, false);
  }

  @Test
  void oneComponentAndOneDimension() {
    assertMatches(c, "p.Mixture", "loss", 1e-6, new double[][] {{0.4}, {-0.9}}, new double[] {0.2},
        new double[] {0.8}, 1, true);
  }
}
