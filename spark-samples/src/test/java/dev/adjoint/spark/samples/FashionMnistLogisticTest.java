package dev.adjoint.spark.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.spark.Blocks;
import dev.adjoint.spark.DistributedLoss;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Fashion-MNIST sample on 3,000 rows: Adjoint's objective is MLlib's, step for step. */
class FashionMnistLogisticTest {
  private static final Path DATA = FashionMnist.defaultDir();
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
  void adjointAndMllibTakeTheSameStepsToTheSameModel() {
    FashionMnistLogistic.Options o =
        new FashionMnistLogistic.Options(DATA, "local[2]", 6, 1e-3, 2, 3000, 128, true);
    FashionMnistLogistic.Report r = FashionMnistLogistic.run(spark, o);
    assertEquals(7, r.adjoint().history().length);
    assertEquals(7, r.mllib().history().length);
    assertTrue(r.maxRelativeDifference() < 1e-9, "objectives differ by " + r.maxRelativeDifference());
    assertTrue(r.adjoint().objective() < 0.6 * r.adjoint().history()[0], "the loss went down");
    assertTrue(r.adjoint().testAccuracy() > 0.7, "accuracy " + r.adjoint().testAccuracy());
    assertEquals(r.mllib().testAccuracy(), r.adjoint().testAccuracy(), 0.002);
    assertEquals(r.mllib().evaluations(), r.adjoint().evaluations());
  }

  @Test
  void atMllibsCoefficientsTheObjectiveIsMllibs() {
    FashionMnist.Split train = FashionMnist.train(DATA).head(2000);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> frame = FashionMnistLogistic.frame(spark, jsc, train, 2);
    LogisticRegressionModel model = new LogisticRegression().setFamily("multinomial")
        .setMaxIter(4).setRegParam(1e-3).setTol(0).fit(frame);
    double[] history = model.summary().objectiveHistory();
    StandardScalerModel scaler = new StandardScaler().setWithMean(true).setWithStd(true)
        .setInputCol("features").setOutputCol("scaled").fit(frame);
    double[] params = FashionMnistLogistic.paramsOf(model, scaler.mean().toArray(),
        scaler.std().toArray());
    Blocks blocks = Blocks.from(scaler.transform(frame)).features("scaled").classLabels(10)
        .blockRows(128).pack();
    double objective = DistributedLoss.of(blocks, SoftmaxRegression::sparkBlockLoss)
        .l2(1e-3, 0, train.cols() * 10).evaluate(params, new double[params.length]);
    blocks.unpersist();
    double mllib = history[history.length - 1];
    assertEquals(mllib, objective, 1e-12 * mllib);
  }
}
