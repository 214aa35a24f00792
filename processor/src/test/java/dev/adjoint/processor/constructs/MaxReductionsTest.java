package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loops that only take a running maximum or minimum (analysis.MaxReductions): the forward sweep
 * notes the last iteration that took the operand, the reverse sweep adds the adjoint there alone;
 * nothing is taped and the loop is not run backwards. Ties follow the rule for max and min (to
 * the first operand). Loops that do anything else, or whose operand reads an active scalar, are
 * taped as before. Every case against finite differences (away from ties) and the exact
 * gradient at ties.
 */
class MaxReductionsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Reduce", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Reduce {
          @Differentiable(hessian = true)
          public static double logsumexp(double[] x) {
            double a = x[0];
            for (int i = 1; i < x.length; i++) {
              a = Math.max(a, x[i]);
            }
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
              sum += Math.exp(x[i] - a);
            }
            return a + Math.log(sum);
          }

          /** The operand first, an expression of two arrays, a minimum after, read afterwards. */
          @Differentiable
          public static double spread(double[] x, double[] w) {
            double hi = -1e300;
            for (int i = 0; i < x.length; i++) {
              hi = Math.max(x[i] * w[i] + 0.5, hi);
            }
            double lo = hi;
            for (int i = x.length - 1; i >= 0; i--) {
              lo = Math.min(lo, x[i] - 2 * w[i]);
            }
            return hi * hi - 3 * lo + hi * lo;
          }

          /** Twice the maximum: for the gradient at ties. */
          @Differentiable
          public static double twiceMax(double[] x) {
            double m = x[0];
            for (int i = 1; i < x.length; i++) {
              m = Math.max(m, x[i]);
            }
            return 2 * m;
          }

          /** Twice the maximum with the operand first: ties go to the operand. */
          @Differentiable
          public static double twiceMaxOperandFirst(double[] x) {
            double m = x[0];
            for (int i = 1; i < x.length; i++) {
              m = Math.max(x[i], m);
            }
            return 2 * m;
          }

          /** The loop does more than the maximum: taped as before. */
          @Differentiable
          public static double alsoSums(double[] x) {
            double m = x[0];
            double s = 0;
            for (int i = 1; i < x.length; i++) {
              m = Math.max(m, x[i]);
              s += x[i] * m;
            }
            return m + s;
          }

          /** A log-sum-exp per row, summed: the row loop's adjoint runs inside it, notes in locals. */
          @Differentiable(hessian = true)
          public static double rowLogSumExp(double[] x, int rows, int cols) {
            double total = 0;
            for (int i = 0; i < rows; i++) {
              double m = x[i * cols];
              for (int j = 1; j < cols; j++) {
                m = Math.max(m, x[i * cols + j]);
              }
              double se = 0;
              for (int j = 0; j < cols; j++) {
                se += Math.exp(x[i * cols + j] - m);
              }
              total += m + Math.log(se);
            }
            return total;
          }

          /** Row maxima in a loop run backwards (carry crosses rows): notes on the tape per row. */
          @Differentiable(hessian = true)
          public static double rowMaxes(double[] x, int rows, int cols) {
            double carry = 1;
            double total = 0;
            for (int i = 0; i < rows; i++) {
              double m = x[i * cols];
              for (int j = 1; j < cols; j++) {
                m = Math.min(x[i * cols + j] * 0.5, m);
              }
              carry = carry * 0.5 + m * m;
              total += carry;
            }
            return total;
          }

          /** A peak over all rows so far, read by each row: put back before each row's adjoint. */
          @Differentiable
          public static double runningPeak(double[] x, int rows, int cols) {
            double peak = -1e300;
            double s = 0;
            for (int i = 0; i < rows; i++) {
              for (int j = 0; j < cols; j++) {
                peak = Math.max(peak, x[i * cols + j]);
              }
              s += peak * x[i * cols];
            }
            return s;
          }

          /** The row maximum in a branch and, nested, a loop that does more: taped as before. */
          @Differentiable
          public static double branchAndMore(double[] x, int rows, int cols, boolean robust) {
            double total = 0;
            for (int i = 0; i < rows; i++) {
              double m = x[i * cols];
              if (robust) {
                for (int j = 1; j < cols; j++) {
                  m = Math.max(m, x[i * cols + j]);
                }
              }
              double n = x[i * cols];
              double s = 0;
              for (int j = 1; j < cols; j++) {
                n = Math.max(n, x[i * cols + j]);
                s += n * x[i * cols + j];
              }
              total += m * m + s;
            }
            return total;
          }

          /** The operand reads an active scalar: taped as before. */
          @Differentiable
          public static double scaled(double[] x, double y) {
            double m = x[0];
            for (int i = 1; i < x.length; i++) {
              m = Math.max(m, x[i] * y);
            }
            return m * y;
          }
        }
        """);
  }

  private static String method(String signature) {
    String source = c.generatedSource("p.ReduceGrad");
    int at = source.indexOf(signature);
    assertTrue(at >= 0, signature + " in\n" + source);
    String m = source.substring(at);
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void logSumExpTapesOnlyTheExponentials() {
    String m = method(" logsumexp(double[] x)");
    assertFalse(m.contains("pushDouble(a)"), m);
    assertTrue(m.contains("if (!(a >= _t"), m);
    assertTrue(m.contains("if (_aTaken) {"), m);
    // nothing the reverse sweep runs afterwards reads a (the exponentials are taped): not put back
    assertFalse(m.contains("_aBefore"), m);
    // nor is the loop's trip count kept: its reverse sweep is no loop
    assertFalse(m.contains("_n1"), m);
    assertMatches(c, "p.Reduce", "logsumexp", 1e-6, (Object) new double[] {0.3, -1.2, 2.5, 0.7, 2.4});
    assertMatches(c, "p.Reduce", "logsumexp", 1e-6, (Object) new double[] {3.0, -1.2, 2.5});
    assertMatches(c, "p.Reduce", "logsumexp", 1e-6, (Object) new double[] {0.4});
  }

  @Test
  void theHessianOfLogSumExpTimesAVectorIsTheClosedForm() {
    // H = diag(p) - p pᵀ with p the softmax: Hv = p ∘ v - p (p · v)
    double[] x = {0.3, -1.2, 2.5, 0.7, 2.4};
    double[] v = {0.9, 0.4, -1.3, 0.2, 0.6};
    Map<String, Object> hvp = Compiled.components(c.call("p.ReduceGrad", "logsumexpHvp", x, v));
    double max = 2.5;
    double sum = 0;
    for (double xi : x) {
      sum += Math.exp(xi - max);
    }
    double pv = 0;
    double[] p = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      p[i] = Math.exp(x[i] - max) / sum;
      pv += p[i] * v[i];
    }
    double[] product = (double[]) hvp.get("xHvp");
    double[] gradient = (double[]) hvp.get("x");
    for (int i = 0; i < x.length; i++) {
      assertEquals(p[i] * v[i] - p[i] * pv, product[i], 1e-12, "Hv[" + i + "]");
      assertEquals(p[i], gradient[i], 1e-12, "gradient[" + i + "]");
    }
  }

  @Test
  void anOperandFirstAndAMinimumOfExpressionsMatchFiniteDifferences() {
    String m = method(" spread(double[] x, double[] w)");
    assertFalse(m.contains("pushDouble(hi)"), m);
    assertFalse(m.contains("pushDouble(lo)"), m);
    double[] w = {0.9, -0.4, 1.3, 0.2};
    assertMatches(c, "p.Reduce", "spread", 1e-6, new double[] {0.3, -1.2, 2.5, 0.7}, w);
    assertMatches(c, "p.Reduce", "spread", 1e-6, new double[] {-0.3, 1.2, -2.5, 0.1}, w);
    // no iteration takes the operand of the maximum: its adjoint stays with the value before
    assertMatches(c, "p.Reduce", "spread", 1e-6, new double[0], new double[0]);
  }

  @Test
  void tiesGoToTheFirstOperand() {
    double[] x = {1, 3, 3, 2};
    Map<String, Object> g = Compiled.components(c.call("p.ReduceGrad", "twiceMax", (Object) x));
    assertEquals(6.0, (double) g.get("value"), 0);
    assertArrayEquals(new double[] {0, 2, 0, 0}, (double[]) g.get("x"), 0);
    g = Compiled.components(c.call("p.ReduceGrad", "twiceMaxOperandFirst", (Object) x));
    assertArrayEquals(new double[] {0, 0, 2, 0}, (double[]) g.get("x"), 0);
    double[] flat = {2, 2, 2};
    g = Compiled.components(c.call("p.ReduceGrad", "twiceMax", (Object) flat));
    assertArrayEquals(new double[] {2, 0, 0}, (double[]) g.get("x"), 0);
    g = Compiled.components(c.call("p.ReduceGrad", "twiceMaxOperandFirst", (Object) flat));
    assertArrayEquals(new double[] {0, 0, 2}, (double[]) g.get("x"), 0);
  }

  static final double[] ROWS = {0.3, -1.2, 2.5, 0.7, 2.4, -0.6, 1.1, 0.9, -2.0, 0.2, 1.7, 0.8};

  @Test
  void aRowMaximumInsideALoopWhoseAdjointRunsInsideItKeepsItsNotesInLocals() {
    String m = method(" rowLogSumExp(double[] x, int rows, int cols)");
    assertTrue(m.contains("runs each iteration's adjoint at the iteration's end"), m);
    assertTrue(m.contains("if (_mTaken) {"), m);
    assertFalse(m.contains("pushDouble(m)"), m);
    assertFalse(m.contains("pushBoolean"), m);
    assertFalse(m.contains("_mBefore"), m);
    assertMatches(c, "p.Reduce", "rowLogSumExp", 1e-6, ROWS, 3, 4);
    assertMatches(c, "p.Reduce", "rowLogSumExp", 1e-6, ROWS, 4, 3);
    assertMatches(c, "p.Reduce", "rowLogSumExp", 1e-6, ROWS, 12, 1);
    assertHvpMatchesGradientDifferences("rowLogSumExp", ROWS, 3, 4);
  }

  @Test
  void aRowMinimumInsideALoopRunBackwardsTapesItsNotesOncePerRow() {
    String m = method(" rowMaxes(double[] x, int rows, int cols)");
    assertTrue(m.contains("(loop, run backwards)"), m);
    assertTrue(m.contains("_tape.pushInt(_mAt);"), m);
    assertTrue(m.contains("_tape.pushBoolean(_mTaken);"), m);
    assertTrue(m.contains("boolean _mTaken = _tape.popBoolean();"), m);
    // m is kept once per row for carry's adjoint, not once per iteration of the minimum
    assertFalse(java.util.regex.Pattern.compile("^\\s+m = _tape.popDouble", java.util.regex.Pattern.MULTILINE)
        .matcher(m).find(), m);
    assertFalse(m.contains("_mBefore"), m);
    assertMatches(c, "p.Reduce", "rowMaxes", 1e-6, ROWS, 3, 4);
    assertMatches(c, "p.Reduce", "rowMaxes", 1e-6, ROWS, 6, 2);
    assertMatches(c, "p.Reduce", "rowMaxes", 1e-6, ROWS, 12, 1);
    assertHvpMatchesGradientDifferences("rowMaxes", ROWS, 3, 4);
  }

  @Test
  void aPeakReadByLaterRowsIsPutBackBeforeEachRowsAdjoint() {
    String m = method(" runningPeak(double[] x, int rows, int cols)");
    assertTrue(m.contains("_tape.pushDouble(_peakBefore);"), m);
    assertTrue(m.contains("peak = _peakBefore;"), m);
    assertFalse(m.contains("pushDouble(peak)"), m);
    assertMatches(c, "p.Reduce", "runningPeak", 1e-6, ROWS, 3, 4);
    assertMatches(c, "p.Reduce", "runningPeak", 1e-6, ROWS, 4, 3);
    // ties across rows: the peak's adjoint goes to the first element that reached it
    Map<String, Object> g = Compiled.components(c.call("p.ReduceGrad", "runningPeak",
        new double[] {1, 2, 2, 0}, 2, 2));
    // s = peak * x[0] + peak * x[2], the peak x[1] in both rows (the tie keeps it)
    assertArrayEquals(new double[] {2, 1 + 2, 2, 0}, (double[]) g.get("x"), 0);
  }

  @Test
  void aRowMaximumInABranchTapesItsNotesAndALoopThatDoesMoreIsTapedAsBefore() {
    String m = method(" branchAndMore(double[] x, int rows, int cols, boolean robust)");
    assertTrue(m.contains("_tape.pushBoolean(_mTaken);"), m);
    assertFalse(m.contains("pushDouble(m)"), m);
    assertTrue(m.contains("pushDouble(n)"), m);
    assertMatches(c, "p.Reduce", "branchAndMore", 1e-6, ROWS, 3, 4, true);
    assertMatches(c, "p.Reduce", "branchAndMore", 1e-6, ROWS, 3, 4, false);
  }

  /** H v against the difference of gradients at x ± h v. */
  private static void assertHvpMatchesGradientDifferences(String name, double[] x, int rows, int cols) {
    double[] v = new double[x.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(1.7 * i + 0.3);
    }
    double h = 1e-5;
    double[] plus = x.clone();
    double[] minus = x.clone();
    for (int i = 0; i < x.length; i++) {
      plus[i] += h * v[i];
      minus[i] -= h * v[i];
    }
    double[] gPlus = (double[]) Compiled.components(c.call("p.ReduceGrad", name, plus, rows, cols)).get("x");
    double[] gMinus = (double[]) Compiled.components(c.call("p.ReduceGrad", name, minus, rows, cols)).get("x");
    Map<String, Object> hvp = Compiled.components(c.call("p.ReduceGrad", name + "Hvp", x, rows, cols, v));
    double[] product = (double[]) hvp.get("xHvp");
    for (int i = 0; i < x.length; i++) {
      assertEquals((gPlus[i] - gMinus[i]) / (2 * h), product[i], 1e-5, name + " Hv[" + i + "]");
    }
  }

  @Test
  void loopsThatDoMoreOrReadAnActiveScalarAreTapedAsBefore() {
    assertTrue(method(" alsoSums(double[] x)").contains("_tape.pushDouble(m)"));
    assertTrue(method(" scaled(double[] x, double y)").contains("_tape.pushDouble(m)"));
    double[] x = {0.3, -1.2, 2.5, 0.7, 2.4};
    assertMatches(c, "p.Reduce", "alsoSums", 1e-6, (Object) x);
    assertMatches(c, "p.Reduce", "scaled", 1e-6, x, 0.8);
  }
}
