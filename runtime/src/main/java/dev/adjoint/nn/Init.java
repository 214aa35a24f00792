package dev.adjoint.nn;

import dev.adjoint.tensor.Tensor;

/**
 * Seeded initial weights for a dense layer {@code x.matmul(w)} with {@code w} of shape
 * {@code [fanIn, fanOut]}. Both keep the variance of activations roughly constant from layer to
 * layer; the same seed always gives the same weights. Biases usually start at
 * {@link Tensor#zeros}.
 */
public final class Init {
  private Init() {}

  /**
   * Glorot/Xavier uniform (Glorot and Bengio, 2010), for tanh, sigmoid or linear layers: uniform in
   * {@code [-a, a)} with {@code a = √(6 / (fanIn + fanOut))}, so the variance is
   * {@code 2 / (fanIn + fanOut)}.
   *
   * @return a tensor of shape {@code [fanIn, fanOut]}
   * @throws IllegalArgumentException unless both fans are positive
   */
  public static Tensor xavier(long seed, int fanIn, int fanOut) {
    check("xavier", fanIn, fanOut);
    double a = Math.sqrt(6.0 / ((double) fanIn + fanOut));
    return Tensor.randomUniform(seed, -a, a, fanIn, fanOut);
  }

  /**
   * He/Kaiming normal (He et al., 2015), for relu layers: normal with mean 0 and standard
   * deviation {@code √(2 / fanIn)}.
   *
   * @return a tensor of shape {@code [fanIn, fanOut]}
   * @throws IllegalArgumentException unless both fans are positive
   */
  public static Tensor he(long seed, int fanIn, int fanOut) {
    check("he", fanIn, fanOut);
    return Tensor.randomNormal(seed, fanIn, fanOut).mul(Math.sqrt(2.0 / fanIn));
  }

  private static void check(String op, int fanIn, int fanOut) {
    if (fanIn <= 0 || fanOut <= 0) {
      throw new IllegalArgumentException(
          op + ": fanIn and fanOut must be positive, got " + fanIn + " and " + fanOut);
    }
  }
}
