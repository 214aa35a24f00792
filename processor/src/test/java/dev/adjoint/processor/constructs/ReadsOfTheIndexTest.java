package dev.adjoint.processor.constructs;

import static com.google.common.truth.Truth.assertThat;
import static dev.adjoint.processor.testing.Gradients.assertMatches;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;

/**
 * Reading a loop index with a unary operator ({@code -i}, {@code ~i}) does not write it: a row
 * local {@code double[] row = mat[i]} stays allowed and the loop stays counted (its index is
 * recomputed, not taped). Found by the fuzzer (seed 20261208, program 3348): {@code -i0} made
 * the row local an error.
 */
class ReadsOfTheIndexTest {
  @Test
  void negatingTheIndexKeepsTheRowLocalAndTheCountedLoop() {
    Compiled c = Compiled.of("p.M", """
        package p;
        import dev.adjoint.Differentiable;
        public class M {
          @Differentiable
          public static double f(double[][] mat, double x) {
            double s = 0;
            for (int i = 0; i < mat.length; i++) {
              double[] row = mat[i];
              double w = -i * 0.25 + (~i & 1);
              for (int j = 0; j < row.length; j++) {
                s = 0.5 * s + Math.tanh(row[j] * x) * w;
              }
            }
            return s;
          }
        }
        """);
    double[][] mat = {{0.3, -0.2}, {0.5, 0.1, 0.7}, {-0.4}};
    assertMatches(c, "p.M", "f", 1e-6, mat, 0.8);
    String generated = c.generatedSource("p.MGrad");
    assertThat(generated).doesNotContain("pushInt(i)");
  }
}
