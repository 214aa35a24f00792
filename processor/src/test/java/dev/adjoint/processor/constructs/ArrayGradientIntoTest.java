package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The overload {@code f(params..., gradient)} of a method differentiated with respect to arrays
 * only: it writes into the caller's arrays exactly what the record form returns.
 */
class ArrayGradientIntoTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Into", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Into {
          /** Fused accumulation loop. */
          @Differentiable
          public static double energy(double[] x) {
            double s = 0;
            for (int i = 0; i + 1 < x.length; i++) {
              double d = x[i + 1] - x[i];
              s += d * d + Math.sin(x[i]);
            }
            return s;
          }

          /** A recurrence (taped), two differentiated arrays. */
          @Differentiable(wrt = {"w", "b"})
          public static double recurrence(double[] w, double[] b, double[] data) {
            double h = 0;
            for (int i = 0; i < w.length; i++) {
              h = Math.tanh(w[i] * h + b[i] + data[i]);
            }
            return h * h;
          }

          /** An array and a scalar: no writing overload (the record form only). */
          @Differentiable
          public static double mixed(double[] x, double k) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += k * x[i] * x[i];
            }
            return s;
          }
        }
        """);
  }

  @Test
  void writesWhatTheRecordFormReturns() throws Exception {
    double[] x = {0.3, -1.2, 2.5, 0.7};
    Map<String, Object> record = Compiled.components(c.call("p.IntoGrad", "energy", (Object) x));
    double[] gradient = {9, 9, 9, 9}; // overwritten, not added to
    double value = (double) c.load("p.IntoGrad").getMethod("energy", double[].class, double[].class)
        .invoke(null, x, gradient);
    assertEquals((double) record.get("value"), value, 0);
    assertArrayEquals((double[]) record.get("x"), gradient, 0);

    double[] w = {0.5, -0.3, 0.8};
    double[] b = {0.1, 0.2, -0.4};
    double[] data = {1.0, -0.5, 0.25};
    Map<String, Object> r2 = Compiled.components(c.call("p.IntoGrad", "recurrence", w, b, data));
    double[] gw = new double[3];
    double[] gb = new double[3];
    double v2 = (double) c.load("p.IntoGrad")
        .getMethod("recurrence", double[].class, double[].class, double[].class, double[].class, double[].class)
        .invoke(null, w, b, data, gw, gb);
    assertEquals((double) r2.get("value"), v2, 0);
    assertArrayEquals((double[]) r2.get("w"), gw, 0);
    assertArrayEquals((double[]) r2.get("b"), gb, 0);
    assertTrue(Arrays.stream(gb).allMatch(g -> g != 0), Arrays.toString(gb));
  }

  @Test
  void aGradientArrayOfTheWrongLengthIsRejectedWithItsLength() {
    Exception e = assertThrows(Exception.class, () -> c.load("p.IntoGrad")
        .getMethod("energy", double[].class, double[].class)
        .invoke(null, new double[] {1, 2, 3}, new double[2]));
    assertEquals("the gradient array has 2 elements but its parameter has 3: pass an array of the"
        + " parameter's length", e.getCause().getMessage());
  }

  /**
   * A writing overload that would have the parameter types of another overload's record form is
   * left out (the generated class would not compile); the others are kept.
   */
  @Test
  void aWritingOverloadNeverRepeatsAnotherOverload() throws Exception {
    Compiled ov = Compiled.of("p.Ov", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Ov {
          @Differentiable
          public static double f(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * x[i];
            }
            return s;
          }

          @Differentiable
          public static double f(double[] x, double[] y) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * y[i];
            }
            return s;
          }

          @Differentiable
          public static double g(double a) {
            return a * a;
          }

          @Differentiable
          public static double g(double a, double[] b) {
            return a * b[0];
          }
        }
        """);
    Class<?> grad = ov.load("p.OvGrad");
    // f(x)'s and g(a)'s writing overloads would be f(double[], double[]) and g(double, double[])
    assertEquals(3, Arrays.stream(grad.getMethods()).filter(m -> m.getName().equals("f")).count());
    assertEquals(2, Arrays.stream(grad.getMethods()).filter(m -> m.getName().equals("g")).count());
    double[] x = {0.5, -1.5};
    double[] y = {2.0, 0.25};
    double[] gx = new double[2];
    double[] gy = new double[2];
    double v = (double) grad.getMethod("f", double[].class, double[].class, double[].class, double[].class)
        .invoke(null, x, y, gx, gy);
    assertEquals(0.625, v, 1e-15);
    assertArrayEquals(y, gx, 0);
    assertArrayEquals(x, gy, 0);
  }

  @Test
  void mixedArrayAndScalarParametersHaveNoWritingOverload() {
    assertEquals(1, Arrays.stream(c.load("p.IntoGrad").getMethods())
        .filter(m -> m.getName().equals("mixed")).count());
  }
}
