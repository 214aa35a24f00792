package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A recursive method split by diff.SplitRecursion whose reverse sweep pops a value its record
 * pushed (the fuzzer's seed 777: the pop was emitted as {@code _tape.pshDouble()}, which does not
 * compile). Against finite differences.
 */
class SplitRecursionPopsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Pops", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Pops {
          @Differentiable
          public static double r0(double[] w, int k) {
            if (k <= 0) {
              return Math.tan(Math.sin((w.length > 1 ? w[1] : w.length * 0.5)));
            }
            double d0 = r0(w, k - 1);
            return d0 * Math.cos((-0.8));
          }
        }
        """);
  }

  @Test
  void aSplitRecursionsPoppedValuesCompileAndMatch() {
    String source = c.generatedSource("p.PopsGrad");
    assertFalse(source.contains("psh"), source);
    for (int k = 0; k <= 6; k++) {
      assertMatches(c, "p.Pops", "r0", 1e-6, new double[] {0.3, -0.4, 0.8}, k);
    }
  }
}
