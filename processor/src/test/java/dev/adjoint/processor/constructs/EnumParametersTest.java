package dev.adjoint.processor.constructs;

import static com.google.common.truth.Truth.assertThat;
import static dev.adjoint.processor.testing.Gradients.assertMatches;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Enum parameters are data, like ints: they select {@code switch} cases (statement with
 * fall-through, expression) and are compared with {@code ==}; the generated method takes them
 * as they are. Forward mode through them too.
 */
class EnumParametersTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Shapes", """
        package p;
        import dev.adjoint.Differentiable;
        public class Shapes {
          public enum Kind { CIRCLE, SQUARE, TRIANGLE }

          @Differentiable(forward = true)
          public static double area(Kind kind, double r) {
            double a = switch (kind) {
              case CIRCLE -> Math.PI * r * r;
              case SQUARE -> r * r;
              default -> Math.sqrt(3) / 4 * r * r;
            };
            if (kind == Kind.SQUARE || kind != Kind.CIRCLE && r > 1) {
              a += r;
            }
            switch (kind) {
              case CIRCLE:
                a *= 2;
              case TRIANGLE:
                a += Math.sin(r);
                break;
              default:
                a -= r * r * r;
            }
            return a;
          }
        }
        """);
  }

  @Test
  void everyCaseMatchesFiniteDifferencesAndTheClosedForm() throws Exception {
    Class<?> kind = c.load("p.Shapes$Kind");
    for (Object k : kind.getEnumConstants()) {
      for (double r : new double[] {0.7, 1.3}) {
        assertMatches(c, "p.Shapes", "area", 1e-6, k, r);
      }
    }
    Object circle = kind.getEnumConstants()[0];
    Map<String, Object> g = Compiled.components(c.call("p.ShapesGrad", "area", circle, 0.7));
    assertThat((double) g.get("r")).isWithin(1e-12).of(4 * Math.PI * 0.7 + Math.cos(0.7));
    Map<String, Object> jvp = Compiled.components(c.call("p.ShapesGrad", "areaJvp", circle, 0.7, 1.0));
    assertThat((double) jvp.get("tangent")).isWithin(1e-12).of((double) g.get("r"));
  }
}
