package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sign flipped in a loop ({@code sign = -sign}) is flipped back by the reverse sweep instead
 * of taped (analysis.Recompute.inverse): negation is exact, so undoing it restores the value
 * bit for bit. Doubles, ints and longs; an assignment of another variable's negation is still
 * taped. Every case against finite differences.
 */
class NegationUndoneTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Signs", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Signs {
          /** An alternating series with a double sign, an int sign and a long sign. */
          @Differentiable
          public static double alternating(double[] x) {
            double s = 0;
            double sign = 1;
            int isign = 1;
            long lsign = -1;
            for (int i = 0; i < x.length; i++) {
              s = s * 0.5 + sign * Math.sin(x[i]) + isign * x[i] * x[i] + lsign * s * x[i];
              sign = -sign;
              isign = -isign;
              lsign = -lsign;
            }
            return s;
          }

          /** An active variable negated: its adjoint is negated too. */
          @Differentiable
          public static double activeFlip(double[] x) {
            double v = 1;
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              v = v * x[i];
              v = -v;
              s += v * v * v;
            }
            return s;
          }

          /** The negation of another variable is not an undoable step: taped. */
          @Differentiable
          public static double fromOther(double[] x) {
            double s = 0;
            double t = 1;
            for (int i = 0; i < x.length; i++) {
              t = -s;
              s = s * x[i] + t * Math.cos(x[i]);
            }
            return s;
          }
        }
        """);
  }

  private static String method(String name) {
    String source = c.generatedSource("p.SignsGrad");
    String m = source.substring(source.indexOf(" " + name + "(double[] x)"));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  private static final double[] X = {0.3, -0.7, 1.1, 0.45, -1.3};

  @Test
  void signsFlippedInALoopAreFlippedBackNotTaped() {
    String m = method("alternating");
    assertFalse(m.contains("pushDouble(sign)"), m);
    assertFalse(m.contains("pushInt(isign)"), m);
    assertFalse(m.contains("pushLong(lsign)"), m);
    assertTrue(m.contains("sign = -sign;"), m);
    assertTrue(m.contains("isign = -isign;"), m);
    assertTrue(m.contains("lsign = -lsign;"), m);
    assertMatches(c, "p.Signs", "alternating", 1e-6, (Object) X);
    assertMatches(c, "p.Signs", "alternating", 1e-6, (Object) new double[] {0.8});
    assertMatches(c, "p.Signs", "alternating", 1e-6, (Object) new double[0]);
  }

  @Test
  void anActiveNegatedVariableIsRestoredAndItsAdjointNegated() {
    String m = method("activeFlip");
    assertTrue(m.contains("v = -v;"), m);
    assertMatches(c, "p.Signs", "activeFlip", 1e-6, (Object) X);
  }

  @Test
  void theNegationOfAnotherVariableIsStillTaped() {
    String m = method("fromOther");
    assertTrue(m.contains("_tape.pushDouble(t)"), m);
    assertMatches(c, "p.Signs", "fromOther", 1e-6, (Object) X);
  }
}
