package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * String parameters (data, never differentiated) selecting {@code switch} cases: statements
 * with fall-through and default, arrow-form expressions, several labels per case, a String
 * parameter of an instance method; gradients against finite differences on every branch,
 * forward mode and Hessians through the switch.
 */
class StringSwitchTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Losses", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Losses {
          /** A loss chosen by name, as a configuration file would give it. */
          @Differentiable
          public static double loss(double[] r, String kind, double delta) {
            double s = 0;
            for (int i = 0; i < r.length; i++) {
              switch (kind) {
                case "l2":
                  s += r[i] * r[i];
                  break;
                case "l1", "abs":
                  s += Math.abs(r[i]);
                  break;
                case "huber": {
                  double a = Math.abs(r[i]);
                  s += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
                  break;
                }
                default:
                  s += Math.log(Math.cosh(r[i]));
              }
            }
            return s;
          }

          /** Fall-through: "cubic" adds its term and falls into "square". */
          @Differentiable(hessian = true)
          public static double poly(double x, String degree) {
            double s = 1;
            switch (degree) {
              case "cubic":
                s += x * x * x;
              case "square":
                s += x * x;
                break;
              case "none":
                break;
              default:
                s += Math.sin(x);
            }
            return s;
          }

          /** A switch expression on a String parameter, forward mode too. */
          @Differentiable(forward = true)
          public static double activation(double x, double w, String name) {
            double z = w * x;
            return switch (name) {
              case "tanh" -> Math.tanh(z);
              case "relu" -> Math.max(0, z);
              case "softplus" -> {
                double e = Math.exp(z);
                yield Math.log1p(e);
              }
              default -> z;
            };
          }

          final String mode;

          public Losses(String mode) {
            this.mode = mode;
          }

          static final String KM = "km";

          /** An instance method given the name as a parameter; equals on it too. */
          @Differentiable
          public double scaled(double x, String unit) {
            double s = switch (unit) {
              case KM -> 1000 * x * x;
              default -> x * x;
            };
            if (unit.equals("m") || "metre".equals(unit) || unit.equals(KM) && x > 100) {
              s += x;
            }
            return s;
          }
        }
        """);
  }

  static final double[] R = {0.3, -1.7, 0.9, 2.4};

  @Test
  void everyBranchOfAStatementSwitch() {
    for (String kind : new String[] {"l2", "l1", "abs", "huber", "log-cosh", ""}) {
      Gradients.assertMatches(c, "p.Losses", "loss", 1e-6, R, kind, 1.0);
    }
    double[] g = (double[]) Compiled.components(c.call("p.LossesGrad", "loss", R, "l2", 1.0)).get("r");
    for (int i = 0; i < R.length; i++) {
      assertEquals(2 * R[i], g[i], 1e-12);
    }
  }

  @Test
  void fallThroughAndHessians() throws Exception {
    Method hessian = c.load("p.LossesGrad").getMethod("polyHessian", double.class, String.class);
    double x = 0.7;
    for (String d : new String[] {"cubic", "square", "none", "other"}) {
      Gradients.assertMatches(c, "p.Losses", "poly", 1e-6, x, d);
      double expected = switch (d) {
        case "cubic" -> 6 * x + 2;
        case "square" -> 2;
        case "none" -> 0;
        default -> -Math.sin(x);
      };
      Object h = hessian.invoke(null, x, d);
      double[][] m = (double[][]) Compiled.components(h).get("hessian");
      assertEquals(expected, m[0][0], 1e-9, d);
    }
  }

  @Test
  void switchExpressionInForwardMode() throws Exception {
    Method jvp = c.load("p.LossesGrad").getMethod("activationJvp", double.class, double.class, String.class,
        double.class, double.class);
    for (String name : new String[] {"tanh", "relu", "softplus", "identity"}) {
      Gradients.assertMatches(c, "p.Losses", "activation", 1e-6, 0.8, 1.3, name);
      Map<String, Object> g = Compiled.components(c.call("p.LossesGrad", "activation", 0.8, 1.3, name));
      double expected = (double) g.get("x") * 0.5 + (double) g.get("w") * -0.25;
      assertEquals(expected, (double) Compiled.components(jvp.invoke(null, 0.8, 1.3, name, 0.5, -0.25)).get("tangent"),
          1e-12, name);
    }
  }

  @Test
  void instanceMethodWithAStringParameter() throws Exception {
    Object self = c.load("p.Losses").getConstructor(String.class).newInstance("x");
    assertEquals(1000 * 2 * 0.3, (double) Compiled.components(c.call("p.LossesGrad", "scaled", self, 0.3, "km")).get("x"), 1e-12);
    assertEquals(2 * 0.3 + 1, (double) Compiled.components(c.call("p.LossesGrad", "scaled", self, 0.3, "m")).get("x"), 1e-12);
    assertEquals(2 * 0.3 + 1, (double) Compiled.components(c.call("p.LossesGrad", "scaled", self, 0.3, "metre")).get("x"), 1e-12);
    assertEquals(2 * 0.3, (double) Compiled.components(c.call("p.LossesGrad", "scaled", self, 0.3, "cm")).get("x"), 1e-12);
  }

  @Test
  void theGeneratedCodeComparesWithEquals() {
    String code = c.generatedSource("p.LossesGrad");
    assertTrue(code.contains("kind.equals(\"l2\")"), code);
    assertTrue(code.contains("String kind"), code);
  }
}
