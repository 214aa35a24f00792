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
    c = Compiled.of("p.Losses", ControlFlowTest.resource("Losses.java.txt"));
  }

  static final double[] R = {0.3, -1.7, 0.9, 2.4};

  @Test
  void everyBranchOfAStatementSwitch() {
    for (String literal : new String[] {"l2", "l1", "abs", "huber", "log-cosh", ""}) {
      String kind = new String(literal.toCharArray());
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
    for (String literal : new String[] {"cubic", "square", "none", "other"}) {
      String d = new String(literal.toCharArray());
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
    for (String literal : new String[] {"tanh", "relu", "softplus", "identity"}) {
      // not the interned literal: the generated code must compare with equals, as Java's switch does
      String name = new String(literal.toCharArray());
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
