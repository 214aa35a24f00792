package com.example.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.example.lib.Losses;
import com.example.lib.LossesGrad;
import com.example.lib.Losses_InnerGrad;
import dev.adjoint.check.GradCheck;
import org.junit.jupiter.api.Test;

/** The consumer's generated gradients against finite differences. */
class ModelTest {
  private static final double[] W = {0.3, -0.7, 1.1};
  private static final double B = 0.4;
  private static final double[] X0 = {1.5, 0.2, -0.8};
  private static final double[] X1 = {-0.6, 1.3, 0.9};

  @Test
  void lossGradientMatchesFiniteDifferences() {
    ModelGrad.Loss g = ModelGrad.loss(W, B, X0, 1.0);
    assertEquals(Model.loss(W, B, X0, 1.0), g.value(), 1e-12);
    GradCheck.check(p -> Model.loss(p[0], p[1][0], X0, 1.0),
            new String[] {"w", "b"}, new double[][] {W, {B}}, new double[][] {g.w(), {g.b()}})
        .assertWithin(1e-7);
  }

  @Test
  void callerOfCallerMatchesFiniteDifferences() {
    ModelGrad.MeanLoss g = ModelGrad.meanLoss(W, B, X0, X1);
    assertEquals(Model.meanLoss(W, B, X0, X1), g.value(), 1e-12);
    GradCheck.check(p -> Model.meanLoss(p[0], p[1][0], X0, X1),
            new String[] {"w", "b"}, new double[][] {W, {B}}, new double[][] {g.w(), {g.b()}})
        .assertWithin(1e-7);
  }

  @Test
  void scoreGradientMatchesFiniteDifferences() {
    double t = -1.3;
    ModelGrad.Score g = ModelGrad.score(W, X0, t);
    assertEquals(Model.score(W, X0, t), g.value(), 1e-12);
    GradCheck.check(p -> Model.score(p[0], p[1], p[2][0]),
            new String[] {"w", "x", "t"}, new double[][] {W, X0, {t}},
            new double[][] {g.w(), g.x(), {g.t()}})
        .assertWithin(1e-7);
  }

  /** The library's own generated classes came with its jar, with parameter-named records. */
  @Test
  void libraryGradientsShipInItsJar() {
    LossesGrad.Dot dot = LossesGrad.dot(W, X0);
    assertEquals(Losses.dot(W, X0), dot.value(), 1e-12);
    assertEquals(X0[1], dot.w()[1], 0);
    assertEquals(W[2], dot.x()[2], 0);
    LossesGrad.WeightedSquares ws = LossesGrad.weightedSquares(W, X0, 2.0);
    assertEquals(2 * 2 * W[0] * X0[0] * X0[0], ws.w()[0], 1e-12);
    assertEquals(0.6, LossesGrad.norm(0.6, 0.8).x(), 1e-12);
    assertEquals(-1.0, LossesGrad.norm(-2.0).x(), 0);
    assertEquals(12.0, Losses_InnerGrad.power(2.0, 3).x(), 1e-12);
    assertThrows(ClassNotFoundException.class,
        () -> Class.forName("dev.adjoint.processor.AdjointProcessor"),
        "the processor must stay off the run-time class path");
  }
}
