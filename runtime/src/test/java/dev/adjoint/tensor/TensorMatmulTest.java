package dev.adjoint.tensor;

import static dev.adjoint.tensor.TensorTesting.assertClose;
import static dev.adjoint.tensor.TensorTesting.assertMessage;
import static dev.adjoint.tensor.TensorTesting.naiveMatmul;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TensorMatmulTest {

  private static double[] slice(Tensor t, int batch) {
    int[] s = t.shape();
    int mat = s[1] * s[2];
    return Arrays.copyOfRange(t.toArray(), batch * mat, (batch + 1) * mat);
  }

  @Test
  void matrixTimesMatrixMatchesTripleLoop() {
    int[][] dims = {{1, 1, 1}, {2, 3, 4}, {5, 1, 7}, {17, 33, 9}, {64, 64, 64}, {3, 0, 2}};
    long seed = 10;
    for (int[] d : dims) {
      int m = d[0];
      int k = d[1];
      int n = d[2];
      Tensor a = Tensor.randomNormal(seed++, m, k);
      Tensor b = Tensor.randomNormal(seed++, k, n);
      double[] aBefore = a.toArray();
      Tensor c = a.matmul(b);
      assertArrayEquals(new int[] {m, n}, c.shape());
      assertClose(naiveMatmul(a.toArray(), b.toArray(), m, k, n), c.toArray(), 1e-12);
      assertArrayEquals(aBefore, a.toArray());
    }
  }

  @Test
  void batchedMatmulMatchesTripleLoopPerBatch() {
    Tensor a = Tensor.randomNormal(1, 4, 3, 5);
    Tensor b = Tensor.randomNormal(2, 4, 5, 2);
    Tensor c = a.matmul(b);
    assertArrayEquals(new int[] {4, 3, 2}, c.shape());
    for (int i = 0; i < 4; i++) {
      assertClose(naiveMatmul(slice(a, i), slice(b, i), 3, 5, 2), slice(c, i), 1e-12);
    }
  }

  @Test
  void batchTimesMatrixAndMatrixTimesBatchBroadcastTheMatrix() {
    Tensor a = Tensor.randomNormal(3, 4, 3, 5);
    Tensor w = Tensor.randomNormal(4, 5, 2);
    Tensor c = a.matmul(w);
    assertArrayEquals(new int[] {4, 3, 2}, c.shape());
    for (int i = 0; i < 4; i++) {
      assertClose(naiveMatmul(slice(a, i), w.toArray(), 3, 5, 2), slice(c, i), 1e-12);
    }
    Tensor m = Tensor.randomNormal(5, 3, 5);
    Tensor bs = Tensor.randomNormal(6, 4, 5, 2);
    Tensor d = m.matmul(bs);
    assertArrayEquals(new int[] {4, 3, 2}, d.shape());
    for (int i = 0; i < 4; i++) {
      assertClose(naiveMatmul(m.toArray(), slice(bs, i), 3, 5, 2), slice(d, i), 1e-12);
    }
    Tensor one = Tensor.randomNormal(7, 1, 3, 5);
    Tensor e = one.matmul(bs);
    assertArrayEquals(new int[] {4, 3, 2}, e.shape());
    assertClose(m.reshape(1, 3, 5).add(0).matmul(bs).toArray(), m.matmul(bs).toArray(), 0);
    assertClose(naiveMatmul(one.toArray(), slice(bs, 3), 3, 5, 2), slice(e, 3), 1e-12);
  }

  @Test
  void transposedProductsReadTransposesInPlace() {
    Tensor a = Tensor.randomNormal(1, 6, 4);
    Tensor b = Tensor.randomNormal(2, 5, 4);
    assertClose(a.matmul(b.transpose()).toArray(), a.matmulTransposedB(b).toArray(), 1e-12);
    assertArrayEquals(new int[] {6, 5}, a.matmulTransposedB(b).shape());
    Tensor c = Tensor.randomNormal(3, 6, 3);
    assertClose(a.transpose().matmul(c).toArray(), a.transposedMatmul(c).toArray(), 1e-12);
    assertArrayEquals(new int[] {4, 3}, a.transposedMatmul(c).shape());

    Tensor a3 = Tensor.randomNormal(4, 2, 6, 4);
    Tensor b3 = Tensor.randomNormal(5, 2, 5, 4);
    assertClose(a3.matmul(b3.transpose()).toArray(), a3.matmulTransposedB(b3).toArray(), 1e-12);
    Tensor c3 = Tensor.randomNormal(6, 2, 6, 3);
    assertClose(a3.transpose().matmul(c3).toArray(), a3.transposedMatmul(c3).toArray(), 1e-12);
  }

  @Test
  void shapeErrorsNameBothShapes() {
    Tensor a = Tensor.zeros(2, 3);
    assertMessage("matmul: shapes [2, 3] and [4, 5] do not match: inner dimensions 3 and 4"
        + " differ", () -> a.matmul(Tensor.zeros(4, 5)));
    assertMessage("matmul: shapes [3] and [3, 4]: operands must have rank 2 (a matrix) or 3"
        + " (a batch of matrices)", () -> Tensor.zeros(3).matmul(Tensor.zeros(3, 4)));
    assertMessage("matmul: shapes [2, 2, 3] and [3, 3, 4]: batch dimensions 2 and 3 do not"
        + " broadcast", () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)));
    assertMessage("matmulTransposedB: shapes [2, 3] and [3, 2] do not match: inner dimensions"
        + " 3 and 2 differ", () -> a.matmulTransposedB(Tensor.zeros(3, 2)));
    assertMessage("transposedMatmul: shapes [2, 3] and [3, 2] do not match: inner dimensions"
        + " 2 and 3 differ", () -> a.transposedMatmul(Tensor.zeros(3, 2)));
  }

  @Test
  void emptyInnerDimensionGivesZeros() {
    Tensor c = Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3));
    assertEquals(Tensor.zeros(2, 3), c);
  }
}
