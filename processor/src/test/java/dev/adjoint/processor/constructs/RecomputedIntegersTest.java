package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integers the reverse sweep computes again instead of taping (analysis.Recompute): an index
 * stepped by an invariant amount ({@code idx++}, {@code idx += stride}) is stepped back
 * ({@code idx--}); an inner loop's start and trip count, integer expressions of parameters and
 * the indexes of the loops around it, are computed again where its adjoint begins. What cannot be
 * recomputed (a step that is not invariant, a bound the loop around changes) is still taped.
 * Every case against finite differences, at sizes where inner loops run zero times too.
 */
class RecomputedIntegersTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Packed", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Packed {
          /** A packed lower triangle read column by column with a running index. */
          @Differentiable
          public static double triangle(double[] l, double[] x) {
            int d = x.length;
            double s = 0;
            int idx = 0;
            for (int j = 0; j < d; j++) {
              for (int r = j + 1; r < d; r++) {
                s = s * 0.9 + Math.sin(l[idx] * x[j]) * x[r];
                idx++;
              }
            }
            return s;
          }

          /** Strided, with the step a parameter, and an index stepped by the outer loop's index. */
          @Differentiable
          public static double strided(double[] a, double[] x, int stride) {
            double s = 0;
            int at = 0;
            int grow = 0;
            for (int i = 0; i < x.length; i++) {
              for (int k = 0; k < 2; k++) {
                s = Math.cos(s) + a[at] * x[i] + a[grow % a.length] * s;
                at += stride;
                grow += i;
              }
            }
            return s;
          }

          /** A step that is not invariant (doubling) and a bound the outer loop changes: taped. */
          @Differentiable
          public static double notRecomputable(double[] a, double[] x) {
            double s = 0;
            int pos = 1;
            int m = 1;
            for (int i = 0; i < x.length; i++) {
              for (int r = 0; r < m; r++) {
                s = s * 0.5 + Math.sin(a[pos % a.length] * x[i] + r);
              }
              pos = pos * 2;
              m++;
            }
            return s;
          }
        }
        """);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.PackedGrad");
    String m = source.substring(source.indexOf(" " + name + "(double[] "));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void aRunningIndexIsSteppedBackAndTripCountsAreRecomputed() {
    String m = method("triangle");
    assertFalse(m.contains("pushInt"), m);
    // stepped once per iteration by a constant: computed from the inner index (diff.CountersFromIndex)
    assertTrue(m.contains("idx = _idxBase + r;"), m);
    for (int d : new int[] {1, 2, 3, 5}) {
      double[] x = new double[d];
      double[] l = new double[Math.max(1, d * (d - 1) / 2)];
      for (int i = 0; i < d; i++) {
        x[i] = 0.3 + 0.2 * i;
      }
      for (int i = 0; i < l.length; i++) {
        l[i] = -0.7 + 0.3 * i;
      }
      assertMatches(c, "p.Packed", "triangle", 1e-6, l, x);
    }
  }

  @Test
  void stepsByAParameterOrAnOuterIndexAreSteppedBack() {
    String m = method("strided");
    assertFalse(m.contains("pushInt"), m);
    assertTrue(m.contains("at -= stride;"), m);
    assertTrue(m.contains("grow -= i;"), m);
    double[] a = {0.3, -0.2, 0.9, 0.4, -0.6, 0.1, 0.8, -0.5, 0.25, 0.7, -0.35, 0.45, 0.15};
    assertMatches(c, "p.Packed", "strided", 1e-6, a, new double[] {0.5, -0.4, 1.1}, 2);
    assertMatches(c, "p.Packed", "strided", 1e-6, a, new double[] {0.5, -0.4}, 3);
  }

  @Test
  void whatTheReverseSweepCannotComputeAgainIsStillTaped() {
    String m = method("notRecomputable");
    assertTrue(m.contains("_tape.pushInt(pos)"), m);
    assertTrue(m.contains("_tape.pushInt(_n"), m); // the inner trip count: m changes
    assertMatches(c, "p.Packed", "notRecomputable", 1e-6, new double[] {0.3, -0.2, 0.9, 0.4, -0.6},
        new double[] {0.5, -0.4, 1.1, 0.2});
  }
}
