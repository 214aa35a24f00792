package dev.adjoint.spark;

import java.io.Serializable;

/**
 * A block of rows packed dense and row-major, as MLlib's {@code InstanceBlock}: the unit a task
 * hands to the user's loss in one call. {@code weights} is null when the data has no weight column.
 */
final class Block implements Serializable {
  private static final long serialVersionUID = 1L;

  final int rows;
  final int cols;
  final double[] features;
  final double[] labels;
  final double[] weights;
  final double weightSum;

  Block(int rows, int cols, double[] features, double[] labels, double[] weights) {
    this.rows = rows;
    this.cols = cols;
    this.features = features;
    this.labels = labels;
    this.weights = weights;
    double sum = rows;
    if (weights != null) {
      sum = 0;
      for (int i = 0; i < rows; i++) {
        sum += weights[i];
      }
    }
    this.weightSum = sum;
  }
}
