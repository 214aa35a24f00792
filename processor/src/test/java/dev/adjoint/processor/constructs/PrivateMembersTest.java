package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Members the generated class may not name — private helpers, constants and tables, private
 * {@code @Derivative}s, members of private nested classes, protected members inherited from a
 * class of another package — are reached through method and var handles; the generated code
 * compiles (under -Xlint:all) and its gradients are exact.
 */
class PrivateMembersTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("q.Base", """
        package q;
        public class Base {
          protected static double half(double x) {
            return x / 2;
          }
          protected static final double[] OFFSETS = {0.5, -0.25, 2.0};
        }
        """, "p.Model", """
        package p;
        import dev.adjoint.Derivative;
        import dev.adjoint.Differentiable;
        public final class Model extends q.Base {
          private static final double RATE = 0.75;
          private static final double ROOT = Math.sqrt(2);
          private static final double[] WEIGHTS = {1.5, -2.0, 0.25, 4.0};
          private static double scale(int n) {
            return 1.0 / n;
          }
          private static double softplus(double x) {
            return Math.log1p(Math.exp(x));
          }
          @Derivative(of = "softplus")
          private static double softplusDerivative(double x) {
            return 1 / (1 + Math.exp(-x));
          }
          private static final class Table {
            static final double[] COEFFICIENTS = {3.0, 1.0, -1.0};
            static double bias(int i) {
              return 0.1 * i;
            }
          }

          /** A private helper called with values that carry no derivative. */
          @Differentiable
          public static double inactive(double x, int n) {
            return x * x * scale(n) + scale(n + 1);
          }

          @Differentiable
          public static double constants(double x) {
            return RATE * x * x + ROOT * Math.sin(x);
          }

          @Differentiable
          public static double table(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += WEIGHTS[i % WEIGHTS.length] * x[i] * x[i];
            }
            return s;
          }

          @Differentiable
          public static double customPrivate(double w, double x) {
            return softplus(w * x) * RATE;
          }

          @Differentiable
          public static double nested(double x) {
            double s = 0;
            for (int i = 0; i < Table.COEFFICIENTS.length; i++) {
              s += Table.COEFFICIENTS[i] * Math.pow(x, i) + Table.bias(i);
            }
            return s;
          }

          /** Protected members of a superclass in another package. */
          @Differentiable
          public static double inherited(double x) {
            return x * half(3.0) + OFFSETS[1] * x * x;
          }
        }
        """);
  }

  @Test
  void privateHelperWithInactiveArguments() {
    for (int n : new int[] {1, 2, 7}) {
      double x = 1.7;
      Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "inactive", x, n));
      assertEquals(x * x / n + 1.0 / (n + 1), (double) g.get("value"), 1e-15);
      assertEquals(2 * x / n, (double) g.get("x"), 1e-15);
      assertMatches(c, "p.Model", "inactive", 1e-6, x, n);
    }
  }

  @Test
  void privateConstants() {
    double x = 0.9;
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "constants", x));
    assertEquals(1.5 * x + Math.sqrt(2) * Math.cos(x), (double) g.get("x"), 1e-14);
    assertMatches(c, "p.Model", "constants", 1e-6, x);
  }

  @Test
  void privateTableReadInALoop() {
    double[] x = {0.3, -1.2, 2.0, 0.7, 1.1, -0.4};
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "table", (Object) x));
    double[] w = {1.5, -2.0, 0.25, 4.0};
    double[] dx = (double[]) g.get("x");
    for (int i = 0; i < x.length; i++) {
      assertEquals(2 * w[i % 4] * x[i], dx[i], 1e-15);
    }
    assertMatches(c, "p.Model", "table", 1e-6, (Object) x);
  }

  @Test
  void privateCustomDerivativeIsUsed() {
    double w = 0.4;
    double x = -1.3;
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "customPrivate", w, x));
    double sig = 1 / (1 + Math.exp(-w * x));
    assertEquals(0.75 * sig * x, (double) g.get("w"), 1e-15);
    assertEquals(0.75 * sig * w, (double) g.get("x"), 1e-15);
  }

  @Test
  void membersOfAPrivateNestedClass() {
    double x = 1.4;
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "nested", x));
    assertEquals(1 - 2 * x, (double) g.get("x"), 1e-14);
    assertMatches(c, "p.Model", "nested", 1e-6, x);
  }

  @Test
  void protectedMembersOfASuperclassInAnotherPackage() {
    double x = 0.6;
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "inherited", x));
    assertEquals(1.5 - 0.5 * x, (double) g.get("x"), 1e-15);
  }

  @Test
  void handlesAreStaticFinalAndSayWhy() {
    String src = c.generatedSource("p.ModelGrad");
    assertTrue(src.contains("private static final MethodHandle scale$handle"), src);
    assertTrue(src.contains("private static final VarHandle WEIGHTS$handle"), src);
    assertTrue(src.contains("MethodHandles.privateLookupIn(owner, MethodHandles.lookup())"), src);
    assertTrue(src.contains("cannot be named from here"), src);
  }
}
