package dev.adjoint.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast kernel: a 6 × (2·lanes) register tile of {@link DoubleVector}s with the platform's
 * preferred species (6×16 with AVX-512, 6×8 with AVX2), fed from packed, cache-blocked panels.
 * Per step of the shared dimension it loads two vectors of B, broadcasts six values of A and
 * issues twelve independent fused multiply-adds into twelve accumulator registers, enough to
 * cover the FMA latency on current x86 and ARM cores.
 *
 * <p>The shape of this code is dictated by HotSpot (JDK 17) and was measured, not guessed:
 * <ul>
 *   <li>Vector objects are only kept in registers when C2 inlines every Vector API call of the
 *       method; past its inlining node budget it boxes them and the kernel runs 5–7× slower.
 *       Tiles with 24 accumulators (8×24, 12×16) exceed that budget, and so does a micro-kernel
 *       that also adds into C; adding into C is therefore done by {@link #addTile}, separately.
 *   <li>C2 does not always unroll the k-loop itself (depending on the profile when it compiles),
 *       and the loop then runs about 15% slower; it is unrolled twice by hand.
 *   <li>The method is too large to be inlined into the blocked driver, so it is compiled alone.
 * </ul>
 *
 * <p><b>This class links against {@code jdk.incubator.vector}</b>: nothing may touch it unless
 * that module is in the boot layer. {@link MatMul} loads it reflectively after checking.
 */
final class VectorKernel extends Kernel {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  static final VectorKernel INSTANCE = new VectorKernel();

  private VectorKernel() {
    super(6, 2 * L, 256, 96, 2048);
    if (L < 2) {
      throw new IllegalStateException("no SIMD: preferred double species has " + L + " lane");
    }
  }

  @Override
  String name() {
    return "vector (jdk.incubator.vector " + S.vectorBitSize() + "-bit, " + mr + "x" + nr
        + " register tile, packed)";
  }

  @Override
  void micro(int kc, double[] ap, int ai, double[] bp, int bi,
      double[] c, int ci, int ldc) {
    DoubleVector z = DoubleVector.zero(S);
    DoubleVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
    DoubleVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
    int p = 0;
    // unrolled twice by hand: HotSpot does not always unroll this loop itself, and then
    // runs it about 15% slower
    for (; p + 1 < kc; p += 2, ai += 12, bi += 4 * L) {
      DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
      DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
      DoubleVector a;
      a = DoubleVector.broadcast(S, ap[ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, ap[ai + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, ap[ai + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, ap[ai + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, ap[ai + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, ap[ai + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      b0 = DoubleVector.fromArray(S, bp, bi + 2 * L);
      b1 = DoubleVector.fromArray(S, bp, bi + 3 * L);
      a = DoubleVector.broadcast(S, ap[ai + 6]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, ap[ai + 7]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, ap[ai + 8]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, ap[ai + 9]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, ap[ai + 10]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, ap[ai + 11]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    if (p < kc) {
      DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
      DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
      DoubleVector a;
      a = DoubleVector.broadcast(S, ap[ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, ap[ai + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, ap[ai + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, ap[ai + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, ap[ai + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, ap[ai + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci += ldc);
    c11.intoArray(c, ci + L);
    c20.intoArray(c, ci += ldc);
    c21.intoArray(c, ci + L);
    c30.intoArray(c, ci += ldc);
    c31.intoArray(c, ci + L);
    c40.intoArray(c, ci += ldc);
    c41.intoArray(c, ci + L);
    c50.intoArray(c, ci += ldc);
    c51.intoArray(c, ci + L);
  }

  @Override
  void microStrided(int kc, double[] ap, int ai, int ars, int aps, double[] bp, int bi, int bps,
      double[] c, int ci, int ldc) {
    DoubleVector z = DoubleVector.zero(S);
    DoubleVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
    DoubleVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
    // offsets of the sliver's rows 1..5 from row 0
    int r1 = ars, r2 = 2 * ars, r3 = 3 * ars, r4 = 4 * ars, r5 = 5 * ars;
    int p = 0;
    // unrolled twice by hand: HotSpot does not always unroll this loop itself, and then
    // runs it about 15% slower
    for (; p + 1 < kc; p += 2, ai += 2 * aps, bi += 2 * bps) {
      DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
      DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
      DoubleVector a;
      a = DoubleVector.broadcast(S, ap[ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, ap[ai + r1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, ap[ai + r2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, ap[ai + r3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, ap[ai + r4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, ap[ai + r5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      int bj = bi + bps;
      int aj = ai + aps;
      b0 = DoubleVector.fromArray(S, bp, bj);
      b1 = DoubleVector.fromArray(S, bp, bj + L);
      a = DoubleVector.broadcast(S, ap[aj]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, ap[aj + r1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, ap[aj + r2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, ap[aj + r3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, ap[aj + r4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, ap[aj + r5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    if (p < kc) {
      DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
      DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
      DoubleVector a;
      a = DoubleVector.broadcast(S, ap[ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = DoubleVector.broadcast(S, ap[ai + r1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = DoubleVector.broadcast(S, ap[ai + r2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = DoubleVector.broadcast(S, ap[ai + r3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = DoubleVector.broadcast(S, ap[ai + r4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = DoubleVector.broadcast(S, ap[ai + r5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci += ldc);
    c11.intoArray(c, ci + L);
    c20.intoArray(c, ci += ldc);
    c21.intoArray(c, ci + L);
    c30.intoArray(c, ci += ldc);
    c31.intoArray(c, ci + L);
    c40.intoArray(c, ci += ldc);
    c41.intoArray(c, ci + L);
    c50.intoArray(c, ci += ldc);
    c51.intoArray(c, ci + L);
  }

  @Override
  void addTile(double[] tile, double[] c, int ci, int ldc) {
    for (int r = 0, tr = 0; r < 6; r++, tr += 2 * L, ci += ldc) {
      DoubleVector.fromArray(S, c, ci).add(DoubleVector.fromArray(S, tile, tr)).intoArray(c, ci);
      DoubleVector.fromArray(S, c, ci + L).add(DoubleVector.fromArray(S, tile, tr + L))
          .intoArray(c, ci + L);
    }
  }
}
