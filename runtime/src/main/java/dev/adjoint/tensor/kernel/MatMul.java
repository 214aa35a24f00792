package dev.adjoint.tensor.kernel;

/**
 * General matrix multiply on row-major {@code double} arrays, the hot path of every tensor
 * program: {@code C = op(A) · op(B)} (or {@code C += ...}), where {@code op(X)} is X or its
 * transpose, read in place (no transposed copy is made).
 *
 * <p>This is the reference implementation; the fast kernels replace its body.
 */
public final class MatMul {
  private MatMul() {}

  /**
   * @param transA use Aᵀ: A is stored k×m (leading dimension lda ≥ m) instead of m×k (lda ≥ k)
   * @param transB use Bᵀ: B is stored n×k (ldb ≥ k) instead of k×n (ldb ≥ n)
   * @param m rows of C
   * @param n columns of C
   * @param k the shared dimension
   * @param accumulate add into C instead of overwriting it
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double x = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
          double y = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
          s += x * y;
        }
        int at = cOffset + i * ldc + j;
        c[at] = accumulate ? c[at] + s : s;
      }
    }
  }
}
