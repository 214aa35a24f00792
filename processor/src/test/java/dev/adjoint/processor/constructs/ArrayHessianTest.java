package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Second derivatives with respect to array parameters ({@code hessian = true} on {@code double[]}
 * and {@code double[][]} parameters): {@code fHvp(params..., directions...)} returns the value,
 * the gradient (a component per parameter, named like it) and the Hessian-vector product (a
 * component {@code pHvp} per parameter, shaped like it). Checked against central differences of
 * the generated gradient along the direction.
 */
class ArrayHessianTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Second", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Second {
          /** Couples neighbours: a dense band, so the product mixes elements. */
          @Differentiable(hessian = true)
          public static double chain(double[] x) {
            double s = 0;
            for (int i = 0; i + 1 < x.length; i++) {
              double t = x[i] * x[i + 1] * x[i + 1];
              s += Math.sin(t) + Math.exp(0.3 * x[i]);
            }
            return s * x[0];
          }

          /** k-means' cost: the squared distance of each point to its closest centroid. */
          @Differentiable(hessian = true, wrt = "centroids")
          public static double cost(double[][] points, double[][] centroids) {
            double cost = 0;
            for (int i = 0; i < points.length; i++) {
              double closest = Double.POSITIVE_INFINITY;
              for (int j = 0; j < centroids.length; j++) {
                double dist = 0;
                for (int l = 0; l < points[i].length; l++) {
                  double diff = points[i][l] - centroids[j][l];
                  dist += diff * diff;
                }
                closest = Math.min(closest, dist);
              }
              cost += closest;
            }
            return cost;
          }

          /** A sum of functions of one element each: its Hessian is diagonal. */
          @Differentiable(hessian = true)
          public static double separable(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double e = Math.exp(0.5 * x[i]);
              s += e * e - Math.sin(x[i]) * 2;
            }
            return s / 3;
          }

          /** A double and an array together, with a scratch array overwritten in a loop. */
          @Differentiable(hessian = true)
          public static double mixed(double a, double[] w) {
            double[] y = new double[w.length];
            double s = 0;
            for (int k = 0; k < 2; k++) {
              for (int i = 0; i < w.length; i++) {
                y[i] = Math.tanh(a * w[i] + y[i]);
                s += y[i] * w[(i + 1) % w.length];
              }
            }
            return s * a;
          }
        }
        """);
  }

  @Test
  void aBandedHessianTimesAVectorMatchesDifferencesOfTheGradient() {
    double[] x = {0.3, -0.7, 1.1, 0.5, -0.2};
    double[] v = {0.9, 0.4, -1.3, 0.2, 0.6};
    assertMatches(c, "p.Second", "chain", 1e-6, (Object) x);
    Map<String, Object> hvp = Compiled.components(c.call("p.SecondGrad", "chainHvp", x, v));
    double[] fd = differenceOfGradient(x, v, "chain", "x");
    assertArrayNear(fd, (double[]) hvp.get("xHvp"));
    assertArrayNear((double[]) Compiled.components(c.call("p.SecondGrad", "chain", (Object) x)).get("x"),
        (double[]) hvp.get("x"));
  }

  @Test
  void theKMeansCostHasADiagonalHessianAndItsProductMatchesDifferences() {
    Random r = new Random(7);
    double[][] points = new double[30][3];
    for (double[] p : points) {
      for (int l = 0; l < 3; l++) {
        p[l] = r.nextDouble();
      }
    }
    double[][] centroids = {{0.2, 0.3, 0.1}, {0.8, 0.7, 0.9}, {0.5, 0.1, 0.6}};
    double[][] v = {{0.3, -0.4, 1.0}, {0.7, 0.2, -0.5}, {-0.1, 0.9, 0.4}};
    Map<String, Object> hvp = Compiled.components(c.call("p.SecondGrad", "costHvp", points, centroids, v));
    double[][] product = (double[][]) hvp.get("centroidsHvp");
    double step = 1e-6;
    double[][] up = shifted(centroids, v, step);
    double[][] down = shifted(centroids, v, -step);
    double[][] gu = (double[][]) Compiled.components(c.call("p.SecondGrad", "cost", points, up)).get("centroids");
    double[][] gd = (double[][]) Compiled.components(c.call("p.SecondGrad", "cost", points, down)).get("centroids");
    for (int j = 0; j < 3; j++) {
      for (int l = 0; l < 3; l++) {
        double fd = (gu[j][l] - gd[j][l]) / (2 * step);
        assertEquals(fd, product[j][l], 1e-5 * Math.max(1, Math.abs(fd)), "Hv[" + j + "][" + l + "]");
      }
    }
    // diagonal: 2 × (the number of points closest to centroid j) on each of its coordinates
    Map<String, Object> ones = Compiled.components(c.call("p.SecondGrad", "costHvp", points, centroids,
        new double[][] {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}));
    double[][] diagonal = (double[][]) ones.get("centroidsHvp");
    for (int j = 0; j < 3; j++) {
      assertEquals(0, diagonal[j][0] % 2, 1e-12);
      assertEquals(diagonal[j][0], diagonal[j][2], 1e-12);
    }
  }

  @Test
  void aDoubleAndAnArrayTogether() {
    double a = 0.7;
    double[] w = {0.4, -0.9, 1.3};
    double da = -0.6;
    double[] dw = {0.5, 0.1, -0.8};
    assertMatches(c, "p.Second", "mixed", 1e-6, a, w);
    Map<String, Object> hvp = Compiled.components(c.call("p.SecondGrad", "mixedHvp", a, w, da, dw));
    double step = 1e-6;
    double[] wu = w.clone();
    double[] wd = w.clone();
    for (int i = 0; i < w.length; i++) {
      wu[i] += step * dw[i];
      wd[i] -= step * dw[i];
    }
    Map<String, Object> gu = Compiled.components(c.call("p.SecondGrad", "mixed", a + step * da, wu));
    Map<String, Object> gd = Compiled.components(c.call("p.SecondGrad", "mixed", a - step * da, wd));
    double fa = ((double) gu.get("a") - (double) gd.get("a")) / (2 * step);
    assertEquals(fa, (double) hvp.get("aHvp"), 1e-5 * Math.max(1, Math.abs(fa)));
    double[] gwu = (double[]) gu.get("w");
    double[] gwd = (double[]) gd.get("w");
    double[] fw = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      fw[i] = (gwu[i] - gwd[i]) / (2 * step);
    }
    assertArrayNear(fw, (double[]) hvp.get("wHvp"));
  }

  @Test
  void aDiagonalHessianIsProvedAndItsDiagonalGenerated() {
    String source = c.generatedSource("p.SecondGrad");
    assertTrue(source.contains("CostHessianDiagonal costHessianDiagonal(double[][] points, double[][] centroids)"), source);
    assertTrue(source.contains("SeparableHessianDiagonal separableHessianDiagonal(double[] x)"), source);
    // a product of neighbours, a scratch array coupling elements: not diagonal, nothing generated
    assertTrue(!source.contains("chainHessianDiagonal") && !source.contains("mixedHessianDiagonal"), source);
    double[] x = {0.3, -1.1, 0.8};
    double[] diagonal = (double[]) Compiled.components(c.call("p.SecondGrad", "separableHessianDiagonal", (Object) x))
        .get("xDiagonal");
    for (int i = 0; i < x.length; i++) {
      assertEquals((Math.exp(x[i]) + 2 * Math.sin(x[i])) / 3, diagonal[i], 1e-12);
    }
    Random r = new Random(11);
    double[][] points = new double[40][2];
    for (double[] p : points) {
      p[0] = r.nextDouble();
      p[1] = r.nextDouble();
    }
    double[][] centroids = {{0.2, 0.3}, {0.8, 0.7}};
    double[][] d = (double[][]) Compiled.components(c.call("p.SecondGrad", "costHessianDiagonal", points, centroids))
        .get("centroidsDiagonal");
    double step = 1e-6;
    for (int j = 0; j < 2; j++) {
      for (int l = 0; l < 2; l++) {
        double[][] unit = new double[2][2];
        unit[j][l] = 1;
        double[][] gu = (double[][]) Compiled.components(c.call("p.SecondGrad", "cost", points,
            shifted(centroids, unit, step))).get("centroids");
        double[][] gd = (double[][]) Compiled.components(c.call("p.SecondGrad", "cost", points,
            shifted(centroids, unit, -step))).get("centroids");
        double fd = (gu[j][l] - gd[j][l]) / (2 * step);
        assertEquals(fd, d[j][l], 1e-5 * Math.max(1, Math.abs(fd)), "H[" + j + l + "][" + j + l + "]");
      }
    }
  }

  @Test
  void theRecordNamesEachParametersProduct() {
    String source = c.generatedSource("p.SecondGrad");
    assertTrue(source.contains("record CostHvp(double value, double[][] centroids, double[][] centroidsHvp)"), source);
    assertTrue(source.contains("record MixedHvp(double value, double a, double[] w, double aHvp, double[] wHvp)"), source);
  }

  private static double[] differenceOfGradient(double[] x, double[] v, String method, String component) {
    double step = 1e-6;
    double[] up = x.clone();
    double[] down = x.clone();
    for (int i = 0; i < x.length; i++) {
      up[i] += step * v[i];
      down[i] -= step * v[i];
    }
    double[] gu = (double[]) Compiled.components(c.call("p.SecondGrad", method, (Object) up)).get(component);
    double[] gd = (double[]) Compiled.components(c.call("p.SecondGrad", method, (Object) down)).get(component);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (gu[i] - gd[i]) / (2 * step);
    }
    return out;
  }

  private static double[][] shifted(double[][] m, double[][] v, double step) {
    double[][] out = new double[m.length][];
    for (int j = 0; j < m.length; j++) {
      out[j] = m[j].clone();
      for (int l = 0; l < out[j].length; l++) {
        out[j][l] += step * v[j][l];
      }
    }
    return out;
  }

  private static void assertArrayNear(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "[" + i + "]");
    }
  }
}
