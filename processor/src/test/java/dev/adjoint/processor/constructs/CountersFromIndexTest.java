package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Counters stepped once per iteration of a counted loop ({@code idx++}, diff.CountersFromIndex):
 * the reverse loop computes them from its index ({@code idx = _idxBase + r}) instead of stepping
 * them back ({@code idx--}), when the step runs exactly once in every iteration; stepped back as
 * before when it sits in a branch, when the loop can break, or when the step is not a constant.
 * Gradients against finite differences, including loops that do not run.
 */
class CountersFromIndexTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Counters", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Counters {
          /** A packed triangle times a vector, column by column, its element's index counted. */
          @Differentiable
          public static double triangle(double[] x, double[] l, int d) {
            double[] y = new double[d];
            for (int j = 0; j < d; j++) {
              y[j] = x[j] * x[j];
            }
            int idx = 0;
            for (int j = 0; j < d; j++) {
              double xj = Math.sin(x[j]);
              for (int r = j + 1; r < d; r++) {
                y[r] += l[idx] * xj;
                idx++;
              }
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
              s += y[j] * y[j];
            }
            return s + idx;
          }

          /** Strides of two, backwards, from a start that is not zero. */
          @Differentiable
          public static double strides(double[] x, double[] w, int from, int n) {
            int at = 2 * n - 1;
            int back = 0;
            double s = 0;
            for (int i = from; i < n; i++) {
              s += w[at] * Math.cos(x[i]) * x[back];
              at -= 2;
              back += 1;
              s = s * 0.5 + x[i];
            }
            return s;
          }

          /** The step sits in a branch: stepped back. */
          @Differentiable
          public static double branch(double[] x, double[] w, int n) {
            int idx = 0;
            double s = 0;
            for (int i = 0; i < n; i++) {
              s += w[idx] * Math.sin(x[i]) * s + x[i];
              if (x[i] > 0) {
                idx++;
              }
            }
            return s;
          }

          /** The loop can break before the step: stepped back. */
          @Differentiable
          public static double breaks(double[] x, double[] w, int n) {
            int idx = 0;
            double s = 1;
            for (int i = 0; i < n; i++) {
              s = s * w[idx] + Math.sin(x[i]) * s;
              if (s > 100) {
                break;
              }
              idx++;
            }
            return s;
          }

          /** A step that is not a constant: stepped back. */
          @Differentiable
          public static double variableStep(double[] x, double[] w, int n, int k) {
            int idx = 0;
            double s = 1;
            for (int i = 0; i < n; i++) {
              s = s * w[idx] + Math.sin(x[i]) * s;
              idx += k;
            }
            return s;
          }
        }
        """);
  }

  private static String method(String signature) {
    String source = c.generatedSource("p.CountersGrad");
    int at = source.indexOf(signature);
    assertTrue(at >= 0, signature + " in\n" + source);
    String m = source.substring(at);
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  static final double[] X = {0.3, -1.2, 2.5, 0.7, 2.4, -0.6, 1.1, 0.9, -2.0, 0.2, 1.7, 0.8};
  static final double[] W = {0.9, -0.4, 1.3, 0.2, 0.6, -0.8, 0.5, 1.1, -0.3, 0.7, 0.4, -0.2,
      0.3, 0.8, -0.5, 1.2, 0.1, -0.7, 0.6, 0.9, -1.0, 0.25, 0.35, 0.45};

  @Test
  void aTrianglesCounterIsComputedFromTheInnerIndex() {
    String m = method(" triangle(double[] x, double[] l, int d)");
    assertTrue(m.contains("idx = _idxBase + r;"), m);
    assertFalse(m.contains("idx--"), m);
    for (int d = 0; d <= 5; d++) {
      assertMatches(c, "p.Counters", "triangle", 1e-6, X, W, d);
    }
  }

  @Test
  void countersOfOtherStridesAndStartsAreComputedFromTheIndex() {
    String m = method(" strides(double[] x, double[] w, int from, int n)");
    assertTrue(m.contains("at = _atBase - i * 2;"), m);
    assertTrue(m.contains("back = _backBase + i;"), m);
    assertFalse(m.contains("at += 2"), m);
    assertFalse(m.contains("back -= 1"), m);
    assertMatches(c, "p.Counters", "strides", 1e-6, X, W, 0, 6);
    assertMatches(c, "p.Counters", "strides", 1e-6, X, W, 3, 8);
    assertMatches(c, "p.Counters", "strides", 1e-6, X, W, 5, 5);
    assertMatches(c, "p.Counters", "strides", 1e-6, X, W, 7, 4);
  }

  @Test
  void aStepInABranchIsSteppedBack() {
    String m = method(" branch(double[] x, double[] w, int n)");
    assertFalse(m.contains("_idxBase"), m);
    assertMatches(c, "p.Counters", "branch", 1e-6, X, W, 8);
  }

  @Test
  void aStepInALoopThatBreaksIsSteppedBack() {
    String m = method(" breaks(double[] x, double[] w, int n)");
    assertFalse(m.contains("_idxBase"), m);
    assertMatches(c, "p.Counters", "breaks", 1e-6, X, W, 8);
  }

  @Test
  void aStepThatIsNotAConstantIsSteppedBack() {
    String m = method(" variableStep(double[] x, double[] w, int n, int k)");
    assertFalse(m.contains("_idxBase"), m);
    assertMatches(c, "p.Counters", "variableStep", 1e-6, X, W, 6, 2);
  }
}
