package dev.adjoint.spark;

import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * A data set packed once into dense row-major blocks and cached, like MLlib's blockified
 * instances: each partition becomes a few blocks of up to {@link Packer#blockRows(int)} rows, in
 * the partition's order, so that a loss evaluation is one call of the user's loss per block and a
 * recomputed partition packs to the same blocks.
 *
 * <pre>{@code
 * Blocks blocks = Blocks.from(dataset)          // "features" (a Vector column) and "label"
 *     .classLabels(10)                          // labels must be 0..9
 *     .pack();                                  // packs, checks every row, caches
 * }</pre>
 *
 * Packing runs one Spark job at once, so a bad row fails there with a {@link BadRowException}
 * naming its partition and row. Call {@link #unpersist()} when done.
 */
public final class Blocks {
  final JavaRDD<Block> rdd;
  private final int cols;
  private final long rows;
  private final double weightSum;
  private final boolean weighted;

  private Blocks(JavaRDD<Block> rdd, int cols, long rows, double weightSum, boolean weighted) {
    this.rdd = rdd;
    this.cols = cols;
    this.rows = rows;
    this.weightSum = weightSum;
    this.weighted = weighted;
  }

  /**
   * Rows from a {@code Dataset}: a features column of MLlib {@code Vector}s (dense or sparse) and a
   * numeric label column, by default named "features" and "label" as in MLlib.
   */
  public static Packer from(Dataset<Row> data) {
    return new Packer(Objects.requireNonNull(data, "data"), null);
  }

  /** Rows from a {@code JavaRDD} of {@link LabeledRow}s, weights included. */
  public static Packer fromRows(JavaRDD<LabeledRow> rows) {
    return new Packer(null, Objects.requireNonNull(rows, "rows")).weighted(true);
  }

  /** The number of features of each row. */
  public int cols() {
    return cols;
  }

  /** The number of rows. */
  public long rows() {
    return rows;
  }

  /** The sum of the rows' weights (the number of rows when the data has no weights). */
  public double weightSum() {
    return weightSum;
  }

  /** Whether the blocks hold a weight per row. */
  public boolean weighted() {
    return weighted;
  }

  /** The number of partitions (Spark tasks per evaluation). */
  public int partitions() {
    return rdd.getNumPartitions();
  }

  /** Drops the cached blocks. */
  public void unpersist() {
    rdd.unpersist(false);
  }

  /** How to read, check and pack the rows; {@link #pack()} does it. */
  public static final class Packer {
    private final Dataset<Row> data;
    private final JavaRDD<LabeledRow> rows;
    private String featuresCol = "features";
    private String labelCol = "label";
    private String weightCol;
    private boolean weighted;
    private int cols = -1;
    private int blockRows = -1;
    private double labelMin = Double.NEGATIVE_INFINITY;
    private double labelMax = Double.POSITIVE_INFINITY;
    private boolean integerLabels;
    private StorageLevel storage = StorageLevel.MEMORY_AND_DISK();

    private Packer(Dataset<Row> data, JavaRDD<LabeledRow> rows) {
      this.data = data;
      this.rows = rows;
    }

    /** The features column (a {@code Vector}); "features" by default. */
    public Packer features(String column) {
      this.featuresCol = Objects.requireNonNull(column);
      return this;
    }

    /** The label column (numeric); "label" by default. */
    public Packer label(String column) {
      this.labelCol = Objects.requireNonNull(column);
      return this;
    }

    /** A weight column (numeric, finite, >= 0); none by default (every weight 1). */
    public Packer weight(String column) {
      this.weightCol = Objects.requireNonNull(column);
      this.weighted = true;
      return this;
    }

    private Packer weighted(boolean w) {
      this.weighted = w;
      return this;
    }

    /** The row width; by default read from the first row (one small Spark job). */
    public Packer cols(int cols) {
      if (cols <= 0) {
        throw new IllegalArgumentException("cols must be positive, got " + cols);
      }
      this.cols = cols;
      return this;
    }

    /**
     * Rows per block: 4096 by default, fewer for wide rows so that a block stays under 32 MB.
     * The user's loss is called once per block.
     */
    public Packer blockRows(int blockRows) {
      if (blockRows <= 0) {
        throw new IllegalArgumentException("blockRows must be positive, got " + blockRows);
      }
      this.blockRows = blockRows;
      return this;
    }

    /** Labels must lie in {@code [min, max]} (they must be finite in any case). */
    public Packer labelsIn(double min, double max) {
      if (!(min <= max)) {
        throw new IllegalArgumentException("empty label range [" + min + ", " + max + "]");
      }
      this.labelMin = min;
      this.labelMax = max;
      return this;
    }

    /** Labels must be class indices {@code 0, 1, ..., classes - 1}. */
    public Packer classLabels(int classes) {
      if (classes <= 0) {
        throw new IllegalArgumentException("classes must be positive, got " + classes);
      }
      labelsIn(0, classes - 1);
      this.integerLabels = true;
      return this;
    }

    /** Where the blocks are cached; {@code MEMORY_AND_DISK} by default, as MLlib. */
    public Packer storage(StorageLevel level) {
      this.storage = Objects.requireNonNull(level);
      return this;
    }

    /**
     * Packs every partition, checks every row and caches the blocks, in one Spark job.
     *
     * @throws BadRowException naming the partition, row and column of the first bad row found
     */
    public Blocks pack() {
      JavaRDD<Block> blocks;
      if (data != null) {
        Column[] select =
            weightCol == null
                ? new Column[] {functions.col(featuresCol), functions.col(labelCol).cast("double")}
                : new Column[] {
                  functions.col(featuresCol),
                  functions.col(labelCol).cast("double"),
                  functions.col(weightCol).cast("double")
                };
        JavaRDD<Row> rowRdd = data.select(select).javaRDD();
        int width = cols > 0 ? cols : firstWidth(rowRdd);
        RowChecks checks = new RowChecks(width, labelMin, labelMax, integerLabels);
        blocks = rowRdd.mapPartitionsWithIndex(packRows(checks, rowsPerBlock(width), weighted), true);
      } else {
        int width = cols > 0 ? cols : firstLabeledWidth(rows);
        RowChecks checks = new RowChecks(width, labelMin, labelMax, integerLabels);
        blocks =
            rows.mapPartitionsWithIndex(packLabeled(checks, rowsPerBlock(width), weighted), true);
      }
      blocks.persist(storage);
      // the one job that packs, checks and caches: per partition (rows, weight sum)
      List<double[]> counts;
      try {
        counts = blocks.map(b -> new double[] {b.rows, b.weightSum, b.cols}).collect();
      } catch (Exception e) { // SparkException, thrown undeclared
        blocks.unpersist(false);
        throw SparkFailures.rethrow(e);
      }
      long n = 0;
      double w = 0;
      for (double[] c : counts) {
        n += (long) c[0];
        w += c[1];
      }
      int width = counts.isEmpty() ? Math.max(cols, 0) : (int) counts.get(0)[2];
      return new Blocks(blocks, width, n, w, weighted);
    }

    private int rowsPerBlock(int width) {
      if (blockRows > 0) {
        return blockRows;
      }
      long byBytes = (32L << 20) / (8L * width);
      return (int) Math.max(1, Math.min(4096, byBytes));
    }

    private static int firstLabeledWidth(JavaRDD<LabeledRow> rows) {
      List<LabeledRow> first = rows.take(1);
      if (first.isEmpty()) {
        throw new IllegalArgumentException("no rows: give the width with cols(n)");
      }
      if (first.get(0) == null || first.get(0).features() == null) {
        throw new BadRowException("bad row: the first row or its features are null");
      }
      return first.get(0).features().length;
    }

    private static int firstWidth(JavaRDD<Row> rows) {
      List<Row> first = rows.take(1);
      if (first.isEmpty()) {
        throw new IllegalArgumentException("no rows: give the width with cols(n)");
      }
      Object v = first.get(0).get(0);
      if (v instanceof Vector vector) {
        return vector.size();
      }
      throw new IllegalArgumentException(
          "the features column holds " + (v == null ? "null" : v.getClass().getName())
              + ", expected an org.apache.spark.ml.linalg.Vector");
    }

    private static Function2<Integer, Iterator<Row>, Iterator<Block>> packRows(
        RowChecks checks, int blockRows, boolean weighted) {
      return (partition, it) -> {
        BlockPacker packer = new BlockPacker(checks, partition, blockRows, weighted);
        long row = 0;
        while (it.hasNext()) {
          Row r = it.next();
          Object v = r.get(0);
          if (r.isNullAt(1)) {
            throw RowChecks.bad(partition, row, "label is null");
          }
          double label = r.getDouble(1);
          double weight = 1;
          if (weighted) {
            weight = r.isNullAt(2) ? Double.NaN : r.getDouble(2);
          }
          if (v instanceof DenseVector d) {
            packer.addDense(d.values(), label, weight);
          } else if (v instanceof SparseVector s) {
            int offset = packer.beginRow(s.size(), label, weight);
            int[] idx = s.indices();
            double[] val = s.values();
            for (int k = 0; k < idx.length; k++) {
              packer.feature(offset, idx[k], val[k]);
            }
            packer.endRow();
          } else {
            throw RowChecks.bad(
                partition, row,
                "features are " + (v == null ? "null" : v.getClass().getName())
                    + ", expected an org.apache.spark.ml.linalg.Vector");
          }
          row++;
        }
        return packer.finish();
      };
    }

    private static Function2<Integer, Iterator<LabeledRow>, Iterator<Block>> packLabeled(
        RowChecks checks, int blockRows, boolean weighted) {
      return (partition, it) -> {
        BlockPacker packer = new BlockPacker(checks, partition, blockRows, weighted);
        long row = 0;
        while (it.hasNext()) {
          LabeledRow r = it.next();
          if (r == null || r.features() == null) {
            throw RowChecks.bad(partition, row, "row or its features are null");
          }
          packer.addDense(r.features(), r.label(), r.weight());
          row++;
        }
        return packer.finish();
      };
    }
  }
}
