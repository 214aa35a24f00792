package dev.adjoint.spark;

import java.util.SplittableRandom;

/**
 * A task's Bernoulli sample of its blocks' rows, copied into one buffer that grows to the largest
 * block and is reused: the same {@code (seed, partition)} draws the same rows, so a retried task
 * computes the same sums.
 */
final class BlockSample {
  private final double fraction;
  private final SplittableRandom random;
  double[] features = new double[0];
  double[] labels = new double[0];
  double[] weights = new double[0];
  int rows;
  double weightSum;

  BlockSample(double fraction, long seed, int partition) {
    this.fraction = fraction;
    this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + partition);
  }

  /** Draws this block's sampled rows into the buffer. */
  void draw(Block b, boolean rowsOnly) {
    if (labels.length < b.rows) {
      features = new double[b.rows * b.cols];
      labels = new double[b.rows];
      weights = new double[b.rows];
    }
    rows = 0;
    weightSum = 0;
    for (int i = 0; i < b.rows; i++) {
      if (random.nextDouble() < fraction) {
        System.arraycopy(b.features, i * b.cols, features, rows * b.cols, b.cols);
        labels[rows] = b.labels[i];
        double w = b.weights == null || rowsOnly ? 1 : b.weights[i];
        weights[rows] = w;
        weightSum += w;
        rows++;
      }
    }
  }
}
