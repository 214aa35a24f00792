package dev.adjoint.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.check.GradCheck;
import dev.adjoint.nn.Dataset;
import dev.adjoint.nn.Init;
import dev.adjoint.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The digits perceptron learns, and its generated gradient agrees with finite differences. */
class DigitsMlpTest {

  @Test
  void aFewEpochsOnTheDigitsLowerTheLossAndClassifyMostTestImages() {
    Dataset.Split data = SampleData.digits().split(0.8, 42);
    assertEquals(1438, data.train().size());
    assertEquals(359, data.test().size());
    DigitsMlp.Config config = new DigitsMlp.Config(64, 5, 32, 3e-3, 1);

    DigitsMlp.Result result =
        DigitsMlp.train(data.train(), data.test(), 10, config, DigitsMlp.Listener.NONE);

    List<DigitsMlp.Epoch> h = result.history();
    assertEquals(5, h.size());
    // an untrained network scores about ln 10 ≈ 2.3
    assertTrue(h.get(0).trainLoss() < 2.3, h::toString);
    assertTrue(h.get(4).trainLoss() < 0.5 * h.get(0).trainLoss(), h::toString);
    assertTrue(h.get(4).testLoss() < h.get(0).testLoss(), h::toString);
    assertTrue(result.last().testAccuracy() > 0.90, h::toString);
    // the reported accuracy is the network's
    double[] eval = DigitsMlp.evaluate(data.test(), result.params());
    assertEquals(result.last().testAccuracy(), eval[1]);
    assertEquals(result.last().testLoss(), eval[0], 1e-12);
  }

  @Test
  void trainingIsReproducible() {
    Dataset.Split data = SampleData.digits().split(0.8, 7);
    DigitsMlp.Config config = new DigitsMlp.Config(16, 2, 64, 3e-3, 3);
    DigitsMlp.Result a = DigitsMlp.train(data.train(), data.test(), 10, config, DigitsMlp.Listener.NONE);
    DigitsMlp.Result b = DigitsMlp.train(data.train(), data.test(), 10, config, DigitsMlp.Listener.NONE);
    assertArrayEquals(a.params(), b.params());
  }

  @Test
  void generatedGradientMatchesFiniteDifferencesOnATinyBatch() {
    // eight real images, a hidden layer of 5 relu units
    Dataset batch = SampleData.digits().slice(0, 8);
    Tensor x = batch.features();
    Tensor y = batch.labels();
    Tensor[] p = {Init.he(11, 64, 5), Tensor.randomNormal(12, 5).mul(0.1),
        Init.xavier(13, 5, 10), Tensor.randomNormal(14, 10).mul(0.1)};
    // relu has a kink at 0: the finite differences (steps of at most 2e-3 in one weight, times a
    // pixel of at most 1) must not cross it, so no pre-activation may be that close to 0
    double[] z = x.matmul(p[0]).add(p[1]).toArray();
    for (double v : z) {
      assertTrue(Math.abs(v) > 1e-2, "pre-activation " + v + " too close to relu's kink");
    }

    DigitsMlpGrad.Loss g = DigitsMlpGrad.loss(x, p[0], p[1], p[2], p[3], y);
    assertEquals(DigitsMlp.loss(x, p[0], p[1], p[2], p[3], y), g.value());

    double[][] params = new double[4][];
    double[][] gradient = new double[4][];
    Tensor[] grads = g.gradients();
    for (int i = 0; i < 4; i++) {
      params[i] = p[i].toArray();
      gradient[i] = grads[i].toArray();
      assertArrayEquals(p[i].shape(), grads[i].shape());
    }
    GradCheck.Report report = GradCheck.check(
        q -> DigitsMlp.loss(x, Tensor.of(q[0], 64, 5), Tensor.of(q[1], 5), Tensor.of(q[2], 5, 10),
            Tensor.of(q[3], 10), y),
        new String[] {"w1", "b1", "w2", "b2"}, params, gradient);
    report.assertWithin(1e-6);
  }
}
