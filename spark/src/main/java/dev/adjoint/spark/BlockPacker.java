package dev.adjoint.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Packs one partition's rows into {@link Block}s of {@code blockRows} rows (the last one shorter),
 * checking each row as it is copied. One buffer of a block's size is filled and copied out per
 * block; nothing is allocated per row.
 */
final class BlockPacker {
  private final RowChecks checks;
  private final int partition;
  private final int blockRows;
  private final boolean weighted;
  private final List<Block> out = new ArrayList<>();
  private double[] features;
  private double[] labels;
  private double[] weights;
  private int filled;
  private long row;

  BlockPacker(RowChecks checks, int partition, int blockRows, boolean weighted) {
    this.checks = checks;
    this.partition = partition;
    this.blockRows = blockRows;
    this.weighted = weighted;
  }

  /** Starts a row; returns the offset of its first feature in the block being filled. */
  int beginRow(int width, double label, double weight) {
    checks.width(partition, row, width);
    checks.label(partition, row, label);
    if (weighted) {
      checks.weight(partition, row, weight);
    }
    if (features == null) {
      features = new double[blockRows * checks.cols];
      labels = new double[blockRows];
      weights = weighted ? new double[blockRows] : null;
    }
    labels[filled] = label;
    if (weighted) {
      weights[filled] = weight;
    }
    return filled * checks.cols;
  }

  /** Writes feature {@code column} of the current row (zero unless written). */
  void feature(int offset, int column, double x) {
    checks.feature(partition, row, column, x);
    features[offset + column] = x;
  }

  void endRow() {
    filled++;
    row++;
    if (filled == blockRows) {
      flush();
    }
  }

  void addDense(double[] x, double label, double weight) {
    int offset = beginRow(x.length, label, weight);
    for (int j = 0; j < x.length; j++) {
      feature(offset, j, x[j]);
    }
    endRow();
  }

  Iterator<Block> finish() {
    flush();
    return out.iterator();
  }

  private void flush() {
    if (filled == 0) {
      return;
    }
    int cols = checks.cols;
    out.add(
        new Block(
            filled,
            cols,
            Arrays.copyOf(features, filled * cols),
            Arrays.copyOf(labels, filled),
            weighted ? Arrays.copyOf(weights, filled) : null));
    Arrays.fill(features, 0); // a sparse row writes only its non-zeros
    filled = 0;
  }
}
