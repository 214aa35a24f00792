package dev.adjoint.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Reproducible synthetic rows shared by the Spark tests. */
final class TestData {
  final int rows;
  final int cols;
  final double[] features;
  final double[] labels;
  final double[] weights;

  /** Features uniform in [-1, 1); labels = x·beta + intercept (+ noise); weights in [0.5, 1.5). */
  TestData(int rows, int cols, double[] beta, double intercept, double noise, long seed) {
    this.rows = rows;
    this.cols = cols;
    SplittableRandom r = new SplittableRandom(seed);
    features = new double[rows * cols];
    labels = new double[rows];
    weights = new double[rows];
    for (int i = 0; i < rows; i++) {
      double y = intercept;
      for (int j = 0; j < cols; j++) {
        double x = 2 * r.nextDouble() - 1;
        features[i * cols + j] = x;
        y += beta[j] * x;
      }
      labels[i] = y + noise * (r.nextDouble() - 0.5);
      weights[i] = 0.5 + r.nextDouble();
    }
  }

  double[] row(int i) {
    double[] x = new double[cols];
    System.arraycopy(features, i * cols, x, 0, cols);
    return x;
  }

  List<LabeledRow> labeledRows(boolean weighted) {
    List<LabeledRow> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(weighted ? new LabeledRow(row(i), labels[i], weights[i]) : new LabeledRow(row(i), labels[i]));
    }
    return out;
  }

  /** 0/1 labels: whether the linear label is positive. */
  TestData binary() {
    for (int i = 0; i < rows; i++) {
      labels[i] = labels[i] > 0 ? 1 : 0;
    }
    return this;
  }
}
