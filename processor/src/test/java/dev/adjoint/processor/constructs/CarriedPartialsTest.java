package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A helper with a double result called in a loop (an LSTM gate's sigmoid): the reverse sweep
 * needs the helper's partials from every iteration. They are taped as doubles
 * ({@code _tape.pushDouble(_r0.x())}), not the gradient record itself, so the record never
 * escapes and the JIT need not allocate it; forward over reverse (a Hessian) keeps the record.
 * Against finite differences, first and second order.
 */
class CarriedPartialsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Gates", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Gates {
          static double sigmoid(double x) {
            return 1 / (1 + Math.exp(-x));
          }

          static double mix(double a, double b) {
            return a * Math.tanh(b) + b;
          }

          @Differentiable
          public static double gates(double[] w, double[] x) {
            double h = 0.1;
            for (int i = 0; i < x.length; i++) {
              double f = sigmoid(w[i] * x[i] + h);
              h = f * mix(h, x[i] * w[0]) + (1 - f) * h;
            }
            return h;
          }

          @Differentiable(hessian = true)
          public static double second(double a, double b) {
            double h = a;
            for (int i = 0; i < 3; i++) {
              h = sigmoid(h * b) + mix(h, a);
            }
            return h;
          }
        }
        """);
  }

  @Test
  void aHelpersPartialsAreTapedAsDoubles() {
    String source = c.generatedSource("p.GatesGrad");
    String m = source.substring(source.indexOf(" gates(double[] w, double[] x) {"));
    m = m.substring(0, m.indexOf("\n    }\n"));
    assertFalse(m.contains("pushObject"), m);
    assertTrue(m.contains(".x());"), m);
    assertMatches(c, "p.Gates", "gates", 1e-6, new double[] {0.3, -0.8, 1.2, 0.5},
        new double[] {0.7, 0.2, -0.4, 0.9});
    assertMatches(c, "p.Gates", "gates", 1e-6, new double[] {0.3}, new double[] {});
  }

  @Test
  void forwardOverReverseKeepsTheRecord() {
    assertMatches(c, "p.Gates", "second", 1e-6, 0.4, 0.9);
    double[] x = {0.4, 0.9};
    double[][] h = (double[][]) Compiled.components(c.call("p.GatesGrad", "secondHessian", x[0], x[1])).get("hessian");
    double step = 1e-5;
    String[] names = {"a", "b"};
    for (int j = 0; j < 2; j++) {
      double[] up = x.clone();
      double[] down = x.clone();
      up[j] += step;
      down[j] -= step;
      Map<String, Object> gu = Compiled.components(c.call("p.GatesGrad", "second", up[0], up[1]));
      Map<String, Object> gd = Compiled.components(c.call("p.GatesGrad", "second", down[0], down[1]));
      for (int i = 0; i < 2; i++) {
        double fd = ((double) gu.get(names[i]) - (double) gd.get(names[i])) / (2 * step);
        assertEquals(fd, h[i][j], 1e-5 * Math.max(1, Math.abs(fd)), "H[" + i + "][" + j + "]");
      }
    }
  }
}
