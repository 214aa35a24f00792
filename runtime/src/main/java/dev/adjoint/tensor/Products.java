package dev.adjoint.tensor;

import dev.adjoint.tensor.kernel.MatMul;

/**
 * Batched matrix products on top of {@link MatMul#gemm}. An operand is a matrix (rank 2) or a
 * stack of matrices (rank 3, {@code [batch, rows, cols]}); a matrix or a stack of one is reused
 * for every batch entry of the other operand. Transposed operands are read in place.
 */
final class Products {
  private Products() {}

  /** Where the matrices of a product are and how big they are. */
  private record Geometry(
      boolean batched, int batch, int m, int n, int k, int lda, int ldb, int aStride,
      int bStride) {}

  private static Geometry geometry(String op, int[] a, boolean ta, int[] b, boolean tb) {
    if (a.length < 2 || a.length > 3 || b.length < 2 || b.length > 3) {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(a) + " and " + Shapes.str(b)
              + ": operands must have rank 2 (a matrix) or 3 (a batch of matrices)");
    }
    int ar = a[a.length - 2];
    int ac = a[a.length - 1];
    int br = b[b.length - 2];
    int bc = b[b.length - 1];
    int m = ta ? ac : ar;
    int k = ta ? ar : ac;
    int kb = tb ? bc : br;
    int n = tb ? br : bc;
    if (k != kb) {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(a) + " and " + Shapes.str(b)
              + " do not match: inner dimensions " + k + " and " + kb + " differ");
    }
    int ba = a.length == 3 ? a[0] : 1;
    int bb = b.length == 3 ? b[0] : 1;
    int batch;
    if (ba == bb || bb == 1) {
      batch = ba;
    } else if (ba == 1) {
      batch = bb;
    } else {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(a) + " and " + Shapes.str(b) + ": batch dimensions "
              + ba + " and " + bb + " do not broadcast");
    }
    return new Geometry(a.length == 3 || b.length == 3, batch, m, n, k, ac, bc,
        ba == 1 ? 0 : ar * ac, bb == 1 ? 0 : br * bc);
  }

  /** {@code op(a) · op(b)}, batched; shape {@code [m, n]} or {@code [batch, m, n]}. */
  static Tensor product(String op, Tensor a, boolean ta, Tensor b, boolean tb) {
    Geometry g = geometry(op, a.shape, ta, b.shape, tb);
    int mn = g.m * g.n;
    double[] c = new double[Math.multiplyExact(g.batch, mn)];
    if (mn > 0 && g.k > 0) {
      for (int i = 0; i < g.batch; i++) {
        MatMul.gemm(ta, tb, g.m, g.n, g.k, a.data, i * g.aStride, g.lda, b.data, i * g.bStride,
            g.ldb, c, i * mn, g.n, false);
      }
    }
    int[] shape = g.batched ? new int[] {g.batch, g.m, g.n} : new int[] {g.m, g.n};
    return Tensor.wrap(c, shape);
  }

  /**
   * {@code op(x) · op(y)} summed over the batch down to {@code target}, which is the product's
   * shape or that shape with the batch reduced ({@code [m, n]} or {@code [1, m, n]}): the adjoint
   * of a matrix operand that was broadcast over a batch. Accumulates in the kernel instead of
   * materialising every batch entry.
   */
  static Tensor productReducedTo(
      String op, Tensor x, boolean tx, Tensor y, boolean ty, int[] target) {
    Geometry g = geometry(op, x.shape, tx, y.shape, ty);
    boolean fits;
    boolean reduce;
    if (target.length == 2) {
      fits = target[0] == g.m && target[1] == g.n;
      reduce = true;
    } else if (target.length == 3) {
      fits = target[1] == g.m && target[2] == g.n && (target[0] == g.batch || target[0] == 1);
      reduce = target[0] != g.batch;
    } else {
      fits = false;
      reduce = false;
    }
    if (!fits) {
      int[] product = g.batched ? new int[] {g.batch, g.m, g.n} : new int[] {g.m, g.n};
      throw new IllegalArgumentException(
          op + ": product of shapes " + Shapes.str(x.shape) + " and " + Shapes.str(y.shape)
              + " has shape " + Shapes.str(product) + ", which does not reduce to "
              + Shapes.str(target));
    }
    if (!reduce) {
      return Tensor.wrap(product(op, x, tx, y, ty).data, target.clone());
    }
    int mn = g.m * g.n;
    double[] c = new double[mn];
    if (mn > 0 && g.k > 0) {
      if (g.batch > 1 && tx && !ty && g.aStride != 0 && g.bStride != 0) {
        // sum_i X_iᵀ Y_i = [X_0; X_1; ...]ᵀ [Y_0; Y_1; ...]: one product with k' = batch * k
        MatMul.gemm(true, false, g.m, g.n, g.batch * g.k, x.data, 0, g.lda, y.data, 0, g.ldb,
            c, 0, g.n, false);
      } else {
        for (int i = 0; i < g.batch; i++) {
          MatMul.gemm(tx, ty, g.m, g.n, g.k, x.data, i * g.aStride, g.lda, y.data,
              i * g.bStride, g.ldb, c, 0, g.n, i > 0);
        }
      }
    }
    return Tensor.wrap(c, target.clone());
  }
}
