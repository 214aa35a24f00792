package dev.adjoint.runtime;

import dev.adjoint.tensor.Tensor;
import dev.adjoint.tensor.TensorBackward;

/**
 * The tensor adjoints that generated reverse sweeps call: each method takes the operation's
 * inputs (and, where cheaper, its output {@code y}) and the adjoint {@code dy} of its output, and
 * returns the contribution to the adjoint of one input, with that input's shape. Contributions
 * are accumulated by the caller ({@code _d_x = _d_x.add(...)}, or {@link #accumulate}).
 *
 * <p>Notation: {@code x} is an input, {@code y} the output, {@code dy = ∂L/∂y} and
 * {@code dx = ∂L/∂x} for the loss {@code L}; by the chain rule {@code dx_i = Σ_j dy_j ∂y_j/∂x_i}.
 *
 * <p>Conventions where a derivative is undefined (as documented for the scalar rules): |x|' = 0
 * and relu'(x) = 0 at x = 0; max gives the whole adjoint to the first maximal element on ties.
 *
 * <p>Every method is a pure function: no input is modified, and the result may share storage
 * with an input only where it is equal to it (e.g. {@link #reduceTo} when nothing is reduced),
 * which is safe because tensors are immutable. Shape mismatches throw
 * {@link IllegalArgumentException} naming the method and both shapes.
 */
public final class TensorAdjoints {
  private TensorAdjoints() {}

  // ---- broadcasting ----------------------------------------------------------------------------

  /**
   * The adjoint of an operand that was broadcast: {@code grad} summed over the broadcast
   * dimensions so that it has {@code shape}; {@code grad} itself when the shapes are equal.
   *
   * <p>Derivation: broadcasting copies {@code x_i} to every output position {@code j} that maps
   * to {@code i}, so {@code ∂y_j/∂x_i = 1} for those {@code j} and {@code dx_i = Σ_{j -> i} dy_j}:
   * a sum over the leading dimensions {@code x} lacks and over the dimensions where {@code x} has
   * size 1. This is also the adjoint of {@link Tensor#broadcastTo}.
   *
   * @param grad the adjoint of the broadcast result
   * @param shape the operand's shape, which must broadcast to {@code grad}'s shape
   */
  public static Tensor reduceTo(Tensor grad, int[] shape) {
    return TensorBackward.reduceTo(grad, shape);
  }

  /**
   * {@code -reduceTo(grad, shape)} in one pass: the adjoint of the right operand of
   * {@code y = a - b}, where {@code ∂y/∂b = -1}.
   */
  public static Tensor reduceToNegated(Tensor grad, int[] shape) {
    return TensorBackward.reduceToNegated(grad, shape);
  }

  /**
   * The adjoint of one factor of {@code y = a * b} (element-wise, broadcasting):
   * {@code reduceTo(dy * other, shape)}.
   *
   * <p>Derivation: {@code ∂y/∂a = b}, so {@code da = dy * b} in the output's shape, then summed
   * down to {@code a}'s shape; symmetrically for {@code b}.
   *
   * @param other the other factor
   * @param shape the shape of the factor whose adjoint this is
   */
  public static Tensor mulBackward(Tensor other, Tensor dy, int[] shape) {
    return TensorBackward.mulBackward(other, dy, shape);
  }

  /**
   * The adjoint of the numerator of {@code y = a / b}: {@code reduceTo(dy / b, shape of a)}.
   *
   * <p>Derivation: {@code ∂(a/b)/∂a = 1/b}.
   */
  public static Tensor divBackwardNumerator(Tensor b, Tensor dy, int[] shape) {
    return TensorBackward.divBackwardNumerator(b, dy, shape);
  }

  /**
   * The adjoint of the denominator of {@code y = a / b}:
   * {@code reduceTo(-dy * a / b², shape of b)}.
   *
   * <p>Derivation: {@code ∂(a/b)/∂b = -a/b²}.
   */
  public static Tensor divBackwardDenominator(Tensor a, Tensor b, Tensor dy) {
    return TensorBackward.divBackwardDenominator(a, b, dy);
  }

  /**
   * {@code Σ_i a_i b_i} over two tensors of equal shape: the adjoint of a {@code double} that
   * scales a tensor. For {@code y = x * s}: {@code ds = Σ dy * x}; for {@code y = x / s}:
   * {@code ds = -Σ dy * x / s²}; for {@code y = x + s}: {@code ds = Σ dy} (that is
   * {@code dy.sum()}).
   */
  public static double sumOfProducts(Tensor a, Tensor b) {
    return TensorBackward.sumOfProducts(a, b);
  }

  /**
   * {@code acc + g}, or {@code g} when {@code acc} is null (no contribution yet): adjoints
   * accumulate with {@code +=}, because a value used twice receives both contributions. The
   * shapes must be equal (a contribution is reduced to its operand's shape before).
   */
  public static Tensor accumulate(Tensor acc, Tensor g) {
    return TensorBackward.accumulate(acc, g);
  }

  // ---- reductions ------------------------------------------------------------------------------

  /**
   * The adjoint of {@code double y = x.sum()}: a tensor of {@code shape} filled with {@code dy}.
   *
   * <p>Derivation: {@code ∂(Σ_j x_j)/∂x_i = 1}. Also the adjoint of {@link Tensor#item()}.
   */
  public static Tensor sumBackward(double dy, int[] shape) {
    return TensorBackward.sumBackward(dy, shape);
  }

  /**
   * The adjoint of {@code y = x.sum(axis, keepDims)}: {@code dy} copied along {@code axis}.
   *
   * <p>Derivation: {@code y[.., ..] = Σ_k x[.., k, ..]}, so {@code ∂y/∂x[.., k, ..] = 1} for
   * every {@code k}: {@code dx[.., k, ..] = dy[.., ..]}.
   *
   * @param shape the shape of {@code x}
   */
  public static Tensor sumBackward(Tensor dy, int[] shape, int axis, boolean keepDims) {
    return TensorBackward.sumBackward(dy, shape, axis, keepDims);
  }

  /**
   * The adjoint of {@code double y = x.mean()}: a tensor of {@code shape} filled with
   * {@code dy / size}.
   *
   * <p>Derivation: {@code ∂(Σ_j x_j / N)/∂x_i = 1/N}.
   */
  public static Tensor meanBackward(double dy, int[] shape) {
    return TensorBackward.meanBackward(dy, shape);
  }

  /**
   * The adjoint of {@code y = x.mean(axis, keepDims)}: {@code dy / n} copied along {@code axis},
   * {@code n} being the axis' size.
   *
   * <p>Derivation: as {@link #sumBackward(Tensor, int[], int, boolean)}, scaled by {@code 1/n}.
   *
   * @param shape the shape of {@code x}
   */
  public static Tensor meanBackward(Tensor dy, int[] shape, int axis, boolean keepDims) {
    return TensorBackward.meanBackward(dy, shape, axis, keepDims);
  }

  /**
   * The adjoint of {@code double y = x.max()}: {@code dy} at the first maximal element (the
   * first NaN if there is one), 0 elsewhere.
   *
   * <p>Derivation: {@code y = x_m} for the selected index {@code m}, so {@code ∂y/∂x_i = [i = m]}.
   * On ties the maximum is not differentiable; the convention picks the first, like the scalar
   * {@code Math.max} rule.
   */
  public static Tensor maxBackward(Tensor x, double dy) {
    return TensorBackward.maxBackward(x, dy);
  }

  /**
   * The adjoint of {@code y = x.max(axis, keepDims)}: {@code dy} at the first maximal element of
   * every slice along {@code axis}, 0 elsewhere.
   *
   * <p>Derivation: as {@link #maxBackward(Tensor, double)}, slice by slice.
   */
  public static Tensor maxBackward(Tensor x, Tensor dy, int axis, boolean keepDims) {
    return TensorBackward.maxBackward(x, dy, axis, keepDims);
  }

  // ---- softmax, logSumExp, losses --------------------------------------------------------------

  /**
   * The adjoint of {@code y = x.softmax(axis)}, from the output:
   * {@code dx = y * (dy - Σ_axis(dy * y))}.
   *
   * <p>Derivation: {@code y_i = e^{x_i} / Σ_k e^{x_k}} gives
   * {@code ∂y_j/∂x_i = y_j ([i = j] - y_i)}, so
   * {@code dx_i = Σ_j dy_j y_j ([i = j] - y_i) = y_i (dy_i - Σ_j dy_j y_j)}.
   *
   * @param y the softmax output
   */
  public static Tensor softmaxBackward(Tensor y, Tensor dy, int axis) {
    return TensorBackward.softmaxBackward(y, dy, axis);
  }

  /**
   * The adjoint of {@code y = x.logSumExp(axis, keepDims)}: {@code dx = softmax(x, axis) * dy},
   * {@code dy} copied along {@code axis}; computed stably as {@code exp(x - y) * dy}.
   *
   * <p>Derivation: {@code ∂ log Σ_k e^{x_k} / ∂x_i = e^{x_i} / Σ_k e^{x_k} = e^{x_i - y}}.
   */
  public static Tensor logSumExpBackward(Tensor x, Tensor dy, int axis, boolean keepDims) {
    return TensorBackward.logSumExpBackward(x, dy, axis, keepDims);
  }

  /**
   * As {@link #logSumExpBackward(Tensor, Tensor, int, boolean)}, reusing the forward output
   * {@code y = x.logSumExp(axis, keepDims)} instead of recomputing it.
   */
  public static Tensor logSumExpBackward(
      Tensor x, Tensor y, Tensor dy, int axis, boolean keepDims) {
    return TensorBackward.logSumExpBackward(x, y, dy, axis, keepDims);
  }

  /**
   * The adjoint of the logits of {@code double L = Tensor.softmaxCrossEntropy(logits, labels)},
   * fused and stable: {@code (softmax(logits) * Σ_c t - t) * dy / batch} per row, which is
   * {@code (softmax(logits) - onehot) * dy / batch} for one-hot labels or class indices.
   *
   * <p>Derivation: per row, {@code L_b = Σ_c t_c (lse - z_c)} with {@code lse = log Σ_k e^{z_k}}
   * and {@code ∂lse/∂z_i = softmax(z)_i}, so {@code ∂L_b/∂z_i = softmax(z)_i Σ_c t_c - t_i}; the
   * loss is the mean over the batch, hence the factor {@code 1/batch}. The softmax is computed as
   * {@code exp(z - lse)}, never overflowing.
   */
  public static Tensor softmaxCrossEntropyBackward(Tensor logits, Tensor labels, double dy) {
    return TensorBackward.softmaxCrossEntropyBackward(logits, labels, dy);
  }

  /**
   * The adjoint of the labels of {@code double L = Tensor.softmaxCrossEntropy(logits, labels)}:
   * {@code -log softmax(logits) * dy / batch} for {@code [batch, classes]} labels, and zero for
   * class indices (the loss is piecewise constant in an index).
   *
   * <p>Derivation: {@code ∂L_b/∂t_c = lse - z_c = -log softmax(z)_c}, divided by the batch size.
   */
  public static Tensor softmaxCrossEntropyBackwardLabels(Tensor logits, Tensor labels,
      double dy) {
    return TensorBackward.softmaxCrossEntropyBackwardLabels(logits, labels, dy);
  }

  /**
   * The adjoint of the prediction of {@code double L = Tensor.mse(prediction, target)}:
   * {@code 2 (p - t) dy / size}. The formula is symmetric, so the target's adjoint is
   * {@code mseBackward(target, prediction, dy)}.
   *
   * <p>Derivation: {@code L = Σ_i (p_i - t_i)² / N}, {@code ∂L/∂p_i = 2 (p_i - t_i) / N}.
   */
  public static Tensor mseBackward(Tensor prediction, Tensor target, double dy) {
    return TensorBackward.mseBackward(prediction, target, dy);
  }

  // ---- element-wise ----------------------------------------------------------------------------

  /**
   * The adjoint of {@code y = x.tanh()}, from the output: {@code dy * (1 - y²)}.
   *
   * <p>Derivation: {@code tanh' = 1 - tanh²}.
   */
  public static Tensor tanhBackward(Tensor y, Tensor dy) {
    return TensorBackward.tanhBackward(y, dy);
  }

  /**
   * The adjoint of {@code y = x.sigmoid()}, from the output: {@code dy * y * (1 - y)}.
   *
   * <p>Derivation: {@code σ(x) = 1/(1 + e^{-x})}, {@code σ' = e^{-x}/(1 + e^{-x})² = σ (1 - σ)}.
   */
  public static Tensor sigmoidBackward(Tensor y, Tensor dy) {
    return TensorBackward.sigmoidBackward(y, dy);
  }

  /**
   * The adjoint of {@code y = x.relu()}: {@code dy} where {@code x > 0}, else 0.
   *
   * <p>Derivation: {@code relu' = 1} for {@code x > 0}, 0 for {@code x < 0}; 0 at 0 by
   * convention.
   */
  public static Tensor reluBackward(Tensor x, Tensor dy) {
    return TensorBackward.reluBackward(x, dy);
  }

  /**
   * The adjoint of {@code y = x.abs()}: {@code dy * signum(x)}.
   *
   * <p>Derivation: {@code |x|' = signum(x)}; 0 at 0 by convention.
   */
  public static Tensor absBackward(Tensor x, Tensor dy) {
    return TensorBackward.absBackward(x, dy);
  }

  /**
   * The adjoint of the base of {@code y = x.pow(p)}: {@code dy * p * x^(p-1)} (exactly 0 for
   * {@code p = 0}, so no {@code 0 * ∞} at {@code x = 0}).
   *
   * <p>Derivation: {@code d(x^p)/dx = p x^(p-1)}.
   */
  public static Tensor powBackward(Tensor x, double p, Tensor dy) {
    return TensorBackward.powBackward(x, p, dy);
  }

  /**
   * The adjoint of the exponent of {@code y = x.pow(p)}, a {@code double}:
   * {@code Σ dy * y * ln x}, where elements with {@code y = 0} contribute 0 (the limit of
   * {@code x^p ln x} as {@code x -> 0+} for {@code p > 0}); NaN for negative bases.
   *
   * <p>Derivation: {@code d(x^p)/dp = x^p ln x = y ln x}.
   */
  public static double powBackwardExponent(Tensor x, Tensor y, Tensor dy) {
    return TensorBackward.powBackwardExponent(x, y, dy);
  }

  /**
   * The adjoint of {@code y = x.square()}: {@code 2 x dy}.
   *
   * <p>Derivation: {@code d(x²)/dx = 2x}.
   */
  public static Tensor squareBackward(Tensor x, Tensor dy) {
    return TensorBackward.squareBackward(x, dy);
  }

  /**
   * The adjoint of {@code y = x.sqrt()}, from the output: {@code dy * 0.5 / y}.
   *
   * <p>Derivation: {@code d√x/dx = 1/(2√x)}.
   */
  public static Tensor sqrtBackward(Tensor y, Tensor dy) {
    return TensorBackward.sqrtBackward(y, dy);
  }

  /**
   * The adjoint of {@code y = x.exp()}, from the output: {@code dy * y}.
   *
   * <p>Derivation: {@code (e^x)' = e^x = y}.
   */
  public static Tensor expBackward(Tensor y, Tensor dy) {
    return TensorBackward.expBackward(y, dy);
  }

  /**
   * The adjoint of {@code y = x.log()}: {@code dy / x}.
   *
   * <p>Derivation: {@code (ln x)' = 1/x}.
   */
  public static Tensor logBackward(Tensor x, Tensor dy) {
    return TensorBackward.logBackward(x, dy);
  }

  // ---- matrix products and indexing ------------------------------------------------------------

  /**
   * The adjoint of the left operand of {@code C = A.matmul(B)}: {@code dA = dC · Bᵀ}, read in
   * place, summed over the batch when {@code A} was a matrix (or a batch of one) used for every
   * entry of {@code B}'s batch.
   *
   * <p>Derivation: {@code C_ij = Σ_p A_ip B_pj}, so {@code ∂C_ij/∂A_ip = B_pj} and
   * {@code dA_ip = Σ_j dC_ij B_pj = (dC · Bᵀ)_ip}.
   *
   * @param aShape the shape of {@code A}
   */
  public static Tensor matmulBackwardA(Tensor dC, Tensor b, int[] aShape) {
    return TensorBackward.matmulBackwardA(dC, b, aShape);
  }

  /**
   * The adjoint of the right operand of {@code C = A.matmul(B)}: {@code dB = Aᵀ · dC}, read in
   * place, summed over the batch when {@code B} was a matrix (or a batch of one) used for every
   * entry of {@code A}'s batch (one product with the batch folded into the inner dimension).
   *
   * <p>Derivation: {@code ∂C_ij/∂B_pj = A_ip}, so {@code dB_pj = Σ_i A_ip dC_ij = (Aᵀ · dC)_pj}.
   *
   * @param bShape the shape of {@code B}
   */
  public static Tensor matmulBackwardB(Tensor a, Tensor dC, int[] bShape) {
    return TensorBackward.matmulBackwardB(a, dC, bShape);
  }

  /**
   * The adjoint of {@code double y = x.get(index)}: {@code dy} at {@code index}, 0 elsewhere.
   *
   * <p>Derivation: {@code ∂x_index/∂x_i = [i = index]}.
   */
  public static Tensor getBackward(double dy, int[] shape, int... index) {
    return TensorBackward.getBackward(dy, shape, index);
  }

  /** A tensor of zeros of {@code x}'s shape: an adjoint before anything has flowed into it. */
  public static Tensor zerosLike(Tensor x) {
    return Tensor.zeros(x.shape());
  }
}
