package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void rosenbrockGradient() {
    Compiled c = Compiled.of("p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Model {
          @Differentiable
          public static double rosenbrock(double x, double y) {
            double a = 1 - x;
            double b = y - x * x;
            return a * a + 100 * b * b;
          }
        }
        """);
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "rosenbrock", 1.5, 2.0));
    double x = 1.5, y = 2.0;
    assertEquals((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x), (double) g.get("value"), 1e-12);
    assertEquals(-2 * (1 - x) - 400 * x * (y - x * x), (double) g.get("x"), 1e-12);
    assertEquals(200 * (y - x * x), (double) g.get("y"), 1e-12);
  }
}
