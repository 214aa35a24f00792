package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Executors in separate JVMs: Spark's {@code local-cluster[2,1,512]} master runs a standalone
 * master and two workers in this JVM, and each worker launches its executor as a child JVM. Spark's
 * launcher wants a Spark distribution for that; from Maven's class path it needs only
 * {@code SPARK_SCALA_VERSION} and a {@code SPARK_HOME} with a {@code jars/} directory, which may be
 * empty when the executors get the test class path ({@code spark.executor.extraClassPath}). The
 * surefire configuration in {@code spark/pom.xml} sets both variables.
 *
 * <p>The fit must equal the single-JVM fit ({@code local[2]}) bit for bit, also when one executor
 * is killed in the middle of an evaluation (its tasks and its cached blocks are recomputed on the
 * other).
 */
class SeparateJvmTest {
  private static final int ITERATIONS = 8;
  private static final int SLOW_EVALUATION = 4;

  private static SparkSession session(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("SeparateJvmTest")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "512m")
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .getOrCreate();
  }

  private static Blocks pack(JavaSparkContext sc) {
    TestData data = new TestData(4000, 5, DistributedLossTest.BETA, 0.7, 0.5, 11);
    return Blocks.fromRows(sc.parallelize(data.labeledRows(false), 4)).blockRows(300).pack();
  }

  /** The least-squares loss, slowed down so that an executor can be killed while it runs. */
  static double slowSquares(double[] w, double[] x, double[] y, int rows, int cols, double[] g) {
    if (TaskContext.get().attemptNumber() == 0) {
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return LossesGrad.squares(w, x, y, rows, cols, g);
  }

  /** The pid of the JVM running a task of partition 0. */
  private static long executorPid(JavaSparkContext sc) {
    return sc.parallelize(List.of(1), 1).map(i -> ProcessHandle.current().pid()).collect().get(0);
  }

  /** The id of the executor running a task of partition 0. */
  private static String anExecutorId(JavaSparkContext sc) {
    return sc.parallelize(List.of(1), 1).map(i -> SparkEnv.get().executorId()).collect().get(0);
  }

  /** Waits until both executors have registered (the driver counts as one more). */
  private static void awaitExecutors(JavaSparkContext sc, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (sc.sc().statusTracker().getExecutorInfos().length < n + 1) {
      assertTrue(System.nanoTime() < deadline, "executors did not start");
      Thread.sleep(100);
    }
  }

  @Test
  void executorsInSeparateJvmsGiveTheSingleJvmResultBitForBitEvenWhenOneIsKilled()
      throws InterruptedException {
    Result single;
    SparkSession local = session("local[2]");
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(local.sparkContext());
      Blocks blocks = pack(sc);
      single =
          new Lbfgs()
              .maxIterations(ITERATIONS)
              .tolerance(0)
              .minimize(DistributedLoss.of(blocks, LossesGrad::squares).l2(1e-3), new double[6]);
    } finally {
      local.stop();
    }

    new File(System.getenv("SPARK_HOME"), "jars").mkdirs();
    SparkSession cluster = session("local-cluster[2,1,512]");
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(cluster.sparkContext());
      AtomicInteger removed = new AtomicInteger();
      sc.sc()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
                  removed.incrementAndGet();
                }
              });
      awaitExecutors(sc, 2);
      assertTrue(executorPid(sc) != ProcessHandle.current().pid(), "tasks ran in the driver JVM");
      Blocks blocks = pack(sc);

      DistributedLoss loss = DistributedLoss.of(blocks, LossesGrad::squares).l2(1e-3);
      Result clean = new Lbfgs().maxIterations(ITERATIONS).tolerance(0).minimize(loss, new double[6]);
      assertArrayEquals(single.params(), clean.params(), 0.0);
      assertArrayEquals(single.history(), clean.history(), 0.0);

      // evaluation SLOW_EVALUATION's tasks sleep; one executor is killed while they do
      DistributedLoss slow = DistributedLoss.of(blocks, SeparateJvmTest::slowSquares).l2(1e-3);
      AtomicInteger evaluations = new AtomicInteger();
      Objective withKill =
          (w, g) -> {
            if (evaluations.incrementAndGet() != SLOW_EVALUATION) {
              return loss.evaluate(w, g);
            }
            String victim = anExecutorId(sc);
            Thread killer =
                new Thread(
                    () -> {
                      try {
                        Thread.sleep(700);
                      } catch (InterruptedException e) {
                        return;
                      }
                      sc.sc().killExecutor(victim);
                    });
            killer.start();
            return slow.evaluate(w, g);
          };
      Result killed = new Lbfgs().maxIterations(ITERATIONS).tolerance(0).minimize(withKill, new double[6]);
      assertTrue(removed.get() >= 1, "no executor was lost");
      assertArrayEquals(single.params(), killed.params(), 0.0);
      assertArrayEquals(single.history(), killed.history(), 0.0);
      assertEquals(ITERATIONS, killed.iterations());
    } finally {
      cluster.stop();
    }
  }
}
