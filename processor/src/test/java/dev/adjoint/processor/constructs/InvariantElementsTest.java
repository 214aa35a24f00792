package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An innermost loop keeps the elements it touches at an index it does not change in locals
 * ({@code diff/InvariantElements}): a read of an array it never writes, and a sum into a fresh
 * array (made in the method) that it only adds to, under the loop's first test. Not for a read
 * under a branch, of an array the loop writes, nor for a sum into a caller's array. Checked
 * against finite differences, with loops that run zero times at an index out of range.
 */
class InvariantElementsTest {
  static Compiled c;
  static String source;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Inv", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Inv {
          /** |Q xc|² for Q unit lower triangular, packed column by column, as in GMM. */
          @Differentiable
          public static double triangle(double[] l, double[] x) {
            int d = x.length;
            double[] xc = new double[d];
            for (int j = 0; j < d; j++) {
              xc[j] = x[j] * x[j];
            }
            double[] qxc = new double[d];
            for (int j = 0; j < d; j++) {
              qxc[j] = xc[j];
            }
            int idx = 0;
            for (int j = 0; j < d; j++) {
              for (int r = j + 1; r < d; r++) {
                qxc[r] += l[idx] * xc[j];
                idx++;
              }
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
              s += qxc[j] * qxc[j];
            }
            return s;
          }

          /** w[j] is read only where j < w.length. */
          @Differentiable
          public static double underBranch(double[] x, double[] w, int n) {
            double s = 0;
            for (int j = 0; j < n; j++) {
              for (int r = 0; r < x.length; r++) {
                s += j < w.length ? w[j] * x[r] : x[r];
              }
            }
            return s;
          }

          /** w[j] changes in the loop when r == j. */
          @Differentiable
          public static double writtenInLoop(double[] x) {
            double[] w = new double[x.length];
            for (int i = 0; i < x.length; i++) {
              w[i] = x[i];
            }
            for (int j = 0; j < x.length; j++) {
              for (int r = 0; r < x.length; r++) {
                w[r] = 0.5 * w[r] + w[j] * x[r];
              }
            }
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += w[i] * w[i];
            }
            return s;
          }

          static double twice(double v) {
            return 2 * v;
          }

          /** A call of the user's in the loop: it might write any array it reaches. */
          @Differentiable
          public static double withCall(double[] x, double[] w) {
            double s = 0;
            for (int j = 0; j < w.length; j++) {
              for (int r = 0; r < x.length; r++) {
                s += twice(w[j]) * x[r];
              }
            }
            return s;
          }

          /** For j >= x.length the inner loop does not run, and w[j], y[j] do not exist. */
          @Differentiable
          public static double zeroTrips(double[] x, double[] w, double[] y) {
            double s = 0;
            for (int j = 0; j < y.length; j++) {
              for (int r = j; r < x.length; r++) {
                s += w[j] * x[r] * y[j];
              }
            }
            return s;
          }
        }
        """);
    source = c.generatedSource("p.InvGrad");
  }

  private static String method(String name) {
    int at = source.indexOf("public static double " + name + "(");
    return source.substring(at, source.indexOf("\n    }\n", at));
  }

  private static boolean has(String code, String regex) {
    return Pattern.compile(regex).matcher(code).find();
  }

  @Test
  void theTriangleKeepsItsColumnElementAndItsAdjointInLocals() {
    String m = method("triangle");
    // forward: xc[j] read once per column; reverse: _d_xc[j] summed in a local, stored once
    assertTrue(has(m, "double (_t\\d+) = xc\\[j\\];"), m);
    assertTrue(has(m, "double (_t\\d+) = _d_xc\\[j\\];[\\s\\S]*\\1 \\+= [^;]*l\\[idx\\];[\\s\\S]*_d_xc\\[j\\] = \\1;"), m);
    assertFalse(has(m, "_d_xc\\[j\\] \\+= [^;]*l\\[idx\\]"), m);
    assertTrue(m.contains("the loop runs at least once"), m);
    assertMatches(c, "p.Inv", "triangle", 1e-6, new double[] {0.3, -0.7, 1.1, 0.4, -0.2, 0.9},
        new double[] {0.5, -1.2, 0.8, 0.3});
    assertMatches(c, "p.Inv", "triangle", 1e-6, new double[0], new double[] {0.5});
  }

  @Test
  void aReadUnderABranchStaysInTheLoop() {
    String m = method("underBranch");
    assertFalse(has(m, "= w\\[j\\];"), m);
    assertMatches(c, "p.Inv", "underBranch", 1e-6, new double[] {0.5, -1.2, 0.8},
        new double[] {0.4, 0.9}, 4);
  }

  @Test
  void notInALoopThatCallsAMethodOfTheUsers() {
    String m = method("withCall");
    assertFalse(m.contains("the loop runs at least once"), m);
    assertMatches(c, "p.Inv", "withCall", 1e-6, new double[] {0.5, -1.2}, new double[] {0.4, 0.9});
  }

  @Test
  void aReadOfAnArrayTheLoopWritesStaysInTheLoop() {
    String m = method("writtenInLoop");
    assertFalse(has(m, "= w\\[j\\];"), m);
    assertMatches(c, "p.Inv", "writtenInLoop", 1e-6, (Object) new double[] {0.5, -1.2, 0.8, 0.3});
  }

  @Test
  void aLoopThatDoesNotRunReadsNothingAndACallersArrayIsAddedToInTheLoop() {
    String m = method("zeroTrips");
    // y[j] and w[j] are kept only where the inner loop runs: under its first test
    assertTrue(has(m, "if \\(j < x\\.length\\) \\{"), m);
    // the gradient of w is the caller's array: another name of it may be read in the loop
    assertTrue(has(m, "_d_w\\[j\\] \\+="), m);
    assertMatches(c, "p.Inv", "zeroTrips", 1e-6, new double[] {0.5, -1.2, 0.8},
        new double[] {0.4, 0.9, -0.3}, new double[] {1.5, -0.5, 0.7, 2.0, -1.0});
  }
}
