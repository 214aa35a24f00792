package dev.adjoint.spark.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The block losses' generated gradients, through the BlockLoss glue, against central differences. */
class SoftmaxRegressionTest {
  private static final int ROWS = 7;
  private static final int COLS = 5;
  private static final int K = FashionMnist.CLASSES;

  @Test
  void softmaxRegressionGradientMatchesFiniteDifferences() {
    Random r = new Random(3);
    double[] params = random(r, COLS * K + K, 0.5);
    check(SoftmaxRegression::sparkBlockLoss, params, r);
  }

  @Test
  void mlpGradientMatchesFiniteDifferences() {
    Random r = new Random(4);
    double[] params = random(r, Mlp.size(COLS, 6, K), 0.5);
    check(Mlp::sparkBlockLoss, params, r);
  }

  @Test
  void blockLossIsTheSumOfTheRowsCrossEntropy() {
    Random r = new Random(5);
    double[] params = random(r, COLS * K + K, 0.5);
    double[] x = random(r, ROWS * COLS, 1);
    double[] y = labels(r);
    double expected = 0;
    for (int i = 0; i < ROWS; i++) {
      double[] z = new double[K];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < K; c++) {
        z[c] = params[COLS * K + c];
        for (int j = 0; j < COLS; j++) {
          z[c] += x[i * COLS + j] * params[j * K + c];
        }
        max = Math.max(max, z[c]);
      }
      double s = 0;
      for (int c = 0; c < K; c++) {
        s += Math.exp(z[c] - max);
      }
      expected += max + Math.log(s) - z[(int) y[i]];
    }
    double value = SoftmaxRegression.sparkBlockLoss(params, x, y, ROWS, COLS,
        new double[params.length]);
    assertEquals(expected, value, 1e-12 * Math.abs(expected));
  }

  @Test
  void aLongerBufferIsReadOnlyUpToRows() {
    Random r = new Random(6);
    double[] params = random(r, COLS * K + K, 0.5);
    double[] x = random(r, ROWS * COLS, 1);
    double[] y = labels(r);
    double[] g1 = new double[params.length];
    double[] g2 = new double[params.length];
    double v1 = SoftmaxRegression.sparkBlockLoss(params, x, y, ROWS, COLS, g1);
    double v2 = SoftmaxRegression.sparkBlockLoss(params, java.util.Arrays.copyOf(x, x.length + 3 * COLS),
        java.util.Arrays.copyOf(y, ROWS + 3), ROWS, COLS, g2);
    assertEquals(v1, v2);
    org.junit.jupiter.api.Assertions.assertArrayEquals(g1, g2);
  }

  private static void check(dev.adjoint.spark.BlockLoss loss, double[] params, Random r) {
    double[] x = random(r, ROWS * COLS, 1);
    double[] y = labels(r);
    double[] g = new double[params.length];
    loss.apply(params, x, y, ROWS, COLS, g);
    double[] scratch = new double[params.length];
    double h = 1e-6;
    for (int i = 0; i < params.length; i++) {
      double keep = params[i];
      params[i] = keep + h;
      double up = loss.apply(params, x, y, ROWS, COLS, scratch);
      params[i] = keep - h;
      double down = loss.apply(params, x, y, ROWS, COLS, scratch);
      params[i] = keep;
      double fd = (up - down) / (2 * h);
      assertEquals(fd, g[i], 1e-6 * Math.max(1, Math.abs(fd)), "parameter " + i);
    }
  }

  private static double[] random(Random r, int n, double scale) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = scale * r.nextGaussian();
    }
    return a;
  }

  private static double[] labels(Random r) {
    double[] y = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      y[i] = r.nextInt(K);
    }
    return y;
  }
}
