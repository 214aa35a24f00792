package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A callee returning double whose differentiated parameters are arrays, each passed an array of
 * the caller, gets {@code fAccumulate(params..., seed, adjoint arrays...)}, which adds seed × its
 * gradient into the caller's adjoint arrays in place; the caller's forward sweep calls the method
 * itself for the value, and its reverse sweep calls the accumulating overload with the call's
 * adjoint, instead of adding a dense gradient returned per call (k-means' distance helper reads
 * one row of the centroids: O(d) per call, not O(k·d)). Recursion works the same way
 * (determinant by minors). Checked against finite differences.
 */
class AccumulatingCalleeTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Acc", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Acc {
          /** Squared distance of point i to centroid k: reads d of the centroids' k·d elements. */
          static double dist(double[][] centroids, int k, double[][] points, int i) {
            double s = 0;
            for (int l = 0; l < points[i].length; l++) {
              double diff = points[i][l] - centroids[k][l];
              s += diff * diff;
            }
            return s;
          }

          @Differentiable(wrt = "centroids")
          public static double cost(double[][] points, double[][] centroids) {
            double cost = 0;
            for (int i = 0; i < points.length; i++) {
              double closest = dist(centroids, 0, points, i);
              for (int k = 1; k < centroids.length; k++) {
                closest = Math.min(closest, dist(centroids, k, points, i));
              }
              cost += closest;
            }
            return cost;
          }

          /** Expansion by minors along the first row; the used columns in a bit set. */
          @Differentiable
          public static double det(double[] a, int n) {
            return minor(a, n, 0, 0);
          }

          @Differentiable
          static double minor(double[] a, int n, int row, int used) {
            if (row == n - 1) {
              return a[row * n + Integer.numberOfTrailingZeros(~used)];
            }
            double det = 0;
            double sign = 1;
            for (int col = 0; col < n; col++) {
              if ((used & (1 << col)) == 0) {
                det += sign * a[row * n + col] * minor(a, n, row + 1, used | (1 << col));
                sign = -sign;
              }
            }
            return det;
          }

          /** Two arrays, one a local the caller computes, and a callee called twice in one expression. */
          @Differentiable
          public static double twoArrays(double[] w, double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
              y[i] = Math.sin(x[i] * w[0]);
            }
            return dot(w, y) * dot(y, y) + w[1];
          }

          @Differentiable
          public static double dot(double[] u, double[] v) {
            double s = 0;
            for (int i = 0; i < u.length; i++) {
              s += u[i] * v[i];
            }
            return s;
          }
        }
        """);
  }

  private static String method(String signature) {
    String source = c.generatedSource("p.AccGrad");
    String m = source.substring(source.indexOf(signature));
    return m.substring(0, m.indexOf("\n    }\n"));
  }

  @Test
  void theDistanceHelperAddsIntoTheCallersAdjointInPlace() {
    String cost = method("public static Cost cost(");
    assertTrue(cost.contains("AccGrad.distAccumulate(centroids, "), cost);
    assertFalse(cost.contains("Adjoints.addScaled"), cost);
    String dist = method("static double distAccumulate(");
    assertTrue(dist.contains("double[][] _d_centroids = adjointCentroids;"), dist);
    double[][] points = {{0.1, 0.2}, {0.9, 0.7}, {0.4, 0.5}, {0.8, 0.1}, {0.2, 0.9}};
    double[][] centroids = {{0.2, 0.3}, {0.7, 0.6}, {0.5, 0.2}};
    assertMatches(c, "p.Acc", "cost", 1e-6, points, centroids);
  }

  @Test
  void aRecursiveDeterminantAccumulatesThroughEveryLevel() {
    // split mode (SplitRecursionTest): each level's reverse sweep consumes the next one's records
    String minor = method("static void minorReverse(");
    assertTrue(minor.contains("AccGrad.minorReverse(a, n, row + 1"), minor);
    double[] a = {0.3, -1.2, 0.8, 0.5, 1.1, 0.4, -0.7, 0.2, 0.9, 1.5, -0.3, 0.6, 0.1, 0.7, -0.4, 1.3};
    assertMatches(c, "p.Acc", "det", 1e-6, a, 4);
    double[] gradient = new double[16];
    double value = (double) c.call("p.AccGrad", "det", a, 4, gradient);
    double[] again = new double[16];
    java.util.Arrays.fill(again, 7); // the writing overload overwrites whatever was there
    assertEquals(value, (double) c.call("p.AccGrad", "det", a, 4, again), 0);
    assertArrayEquals(gradient, again, 0);
  }

  @Test
  void twoArraysAndTwoCallsInOneExpression() {
    assertMatches(c, "p.Acc", "twoArrays", 1e-6, new double[] {0.7, -0.4, 1.2}, new double[] {0.5, -1.1, 0.3});
  }

  @Test
  void theOverloadAddsSeedTimesTheGradient() {
    double[] u = {0.5, -1.5};
    double[] v = {2, 3};
    double[] du = {10, 20};
    double[] dv = {0, 1};
    double value = (double) c.call("p.AccGrad", "dotAccumulate", u, v, 2.0, du, dv);
    assertEquals(-3.5, value, 1e-12);
    assertArrayEquals(new double[] {14, 26}, du, 1e-12);
    assertArrayEquals(new double[] {1, -2}, dv, 1e-12);
  }
}
