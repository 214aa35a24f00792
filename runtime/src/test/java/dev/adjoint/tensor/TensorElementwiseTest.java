package dev.adjoint.tensor;

import static dev.adjoint.tensor.TensorTesting.assertClose;
import static dev.adjoint.tensor.TensorTesting.assertMessage;
import static dev.adjoint.tensor.TensorTesting.assertTensor;
import static dev.adjoint.tensor.TensorTesting.broadcastGet;
import static dev.adjoint.tensor.TensorTesting.indices;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TensorElementwiseTest {

  /** Pairs of shapes that broadcast, with the expected result shape: every operand position. */
  static final int[][][] BROADCAST_CASES = {
    {{2, 3}, {2, 3}, {2, 3}},
    {{2, 3}, {}, {2, 3}},
    {{}, {2, 3}, {2, 3}},
    {{2, 3}, {1}, {2, 3}},
    {{1}, {2, 3}, {2, 3}},
    {{2, 3}, {3}, {2, 3}},
    {{3}, {2, 3}, {2, 3}},
    {{2, 3}, {1, 3}, {2, 3}},
    {{1, 3}, {2, 3}, {2, 3}},
    {{2, 3}, {2, 1}, {2, 3}},
    {{2, 1}, {2, 3}, {2, 3}},
    {{2, 1}, {1, 3}, {2, 3}},
    {{1, 3}, {2, 1}, {2, 3}},
    {{4, 2, 3}, {3}, {4, 2, 3}},
    {{3}, {4, 2, 3}, {4, 2, 3}},
    {{4, 1, 3}, {2, 1}, {4, 2, 3}},
    {{2, 1}, {4, 1, 3}, {4, 2, 3}},
    {{4, 2, 3}, {4, 1, 1}, {4, 2, 3}},
    {{4, 2, 3}, {1, 2, 1}, {4, 2, 3}},
    {{2, 1, 3, 1}, {5, 1, 4}, {2, 5, 3, 4}},
    {{2, 3, 4, 5}, {3, 1, 5}, {2, 3, 4, 5}},
    {{1, 1}, {3}, {1, 3}},
    {{3}, {1, 1}, {1, 3}},
    {{1}, {1}, {1}},
    {{2, 3}, {1, 1, 1}, {1, 2, 3}},
  };

  private static Tensor sample(long seed, int[] shape) {
    return Tensor.randomUniform(seed, 0.5, 2.0, shape);
  }

  private static void checkBinary(String name, BinaryOperator<Tensor> op, DoubleBinaryOperator f) {
    long seed = 1;
    for (int[][] c : BROADCAST_CASES) {
      Tensor a = sample(seed++, c[0]);
      Tensor b = sample(seed++, c[1]);
      double[] aBefore = a.toArray();
      double[] bBefore = b.toArray();
      Tensor y = op.apply(a, b);
      String what = name + " " + java.util.Arrays.toString(c[0]) + " "
          + java.util.Arrays.toString(c[1]);
      assertArrayEquals(c[2], y.shape(), what);
      int[][] idx = indices(c[2]);
      double[] expected = new double[idx.length];
      for (int i = 0; i < idx.length; i++) {
        expected[i] = f.applyAsDouble(broadcastGet(a, idx[i]), broadcastGet(b, idx[i]));
      }
      assertArrayEquals(expected, y.toArray(), what);
      assertArrayEquals(aBefore, a.toArray(), "operand changed");
      assertArrayEquals(bBefore, b.toArray(), "operand changed");
    }
  }

  @Test
  void addBroadcastsInEveryOperandPosition() {
    checkBinary("add", Tensor::add, (x, y) -> x + y);
  }

  @Test
  void subBroadcastsInEveryOperandPosition() {
    checkBinary("sub", Tensor::sub, (x, y) -> x - y);
  }

  @Test
  void mulBroadcastsInEveryOperandPosition() {
    checkBinary("mul", Tensor::mul, (x, y) -> x * y);
  }

  @Test
  void divBroadcastsInEveryOperandPosition() {
    checkBinary("div", Tensor::div, (x, y) -> x / y);
  }

  /** A random shape that broadcasts to {@code out}: a suffix of it with some dimensions 1. */
  private static int[] stretchable(java.util.SplittableRandom r, int[] out) {
    int rank = r.nextInt(out.length + 1);
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) {
      int o = out[out.length - rank + i];
      s[i] = r.nextInt(3) == 0 ? 1 : o;
    }
    return s;
  }

  @Test
  void randomBroadcastsMatchNaiveIndexingAndReduceToInvertsThem() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(2024);
    for (int trial = 0; trial < 300; trial++) {
      int[] out = new int[r.nextInt(5)];
      for (int i = 0; i < out.length; i++) {
        out[i] = 1 + r.nextInt(4);
      }
      int[] as = stretchable(r, out);
      int[] bs = stretchable(r, out);
      int[] expected = Shapes.broadcast("test", as, bs);
      Tensor a = Tensor.randomNormal(trial, as);
      Tensor b = Tensor.randomNormal(trial + 1000, bs);
      Tensor y = a.mul(b);
      assertArrayEquals(expected, y.shape());
      int[][] idx = indices(expected);
      double[] naive = new double[idx.length];
      for (int i = 0; i < idx.length; i++) {
        naive[i] = broadcastGet(a, idx[i]) * broadcastGet(b, idx[i]);
      }
      assertArrayEquals(naive, y.toArray(), java.util.Arrays.toString(as) + " "
          + java.util.Arrays.toString(bs));
      // reduceTo: every element of the reduced tensor sums the positions that map to it
      Tensor g = Tensor.randomNormal(trial + 2000, expected);
      Tensor reduced = dev.adjoint.runtime.TensorAdjoints.reduceTo(g, as);
      double[] sums = new double[a.size()];
      int[][] aIdx = indices(as);
      for (int i = 0; i < idx.length; i++) {
        for (int j = 0; j < aIdx.length; j++) {
          if (mapsTo(idx[i], aIdx[j], as)) {
            sums[j] += g.toArray()[i];
          }
        }
      }
      TensorTesting.assertClose(sums, reduced.toArray(), 1e-12);
      assertEquals(g.broadcastTo(expected), g);
      assertArrayEquals(a.broadcastTo(expected).toArray(), a.add(Tensor.zeros(expected))
          .toArray());
    }
  }

  private static boolean mapsTo(int[] out, int[] in, int[] inShape) {
    for (int i = 0; i < in.length; i++) {
      int o = out[out.length - in.length + i];
      if ((inShape[i] == 1 ? 0 : o) != in[i]) {
        return false;
      }
    }
    return true;
  }

  @Test
  void scalarOverloads() {
    Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertTensor(x.add(1), new double[] {2, 3, 4, 5, 6, 7}, 2, 3);
    assertTensor(x.sub(1), new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
    assertTensor(x.mul(2), new double[] {2, 4, 6, 8, 10, 12}, 2, 3);
    assertTensor(x.div(4), new double[] {0.25, 0.5, 0.75, 1, 1.25, 1.5}, 2, 3);
    assertEquals(x.add(Tensor.scalar(3)), x.add(3));
    assertEquals(x.div(Tensor.scalar(3)), x.div(3));
    assertEquals(Tensor.scalar(2).sub(x), x.neg().add(2));
  }

  @Test
  void shapeMismatchNamesOperationAndBothShapes() {
    Tensor a = Tensor.zeros(2, 3);
    Tensor b = Tensor.zeros(4);
    assertMessage("add: shapes [2, 3] and [4] do not broadcast", () -> a.add(b));
    assertMessage("sub: shapes [4] and [2, 3] do not broadcast", () -> b.sub(a));
    assertMessage("mul: shapes [2, 3] and [3, 2] do not broadcast",
        () -> a.mul(Tensor.zeros(3, 2)));
    assertMessage("div: shapes [2, 3] and [2, 2, 2] do not broadcast",
        () -> a.div(Tensor.zeros(2, 2, 2)));
    assertMessage("add: shapes [2, 3] and [2] do not broadcast", () -> a.add(Tensor.zeros(2)));
  }

  private static void checkUnary(UnaryOperator<Tensor> op, DoubleUnaryOperator f, double... xs) {
    Tensor x = Tensor.of(xs, xs.length);
    Tensor y = op.apply(x.reshape(1, xs.length)).reshape(xs.length);
    double[] expected = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      expected[i] = f.applyAsDouble(xs[i]);
    }
    assertClose(expected, y.toArray(), 1e-15);
    assertArrayEquals(xs, x.toArray());
  }

  @Test
  void unaryOps() {
    double[] any = {-3, -0.5, 0, 0.25, 2};
    double[] positive = {0.1, 0.5, 1, 2, 9};
    checkUnary(Tensor::neg, v -> -v, any);
    checkUnary(Tensor::exp, Math::exp, any);
    checkUnary(Tensor::log, Math::log, positive);
    checkUnary(Tensor::sqrt, Math::sqrt, positive);
    checkUnary(Tensor::abs, Math::abs, any);
    checkUnary(Tensor::tanh, Math::tanh, any);
    checkUnary(Tensor::sigmoid, v -> 1 / (1 + Math.exp(-v)), any);
    checkUnary(Tensor::relu, v -> Math.max(v, 0), any);
    checkUnary(Tensor::square, v -> v * v, any);
    checkUnary(t -> t.pow(2), v -> v * v, any);
    checkUnary(t -> t.pow(3), v -> v * v * v, any);
    checkUnary(t -> t.pow(1), v -> v, any);
    checkUnary(t -> t.pow(0.5), Math::sqrt, positive);
    checkUnary(t -> t.pow(-1.5), v -> Math.pow(v, -1.5), positive);
  }

  @Test
  void sigmoidIsStableForLargeInputs() {
    Tensor y = Tensor.vector(-1000, -40, 0, 40, 1000).sigmoid();
    double[] v = y.toArray();
    assertEquals(0.0, v[0]);
    assertEquals(Math.exp(-40) / (1 + Math.exp(-40)), v[1], 1e-30);
    assertEquals(0.5, v[2]);
    assertEquals(1.0, v[3]);
    assertEquals(1.0, v[4]);
    for (double d : v) {
      assertTrue(Double.isFinite(d));
    }
  }

  @Test
  void reluKeepsNaN() {
    assertTrue(Double.isNaN(Tensor.scalar(Double.NaN).relu().item()));
  }

  @Test
  void broadcastToStretchesAndChecks() {
    Tensor row = Tensor.vector(1, 2, 3);
    assertTensor(row.broadcastTo(2, 3), new double[] {1, 2, 3, 1, 2, 3}, 2, 3);
    Tensor col = Tensor.of(new double[] {1, 2}, 2, 1);
    assertTensor(col.broadcastTo(2, 3), new double[] {1, 1, 1, 2, 2, 2}, 2, 3);
    assertTensor(Tensor.scalar(7).broadcastTo(2, 2), new double[] {7, 7, 7, 7}, 2, 2);
    assertTensor(col.broadcastTo(2, 2, 2), new double[] {1, 1, 2, 2, 1, 1, 2, 2}, 2, 2, 2);
    assertSame(row, row.broadcastTo(3));
    assertMessage("broadcastTo: shape [3] does not broadcast to [2, 4]",
        () -> row.broadcastTo(2, 4));
    assertMessage("broadcastTo: shape [3] does not broadcast to []", () -> row.broadcastTo());
  }

  @Test
  void reshapeInfersOneDimensionAndChecksSize() {
    Tensor t = Tensor.arange(12);
    assertArrayEquals(new int[] {3, 4}, t.reshape(3, -1).shape());
    assertArrayEquals(new int[] {2, 2, 3}, t.reshape(2, -1, 3).shape());
    assertArrayEquals(t.toArray(), t.reshape(2, 6).toArray());
    assertArrayEquals(new int[0], Tensor.vector(5).reshape().shape());
    assertMessage("reshape: cannot reshape shape [12] (size 12) to [5, -1]",
        () -> t.reshape(5, -1));
    assertMessage("reshape: cannot reshape shape [12] (size 12) to [5, 2] (size 10)",
        () -> t.reshape(5, 2));
    assertMessage("reshape: cannot reshape shape [12] to [-1, -1]: only one dimension may be -1"
        + " and none may be otherwise negative", () -> t.reshape(-1, -1));
  }

  @Test
  void transposeSwapsTheLastTwoAxes() {
    Tensor m = Tensor.arange(6).reshape(2, 3);
    assertTensor(m.transpose(), new double[] {0, 3, 1, 4, 2, 5}, 3, 2);
    Tensor big = Tensor.randomNormal(3, 70, 45);
    Tensor bt = big.transpose();
    for (int i = 0; i < 70; i += 7) {
      for (int j = 0; j < 45; j += 4) {
        assertEquals(big.get(i, j), bt.get(j, i));
      }
    }
    assertEquals(big, bt.transpose());
    Tensor t3 = Tensor.arange(24).reshape(2, 3, 4);
    Tensor t3t = t3.transpose();
    assertArrayEquals(new int[] {2, 4, 3}, t3t.shape());
    for (int[] idx : indices(new int[] {2, 3, 4})) {
      assertEquals(t3.get(idx), t3t.get(idx[0], idx[2], idx[1]));
    }
    Tensor t4 = Tensor.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5);
    Tensor t4t = t4.transpose();
    assertArrayEquals(new int[] {2, 3, 5, 4}, t4t.shape());
    assertEquals(t4.get(1, 2, 3, 4), t4t.get(1, 2, 4, 3));
    assertMessage("transpose: shape [3] has rank 1; transpose needs rank 2 or more",
        () -> Tensor.zeros(3).transpose());
  }
}
