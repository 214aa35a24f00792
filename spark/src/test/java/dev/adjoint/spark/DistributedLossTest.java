package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.nn.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The distributed objective on one JVM ({@code local[2,3]}: two threads, a failed task retried up
 * to three times): equal to the local loss over all rows, deterministic under a retried task,
 * minimised by L-BFGS to the known solution, bad rows reported by partition and row.
 */
class DistributedLossTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2,3]")
            .appName("DistributedLossTest")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static final double[] BETA = {1.5, -2, 0.5, 3, -1};

  private static Blocks pack(TestData data, int partitions, int blockRows, boolean weighted) {
    JavaRDD<LabeledRow> rows = sc.parallelize(data.labeledRows(weighted), partitions);
    return Blocks.fromRows(rows).blockRows(blockRows).pack();
  }

  @Test
  void distributedLossAndGradientEqualTheLocalOnesOverAllRows() {
    TestData data = new TestData(1000, 5, BETA, 0.7, 0.1, 1);
    Blocks blocks = pack(data, 4, 64, false); // several blocks per partition, a short last one
    try {
      assertEquals(1000, blocks.rows());
      assertEquals(5, blocks.cols());
      assertEquals(4, blocks.partitions());
      double[] w = {0.1, -0.2, 0.3, 0.4, -0.5, 0.6};
      double[] local = new double[6];
      double expected = LossesGrad.squares(w, data.features, data.labels, 1000, 5, local) / 1000;
      double[] gradient = new double[6];
      double value = DistributedLoss.of(blocks, LossesGrad::squares).evaluate(w, gradient);
      assertEquals(expected, value, 1e-12 * Math.abs(expected));
      for (int j = 0; j < 6; j++) {
        assertEquals(local[j] / 1000, gradient[j], 1e-12);
      }
    } finally {
      blocks.unpersist();
    }
  }

  @Test
  void weightedLossFromADatasetOfVectorsWithAnUnregularisedIntercept() {
    TestData data = new TestData(600, 5, BETA, 0.2, 0, 2).binary();
    StructType schema =
        new StructType()
            .add("features", new VectorUDT())
            .add("label", DataTypes.DoubleType)
            .add("w", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < data.rows; i++) {
      // every third row sparse, as a VectorAssembler may leave them
      var v = i % 3 == 0 ? Vectors.dense(data.row(i)).toSparse() : Vectors.dense(data.row(i));
      rows.add(RowFactory.create(v, data.labels[i], data.weights[i]));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
    Blocks blocks = Blocks.from(df).weight("w").classLabels(2).blockRows(100).pack();
    try {
      assertTrue(blocks.weighted());
      double[] w = {0.3, -0.1, 0.2, 0.5, -0.4, 0.25};
      double lambda = 0.01;
      double[] localGradient = new double[6];
      double weightSum = 0;
      for (double x : data.weights) {
        weightSum += x;
      }
      // the local loss over the rows in any order: sums agree to rounding
      double expected =
          LossesGrad.logistic(w, data.features, data.labels, data.weights, 600, 5, localGradient)
              / weightSum;
      double reg = 0;
      for (int j = 0; j < 5; j++) {
        reg += 0.5 * lambda * w[j] * w[j];
        localGradient[j] = localGradient[j] / weightSum + lambda * w[j];
      }
      localGradient[5] /= weightSum; // the intercept is not regularised
      double[] gradient = new double[6];
      DistributedLoss loss =
          DistributedLoss.weighted(blocks, LossesGrad::logistic).l2(lambda, 0, blocks.cols());
      double value = loss.evaluate(w, gradient);
      assertEquals(expected + reg, value, 1e-12);
      assertArrayEquals(localGradient, gradient, 1e-12);
      // a mask says the same as the range
      boolean[] mask = {true, true, true, true, true, false};
      double[] masked = new double[6];
      double byMask = DistributedLoss.weighted(blocks, LossesGrad::logistic).l2(lambda, mask)
          .evaluate(w, masked);
      assertEquals(value, byMask, 0.0);
      assertArrayEquals(gradient, masked, 0.0);
    } finally {
      blocks.unpersist();
    }
  }

  @Test
  void lbfgsOnTheDistributedLossFindsTheKnownSolution() {
    TestData data = new TestData(800, 5, BETA, 0.7, 0, 3); // noise-free: the minimum is BETA, 0.7
    Blocks blocks = pack(data, 4, 128, false);
    try {
      Result r =
          new Lbfgs()
              .maxIterations(100)
              .tolerance(1e-12)
              .minimize(DistributedLoss.of(blocks, LossesGrad::squares), new double[6]);
      double[] expected = {1.5, -2, 0.5, 3, -1, 0.7};
      assertArrayEquals(expected, r.params(), 1e-6);
    } finally {
      blocks.unpersist();
    }
  }

  static final AtomicInteger FAILURES_TO_INJECT = new AtomicInteger();
  static final AtomicInteger INJECTED = new AtomicInteger();

  /** The least-squares loss, except that partition 1's first attempt fails while armed. */
  static double flakySquares(double[] w, double[] x, double[] y, int rows, int cols, double[] g) {
    TaskContext task = TaskContext.get();
    if (task.partitionId() == 1
        && task.attemptNumber() == 0
        && FAILURES_TO_INJECT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      INJECTED.incrementAndGet();
      throw new IllegalStateException("injected failure");
    }
    return LossesGrad.squares(w, x, y, rows, cols, g);
  }

  @Test
  void aTaskThatFailsOnceGivesTheSameParametersBitForBit() {
    TestData data = new TestData(2000, 5, BETA, 0.7, 0.5, 4);
    Blocks blocks = pack(data, 4, 100, false);
    try {
      DistributedLoss loss = DistributedLoss.of(blocks, DistributedLossTest::flakySquares).l2(1e-3);
      Result clean = new Lbfgs().maxIterations(8).tolerance(0).minimize(loss, new double[6]);
      Result again = new Lbfgs().maxIterations(8).tolerance(0).minimize(loss, new double[6]);
      assertArrayEquals(clean.params(), again.params(), 0.0);
      INJECTED.set(0);
      Result retried =
          new Lbfgs()
              .maxIterations(8)
              .tolerance(0)
              .onIteration(p -> {
                if (p.iteration() == 3) {
                  FAILURES_TO_INJECT.set(1); // the next evaluation's partition 1 fails once
                }
              })
              .minimize(loss, new double[6]);
      assertEquals(1, INJECTED.get());
      assertArrayEquals(clean.params(), retried.params(), 0.0);
      assertArrayEquals(clean.history(), retried.history(), 0.0);
    } finally {
      FAILURES_TO_INJECT.set(0);
      blocks.unpersist();
    }
  }

  @Test
  void miniBatchAdamOnSamplesIsReproducibleAndLearns() {
    TestData data = new TestData(2000, 5, BETA, 0.7, 0.1, 5);
    Blocks blocks = pack(data, 4, 256, false);
    try {
      DistributedLoss loss = DistributedLoss.of(blocks, LossesGrad::squares);
      double start = loss.evaluate(new double[6], new double[6]);
      Result a = new MiniBatch(new Adam(0.2)).fraction(0.1).iterations(20).seed(7)
          .minimize(loss, new double[6]);
      Result b = new MiniBatch(new Adam(0.2)).fraction(0.1).iterations(20).seed(7)
          .minimize(loss, new double[6]);
      assertArrayEquals(a.params(), b.params(), 0.0);
      double end = loss.evaluate(a.params(), new double[6]);
      assertTrue(end < 0.2 * start, "loss " + start + " -> " + end);
    } finally {
      blocks.unpersist();
    }
  }

  @Test
  void aNanFeatureNamesItsPartitionRowAndColumn() {
    TestData data = new TestData(400, 5, BETA, 0, 0, 6);
    List<LabeledRow> rows = data.labeledRows(false);
    rows.get(2 * 100 + 17).features()[3] = Double.NaN; // partition 2 holds rows 200..299
    BadRowException e =
        assertThrows(
            BadRowException.class, () -> Blocks.fromRows(sc.parallelize(rows, 4)).pack());
    assertEquals("bad row: partition 2, row 17: column 3: feature is NaN", e.getMessage());
  }

  @Test
  void aShortRowAndALabelOutOfRangeAreErrorsToo() {
    TestData data = new TestData(400, 5, BETA, 0, 0, 7).binary();
    List<LabeledRow> rows = data.labeledRows(false);
    rows.set(3 * 100 + 5, new LabeledRow(new double[4], 1));
    BadRowException width =
        assertThrows(
            BadRowException.class,
            () -> Blocks.fromRows(sc.parallelize(rows, 4)).cols(5).pack());
    assertEquals("bad row: partition 3, row 5: 4 features, expected 5", width.getMessage());

    List<LabeledRow> labels = data.labeledRows(false);
    labels.set(42, new LabeledRow(data.row(42), 2));
    BadRowException label =
        assertThrows(
            BadRowException.class,
            () -> Blocks.fromRows(sc.parallelize(labels, 4)).classLabels(2).pack());
    assertEquals("bad row: partition 0, row 42: label 2.0 outside [0.0, 1.0]", label.getMessage());
  }

  @Test
  void emptyDataNeedsItsWidthAndGivesTheRegularisationAlone() {
    JavaRDD<LabeledRow> none = sc.emptyRDD();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Blocks.fromRows(none).pack());
    assertEquals("no rows: give the width with cols(n)", e.getMessage());
    Blocks blocks = Blocks.fromRows(none).cols(2).pack();
    assertEquals(0, blocks.rows());
    double[] g = new double[3];
    double v = DistributedLoss.of(blocks, LossesGrad::squares).l2(2).evaluate(new double[] {1, 2, 3}, g);
    assertEquals(14, v, 0.0);
    assertArrayEquals(new double[] {2, 4, 6}, g, 0.0);
  }

  @Test
  void anInfiniteValueInASparseVectorOfADatasetIsAnError() {
    StructType schema =
        new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      double bad = i == 6 ? Double.POSITIVE_INFINITY : 1;
      rows.add(RowFactory.create(Vectors.sparse(4, new int[] {1, 2}, new double[] {0.5, bad}), 0.0));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema).coalesce(1);
    BadRowException e = assertThrows(BadRowException.class, () -> Blocks.from(df).pack());
    assertEquals("bad row: partition 0, row 6: column 2: feature is Infinity", e.getMessage());
  }
}
