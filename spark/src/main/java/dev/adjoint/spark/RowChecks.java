package dev.adjoint.spark;

import java.io.Serializable;

/**
 * What a row must satisfy to be packed; each failure is a {@link BadRowException} naming the
 * partition, the row's index in it and the column.
 */
final class RowChecks implements Serializable {
  private static final long serialVersionUID = 1L;

  final int cols;
  final double labelMin;
  final double labelMax;
  final boolean integerLabels;

  RowChecks(int cols, double labelMin, double labelMax, boolean integerLabels) {
    this.cols = cols;
    this.labelMin = labelMin;
    this.labelMax = labelMax;
    this.integerLabels = integerLabels;
  }

  void width(int partition, long row, int width) {
    if (width != cols) {
      throw bad(partition, row, width + " features, expected " + cols);
    }
  }

  void feature(int partition, long row, int column, double x) {
    if (!Double.isFinite(x)) {
      throw bad(partition, row, "column " + column + ": feature is " + x);
    }
  }

  void label(int partition, long row, double y) {
    if (!Double.isFinite(y)) {
      throw bad(partition, row, "label is " + y);
    }
    if (y < labelMin || y > labelMax) {
      throw bad(partition, row, "label " + y + " outside [" + labelMin + ", " + labelMax + "]");
    }
    if (integerLabels && y != Math.rint(y)) {
      throw bad(partition, row, "label " + y + " is not a class index");
    }
  }

  void weight(int partition, long row, double w) {
    if (!Double.isFinite(w) || w < 0) {
      throw bad(partition, row, "weight is " + w + ", expected finite and >= 0");
    }
  }

  static BadRowException bad(int partition, long row, String what) {
    return new BadRowException("bad row: partition " + partition + ", row " + row + ": " + what);
  }
}
