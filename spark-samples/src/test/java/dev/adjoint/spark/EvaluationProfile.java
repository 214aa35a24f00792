package dev.adjoint.spark;

import dev.adjoint.spark.samples.FashionMnist;
import dev.adjoint.spark.samples.SoftmaxRegression;
import dev.adjoint.tensor.kernel.MatMul;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Where one distributed evaluation's time goes (a profiling aid, not a test):
 * {@code EvaluationProfile [DATA_DIR] [master] [evaluations] [blockRows]}.
 */
public final class EvaluationProfile {
  static final class Metrics extends SparkListener {
    final List<long[]> tasks = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      var m = e.taskMetrics();
      var i = e.taskInfo();
      tasks.add(new long[] {
        i.finishTime() - i.launchTime(), m.executorRunTime(), m.executorCpuTime() / 1000000,
        m.executorDeserializeTime(), m.resultSerializationTime(), i.gettingResultTime(),
        m.jvmGCTime(), m.resultSize()
      });
    }

    String summary(int from) {
      long[] s = new long[8];
      int n = 0;
      synchronized (tasks) {
        for (int t = from; t < tasks.size(); t++) {
          for (int j = 0; j < 8; j++) s[j] += tasks.get(t)[j];
          n++;
        }
      }
      return String.format("tasks %d: mean ms duration %.1f run %.1f cpu %.1f deser %.1f resultSer %.1f"
          + " gettingResult %.1f gc %.1f resultBytes %d", n, s[0] / (double) n, s[1] / (double) n,
          s[2] / (double) n, s[3] / (double) n, s[4] / (double) n, s[5] / (double) n,
          s[6] / (double) n, s[7] / Math.max(1, n));
    }
  }

  public static void main(String[] args) {
    Path dir = args.length > 0 ? Path.of(args[0]) : FashionMnist.defaultDir();
    String master = args.length > 1 ? args[1] : "local[2]";
    int evals = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    boolean lineageOnly = Boolean.getBoolean("lineageOnly");
    int blockRows = args.length > 3 ? Integer.parseInt(args[3]) : 128;
    MatMul.setThreads(1);
    SparkSession spark = SparkSession.builder().master(master).appName("profile")
        .config("spark.ui.enabled", "false").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FashionMnist.Split s = FashionMnist.train(dir);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < s.rows(); i++) {
      rows.add(RowFactory.create(s.labels()[i],
          Vectors.dense(Arrays.copyOfRange(s.pixels(), i * s.cols(), (i + 1) * s.cols()))));
    }
    StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false);
    Dataset<Row> frame = spark.createDataFrame(jsc.parallelize(rows, jsc.defaultParallelism()),
        schema).localCheckpoint(true);
    var scaler = new StandardScaler().setWithMean(true).setWithStd(true).setInputCol("features")
        .setOutputCol("scaled").fit(frame);
    Blocks blocks = Blocks.from(scaler.transform(frame)).features("scaled").classLabels(10)
        .blockRows(blockRows).pack();
    DistributedLoss loss = DistributedLoss.of(blocks, SoftmaxRegression::sparkBlockLoss)
        .l2(1e-3, 0, 7840);
    {
      var ser = org.apache.spark.SparkEnv.get().closureSerializer().newInstance();
      var tag = scala.reflect.ClassTag$.MODULE$.<Object>apply(Object.class);
      for (int rep = 0; rep < 5; rep++) {
        long a = System.nanoTime();
        java.nio.ByteBuffer bytes = ser.serialize(blocks.rdd.rdd(), tag);
        long b = System.nanoTime();
        ser.deserialize(bytes, Thread.currentThread().getContextClassLoader(), tag);
        long c = System.nanoTime();
        System.out.printf("blocks RDD lineage: %d bytes, serialize %.2f ms, deserialize %.2f ms%n",
            bytes.limit(), (b - a) * 1e-6, (c - b) * 1e-6);
      }
      System.out.println(blocks.rdd.rdd().toDebugString());
    }
    if (lineageOnly) {
      var tiny = jsc.parallelize(java.util.List.of(1, 2), 2);
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        for (int e = 0; e < evals; e++) {
          blocks.rdd.mapPartitions(it -> Collections.singletonList(1).iterator(), true).collect();
        }
        long t1 = System.nanoTime();
        for (int e = 0; e < evals; e++) {
          tiny.mapPartitions(it -> Collections.singletonList(1).iterator(), true).collect();
        }
        long t2 = System.nanoTime();
        System.out.printf("no-op job over the blocks %.1f ms, over a parallelized list %.1f ms%n",
            (t1 - t0) * 1e-6 / evals, (t2 - t1) * 1e-6 / evals);
      }
      spark.stop();
      return;
    }
    Metrics metrics = new Metrics();
    spark.sparkContext().addSparkListener(metrics);
    double[] p = new double[7850];
    double[] g = new double[7850];
    for (int round = 0; round < 2; round++) {
      int mark = metrics.tasks.size();
      long t0 = System.nanoTime();
      for (int e = 0; e < evals; e++) {
        p[e % 7850] = 1e-3 * e;
        loss.evaluate(p, g);
      }
      double per = (System.nanoTime() - t0) * 1e-6 / evals;
      sleep();
      System.out.printf("evaluate: %.1f ms per evaluation; %s%n", per, metrics.summary(mark));

      mark = metrics.tasks.size();
      t0 = System.nanoTime();
      for (int e = 0; e < evals; e++) {
        blocks.rdd.mapPartitions(it -> Collections.singletonList(new double[7853]).iterator(), true)
            .collect();
      }
      per = (System.nanoTime() - t0) * 1e-6 / evals;
      sleep();
      System.out.printf("no-op job returning 7853 doubles per task: %.1f ms; %s%n", per,
          metrics.summary(mark));

      mark = metrics.tasks.size();
      t0 = System.nanoTime();
      long tb = 0;
      long td = 0;
      for (int e = 0; e < evals; e++) {
        long a = System.nanoTime();
        Broadcast<double[]> bc = jsc.broadcast(p.clone());
        long b = System.nanoTime();
        blocks.rdd.mapPartitions(it -> Collections.singletonList(bc.value()).iterator(), true)
            .collect();
        long c = System.nanoTime();
        bc.destroy();
        tb += b - a;
        td += System.nanoTime() - c;
      }
      per = (System.nanoTime() - t0) * 1e-6 / evals;
      sleep();
      System.out.printf("broadcast + no-op job + destroy: %.1f ms (broadcast %.1f, destroy %.1f); %s%n",
          per, tb * 1e-6 / evals, td * 1e-6 / evals, metrics.summary(mark));

      mark = metrics.tasks.size();
      t0 = System.nanoTime();
      for (int e = 0; e < evals; e++) {
        blocks.rdd.mapPartitions(it -> {
          long n = 0;
          while (it.hasNext()) n += it.next().rows;
          return Collections.singletonList(n).iterator();
        }, true).collect();
      }
      per = (System.nanoTime() - t0) * 1e-6 / evals;
      sleep();
      System.out.printf("job iterating the cached blocks: %.1f ms; %s%n", per, metrics.summary(mark));
    }
    spark.stop();
  }

  private static void sleep() {
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
