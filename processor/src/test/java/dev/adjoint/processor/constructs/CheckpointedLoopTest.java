package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.runtime.Tape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checkpointed loops ({@code analysis.Checkpoints}): a top-level loop whose inner loops tape an
 * element per inner iteration (RK4's stages) keeps, when {@code Tape.checkpoints} says the
 * checkpoints are large, only its live-in state per iteration (the arrays it reads before it
 * has filled them, the scalars it assigns) and runs each iteration again, taped, before its
 * adjoint. Scratch arrays (filled before read, by a loop or a helper writing into them) are not
 * kept. Not applied where a later statement writes what the loop reads, where the loop tapes no
 * more than it would keep, or where it is not a statement of the method's body. Gradients
 * checked against finite differences with checkpointing forced on and left to its default.
 */
class CheckpointedLoopTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Rk", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Rk {
          static void rhs(double[] x, double[] y, double[] z) {
            z[0] = x[0] * Math.cos(y[0]);
            for (int i = 1; i < x.length; i++) {
              z[i] = x[i] * y[i - 1] * y[i];
            }
          }

          /** RK2 with a helper writing into k1 and k2, and a scalar (t) carried across steps. */
          @Differentiable
          public static double solve(double[] x, int s) {
            int n = x.length;
            double h = 0.5 / s;
            double t = 0;
            double[] k1 = new double[n];
            double[] k2 = new double[n];
            double[] tmp = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
              y[i] = 0.1 * (i + 1);
            }
            for (int step = 0; step < s; step++) {
              rhs(x, y, k1);
              for (int i = 0; i < n; i++) {
                tmp[i] = y[i] + h * k1[i];
              }
              rhs(x, tmp, k2);
              for (int i = 0; i < n; i++) {
                y[i] += h * (k1[i] + k2[i]) / 2 * Math.sin(t + 1);
              }
              t = t * 0.9 + h;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
              sum += y[i] * y[i] * (i + 1);
            }
            return sum;
          }

          /** a is read by the loop and written after it: running an iteration again would see the new a. */
          @Differentiable
          public static double writtenAfter(double[] x, int s) {
            int n = x.length;
            double[] a = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
              a[i] = x[i];
              y[i] = 1;
            }
            double[] tmp = new double[n];
            for (int step = 0; step < s; step++) {
              for (int i = 0; i < n; i++) {
                tmp[i] = y[i] * a[i];
              }
              for (int i = 0; i < n; i++) {
                y[i] = Math.sin(tmp[i]) + 0.5 * y[i] + 0.1;
              }
            }
            a[0] = 3;
            return y[0] + y[n - 1] * a[0];
          }

          /** Only scalars: the checkpoint would be about the whole tape. */
          @Differentiable
          public static double scalars(double x, int s) {
            double y = x;
            for (int step = 0; step < s; step++) {
              y = Math.sin(y) * x + y;
            }
            return y;
          }

          /** Inside a branch, not a statement of the method's body. */
          @Differentiable
          public static double nested(double[] x, int s, boolean go) {
            int n = x.length;
            double[] y = new double[n];
            double[] tmp = new double[n];
            if (go) {
              for (int step = 0; step < s; step++) {
                for (int i = 0; i < n; i++) {
                  tmp[i] = Math.sin(y[i] + x[i]);
                }
                for (int i = 0; i < n; i++) {
                  y[i] = y[i] * tmp[i] + x[i];
                }
              }
            }
            return y[0] * y[n - 1];
          }
        }
        """);
  }

  @AfterEach
  void defaultSize() {
    Tape.checkpointFrom(Tape.CHECKPOINT_FROM_DEFAULT);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.RkGrad");
    String m = source.substring(source.indexOf(" " + name + "("));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void anRkLoopKeepsOnlyItsStatePerStep() {
    String solve = method("solve");
    assertTrue(solve.contains("Tape.checkpoints((long) s * (1 + y.length))"), solve);
    assertTrue(solve.contains("_tape.pushDouble(t);") && solve.contains("_tape.pushDoubles(y, 0, y.length);"), solve);
    assertTrue(solve.contains("_tape.popDoubles(y, 0, y.length);") && solve.contains("t = _tape.popDouble();"), solve);
    // k1, k2 (filled by the helper) and tmp (by a loop) are scratch: not kept
    assertFalse(solve.contains("pushDoubles(k1, 0, k1.length)") || solve.contains("pushDoubles(tmp, 0, tmp.length)"), solve);
  }

  @Test
  void checkpointedGradientsMatchFiniteDifferencesAndTheTapedOnes() {
    assertSame(Tape.class, c.load("dev.adjoint.runtime.Tape"), "the generated code must see the size set here");
    double[] x = {0.3, -0.8, 1.2, 0.5, 0.9};
    for (int s : new int[] {0, 1, 3, 7}) {
      Tape.checkpointFrom(Tape.CHECKPOINT_FROM_DEFAULT);
      double[] taped = (double[]) Compiled.components(c.call("p.RkGrad", "solve", x.clone(), s)).get("x");
      assertMatches(c, "p.Rk", "solve", 1e-6, x.clone(), s);
      Tape.checkpointFrom(0);
      assertMatches(c, "p.Rk", "solve", 1e-6, x.clone(), s);
      double[] checkpointed = (double[]) Compiled.components(c.call("p.RkGrad", "solve", x.clone(), s)).get("x");
      assertArrayEquals(taped, checkpointed, 0.0, "running the steps again gives the same adjoint");
      assertMatches(c, "p.Rk", "solve", 1e-6, new double[] {0.7}, s);
    }
  }

  @Test
  void notCheckpointedWhereItMustNotOrNeedNot() {
    assertFalse(method("writtenAfter").contains("checkpoints"), method("writtenAfter"));
    assertFalse(method("scalars").contains("checkpoints"), method("scalars"));
    assertFalse(method("nested").contains("checkpoints"), method("nested"));
    Tape.checkpointFrom(0);
    for (int s : new int[] {0, 2, 5}) {
      assertMatches(c, "p.Rk", "writtenAfter", 1e-6, new double[] {0.3, -0.8, 1.2}, s);
      assertMatches(c, "p.Rk", "scalars", 1e-6, 0.4, s);
      assertMatches(c, "p.Rk", "nested", 1e-6, new double[] {0.3, -0.8, 1.2}, s, true);
    }
  }
}
