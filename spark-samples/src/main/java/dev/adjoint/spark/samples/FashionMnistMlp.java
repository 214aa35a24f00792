package dev.adjoint.spark.samples;

import dev.adjoint.nn.Init;
import dev.adjoint.spark.Blocks;
import dev.adjoint.spark.DistributedLoss;
import dev.adjoint.spark.Lbfgs;
import dev.adjoint.spark.Objective;
import dev.adjoint.spark.Result;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A model MLlib cannot express, trained on Spark and on one machine to the same result: the ReLU
 * network of {@link Mlp} with L2 weight decay on Fashion-MNIST, full-batch L-BFGS. The Spark run
 * evaluates the loss with {@code adjoint-spark}'s {@code DistributedLoss}; the one-machine run
 * calls the same generated block loss over the same blocks in one JVM ({@link LocalBlocks}).
 *
 * <pre>
 *   FashionMnistMlp [DATA_DIR] [--master URL] [--iterations 40] [--hidden 32] [--decay 1e-4]
 *       [--partitions N] [--rows N] [--block-rows 128]
 * </pre>
 */
public final class FashionMnistMlp {
  private FashionMnistMlp() {}

  /** Command-line options. */
  public record Options(Path data, String master, int iterations, int hidden, double decay,
      int partitions, int rows, int blockRows) {
    static Options parse(String[] args) {
      int[] hidden = {32};
      double[] decay = {1e-4};
      CommonOptions c = CommonOptions.parse(args, 40, (name, value) -> switch (name) {
        case "--hidden" -> {
          hidden[0] = Integer.parseInt(value.get());
          yield true;
        }
        case "--decay" -> {
          decay[0] = Double.parseDouble(value.get());
          yield true;
        }
        default -> false;
      });
      return new Options(c.data(), c.master(), c.iterations(), hidden[0], decay[0],
          c.partitions(), c.rows(), c.blockRows());
    }
  }

  /** One run's outcome. */
  public record Fit(String where, double[] params, double initialObjective, double objective,
      double testAccuracy, double seconds) {}

  /** The Spark fit and the one-machine fit. */
  public record Report(Fit spark, Fit local) {}

  public static void main(String[] args) {
    Options o = Options.parse(args);
    SparkSession spark = FashionMnistLogistic.session(o.master);
    try {
      Report r = run(spark, o);
      for (Fit f : new Fit[] {r.spark(), r.local()}) {
        System.out.printf("%-12s objective %.6f -> %.12f  test accuracy %.4f  %.1f s%n",
            f.where(), f.initialObjective(), f.objective(), f.testAccuracy(), f.seconds());
      }
      System.out.printf("largest difference between the two parameter vectors: %.3e%n",
          maxDifference(r.spark().params(), r.local().params()));
    } finally {
      spark.stop();
    }
  }

  public static Report run(SparkSession spark, Options o) {
    FashionMnist.Split train = FashionMnist.train(o.data).head(o.rows);
    FashionMnist.Split test = FashionMnist.test(o.data);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = o.partitions > 0 ? o.partitions : jsc.defaultParallelism();
    int cols = train.cols();
    int k = FashionMnist.CLASSES;
    double[] x0 = initialParams(cols, o.hidden, k);
    boolean[] decayed = weightsOnly(cols, o.hidden, k);
    Lbfgs lbfgs = new Lbfgs().maxIterations(o.iterations).tolerance(0);

    long start = System.nanoTime();
    Dataset<Row> frame = FashionMnistLogistic.frame(spark, jsc, train, partitions);
    Blocks blocks = Blocks.from(frame).classLabels(k).blockRows(o.blockRows).pack();
    DistributedLoss loss = DistributedLoss.of(blocks, Mlp::sparkBlockLoss).l2(o.decay, decayed);
    Result onSpark = lbfgs.minimize(loss, x0);
    double sparkSeconds = (System.nanoTime() - start) * 1e-9;
    blocks.unpersist();
    frame.unpersist();

    start = System.nanoTime();
    Objective local = new LocalBlocks(train, partitions, o.blockRows, Mlp::sparkBlockLoss,
        o.decay, decayed);
    Result onOne = lbfgs.minimize(local, x0);
    double localSeconds = (System.nanoTime() - start) * 1e-9;
    return new Report(
        new Fit("Spark", onSpark.params(), onSpark.history()[0], onSpark.value(), accuracy(onSpark.params(), test),
            sparkSeconds),
        new Fit("one machine", onOne.params(), onOne.history()[0], onOne.value(), accuracy(onOne.params(), test),
            localSeconds));
  }

  /** He-initialised weights (fixed seeds), zero biases. */
  static double[] initialParams(int cols, int hidden, int k) {
    double[] p = new double[Mlp.size(cols, hidden, k)];
    double[] w1 = Init.he(1, cols, hidden).toArray();
    double[] w2 = Init.he(2, hidden, k).toArray();
    System.arraycopy(w1, 0, p, 0, w1.length);
    System.arraycopy(w2, 0, p, cols * hidden + hidden, w2.length);
    return p;
  }

  /** True at the weights, false at the biases: weight decay leaves biases alone. */
  static boolean[] weightsOnly(int cols, int hidden, int k) {
    boolean[] m = new boolean[Mlp.size(cols, hidden, k)];
    Arrays.fill(m, 0, cols * hidden, true);
    Arrays.fill(m, cols * hidden + hidden, cols * hidden + hidden + hidden * k, true);
    return m;
  }

  static double accuracy(double[] params, FashionMnist.Split test) {
    int right = 0;
    for (int i = 0; i < test.rows(); i++) {
      right += Mlp.predict(params, test.cols(), test.pixels(), i) == (int) test.labels()[i] ? 1 : 0;
    }
    return (double) right / test.rows();
  }

  static double maxDifference(double[] a, double[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }
}
