package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * To-be-recorded analysis across array elements (analysis.Kills): after a loop that refills a
 * whole scratch array and tapes it, later updates of its elements ({@code t[r] += ...}) are not
 * taped as long as no reverse sweep reads the array in between: going backwards, the refill
 * puts every element back. A reader in between (its adjoint needs the values the update
 * overwrites) keeps the update's taping. Both against finite differences. The increment's
 * reverse passes the element's adjoint through ({@code a[i] += e} gives e a share and leaves
 * {@code _d_a[i]} as it is).
 */
class ToBeRecordedTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Refill", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Refill {
          @Differentiable
          public static double refill(double[] a, double[] x, int n) {
            int d = x.length;
            double[] t = new double[d];
            double s = 0.5;
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < d; j++) {
                t[j] = a[j] * x[j] + s;
              }
              for (int j = 0; j < d; j++) {
                for (int r = j + 1; r < d; r++) {
                  t[r] += a[r] * x[j];
                }
              }
              for (int j = 0; j < d; j++) {
                s = s * 0.5 + Math.sin(t[j]) * t[j];
              }
            }
            return s;
          }

          @Differentiable
          public static double readBetween(double[] a, double[] x, int n) {
            int d = x.length;
            double[] t = new double[d];
            double s = 0.5;
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < d; j++) {
                t[j] = a[j] * x[j] + s;
              }
              s = s * t[0] * 0.3;
              for (int j = 0; j < d; j++) {
                for (int r = j + 1; r < d; r++) {
                  t[r] += a[r] * x[j];
                }
              }
              for (int j = 0; j < d; j++) {
                s = s * 0.5 + Math.sin(t[j]) * t[j];
              }
            }
            return s;
          }
        }
        """);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.RefillGrad");
    String m = source.substring(source.indexOf(" " + name + "(double[] "));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void updatesAfterATapedRefillAreNotTaped() {
    String m = method("refill");
    assertTrue(m.contains("_tape.pushDoubles(t, 0, d);"), m);
    assertFalse(m.contains("pushDoubles(t, _i"), m);
    assertFalse(m.contains("pushDouble(t["), m);
    for (int n : new int[] {0, 1, 3}) {
      assertMatches(c, "p.Refill", "refill", 1e-6, new double[] {0.3, -0.8, 1.2, 0.5},
          new double[] {0.7, 0.2, -0.4, 0.9}, n);
    }
  }

  /** t[r] += e: the element's adjoint passes through; it is neither zeroed nor added back. */
  @Test
  void anIncrementPassesTheElementsAdjointThrough() {
    String m = method("refill");
    assertFalse(m.contains("_d_t[r] = 0;"), m);
    assertTrue(m.contains("= _d_t[r];"), m);
  }

  @Test
  void aReaderBetweenKeepsTheUpdatesTaped() {
    String m = method("readBetween");
    assertTrue(m.contains("pushDoubles(t, _i") || m.contains("pushDouble(t["), m);
    for (int n : new int[] {1, 3}) {
      assertMatches(c, "p.Refill", "readBetween", 1e-6, new double[] {0.3, -0.8, 1.2, 0.5},
          new double[] {0.7, 0.2, -0.4, 0.9}, n);
    }
  }
}
