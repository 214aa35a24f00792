package dev.adjoint.tensor;

import static dev.adjoint.tensor.TensorTesting.assertMessage;
import static dev.adjoint.tensor.TensorTesting.assertShapeError;
import static dev.adjoint.tensor.TensorTesting.assertTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.check.GradCheck;
import dev.adjoint.runtime.TensorAdjoints;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every {@link TensorAdjoints} rule against finite differences of its forward operation: the
 * scalar function is {@code L = Σ w * op(x)} with random weights {@code w} (so {@code dy = w}),
 * checked with {@link GradCheck}'s central differences at relative error ≤ 1e-6.
 */
class TensorAdjointsTest {
  private static final double TOLERANCE = 1e-6;

  /** A scalar function of tensors. */
  @FunctionalInterface
  interface Loss {
    double apply(Tensor[] params);
  }

  /** Checks analytic gradients (one per parameter, of its shape) against finite differences. */
  static void checkGradient(String what, Loss f, Tensor[] params, Tensor... grads) {
    checkGradient(what, GradCheck.DEFAULT_STEP, f, params, grads);
  }

  /**
   * As above with GradCheck's relative step {@code step}; for inputs near 1000 the default step
   * (1e-3 of |x|) would be 1, far too coarse.
   */
  static void checkGradient(String what, double step, Loss f, Tensor[] params, Tensor... grads) {
    assertEquals(params.length, grads.length);
    String[] names = new String[params.length];
    double[][] p = new double[params.length][];
    double[][] g = new double[params.length][];
    int[][] shapes = new int[params.length][];
    for (int i = 0; i < params.length; i++) {
      shapes[i] = params[i].shape();
      assertArrayEquals(shapes[i], grads[i].shape(), what + ": shape of gradient " + i);
      names[i] = "#" + i + " " + Arrays.toString(shapes[i]);
      p[i] = params[i].toArray();
      g[i] = grads[i].toArray();
    }
    GradCheck.Report report = GradCheck.check(arrays -> {
      Tensor[] ts = new Tensor[arrays.length];
      for (int i = 0; i < arrays.length; i++) {
        ts[i] = Tensor.of(arrays[i], shapes[i]);
      }
      return f.apply(ts);
    }, names, p, g, step);
    assertTrue(report.passes(TOLERANCE), what + "\n" + report);
  }

  /** Checks a unary rule: gradient of {@code Σ w * op(x)} is {@code grad}. */
  static void checkUnary(String what, Tensor x, Tensor w, UnaryOperator<Tensor> op,
      Tensor grad) {
    checkGradient(what, p -> weighted(op.apply(p[0]), w), new Tensor[] {x}, grad);
  }

  /** {@code Σ w * y}, with equal shapes. */
  static double weighted(Tensor y, Tensor w) {
    assertArrayEquals(w.shape(), y.shape());
    return y.mul(w).sum();
  }

  static Tensor normal(long seed, int... shape) {
    return Tensor.randomNormal(seed, shape);
  }

  static Tensor positive(long seed, int... shape) {
    return Tensor.randomUniform(seed, 0.5, 2.0, shape);
  }

  /** Values at least 0.1 from 0 (away from the kinks of relu and abs), random signs. */
  static Tensor awayFromZero(long seed, int... shape) {
    double[] v = Tensor.randomUniform(seed, 0.1, 2.0, shape).toArray();
    SplittableRandom r = new SplittableRandom(seed + 1);
    for (int i = 0; i < v.length; i++) {
      if (r.nextBoolean()) {
        v[i] = -v[i];
      }
    }
    return Tensor.of(v, shape);
  }

  /** Distinct values at least 0.3 apart in random order (no ties within 2h for max). */
  static Tensor distinct(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    double[] v = new double[t.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.3 * i - 1;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = v.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      double tmp = v[i];
      v[i] = v[j];
      v[j] = tmp;
    }
    return Tensor.of(v, shape);
  }

  private static final int[][] SHAPES = {{}, {4}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}};

  // ---- broadcasting ----------------------------------------------------------------------------

  @Test
  void reduceToIsTheAdjointOfBroadcastingInEveryOperandPosition() {
    long seed = 1;
    for (int[][] c : TensorElementwiseTest.BROADCAST_CASES) {
      Tensor a = normal(seed++, c[0]);
      Tensor b = normal(seed++, c[1]);
      Tensor w = normal(seed++, c[2]);
      String what = "add " + Arrays.toString(c[0]) + " + " + Arrays.toString(c[1]);
      checkGradient(what, p -> weighted(p[0].add(p[1]), w), new Tensor[] {a, b},
          TensorAdjoints.reduceTo(w, c[0]), TensorAdjoints.reduceTo(w, c[1]));
      checkGradient("broadcastTo " + Arrays.toString(c[0]) + " -> " + Arrays.toString(c[2]),
          p -> weighted(p[0].broadcastTo(c[2]), w), new Tensor[] {a},
          TensorAdjoints.reduceTo(w, c[0]));
    }
  }

  @Test
  void reduceToNegatedIsTheAdjointOfTheSubtrahend() {
    long seed = 50;
    for (int[][] c : TensorElementwiseTest.BROADCAST_CASES) {
      Tensor a = normal(seed++, c[0]);
      Tensor b = normal(seed++, c[1]);
      Tensor w = normal(seed++, c[2]);
      checkGradient("sub " + Arrays.toString(c[0]) + " - " + Arrays.toString(c[1]),
          p -> weighted(p[0].sub(p[1]), w), new Tensor[] {a, b},
          TensorAdjoints.reduceTo(w, c[0]), TensorAdjoints.reduceToNegated(w, c[1]));
    }
  }

  @Test
  void mulBackwardInEveryOperandPosition() {
    long seed = 100;
    for (int[][] c : TensorElementwiseTest.BROADCAST_CASES) {
      Tensor a = normal(seed++, c[0]);
      Tensor b = normal(seed++, c[1]);
      Tensor w = normal(seed++, c[2]);
      checkGradient("mul " + Arrays.toString(c[0]) + " * " + Arrays.toString(c[1]),
          p -> weighted(p[0].mul(p[1]), w), new Tensor[] {a, b},
          TensorAdjoints.mulBackward(b, w, c[0]), TensorAdjoints.mulBackward(a, w, c[1]));
    }
  }

  @Test
  void divBackwardInEveryOperandPosition() {
    long seed = 200;
    for (int[][] c : TensorElementwiseTest.BROADCAST_CASES) {
      Tensor a = normal(seed++, c[0]);
      Tensor b = positive(seed++, c[1]);
      Tensor w = normal(seed++, c[2]);
      checkGradient("div " + Arrays.toString(c[0]) + " / " + Arrays.toString(c[1]),
          p -> weighted(p[0].div(p[1]), w), new Tensor[] {a, b},
          TensorAdjoints.divBackwardNumerator(b, w, c[0]),
          TensorAdjoints.divBackwardDenominator(a, b, w));
    }
  }

  @Test
  void scalarOperandAdjointsViaSumOfProducts() {
    Tensor x = normal(1, 3, 4);
    Tensor w = normal(2, 3, 4);
    double s = 1.7;
    Tensor sT = Tensor.scalar(s);
    checkGradient("x * s", p -> weighted(p[0].mul(p[1].item()), w), new Tensor[] {x, sT},
        w.mul(s), Tensor.scalar(TensorAdjoints.sumOfProducts(w, x)));
    checkGradient("x / s", p -> weighted(p[0].div(p[1].item()), w), new Tensor[] {x, sT},
        w.div(s), Tensor.scalar(-TensorAdjoints.sumOfProducts(w, x) / (s * s)));
    checkGradient("x + s", p -> weighted(p[0].add(p[1].item()), w), new Tensor[] {x, sT},
        w, Tensor.scalar(w.sum()));
    assertShapeError("sumOfProducts", "[3, 4]", "[4]",
        () -> TensorAdjoints.sumOfProducts(x, Tensor.zeros(4)));
  }

  @Test
  void reduceToChecksShapesAndSharesWhenNothingIsReduced() {
    Tensor g = normal(1, 2, 3);
    assertSame(g, TensorAdjoints.reduceTo(g, new int[] {2, 3}));
    assertTensor(TensorAdjoints.reduceTo(Tensor.ones(2, 3), new int[] {}),
        new double[] {6}, new int[0]);
    assertTensor(TensorAdjoints.reduceTo(Tensor.arange(6).reshape(2, 3), new int[] {2, 1}),
        new double[] {3, 12}, 2, 1);
    assertTensor(TensorAdjoints.reduceTo(Tensor.arange(6).reshape(2, 3), new int[] {3}),
        new double[] {3, 5, 7}, 3);
    assertMessage("reduceTo: gradient shape [2, 3] does not reduce to shape [2] (that shape does"
        + " not broadcast to it)", () -> TensorAdjoints.reduceTo(g, new int[] {2}));
    assertShapeError("reduceTo", "[2, 3]", "[4, 2, 3]",
        () -> TensorAdjoints.reduceTo(g, new int[] {4, 2, 3}));
  }

  @Test
  void accumulateAddsOrStarts() {
    Tensor g = normal(1, 2, 3);
    assertSame(g, TensorAdjoints.accumulate(null, g));
    assertEquals(g.add(g), TensorAdjoints.accumulate(g, g));
    assertShapeError("accumulate", "[2, 3]", "[3]",
        () -> TensorAdjoints.accumulate(g, Tensor.zeros(3)));
  }

  // ---- reductions ------------------------------------------------------------------------------

  @Test
  void sumAndMeanOfAllElements() {
    long seed = 300;
    for (int[] s : SHAPES) {
      Tensor x = normal(seed++, s);
      checkGradient("sum " + Arrays.toString(s), p -> 1.3 * p[0].sum(), new Tensor[] {x},
          TensorAdjoints.sumBackward(1.3, s));
      checkGradient("mean " + Arrays.toString(s), p -> -0.7 * p[0].mean(), new Tensor[] {x},
          TensorAdjoints.meanBackward(-0.7, s));
      checkGradient("item/sum of size 1", p -> 2 * p[0].reshape(-1).sum(0, false).item(),
          new Tensor[] {x}, TensorAdjoints.sumBackward(2, s));
    }
  }

  @Test
  void sumAndMeanOverEveryAxis() {
    long seed = 400;
    for (int[] s : SHAPES) {
      for (int axis = -s.length; axis < s.length; axis++) {
        for (boolean keep : new boolean[] {true, false}) {
          final int ax = axis;
          Tensor x = normal(seed++, s);
          Tensor w = normal(seed++, x.sum(ax, keep).shape());
          String what = Arrays.toString(s) + " axis " + ax + " keepDims " + keep;
          checkUnary("sum " + what, x, w, t -> t.sum(ax, keep),
              TensorAdjoints.sumBackward(w, s, ax, keep));
          checkUnary("mean " + what, x, w, t -> t.mean(ax, keep),
              TensorAdjoints.meanBackward(w, s, ax, keep));
        }
      }
    }
  }

  @Test
  void maxOfAllElements() {
    long seed = 500;
    for (int[] s : SHAPES) {
      Tensor x = distinct(seed++, s);
      checkGradient("max " + Arrays.toString(s), p -> 1.5 * p[0].max(), new Tensor[] {x},
          TensorAdjoints.maxBackward(x, 1.5));
    }
    Tensor ties = Tensor.vector(1, 3, 2, 3);
    assertTensor(TensorAdjoints.maxBackward(ties, 2.0), new double[] {0, 2, 0, 0}, 4);
  }

  @Test
  void maxOverEveryAxis() {
    long seed = 600;
    for (int[] s : SHAPES) {
      for (int axis = -s.length; axis < s.length; axis++) {
        for (boolean keep : new boolean[] {true, false}) {
          final int ax = axis;
          Tensor x = distinct(seed++, s);
          Tensor w = normal(seed++, x.max(ax, keep).shape());
          checkUnary("max " + Arrays.toString(s) + " axis " + ax + " keepDims " + keep, x, w,
              t -> t.max(ax, keep), TensorAdjoints.maxBackward(x, w, ax, keep));
        }
      }
    }
    Tensor ties = Tensor.of(new double[] {5, 1, 5, 2, 2, 0}, 3, 2);
    assertTensor(TensorAdjoints.maxBackward(ties, Tensor.vector(10, 20), 0, false),
        new double[] {10, 0, 0, 20, 0, 0}, 3, 2);
  }

  @Test
  void reductionAdjointsCheckTheAdjointShape() {
    assertMessage("sumBackward: shapes [3] and [2, 3] do not match: the adjoint of a reduction"
            + " of [2, 3] over axis 1 without keepDims has shape [2]",
        () -> TensorAdjoints.sumBackward(Tensor.zeros(3), new int[] {2, 3}, 1, false));
    assertShapeError("meanBackward", "[2]", "[2, 3]",
        () -> TensorAdjoints.meanBackward(Tensor.zeros(2), new int[] {2, 3}, 1, true));
    assertShapeError("maxBackward", "[2, 1]", "[2, 3]",
        () -> TensorAdjoints.maxBackward(Tensor.zeros(2, 3), Tensor.zeros(2, 1), 0, true));
  }

  // ---- softmax, logSumExp, losses --------------------------------------------------------------

  @Test
  void softmaxBackwardOverEveryAxis() {
    long seed = 700;
    for (int[] s : SHAPES) {
      for (int axis = -s.length; axis < s.length; axis++) {
        final int ax = axis;
        Tensor x = normal(seed++, s);
        Tensor w = normal(seed++, s);
        checkUnary("softmax " + Arrays.toString(s) + " axis " + ax, x, w, t -> t.softmax(ax),
            TensorAdjoints.softmaxBackward(x.softmax(ax), w, ax));
      }
    }
  }

  @Test
  void logSumExpBackwardOverEveryAxis() {
    long seed = 800;
    for (int[] s : SHAPES) {
      for (int axis = -s.length; axis < s.length; axis++) {
        for (boolean keep : new boolean[] {true, false}) {
          final int ax = axis;
          Tensor x = normal(seed++, s);
          Tensor y = x.logSumExp(ax, keep);
          Tensor w = normal(seed++, y.shape());
          String what = "logSumExp " + Arrays.toString(s) + " axis " + ax + " keepDims " + keep;
          checkUnary(what, x, w, t -> t.logSumExp(ax, keep),
              TensorAdjoints.logSumExpBackward(x, w, ax, keep));
          checkUnary(what + " (from output)", x, w, t -> t.logSumExp(ax, keep),
              TensorAdjoints.logSumExpBackward(x, y, w, ax, keep));
        }
      }
    }
  }

  @Test
  void softmaxAndLogSumExpBackwardAreStableForLargeInputs() {
    Tensor x = Tensor.of(new double[] {1000, 1001, 1002, -1000, -1001, -1002}, 2, 3);
    Tensor g = TensorAdjoints.logSumExpBackward(x, Tensor.ones(2), 1, false);
    Tensor w2 = normal(3, 2, 1);
    double z = 1 + Math.exp(-1) + Math.exp(-2);
    assertTrue(g.allClose(Tensor.of(new double[] {Math.exp(-2) / z, Math.exp(-1) / z, 1 / z,
        1 / z, Math.exp(-1) / z, Math.exp(-2) / z}, 2, 3), 1e-12, 0), g.toString());
    Tensor sg = TensorAdjoints.softmaxBackward(x.softmax(1), normal(1, 2, 3), 1);
    for (double v : sg.toArray()) {
      assertTrue(Double.isFinite(v));
    }
    Tensor w = normal(2, 2, 3);
    checkGradient("softmax near 1000", 1e-6, p -> weighted(p[0].softmax(1), w),
        new Tensor[] {x}, TensorAdjoints.softmaxBackward(x.softmax(1), w, 1));
    checkGradient("logSumExp near 1000", 1e-6, p -> weighted(p[0].logSumExp(1, true), w2),
        new Tensor[] {x}, TensorAdjoints.logSumExpBackward(x, w2, 1, true));
  }

  @Test
  void softmaxCrossEntropyBackwardWithIndexLabels() {
    Tensor logits = normal(1, 5, 4);
    Tensor labels = Tensor.vector(0, 3, 1, 1, 2);
    checkGradient("softmaxCrossEntropy indices",
        p -> 0.8 * Tensor.softmaxCrossEntropy(p[0], labels), new Tensor[] {logits},
        TensorAdjoints.softmaxCrossEntropyBackward(logits, labels, 0.8));
    assertEquals(Tensor.zeros(5),
        TensorAdjoints.softmaxCrossEntropyBackwardLabels(logits, labels, 0.8));
    // closed form: (softmax - onehot) * dy / batch
    double[] oneHot = new double[20];
    for (int b = 0; b < 5; b++) {
      oneHot[b * 4 + (int) labels.get(b)] = 1;
    }
    Tensor expected = logits.softmax(1).sub(Tensor.of(oneHot, 5, 4)).mul(0.8 / 5);
    assertTrue(expected.allClose(
        TensorAdjoints.softmaxCrossEntropyBackward(logits, labels, 0.8), 1e-12, 1e-15));
  }

  @Test
  void softmaxCrossEntropyBackwardWithOneHotAndProbabilityLabels() {
    Tensor logits = normal(2, 3, 4);
    Tensor oneHot = Tensor.of(new double[] {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, 3, 4);
    Tensor probs = Tensor.randomUniform(3, 0, 1, 3, 4);
    probs = probs.div(probs.sum(1, true));
    Tensor unnormalised = Tensor.randomUniform(4, 0, 1, 3, 4);
    for (Tensor labels : new Tensor[] {oneHot, probs, unnormalised}) {
      checkGradient("softmaxCrossEntropy labels " + labels,
          p -> -1.2 * Tensor.softmaxCrossEntropy(p[0], p[1]), new Tensor[] {logits, labels},
          TensorAdjoints.softmaxCrossEntropyBackward(logits, labels, -1.2),
          TensorAdjoints.softmaxCrossEntropyBackwardLabels(logits, labels, -1.2));
    }
    Tensor viaIndices =
        TensorAdjoints.softmaxCrossEntropyBackward(logits, Tensor.vector(1, 0, 3), 1);
    assertTrue(viaIndices.allClose(
        TensorAdjoints.softmaxCrossEntropyBackward(logits, oneHot, 1), 1e-15, 1e-15));
  }

  @Test
  void softmaxCrossEntropyBackwardIsStableForLargeLogits() {
    Tensor logits = Tensor.of(new double[] {1000, 0, -1000, 1000}, 2, 2);
    Tensor g = TensorAdjoints.softmaxCrossEntropyBackward(logits, Tensor.vector(1, 1), 1);
    assertTrue(g.allClose(Tensor.of(new double[] {0.5, -0.5, 0, 0}, 2, 2), 0, 1e-15),
        g.toString());
    checkGradient("softmaxCrossEntropy near 1000", 1e-6,
        p -> Tensor.softmaxCrossEntropy(p[0], Tensor.vector(2, 0)),
        new Tensor[] {Tensor.of(new double[] {1000, 1001, 1000.5, -999, -1000, -998}, 2, 3)},
        TensorAdjoints.softmaxCrossEntropyBackward(
            Tensor.of(new double[] {1000, 1001, 1000.5, -999, -1000, -998}, 2, 3),
            Tensor.vector(2, 0), 1));
  }

  @Test
  void mseBackwardForPredictionAndTarget() {
    long seed = 900;
    for (int[] s : SHAPES) {
      Tensor p = normal(seed++, s);
      Tensor t = normal(seed++, s);
      checkGradient("mse " + Arrays.toString(s), q -> 0.6 * Tensor.mse(q[0], q[1]),
          new Tensor[] {p, t}, TensorAdjoints.mseBackward(p, t, 0.6),
          TensorAdjoints.mseBackward(t, p, 0.6));
    }
    assertShapeError("mseBackward", "[2, 3]", "[3, 2]",
        () -> TensorAdjoints.mseBackward(Tensor.zeros(2, 3), Tensor.zeros(3, 2), 1));
  }

  // ---- element-wise ----------------------------------------------------------------------------

  @Test
  void elementWiseRules() {
    long seed = 1000;
    for (int[] s : SHAPES) {
      String sh = " " + Arrays.toString(s);
      Tensor x = normal(seed++, s);
      Tensor pos = positive(seed++, s);
      Tensor away = awayFromZero(seed++, s);
      Tensor w = normal(seed++, s);
      checkUnary("tanh" + sh, x, w, Tensor::tanh, TensorAdjoints.tanhBackward(x.tanh(), w));
      checkUnary("sigmoid" + sh, x, w, Tensor::sigmoid,
          TensorAdjoints.sigmoidBackward(x.sigmoid(), w));
      checkUnary("relu" + sh, away, w, Tensor::relu, TensorAdjoints.reluBackward(away, w));
      checkUnary("abs" + sh, away, w, Tensor::abs, TensorAdjoints.absBackward(away, w));
      checkUnary("square" + sh, x, w, Tensor::square, TensorAdjoints.squareBackward(x, w));
      checkUnary("sqrt" + sh, pos, w, Tensor::sqrt, TensorAdjoints.sqrtBackward(pos.sqrt(), w));
      checkUnary("exp" + sh, x, w, Tensor::exp, TensorAdjoints.expBackward(x.exp(), w));
      checkUnary("log" + sh, pos, w, Tensor::log, TensorAdjoints.logBackward(pos, w));
      checkUnary("neg" + sh, x, w, Tensor::neg, w.neg());
      for (double p : new double[] {0, 1, 2, 3, -1}) {
        checkUnary("pow " + p + sh, away, w, t -> t.pow(p), TensorAdjoints.powBackward(away, p, w));
      }
      for (double p : new double[] {0.5, -1.5, 2.7}) {
        checkUnary("pow " + p + sh, pos, w, t -> t.pow(p), TensorAdjoints.powBackward(pos, p, w));
        checkGradient("pow exponent " + p + sh, q -> weighted(pos.pow(q[0].item()), w),
            new Tensor[] {Tensor.scalar(p)},
            Tensor.scalar(TensorAdjoints.powBackwardExponent(pos, pos.pow(p), w)));
      }
    }
  }

  @Test
  void conventionsAtKinks() {
    Tensor x = Tensor.vector(-1, 0, 2);
    Tensor dy = Tensor.vector(5, 6, 7);
    assertTensor(TensorAdjoints.reluBackward(x, dy), new double[] {0, 0, 7}, 3);
    assertTensor(TensorAdjoints.absBackward(x, dy), new double[] {-5, 0, 7}, 3);
    assertTensor(TensorAdjoints.powBackward(x, 0, dy), new double[] {0, 0, 0}, 3);
    assertTensor(TensorAdjoints.powBackward(x, 1, dy), new double[] {5, 6, 7}, 3);
    assertEquals(0.0, TensorAdjoints.powBackwardExponent(Tensor.vector(0), Tensor.vector(0),
        Tensor.vector(1)));
  }

  @Test
  void elementWiseRulesCheckShapes() {
    assertMessage("tanhBackward: shapes [2, 3] and [3] differ; they must be equal",
        () -> TensorAdjoints.tanhBackward(Tensor.zeros(2, 3), Tensor.zeros(3)));
    assertShapeError("reluBackward", "[2]", "[1]",
        () -> TensorAdjoints.reluBackward(Tensor.zeros(2), Tensor.zeros(1)));
    assertShapeError("powBackward", "[2]", "[1]",
        () -> TensorAdjoints.powBackward(Tensor.zeros(2), 2, Tensor.zeros(1)));
  }

  // ---- matrix products and indexing ------------------------------------------------------------

  @Test
  void matmulBackwardForEveryBatchingForm() {
    int[][][] cases = {
      {{3, 4}, {4, 2}},
      {{1, 1}, {1, 1}},
      {{2, 3, 4}, {2, 4, 2}},
      {{2, 3, 4}, {4, 2}},
      {{3, 4}, {2, 4, 2}},
      {{1, 3, 4}, {3, 4, 2}},
      {{3, 3, 4}, {1, 4, 2}},
      {{1, 3, 4}, {1, 4, 2}},
    };
    long seed = 1100;
    for (int[][] c : cases) {
      Tensor a = normal(seed++, c[0]);
      Tensor b = normal(seed++, c[1]);
      Tensor w = normal(seed++, a.matmul(b).shape());
      checkGradient("matmul " + Arrays.toString(c[0]) + " . " + Arrays.toString(c[1]),
          p -> weighted(p[0].matmul(p[1]), w), new Tensor[] {a, b},
          TensorAdjoints.matmulBackwardA(w, b, c[0]), TensorAdjoints.matmulBackwardB(a, w, c[1]));
    }
  }

  @Test
  void matmulAdjointsMatchTheTransposedProducts() {
    Tensor a = normal(1, 5, 3);
    Tensor b = normal(2, 3, 4);
    Tensor dc = normal(3, 5, 4);
    assertEquals(dc.matmulTransposedB(b), TensorAdjoints.matmulBackwardA(dc, b, a.shape()));
    assertEquals(a.transposedMatmul(dc), TensorAdjoints.matmulBackwardB(a, dc, b.shape()));
    // a 3-D activation times a weight matrix: dW sums over the batch in one folded product
    Tensor x = normal(4, 6, 5, 3);
    Tensor dy = normal(5, 6, 5, 4);
    Tensor folded = TensorAdjoints.matmulBackwardB(x, dy, b.shape());
    Tensor summed = x.transposedMatmul(dy).sum(0, false);
    assertTrue(summed.allClose(folded, 1e-12, 1e-12));
    assertShapeError("matmulBackwardA", "[5, 4]", "[5, 2]",
        () -> TensorAdjoints.matmulBackwardA(dc, b, new int[] {5, 2}));
  }

  @Test
  void getBackwardIsOneHot() {
    Tensor x = normal(1, 2, 3);
    checkGradient("get", p -> 3 * p[0].get(1, -1), new Tensor[] {x},
        TensorAdjoints.getBackward(3, new int[] {2, 3}, 1, -1));
    assertTensor(TensorAdjoints.getBackward(2, new int[] {2, 2}, 0, 1),
        new double[] {0, 2, 0, 0}, 2, 2);
  }

  @Test
  void adjointsDoNotModifyTheirInputs() {
    Tensor x = normal(1, 2, 3);
    Tensor y = x.softmax(1);
    Tensor dy = normal(2, 2, 3);
    double[] xs = x.toArray();
    double[] ys = y.toArray();
    double[] dys = dy.toArray();
    TensorAdjoints.softmaxBackward(y, dy, 1);
    TensorAdjoints.tanhBackward(y, dy);
    TensorAdjoints.reduceTo(dy, new int[] {3});
    TensorAdjoints.reduceToNegated(dy, new int[] {2, 3});
    TensorAdjoints.maxBackward(x, dy.sum(0, true), 0, true);
    TensorAdjoints.logSumExpBackward(x, dy.sum(1, false), 1, false);
    TensorAdjoints.softmaxCrossEntropyBackward(x, y, 1);
    TensorAdjoints.mseBackward(x, y, 1);
    TensorAdjoints.matmulBackwardA(dy, x, new int[] {2, 2});
    assertArrayEquals(xs, x.toArray());
    assertArrayEquals(ys, y.toArray());
    assertArrayEquals(dys, dy.toArray());
  }
}
