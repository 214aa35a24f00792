package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;

/**
 * A store after a loop that refilled its array, taping it, is taped again when that loop's own
 * adjoint reads the array ({@code t[i] = f(t[i - 1])} reads the element the store changes before
 * the loop puts it back): {@code analysis.Kills}. Found by the fuzzer (seed 29, program 861).
 */
class RefillReadByItsLoopTest {
  @Test
  void theStoreIsTapedAndTheGradientMatches() {
    Compiled c = Compiled.of("p.Refill", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Refill {
          @Differentiable
          public static double f(double x, double y) {
            double[] t = new double[3];
            for (int i = 0; i < t.length; i++) {
              t[i] = 3.0 * Math.tanh(Math.pow(2.5 * Math.sin(x - (i > 0 ? t[i - 1] : 0.7)), 2));
            }
            for (double e : t) {
              if (y > -5) {
                t[0] = 0.5 * t[0] + 0.3;
              }
            }
            return (y + t[0]) * Math.sin(y) + t[1] * 0.2;
          }
        }
        """);
    String source = c.generatedSource("p.RefillGrad");
    assertTrue(source.contains("_tape.pushDouble(t[0]);"), source);
    assertMatches(c, "p.Refill", "f", 1e-6, 1.4, 0.67);
    assertMatches(c, "p.Refill", "f", 1e-6, -0.15, 0.3);
  }
}
