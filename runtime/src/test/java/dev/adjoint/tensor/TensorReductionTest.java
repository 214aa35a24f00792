package dev.adjoint.tensor;

import static dev.adjoint.tensor.TensorTesting.assertClose;
import static dev.adjoint.tensor.TensorTesting.assertMessage;
import static dev.adjoint.tensor.TensorTesting.assertShapeError;
import static dev.adjoint.tensor.TensorTesting.assertTensor;
import static dev.adjoint.tensor.TensorTesting.indices;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorReductionTest {

  private static final int[][] SHAPES = {{5}, {3, 4}, {2, 3, 4}, {2, 3, 1, 4}};

  /** Naive reduction over one axis: kind 0 = sum, 1 = mean, 2 = max, 3 = logSumExp. */
  private static double[] naive(Tensor x, int axis, int kind) {
    int[] s = x.shape();
    int[] r = s.clone();
    r[axis] = 1;
    int[][] outs = indices(r);
    double[] y = new double[outs.length];
    for (int o = 0; o < outs.length; o++) {
      int[] idx = outs[o].clone();
      double acc = kind == 2 ? Double.NEGATIVE_INFINITY : 0;
      double m = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < s[axis]; k++) {
        idx[axis] = k;
        m = Math.max(m, x.get(idx));
      }
      for (int k = 0; k < s[axis]; k++) {
        idx[axis] = k;
        double v = x.get(idx);
        acc = switch (kind) {
          case 2 -> Math.max(acc, v);
          case 3 -> acc + Math.exp(v - m);
          default -> acc + v;
        };
      }
      y[o] = switch (kind) {
        case 1 -> acc / s[axis];
        case 3 -> m + Math.log(acc);
        default -> acc;
      };
    }
    return y;
  }

  private static int[] reducedShape(int[] s, int axis, boolean keepDims) {
    if (keepDims) {
      int[] r = s.clone();
      r[axis] = 1;
      return r;
    }
    int[] r = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i != axis) {
        r[j++] = s[i];
      }
    }
    return r;
  }

  @Test
  void reductionsOverEveryAxisWithAndWithoutKeepDims() {
    long seed = 100;
    for (int[] s : SHAPES) {
      Tensor x = Tensor.randomNormal(seed++, s);
      double[] before = x.toArray();
      for (int axis = 0; axis < s.length; axis++) {
        for (boolean keep : new boolean[] {true, false}) {
          int[] expectedShape = reducedShape(s, axis, keep);
          int negative = axis - s.length;
          Tensor[] sums = {x.sum(axis, keep), x.sum(negative, keep)};
          Tensor[] means = {x.mean(axis, keep), x.mean(negative, keep)};
          Tensor[] maxes = {x.max(axis, keep), x.max(negative, keep)};
          Tensor[] lses = {x.logSumExp(axis, keep), x.logSumExp(negative, keep)};
          for (int i = 0; i < 2; i++) {
            assertArrayEquals(expectedShape, sums[i].shape());
            assertArrayEquals(expectedShape, means[i].shape());
            assertArrayEquals(expectedShape, maxes[i].shape());
            assertArrayEquals(expectedShape, lses[i].shape());
            assertClose(naive(x, axis, 0), sums[i].toArray(), 1e-12);
            assertClose(naive(x, axis, 1), means[i].toArray(), 1e-12);
            assertClose(naive(x, axis, 2), maxes[i].toArray(), 0);
            assertClose(naive(x, axis, 3), lses[i].toArray(), 1e-12);
          }
        }
      }
      assertArrayEquals(before, x.toArray());
    }
  }

  @Test
  void allElementReductionsReturnDoubles() {
    Tensor x = Tensor.of(new double[] {1, -2, 7, 4}, 2, 2);
    assertEquals(10.0, x.sum());
    assertEquals(2.5, x.mean());
    assertEquals(7.0, x.max());
    assertEquals(3.0, Tensor.scalar(3).max());
    assertTrue(Double.isNaN(Tensor.vector(1, Double.NaN, 3).max()));
    assertMessage("max: shape [0] has no elements", () -> Tensor.zeros(0).max());
    assertMessage("max: axis 1 of shape [2, 0] is empty", () -> Tensor.zeros(2, 0).max(1, true));
    assertMessage("sum: axis 2 is out of range for shape [2, 2] (rank 2)", () -> x.sum(2, true));
    assertMessage("sum: axis 0 is out of range for shape [] (rank 0)",
        () -> Tensor.scalar(1).sum(0, true));
  }

  @Test
  void softmaxSumsToOneAlongItsAxis() {
    Tensor x = Tensor.randomNormal(3, 2, 3, 4);
    for (int axis = 0; axis < 3; axis++) {
      Tensor y = x.softmax(axis);
      assertArrayEquals(x.shape(), y.shape());
      Tensor sums = y.sum(axis, false);
      assertTrue(sums.allClose(Tensor.ones(sums.shape()), 1e-12, 1e-12));
      // softmax = exp(x - logSumExp(x))
      Tensor expected = x.sub(x.logSumExp(axis, true)).exp();
      assertTrue(expected.allClose(y, 1e-12, 1e-15));
    }
    assertEquals(x.softmax(2), x.softmax(-1));
  }

  @Test
  void softmaxAndLogSumExpAreStableForLargeInputs() {
    Tensor x = Tensor.vector(1000, 1001, 1002);
    Tensor y = x.softmax(0);
    double z = 1 + Math.exp(-1) + Math.exp(-2);
    assertClose(new double[] {Math.exp(-2) / z, Math.exp(-1) / z, 1 / z}, y.toArray(), 1e-14);
    assertEquals(1002 + Math.log(z), x.logSumExp(0, false).item(), 1e-12);
    Tensor small = Tensor.vector(-1000, -1001, -1002);
    assertEquals(-1000 + Math.log(z), small.logSumExp(0, false).item(), 1e-12);
    assertClose(new double[] {1 / z, Math.exp(-1) / z, Math.exp(-2) / z},
        small.softmax(0).toArray(), 1e-14);
    Tensor rows = Tensor.of(new double[] {1000, 0, -1000, 0}, 2, 2);
    assertTensor(rows.logSumExp(1, true), new double[] {1000, Math.log(1 + Math.exp(-1000))},
        2, 1);
    assertEquals(Double.NEGATIVE_INFINITY,
        Tensor.vector(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY)
            .logSumExp(0, false).item());
    assertEquals(Double.POSITIVE_INFINITY,
        Tensor.vector(1, Double.POSITIVE_INFINITY).logSumExp(0, false).item());
  }

  // ---- losses ----------------------------------------------------------------------------------

  @Test
  void softmaxCrossEntropyWithIndicesAndOneHotMatchesHandComputation() {
    double[] z = {1, 2, 3, 0.5, -1, 0};
    Tensor logits = Tensor.of(z, 2, 3);
    double lse0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    double lse1 = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(0));
    double expected = ((lse0 - 3) + (lse1 - 0.5)) / 2;
    assertEquals(expected, Tensor.softmaxCrossEntropy(logits, Tensor.vector(2, 0)), 1e-14);
    Tensor oneHot = Tensor.of(new double[] {0, 0, 1, 1, 0, 0}, 2, 3);
    assertEquals(expected, Tensor.softmaxCrossEntropy(logits, oneHot), 1e-14);
    Tensor probs = Tensor.of(new double[] {0.2, 0.3, 0.5, 0.6, 0.4, 0}, 2, 3);
    double soft = (0.2 * (lse0 - 1) + 0.3 * (lse0 - 2) + 0.5 * (lse0 - 3)
        + 0.6 * (lse1 - 0.5) + 0.4 * (lse1 + 1)) / 2;
    assertEquals(soft, Tensor.softmaxCrossEntropy(logits, probs), 1e-14);
  }

  @Test
  void softmaxCrossEntropyIsStableForLargeLogits() {
    Tensor logits = Tensor.of(new double[] {1000, 0, -1000, 1000}, 2, 2);
    double loss = Tensor.softmaxCrossEntropy(logits, Tensor.vector(1, 1));
    assertEquals(1000 / 2.0, loss, 1e-9);
  }

  @Test
  void softmaxCrossEntropyChecksShapesAndIndices() {
    Tensor logits = Tensor.zeros(4, 3);
    assertShapeError("softmaxCrossEntropy", "[4, 3]", "[5]",
        () -> Tensor.softmaxCrossEntropy(logits, Tensor.zeros(5)));
    assertShapeError("softmaxCrossEntropy", "[4, 3]", "[4, 2]",
        () -> Tensor.softmaxCrossEntropy(logits, Tensor.zeros(4, 2)));
    assertShapeError("softmaxCrossEntropy", "[3]", "[3]",
        () -> Tensor.softmaxCrossEntropy(Tensor.zeros(3), Tensor.zeros(3)));
    assertMessage("softmaxCrossEntropy: label 3.0 at batch index 1 is not a class index in"
            + " [0, 3) (logits shape [4, 3], labels shape [4])",
        () -> Tensor.softmaxCrossEntropy(logits, Tensor.vector(0, 3, 0, 0)));
    assertMessage("softmaxCrossEntropy: label 0.5 at batch index 0 is not a class index in"
            + " [0, 3) (logits shape [4, 3], labels shape [4])",
        () -> Tensor.softmaxCrossEntropy(logits, Tensor.vector(0.5, 1, 0, 0)));
  }

  @Test
  void mseIsTheMeanSquaredDifference() {
    Tensor p = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    Tensor t = Tensor.of(new double[] {1, 0, 5, 3}, 2, 2);
    assertEquals((0 + 4 + 4 + 1) / 4.0, Tensor.mse(p, t));
    assertMessage("mse: shapes [2, 2] and [4] differ; they must be equal",
        () -> Tensor.mse(p, t.reshape(4)));
  }
}
