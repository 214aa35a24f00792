package dev.adjoint.tensor.kernel;

/**
 * The portable kernel: plain Java, a 4×4 register tile (16 accumulators in registers, 8 loads
 * per 16 multiply-adds) on packed, cache-blocked panels. Used when the Vector API module is not
 * in the boot layer, or when forced with {@link MatMul#useScalarKernel(boolean)}.
 */
final class ScalarKernel extends Kernel {
  static final ScalarKernel INSTANCE = new ScalarKernel();

  private ScalarKernel() {
    super(4, 4, 256, 128, 1024);
  }

  @Override
  String name() {
    return "scalar (portable Java, 4x4 register tile, packed)";
  }

  @Override
  void micro(int kc, double[] ap, int ai, double[] bp, int bi,
      double[] c, int ci, int ldc) {
    double c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    double c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    double c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    double c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (int p = 0; p < kc; p++, ai += 4, bi += 4) {
      double b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
      double a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    c[ci] = c00; c[ci + 1] = c01; c[ci + 2] = c02; c[ci + 3] = c03;
    ci += ldc;
    c[ci] = c10; c[ci + 1] = c11; c[ci + 2] = c12; c[ci + 3] = c13;
    ci += ldc;
    c[ci] = c20; c[ci + 1] = c21; c[ci + 2] = c22; c[ci + 3] = c23;
    ci += ldc;
    c[ci] = c30; c[ci + 1] = c31; c[ci + 2] = c32; c[ci + 3] = c33;
  }

  @Override
  void microStrided(int kc, double[] ap, int ai, int ars, int aps, double[] bp, int bi, int bps,
      double[] c, int ci, int ldc) {
    double c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    double c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    double c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    double c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    int ar1 = ars, ar2 = 2 * ars, ar3 = 3 * ars;
    for (int p = 0; p < kc; p++, ai += aps, bi += bps) {
      double b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
      double a0 = ap[ai], a1 = ap[ai + ar1], a2 = ap[ai + ar2], a3 = ap[ai + ar3];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    c[ci] = c00; c[ci + 1] = c01; c[ci + 2] = c02; c[ci + 3] = c03;
    ci += ldc;
    c[ci] = c10; c[ci + 1] = c11; c[ci + 2] = c12; c[ci + 3] = c13;
    ci += ldc;
    c[ci] = c20; c[ci + 1] = c21; c[ci + 2] = c22; c[ci + 3] = c23;
    ci += ldc;
    c[ci] = c30; c[ci + 1] = c31; c[ci + 2] = c32; c[ci + 3] = c33;
  }
}
