package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A loop whose overwritten elements were pushed before it at once pops them back at once before
 * its adjoint ({@code _tape.popDoubles(a, start, trips)}) when that adjoint reads no element of
 * the array; where it does (the partial of {@code a[i] = exp(a[i] * x[i])} needs the old a[i]
 * in that iteration only) it keeps popping one element per iteration.
 */
class BulkRestoreTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Restore", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Restore {
          @Differentiable
          public static double linear(double[] x, int s) {
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
            return y[n - 1] * y[0];
          }

          @Differentiable
          public static double readsOld(double[] x, int s) {
            int n = x.length;
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
              a[i] = 0.5;
            }
            for (int step = 0; step < s; step++) {
              for (int i = 0; i < n; i++) {
                a[i] = Math.exp(a[i] * x[i]);
              }
            }
            return a[0] + a[n - 1];
          }
        }
        """);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.RestoreGrad");
    String m = source.substring(source.indexOf(" " + name + "("));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void elementsPushedAtOnceArePoppedAtOnce() {
    String linear = method("linear");
    assertTrue(linear.contains("_tape.pushDoubles(tmp, 0, n);") && linear.contains("_tape.popDoubles(tmp, 0, _n"), linear);
    assertTrue(linear.contains("_tape.popDoubles(y, 1, _n"), linear);
    assertFalse(linear.contains("tmp[i] = _tape.popDouble()") || linear.contains("y[i] = _tape.popDouble()"), linear);
    for (int s : new int[] {0, 1, 4}) {
      assertMatches(c, "p.Restore", "linear", 1e-6, new double[] {0.3, -0.8, 1.2, 0.5}, s);
    }
  }

  @Test
  void anAdjointReadingTheOldElementPopsItInItsIteration() {
    String readsOld = method("readsOld");
    assertTrue(readsOld.contains("_tape.pushDoubles(a, 0, n);"), readsOld);
    assertFalse(readsOld.contains("popDoubles"), readsOld);
    for (int s : new int[] {0, 1, 3}) {
      assertMatches(c, "p.Restore", "readsOld", 1e-6, new double[] {0.3, -0.8, 0.6}, s);
    }
  }
}
