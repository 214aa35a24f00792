package dev.adjoint.spark.samples;

import dev.adjoint.spark.Blocks;
import dev.adjoint.spark.DistributedLoss;
import dev.adjoint.spark.Lbfgs;
import dev.adjoint.spark.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Multinomial logistic regression on Fashion-MNIST (60,000 × 784, 10 classes) on Spark, trained in
 * one run by Adjoint ({@link SoftmaxRegression}'s generated gradient, {@code adjoint-spark}'s
 * distributed loss and L-BFGS) and by MLlib's {@code LogisticRegression}, on the same cached
 * data frame and partitions, with the same objective, starting point and optimiser settings:
 *
 * <pre>
 *   mean softmax cross-entropy + regParam/2 · ‖W‖²   (intercepts not regularised)
 * </pre>
 *
 * in MLlib's training coordinates: MLlib (with its default {@code standardization = true})
 * optimises over features centred and scaled to unit standard deviation, so Adjoint's loss reads
 * the features through a {@code StandardScaler} with the same mean and deviation, starts where
 * MLlib does (W = 0, intercepts log(1 + count) centred) and runs Breeze's L-BFGS with MLlib's
 * memory (10); {@code tol} is 0 on both so that both run exactly {@code --iterations}.
 * It prints both objectives per iteration, test accuracies and seconds per iteration.
 *
 * <pre>
 *   FashionMnistLogistic [DATA_DIR] [--master URL] [--iterations 50] [--reg 1e-3]
 *       [--partitions N] [--rows N] [--block-rows 128] [--skip-mllib]
 * </pre>
 */
public final class FashionMnistLogistic {
  private FashionMnistLogistic() {}

  /** Command-line options. */
  public record Options(Path data, String master, int iterations, double reg, int partitions,
      int rows, int blockRows, boolean mllib) {
    static Options parse(String[] args) {
      double[] reg = {1e-3};
      boolean[] mllib = {true};
      CommonOptions c = CommonOptions.parse(args, 50, (name, value) -> switch (name) {
        case "--reg" -> {
          reg[0] = Double.parseDouble(value.get());
          yield true;
        }
        case "--skip-mllib" -> {
          mllib[0] = false;
          yield true;
        }
        default -> false;
      });
      return new Options(c.data(), c.master(), c.iterations(), reg[0], c.partitions(), c.rows(),
          c.blockRows(), mllib[0]);
    }
  }

  /** One trainer's outcome. */
  public record Fit(String name, double[] history, double testAccuracy, double seconds,
      int evaluations, double steadySecondsPerIteration, double cpuSecondsPerEvaluation) {
    double objective() {
      return history[history.length - 1];
    }

    double secondsPerIteration() {
      return seconds / Math.max(1, history.length - 1);
    }
  }

  /** Both fits, Adjoint's first; MLlib's is null with {@code --skip-mllib}. */
  public record Report(Fit adjoint, Fit mllib, int partitions, String master) {
    /** The largest relative difference between the two objective histories. */
    public double maxRelativeDifference() {
      double worst = 0;
      int n = Math.min(adjoint.history.length, mllib.history.length);
      for (int i = 0; i < n; i++) {
        double a = adjoint.history[i];
        double m = mllib.history[i];
        worst = Math.max(worst, Math.abs(a - m) / Math.abs(m));
      }
      return worst;
    }
  }

  public static void main(String[] args) {
    Options o = Options.parse(args);
    SparkSession spark = session(o.master);
    try {
      Report r = run(spark, o);
      print(r);
    } finally {
      spark.stop();
    }
  }

  static SparkSession session(String master) {
    SparkSession spark = SparkSession.builder()
        .appName("Adjoint vs MLlib: Fashion-MNIST logistic regression")
        .master(master)
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  /** Trains both ways on the first {@code o.rows} training images and tests on the test set. */
  public static Report run(SparkSession spark, Options o) {
    FashionMnist.Split train = FashionMnist.train(o.data).head(o.rows);
    FashionMnist.Split test = FashionMnist.test(o.data);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = o.partitions > 0 ? o.partitions : jsc.defaultParallelism();
    // both trainers start from the same stored rows and partitions
    Dataset<Row> frame = frame(spark, jsc, train, partitions);

    Fit adjoint = adjoint(frame, train, test, o);
    Fit mllib = o.mllib ? mllib(frame, test, o) : null;
    frame.unpersist();
    return new Report(adjoint, mllib, partitions, spark.sparkContext().master());
  }

  /**
   * Rows {@code (label, features)}, split into partitions in order (no shuffle) and stored on the
   * executors: checkpointed locally, so that a task refers to its stored partition instead of
   * carrying the driver's rows (as a task over {@code parallelize} would, every iteration).
   */
  static Dataset<Row> frame(SparkSession spark, JavaSparkContext jsc, FashionMnist.Split s,
      int partitions) {
    List<Row> rows = new ArrayList<>(s.rows());
    for (int i = 0; i < s.rows(); i++) {
      double[] x = Arrays.copyOfRange(s.pixels(), i * s.cols(), (i + 1) * s.cols());
      rows.add(RowFactory.create(s.labels()[i], Vectors.dense(x)));
    }
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false);
    return spark.createDataFrame(jsc.parallelize(rows, partitions), schema).localCheckpoint(true);
  }

  static Fit adjoint(Dataset<Row> frame, FashionMnist.Split train, FashionMnist.Split test,
      Options o) {
    int k = FashionMnist.CLASSES;
    int cols = train.cols();
    long start = System.nanoTime();
    StandardScalerModel scaler = new StandardScaler().setWithMean(true).setWithStd(true)
        .setInputCol("features").setOutputCol("scaled").fit(frame);
    Blocks blocks = Blocks.from(scaler.transform(frame)).features("scaled").classLabels(k)
        .blockRows(o.blockRows).pack();
    DistributedLoss loss = DistributedLoss.of(blocks, SoftmaxRegression::sparkBlockLoss)
        .l2(o.reg, 0, cols * k); // the intercepts, last, are not regularised
    double setup = (System.nanoTime() - start) * 1e-9;
    EvaluationClock clock = new EvaluationClock("DistributedLoss");
    frame.sparkSession().sparkContext().addSparkListener(clock);
    if (Boolean.getBoolean("samples.verbose")) {
      System.out.printf("Adjoint setup (scaler, packing) %.2f s%n", setup);
    }
    double[] firstAndLast = new double[2];
    Result r = new Lbfgs().maxIterations(o.iterations).memory(10).tolerance(0)
        .onIteration(p -> {
          if (p.iteration() == 0) {
            firstAndLast[0] = p.seconds();
          }
          firstAndLast[1] = p.seconds();
          if (Boolean.getBoolean("samples.verbose")) {
            System.out.println(p);
          }
        })
        .minimize(loss, initialParams(train.labels(), cols, k));
    double seconds = (System.nanoTime() - start) * 1e-9;
    blocks.unpersist();
    double accuracy = accuracyStandardized(r.params(), scaler.mean().toArray(),
        scaler.std().toArray(), test);
    double steady = (firstAndLast[1] - firstAndLast[0]) / Math.max(1, r.iterations());
    waitFor(clock, r.evaluations());
    frame.sparkSession().sparkContext().removeSparkListener(clock);
    return new Fit("Adjoint", r.history(), accuracy, seconds, r.evaluations(), steady,
        clock.cpuSeconds() / r.evaluations());
  }

  /**
   * MLlib's starting point: W = 0 and intercepts {@code log(1 + count)} minus their mean (with
   * centred features the intercepts need no adjustment for W = 0).
   */
  static double[] initialParams(double[] labels, int cols, int k) {
    double[] count = new double[k];
    for (double y : labels) {
      count[(int) y]++;
    }
    double[] p = new double[cols * k + k];
    double mean = 0;
    for (int c = 0; c < k; c++) {
      mean += Math.log1p(count[c]) / k;
    }
    for (int c = 0; c < k; c++) {
      p[cols * k + c] = Math.log1p(count[c]) - mean;
    }
    return p;
  }

  static Fit mllib(Dataset<Row> frame, FashionMnist.Split test, Options o) {
    EvaluationClock clock = new EvaluationClock("RDDLossFunction");
    frame.sparkSession().sparkContext().addSparkListener(clock);
    long start = System.nanoTime();
    LogisticRegressionModel model = new LogisticRegression().setFamily("multinomial")
        .setMaxIter(o.iterations).setRegParam(o.reg).setElasticNetParam(0).setTol(0)
        .setStandardization(true).setFitIntercept(true).fit(frame);
    double seconds = (System.nanoTime() - start) * 1e-9;
    double[] history = model.summary().objectiveHistory();
    List<Long> ends = waitFor(clock, history.length);
    frame.sparkSession().sparkContext().removeSparkListener(clock);
    // from the end of the first evaluation (iteration 0) to the end of the last, as for Adjoint
    double steady = ends.size() < 2 ? Double.NaN
        : (ends.get(ends.size() - 1) - ends.get(0)) * 1e-3 / Math.max(1, history.length - 1);
    return new Fit("MLlib", history, accuracyOriginal(model, test), seconds, ends.size(), steady,
        clock.cpuSeconds() / Math.max(1, ends.size()));
  }

  private static List<Long> waitFor(EvaluationClock clock, int jobs) {
    try {
      return clock.ends(jobs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * MLlib's model as Adjoint's parameters: weights over the standardized features
   * ({@code w·std}) and intercepts that absorb the centring ({@code b + w·mean}); the objective
   * is the same at both.
   */
  static double[] paramsOf(LogisticRegressionModel model, double[] mean, double[] std) {
    int k = FashionMnist.CLASSES;
    int cols = mean.length;
    Matrix w = model.coefficientMatrix();
    double[] b = model.interceptVector().toArray();
    double[] p = new double[cols * k + k];
    for (int c = 0; c < k; c++) {
      double shift = b[c];
      for (int j = 0; j < cols; j++) {
        p[j * k + c] = w.apply(c, j) * std[j];
        shift += w.apply(c, j) * mean[j];
      }
      p[cols * k + c] = shift;
    }
    return p;
  }

  /** Test accuracy of {@code params} (over standardized features). */
  static double accuracyStandardized(double[] params, double[] mean, double[] std,
      FashionMnist.Split test) {
    int k = FashionMnist.CLASSES;
    int cols = test.cols();
    double[] z = new double[k];
    int right = 0;
    for (int i = 0; i < test.rows(); i++) {
      for (int c = 0; c < k; c++) {
        z[c] = params[cols * k + c];
      }
      for (int j = 0; j < cols; j++) {
        double x = std[j] == 0 ? 0 : (test.pixels()[i * cols + j] - mean[j]) / std[j];
        for (int c = 0; c < k; c++) {
          z[c] += x * params[j * k + c];
        }
      }
      right += argmax(z) == (int) test.labels()[i] ? 1 : 0;
    }
    return (double) right / test.rows();
  }

  /** Test accuracy of MLlib's model (coefficients over the original features). */
  static double accuracyOriginal(LogisticRegressionModel model, FashionMnist.Split test) {
    int k = FashionMnist.CLASSES;
    int cols = test.cols();
    Matrix w = model.coefficientMatrix();
    double[] b = model.interceptVector().toArray();
    double[] z = new double[k];
    int right = 0;
    for (int i = 0; i < test.rows(); i++) {
      for (int c = 0; c < k; c++) {
        double s = b[c];
        for (int j = 0; j < cols; j++) {
          s += w.apply(c, j) * test.pixels()[i * cols + j];
        }
        z[c] = s;
      }
      right += argmax(z) == (int) test.labels()[i] ? 1 : 0;
    }
    return (double) right / test.rows();
  }

  private static int argmax(double[] z) {
    int best = 0;
    for (int c = 1; c < z.length; c++) {
      if (z[c] > z[best]) {
        best = c;
      }
    }
    return best;
  }

  static void print(Report r) {
    System.out.printf("Fashion-MNIST multinomial logistic regression on %s, %d partitions%n",
        r.master(), r.partitions());
    Fit a = r.adjoint();
    Fit m = r.mllib();
    System.out.println("iteration  Adjoint objective     MLlib objective");
    for (int i = 0; i < a.history().length; i++) {
      System.out.printf("%9d  %.15f  %s%n", i, a.history()[i],
          m == null || i >= m.history().length ? "" : String.format("%.15f", m.history()[i]));
    }
    for (Fit f : m == null ? List.of(a) : List.of(a, m)) {
      System.out.printf("%-8s objective %.12f  test accuracy %.4f  %.3f s per iteration after the"
              + " first evaluation; %.1f s in all, setup included (%.3f s per iteration);"
              + " %d evaluations, %.3f executor CPU s each%n", f.name(), f.objective(),
          f.testAccuracy(), f.steadySecondsPerIteration(), f.seconds(), f.secondsPerIteration(),
          f.evaluations(), f.cpuSecondsPerEvaluation());
    }
    if (m != null) {
      System.out.printf("objectives: largest relative difference over the iterations %.2e;"
              + " Adjoint's time per iteration is %.3f× MLlib's (%.3f× with setup), its CPU time per"
          + " evaluation %.3f×%n",
          r.maxRelativeDifference(),
          a.steadySecondsPerIteration() / m.steadySecondsPerIteration(),
          a.secondsPerIteration() / m.secondsPerIteration(),
          a.cpuSecondsPerEvaluation() / m.cpuSecondsPerEvaluation());
    }
  }
}
