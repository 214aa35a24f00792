package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loops of a million and ten million iterations: exact gradients, and the tape fits the default heap. */
class LongLoopTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Long", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Long {
          /** A recurrence that tapes one value per iteration (the sine's argument). */
          @Differentiable
          public static double orbit(double x, double rate, int n) {
            double s = x;
            for (int i = 0; i < n; i++) {
              s = s + rate * Math.sin(s) / n;
            }
            return s;
          }
        }
        """);
  }

  /** ds/dx and ds/drate by the forward (tangent) recurrence, computed independently in Java. */
  static double[] tangents(double x, double rate, int n) {
    double s = x;
    double dsdx = 1;
    double dsdr = 0;
    for (int i = 0; i < n; i++) {
      double c = Math.cos(s);
      dsdx = dsdx + rate * c * dsdx / n;
      dsdr = dsdr + (Math.sin(s) + rate * c * dsdr) / n;
      s = s + rate * Math.sin(s) / n;
    }
    return new double[] {s, dsdx, dsdr};
  }

  @Test
  void millionIterations() {
    check(1_000_000);
  }

  @Test
  void tenMillionIterationsFitTheDefaultHeap() {
    check(10_000_000);
  }

  private void check(int n) {
    double x = 0.3;
    double rate = 1.7;
    Map<String, Object> g = Compiled.components(c.call("p.LongGrad", "orbit", x, rate, n));
    double[] expected = tangents(x, rate, n);
    assertEquals(expected[0], (double) g.get("value"), 0);
    assertEquals(expected[1], (double) g.get("x"), 1e-9 * Math.abs(expected[1]));
    assertEquals(expected[2], (double) g.get("rate"), 1e-9 * Math.abs(expected[2]));
  }
}
