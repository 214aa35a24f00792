package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tape opened only on the paths that use it (diff.TapeScope): a recursive method whose base
 * case tapes nothing takes no tape there; where the branch's condition may change, both arms
 * tape, or the tape is used outside branches, the tape is opened at the start as before. Every
 * case against finite differences.
 */
class TapeScopeTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Scope", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Scope {
          /** Determinant by minors over the columns not in the bit set used. */
          @Differentiable
          public static double minor(double[] a, int n, int row, int used) {
            if (row == n - 1) {
              return a[row * n + Integer.numberOfTrailingZeros(~used)];
            }
            double det = 0;
            double sign = 1;
            for (int col = 0; col < n; col++) {
              if ((used & (1 << col)) == 0) {
                det += sign * a[row * n + col] * minor(a, n, row + 1, used | (1 << col));
                sign = -sign;
              }
            }
            return det;
          }

          /** The base case tapes nothing; the else arm first, by a negated condition. */
          @Differentiable
          public static double chain(double[] x, int k) {
            if (!(k <= 0)) {
              double s = 0;
              for (int i = 0; i < x.length; i++) {
                s = Math.sin(s + x[i]);
              }
              return s + chain(x, k - 1) * 0.5;
            }
            return x[0] * x[0];
          }

          /** The condition's variable changes after the branch: the tape is opened at the start. */
          @Differentiable
          public static double changes(double[] x, int k) {
            double s = 0;
            if (k > 0) {
              for (int i = 0; i < x.length; i++) {
                s = Math.sin(s + x[i]);
              }
            }
            k = k - 1;
            return s * k;
          }

          /** Both arms tape: nothing to gain. */
          @Differentiable
          public static double bothArms(double[] x, int k) {
            double s = 0;
            if (k > 0) {
              for (int i = 0; i < x.length; i++) {
                s = Math.sin(s + x[i]);
              }
            } else {
              for (int i = 0; i < x.length; i++) {
                s = Math.cos(s * x[i]);
              }
            }
            return s;
          }

          /** A loop outside every branch tapes. */
          @Differentiable
          public static double loopAtTop(double[] x, int k) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s = Math.sin(s + x[i]);
            }
            if (k > 0) {
              return s;
            }
            return s * s;
          }
        }
        """);
  }

  private static String method(String signature) {
    String source = c.generatedSource("p.ScopeGrad");
    int at = source.indexOf(signature);
    assertTrue(at >= 0, signature + " in\n" + source);
    String m = source.substring(at);
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  private static double[] matrix(int n, long seed) {
    Random r = new Random(seed);
    double[] a = new double[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble() * 2 - 1;
    }
    return a;
  }

  @Test
  void theBaseCaseOfARecursionTakesNoTape() {
    // the accumulating overload is split (SplitRecursionTest): the recursive calls it makes
    // record on its one tape and take none of their own
    for (String m : new String[] {method("static double minorRecord("), method("static void minorReverse(")}) {
      assertFalse(m.contains("Tape.open()"), m);
    }
    for (String m : new String[] {method("minor(double[] a, int n, int row, int used)"),
        method("minor(double[] a, int n, int row, int used, double[] gradient)")}) {
      assertTrue(m.contains("Tape _tape = null;"), m);
      assertFalse(m.contains("Tape _tape = Tape.open();"), m);
      // opened in the arm that tapes, after the base case's arm
      assertTrue(m.indexOf("_tape = Tape.open();") > m.indexOf("} else {"), m);
      assertTrue(m.contains("if (_tape != null) {\n            _tape.close();"), m);
    }
    for (int n = 1; n <= 5; n++) {
      assertMatches(c, "p.Scope", "minor", 1e-6, matrix(n, n), n, 0, 0);
    }
    assertMatches(c, "p.Scope", "minor", 1e-6, matrix(4, 9), 4, 1, 0b0100);
  }

  @Test
  void aNegatedConditionOpensTheTapeInTheArmThatTapes() {
    String m = method("chain(double[] x, int k)");
    assertTrue(m.contains("Tape _tape = null;"), m);
    assertFalse(method("static double chainRecord(").contains("Tape.open()"));
    for (int k = 0; k <= 3; k++) {
      assertMatches(c, "p.Scope", "chain", 1e-6, new double[] {0.3, -0.7, 1.1}, k);
    }
  }

  @Test
  void aConditionThatMayChangeBothArmsTapingOrATapeOutsideBranchesKeepTheTapeAtTheStart() {
    for (String name : new String[] {"changes", "bothArms", "loopAtTop"}) {
      String m = method(" " + name + "(double[] x, int k)");
      assertTrue(m.contains("Tape _tape = Tape.open();"), m);
      assertFalse(m.contains("Tape _tape = null;"), m);
      for (int k = -1; k <= 1; k++) {
        assertMatches(c, "p.Scope", name, 1e-6, new double[] {0.3, -0.7, 1.1}, k);
      }
    }
  }

  @Test
  void theDeterminantEqualsTheClosedFormOfATwoByTwo() {
    double[] a = {0.5, -1.5, 2.0, 0.25};
    assertEquals(0.5 * 0.25 + 1.5 * 2.0, (double) c.call("p.Scope", "minor", a, 2, 0, 0), 1e-15);
  }
}
