package dev.adjoint.spark.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The network MLlib cannot train, on 1,000 rows: Spark and one machine reach the same model. */
class FashionMnistMlpTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = FashionMnistLogistic.session("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void sparkAndOneMachineReachTheSameNetwork() {
    FashionMnistMlp.Options o = new FashionMnistMlp.Options(FashionMnist.defaultDir(), "local[2]",
        12, 8, 1e-4, 3, 1000, 128); // 0.42 test accuracy after 12 iterations (0.1 by chance)
    FashionMnistMlp.Report r = FashionMnistMlp.run(spark, o);
    // the same block losses summed in the same order: the same numbers, bit for bit
    assertArrayEquals(r.local().params(), r.spark().params());
    assertEquals(r.local().objective(), r.spark().objective());
    assertTrue(r.spark().objective() < 0.7 * r.spark().initialObjective(),
        "objective " + r.spark().initialObjective() + " -> " + r.spark().objective());
    assertTrue(r.spark().testAccuracy() > 0.35, "accuracy " + r.spark().testAccuracy());
  }
}
