package dev.adjoint.tensor.kernel;

import static dev.adjoint.tensor.kernel.Elementwise.D0;
import static dev.adjoint.tensor.kernel.Elementwise.D1;
import static dev.adjoint.tensor.kernel.Elementwise.D2;
import static dev.adjoint.tensor.kernel.Elementwise.E10;
import static dev.adjoint.tensor.kernel.Elementwise.E11;
import static dev.adjoint.tensor.kernel.Elementwise.E12;
import static dev.adjoint.tensor.kernel.Elementwise.E13;
import static dev.adjoint.tensor.kernel.Elementwise.E2;
import static dev.adjoint.tensor.kernel.Elementwise.E3;
import static dev.adjoint.tensor.kernel.Elementwise.E4;
import static dev.adjoint.tensor.kernel.Elementwise.E5;
import static dev.adjoint.tensor.kernel.Elementwise.E6;
import static dev.adjoint.tensor.kernel.Elementwise.E7;
import static dev.adjoint.tensor.kernel.Elementwise.E8;
import static dev.adjoint.tensor.kernel.Elementwise.E9;
import static dev.adjoint.tensor.kernel.Elementwise.INV_LN2;
import static dev.adjoint.tensor.kernel.Elementwise.LN2_HI;
import static dev.adjoint.tensor.kernel.Elementwise.LN2_LO;
import static dev.adjoint.tensor.kernel.Elementwise.LOWEST;
import static dev.adjoint.tensor.kernel.Elementwise.Q1;
import static dev.adjoint.tensor.kernel.Elementwise.Q2;
import static dev.adjoint.tensor.kernel.Elementwise.Q3;
import static dev.adjoint.tensor.kernel.Elementwise.SHIFT;
import static dev.adjoint.tensor.kernel.Elementwise.SMALL;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Elementwise#tanh(double)} on {@link DoubleVector}s: the exponential branch is computed for
 * every lane, then the lanes with |x| below {@link Elementwise#SMALL} are replaced by the rational
 * branch. Every lane performs exactly the scalar code's operations, so the results are bitwise
 * those of the scalar code (NaN payloads aside); the tail is left to it.
 *
 * <p><b>This class links against {@code jdk.incubator.vector}</b>: nothing may touch it unless
 * that module is in the boot layer. {@link Elementwise} loads it reflectively after checking.
 */
final class VectorElementwise implements Elementwise.Kernel {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final VectorSpecies<Long> LS = VectorSpecies.of(long.class, S.vectorShape());

  static final VectorElementwise INSTANCE = new VectorElementwise();

  private VectorElementwise() {
    if (L < 2) {
      throw new IllegalStateException("no SIMD: preferred double species has " + L + " lane");
    }
  }

  /**
   * Four short passes over y, each its own method: C2 keeps vectors in registers only if it
   * inlines and intrinsifies every Vector API call of the loop, and a long loop body exceeds its
   * budgets: one loop doing both branches hit NodeCountInliningCutoff, and the exponential alone
   * (about 40 calls) was boxed in every iteration once the matmul kernel had run in the same JVM.
   * Hence also no helper methods taking or returning vectors. y must not overlap x (every pass
   * reads x). Each pass streams x and y; for the MLP's 128 × 256 tensors (256 kB) they stay in
   * cache between passes.
   */
  @Override
  public void tanh(double[] xs, int xOffset, double[] ys, int yOffset, int n) {
    int bound = S.loopBound(n);
    large(xs, xOffset, ys, yOffset, bound);
    exp(xs, xOffset, ys, yOffset, bound);
    quotient(xs, xOffset, ys, yOffset, bound);
    small(xs, xOffset, ys, yOffset, bound);
    for (int i = bound; i < n; i++) {
      ys[yOffset + i] = Elementwise.tanh(xs[xOffset + i]);
    }
  }

  /**
   * Every lane as if |x| >= SMALL, first the upper half of exp(r)'s Taylor polynomial in Horner
   * form (E13 down to E7), where y = max(-2|x|, LOWEST) = n·ln2 + r.
   */
  private static void large(double[] xs, int xOffset, double[] ys, int yOffset, int bound) {
    for (int i = 0; i < bound; i += L) {
      DoubleVector x = DoubleVector.fromArray(S, xs, xOffset + i);
      DoubleVector y = x.abs().mul(-2.0).max(LOWEST);
      DoubleVector nd = y.mul(INV_LN2).add(SHIFT).sub(SHIFT);
      DoubleVector r = y.sub(nd.mul(LN2_HI)).sub(nd.mul(LN2_LO));
      DoubleVector p = r.mul(E13).add(E12);
      p = p.mul(r).add(E11);
      p = p.mul(r).add(E10);
      p = p.mul(r).add(E9);
      p = p.mul(r).add(E8);
      p = p.mul(r).add(E7);
      p.intoArray(ys, yOffset + i);
    }
  }

  /**
   * y = the upper half of the polynomial becomes e = 2^n·exp(r): r and n recomputed from x, the
   * rest of the polynomial, 2^n from the exponent bits.
   */
  private static void exp(double[] xs, int xOffset, double[] ys, int yOffset, int bound) {
    for (int i = 0; i < bound; i += L) {
      DoubleVector x = DoubleVector.fromArray(S, xs, xOffset + i);
      DoubleVector y = x.abs().mul(-2.0).max(LOWEST);
      DoubleVector kd = y.mul(INV_LN2).add(SHIFT);
      DoubleVector nd = kd.sub(SHIFT);
      DoubleVector r = y.sub(nd.mul(LN2_HI)).sub(nd.mul(LN2_LO));
      DoubleVector p = DoubleVector.fromArray(S, ys, yOffset + i);
      p = p.mul(r).add(E6);
      p = p.mul(r).add(E5);
      p = p.mul(r).add(E4);
      p = p.mul(r).add(E3);
      p = p.mul(r).add(E2);
      p = p.mul(r).add(1.0);
      p = p.mul(r).add(1.0);
      DoubleVector scale = (DoubleVector) ((LongVector) kd.convertShape(
              VectorOperators.REINTERPRET_D2L, LS, 0))
          .add(1023L).lanewise(VectorOperators.LSHL, 52)
          .convertShape(VectorOperators.REINTERPRET_L2D, S, 0);
      p.mul(scale).intoArray(ys, yOffset + i);
    }
  }

  /** y = e becomes sign(x)·(1 - e) / (1 + e). */
  private static void quotient(double[] xs, int xOffset, double[] ys, int yOffset, int bound) {
    for (int i = 0; i < bound; i += L) {
      DoubleVector e = DoubleVector.fromArray(S, ys, yOffset + i);
      DoubleVector t = e.neg().add(1.0).div(e.add(1.0)); // (1 - e) / (1 + e), bit for bit
      t.blend(t.neg(), DoubleVector.fromArray(S, xs, xOffset + i).compare(VectorOperators.LT, 0.0))
          .intoArray(ys, yOffset + i);
    }
  }

  /** Replaces the lanes with |x| < SMALL by x·(1 + z·D(z)/Q(z)), z = x². */
  private static void small(double[] xs, int xOffset, double[] ys, int yOffset, int bound) {
    for (int i = 0; i < bound; i += L) {
      DoubleVector x = DoubleVector.fromArray(S, xs, xOffset + i);
      VectorMask<Double> small = x.abs().compare(VectorOperators.LT, SMALL);
      DoubleVector z = x.mul(x);
      DoubleVector ds = z.mul(D2).add(D1).mul(z).add(D0);
      DoubleVector qs = z.mul(Q3).add(Q2).mul(z).add(Q1).mul(z).add(1.0);
      DoubleVector.fromArray(S, ys, yOffset + i).blend(x.mul(z.mul(ds).div(qs).add(1.0)), small)
          .intoArray(ys, yOffset + i);
    }
  }
}
