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
 * Local copies of array elements (analysis.ElementCopies): {@code double xj = xc[j];} in a loop's
 * body is read again where the reverse sweep enters the body, not taped, when the array is as it
 * was there (restored or refilled by the reverse sweep) and the rest of the body does not write
 * it; taped as before when it does. Gradients against finite differences.
 */
class ElementCopiesTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Copies", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Copies {
          /** A packed triangle times a scratch vector, the column's element copied first. */
          @Differentiable(hessian = true)
          public static double triangle(double[] x, double[] l, int d, int n) {
            double[] xc = new double[d];
            double[] y = new double[d];
            double s = 0;
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < d; j++) {
                xc[j] = Math.sin(x[i * d + j]) * l[j];
              }
              for (int j = 0; j < d; j++) {
                y[j] = l[j] * xc[j];
              }
              int idx = 0;
              for (int j = 0; j < d; j++) {
                double xj = xc[j];
                for (int r = j + 1; r < d; r++) {
                  y[r] += l[idx] * xj;
                  idx++;
                }
              }
              for (int j = 0; j < d; j++) {
                s += y[j] * y[j];
              }
            }
            return s;
          }

          /** The copy is overwritten after it in its block: taped. */
          @Differentiable
          public static double overwritten(double[] x, double[] l, int d) {
            double[] xc = new double[d];
            for (int j = 0; j < d; j++) {
              xc[j] = x[j] * l[j];
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
              double xj = xc[j];
              xc[j] = 0.5 * xj + l[j];
              s += xj * xc[j] * x[j];
            }
            return s + xc[0];
          }

          /** Nothing but the copy needs the array (its fill is linear): the copy is taped. */
          @Differentiable
          public static double onlyCopied(double[] x, int d, int n) {
            double[] s = new double[d];
            double carry = 1;
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < d; j++) {
                s[j] = 2 * x[i * d + j];
              }
              double s0 = s[0];
              carry = carry * 0.5 + s0 * s0;
            }
            return carry;
          }

          /** A centred point refilled per row (not taped), a copy of its first element read after. */
          @Differentiable
          public static double refilled(double[] x, double[] mu, int d, int n) {
            double[] xc = new double[d];
            double carry = 1;
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < d; j++) {
                xc[j] = x[i * d + j] - mu[j];
              }
              double x0 = xc[0];
              double sq = 0;
              for (int j = 0; j < d; j++) {
                sq += xc[j] * xc[j] * x0;
              }
              carry = 0.5 * carry * x0 + sq;
            }
            return carry;
          }
        }
        """);
  }

  private static String method(String signature) {
    String source = c.generatedSource("p.CopiesGrad");
    int at = source.indexOf(signature);
    assertTrue(at >= 0, signature + " in\n" + source);
    String m = source.substring(at);
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  static final double[] X = {0.3, -1.2, 2.5, 0.7, 2.4, -0.6, 1.1, 0.9, -2.0, 0.2, 1.7, 0.8};
  static final double[] L = {0.9, -0.4, 1.3, 0.2, 0.6, -0.8};

  @Test
  void aColumnsElementCopiedBeforeTheTriangleIsReadAgainNotTaped() {
    String m = method(" triangle(double[] x, double[] l, int d, int n)");
    assertFalse(m.contains("pushDouble(xj)"), m);
    assertFalse(m.contains("double xj = _tape.popDouble()"), m);
    assertTrue(m.indexOf("double xj = xc[j];") != m.lastIndexOf("double xj = xc[j];"), m);
    assertMatches(c, "p.Copies", "triangle", 1e-6, X, L, 4, 3);
    assertMatches(c, "p.Copies", "triangle", 1e-6, X, L, 3, 4);
    assertMatches(c, "p.Copies", "triangle", 1e-6, X, L, 1, 5);
    // forward over this reverse sweep: H v against the difference of gradients at x ± h v
    double[] v = new double[X.length];
    double[] plus = X.clone();
    double[] minus = X.clone();
    double h = 1e-5;
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.cos(0.9 * i + 0.2);
      plus[i] += h * v[i];
      minus[i] -= h * v[i];
    }
    double[] w = new double[L.length];
    double[] gPlus = (double[]) Compiled.components(c.call("p.CopiesGrad", "triangle", plus, L, 4, 3)).get("x");
    double[] gMinus = (double[]) Compiled.components(c.call("p.CopiesGrad", "triangle", minus, L, 4, 3)).get("x");
    Map<String, Object> hvp = Compiled.components(c.call("p.CopiesGrad", "triangleHvp", X, L, 4, 3, v, w));
    double[] product = (double[]) hvp.get("xHvp");
    for (int i = 0; i < X.length; i++) {
      assertEquals((gPlus[i] - gMinus[i]) / (2 * h), product[i], 1e-5, "Hv[" + i + "]");
    }
  }

  @Test
  void aCopyOfAnElementTheBlockOverwritesIsTaped() {
    String m = method(" overwritten(double[] x, double[] l, int d)");
    assertTrue(m.contains("pushDouble(xj)"), m);
    assertMatches(c, "p.Copies", "overwritten", 1e-6, X, L, 5);
  }

  @Test
  void aCopyOfAnArrayNothingElseNeedsIsTaped() {
    String m = method(" onlyCopied(double[] x, int d, int n)");
    assertTrue(m.contains("pushDouble(s0)"), m);
    assertFalse(m.contains("pushDouble(s[j])"), m);
    assertFalse(m.contains("pushDoubles(s,"), m);
    assertMatches(c, "p.Copies", "onlyCopied", 1e-6, X, 3, 4);
  }

  @Test
  void aCopyOfARefilledArrayIsReadAfterTheRefill() {
    String m = method(" refilled(double[] x, double[] mu, int d, int n)");
    assertFalse(m.contains("pushDouble(x0)"), m);
    int refill = m.indexOf("recompute xc as this iteration filled it");
    assertTrue(refill >= 0, m);
    assertTrue(m.indexOf("double x0 = xc[0];", refill) > refill, m);
    assertMatches(c, "p.Copies", "refilled", 1e-6, X, L, 3, 4);
    assertMatches(c, "p.Copies", "refilled", 1e-6, X, L, 6, 2);
  }
}
