package dev.adjoint.tensor;

import dev.adjoint.tensor.kernel.Elementwise;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A dense, row-major array of {@code double}s of any rank (a rank-0 tensor holds one number),
 * immutable: every operation returns a new tensor and none changes its operands. Data passed in
 * is copied and data handed out is a copy, so a tensor can be shared freely, also between threads.
 * (Operations that do not change the elements, such as {@link #reshape}, may share the storage of
 * their operand; that is invisible because neither can change.)
 *
 * <p><b>Shapes</b> are checked by every operation. A mismatch throws an
 * {@link IllegalArgumentException} whose message starts with the operation's name and names both
 * shapes, e.g. {@code "add: shapes [2, 3] and [4] do not broadcast"}.
 *
 * <p><b>Broadcasting</b> follows NumPy: shapes are aligned on the right, a missing dimension
 * counts as 1, and a dimension of size 1 stretches to the other operand's size. So a {@code [3]}
 * row adds to every row of a {@code [2, 3]} matrix, a {@code [2, 1]} column to every column, and a
 * rank-0 tensor or a {@code double} to every element.
 *
 * <p><b>Axes</b> may be negative and then count from the end: {@code -1} is the last axis.
 *
 * <p><b>Equality</b> is on shape and values, comparing values like {@link Double#equals}: NaN
 * equals NaN, and 0.0 differs from -0.0. For approximate comparison use {@link #allClose}.
 *
 * <p>Reverse-mode derivatives of these operations are in {@code dev.adjoint.runtime.TensorAdjoints}.
 */
public final class Tensor {
  /** Never exposed and never written after construction. */
  final double[] data;
  /** Never exposed and never written after construction; may be shared between tensors. */
  final int[] shape;

  private Tensor(double[] data, int[] shape) {
    this.data = data;
    this.shape = shape;
  }

  /**
   * Internal: a tensor over {@code data} and {@code shape} without copying. The caller hands over
   * both arrays and must not keep or write them; their sizes must already agree.
   */
  static Tensor wrap(double[] data, int[] shape) {
    assert data.length == Shapes.size(shape);
    return new Tensor(data, shape);
  }

  // ---- creation --------------------------------------------------------------------------------

  /** A tensor of the given shape filled with 0. {@code zeros()} is the rank-0 tensor 0. */
  public static Tensor zeros(int... shape) {
    int[] s = Shapes.copyOf("zeros", shape);
    return new Tensor(new double[Shapes.size(s)], s);
  }

  /** A tensor of the given shape filled with 1. */
  public static Tensor ones(int... shape) {
    return filled("ones", 1.0, shape);
  }

  /** A tensor of the given shape filled with {@code value}. */
  public static Tensor full(double value, int... shape) {
    return filled("full", value, shape);
  }

  private static Tensor filled(String op, double value, int[] shape) {
    int[] s = Shapes.copyOf(op, shape);
    double[] d = new double[Shapes.size(s)];
    if (value != 0) {
      Arrays.fill(d, value);
    }
    return new Tensor(d, s);
  }

  /** The rank-0 tensor holding {@code value}. */
  public static Tensor scalar(double value) {
    return new Tensor(new double[] {value}, Shapes.SCALAR);
  }

  /** The rank-1 tensor holding a copy of {@code values}. */
  public static Tensor vector(double... values) {
    Objects.requireNonNull(values, "vector: values is null");
    return new Tensor(values.clone(), new int[] {values.length});
  }

  /**
   * A tensor of the given shape holding a copy of {@code data} in row-major order.
   *
   * @throws IllegalArgumentException if {@code data.length} is not the shape's size (an empty
   *     shape has size 1: it is a rank-0 tensor)
   */
  public static Tensor of(double[] data, int... shape) {
    Objects.requireNonNull(data, "of: data is null");
    int[] s = Shapes.copyOf("of", shape);
    int size = Shapes.size(s);
    if (data.length != size) {
      throw new IllegalArgumentException(
          "of: data of length " + data.length + " does not fit shape " + Shapes.str(s)
              + " (size " + size + ")");
    }
    return new Tensor(data.clone(), s);
  }

  /**
   * A tensor of the given shape over {@code data} itself, without copying: for data that is large
   * and already fixed, such as a cached block of training rows. The tensor stays immutable only
   * as long as nobody writes {@code data}: the caller must not change it while the tensor (or a
   * result that might share it) is in use. Use {@link #of} when in doubt.
   *
   * @throws IllegalArgumentException if {@code data.length} is not the shape's size
   */
  public static Tensor view(double[] data, int... shape) {
    Objects.requireNonNull(data, "view: data is null");
    int[] s = Shapes.copyOf("view", shape);
    int size = Shapes.size(s);
    if (data.length != size) {
      throw new IllegalArgumentException(
          "view: data of length " + data.length + " does not fit shape " + Shapes.str(s)
              + " (size " + size + ")");
    }
    return new Tensor(data, s);
  }

  /** {@code [0, 1, ..., n - 1]}, of shape {@code [n]}. */
  public static Tensor arange(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("arange: negative length " + n);
    }
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = i;
    }
    return new Tensor(d, new int[] {n});
  }

  /**
   * {@code start, start + step, ...} up to but excluding {@code end}, like NumPy's {@code arange}:
   * {@code ceil((end - start) / step)} elements (none if that is not positive), element {@code i}
   * being {@code start + i * step}.
   *
   * @throws IllegalArgumentException if an argument is not finite or {@code step} is 0
   */
  public static Tensor arange(double start, double end, double step) {
    if (!Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)
        || step == 0) {
      throw new IllegalArgumentException(
          "arange: need finite start and end and a finite, non-zero step, got start " + start
              + ", end " + end + ", step " + step);
    }
    double count = Math.ceil((end - start) / step);
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("arange: " + count + " elements are too many");
    }
    int n = count > 0 ? (int) count : 0;
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = start + i * step;
    }
    return new Tensor(d, new int[] {n});
  }

  /**
   * Independent standard normal samples (mean 0, standard deviation 1) from a
   * {@link SplittableRandom} seeded with {@code seed}: the same seed and shape always give the
   * same tensor.
   */
  public static Tensor randomNormal(long seed, int... shape) {
    int[] s = Shapes.copyOf("randomNormal", shape);
    double[] d = new double[Shapes.size(s)];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < d.length; i++) {
      d[i] = random.nextGaussian();
    }
    return new Tensor(d, s);
  }

  /**
   * Independent samples uniform in {@code [low, high)} from a {@link SplittableRandom} seeded
   * with {@code seed}: the same seed, bounds and shape always give the same tensor.
   *
   * @throws IllegalArgumentException unless {@code low < high}, both finite
   */
  public static Tensor randomUniform(long seed, double low, double high, int... shape) {
    if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
      throw new IllegalArgumentException(
          "randomUniform: need finite bounds with low < high, got [" + low + ", " + high + ")");
    }
    int[] s = Shapes.copyOf("randomUniform", shape);
    double[] d = new double[Shapes.size(s)];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < d.length; i++) {
      d[i] = random.nextDouble(low, high);
    }
    return new Tensor(d, s);
  }

  // ---- access ----------------------------------------------------------------------------------

  /** A copy of the shape; empty for a rank-0 tensor. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of axes. */
  public int rank() {
    return shape.length;
  }

  /** The number of elements: the product of the shape (1 for rank 0). */
  public int size() {
    return data.length;
  }

  /** The size of one axis; negative axes count from the end. */
  public int dim(int axis) {
    return shape[Shapes.axis("dim", axis, shape)];
  }

  /**
   * The element at {@code index}, one index per axis; negative indices count from the end.
   *
   * @throws IllegalArgumentException if the number of indices is not the rank
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public double get(int... index) {
    Objects.requireNonNull(index, "get: index is null");
    if (index.length != shape.length) {
      throw new IllegalArgumentException(
          "get: " + index.length + " indices for shape " + Shapes.str(shape) + " (rank "
              + shape.length + ")");
    }
    int offset = 0;
    for (int d = 0; d < index.length; d++) {
      int i = index[d];
      int n = shape[d];
      if (i < -n || i >= n) {
        throw new IndexOutOfBoundsException(
            "get: index " + Arrays.toString(index) + " is out of bounds for shape "
                + Shapes.str(shape));
      }
      offset = offset * n + (i < 0 ? i + n : i);
    }
    return data[offset];
  }

  /** The only element of a tensor of size 1 (of any rank). */
  public double item() {
    if (data.length != 1) {
      throw new IllegalArgumentException(
          "item: shape " + Shapes.str(shape) + " has " + data.length + " elements, not 1");
    }
    return data[0];
  }

  /** A copy of the elements in row-major order. */
  public double[] toArray() {
    return data.clone();
  }

  /**
   * Copies the elements in row-major order into {@code dest} from {@code offset} on, without an
   * intermediate array (e.g. a gradient into its part of an optimiser's parameter vector).
   *
   * @throws IndexOutOfBoundsException if they do not fit
   */
  public void copyInto(double[] dest, int offset) {
    Objects.requireNonNull(dest, "copyInto: dest is null");
    Objects.checkFromIndexSize(offset, data.length, dest.length);
    System.arraycopy(data, 0, dest, offset, data.length);
  }

  /**
   * NumPy-like nested brackets followed by the shape, e.g.
   *
   * <pre>
   * tensor([[1.0, 2.0, 3.0],
   *         [4.0, 5.0, 6.0]], shape=[2, 3])
   * </pre>
   *
   * Numbers are shown to six significant digits; above 1000 elements only the first and last
   * three entries of each axis are shown, with {@code ...} between.
   */
  @Override
  public String toString() {
    return Format.toString(data, shape);
  }

  /** Equal shape and equal values, compared like {@link Double#equals}. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  /**
   * Whether {@code other} has the same shape and every pair of elements satisfies
   * {@code |a - b| <= atol + rtol * |b|} ({@code b} from {@code other}), as NumPy's
   * {@code allclose}. Equal infinities are close; NaN is close to nothing.
   */
  public boolean allClose(Tensor other, double rtol, double atol) {
    Objects.requireNonNull(other, "allClose: other is null");
    if (!Arrays.equals(shape, other.shape)) {
      return false;
    }
    double[] b = other.data;
    for (int i = 0; i < data.length; i++) {
      double x = data[i];
      double y = b[i];
      if (x != y && !(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
        return false;
      }
    }
    return true;
  }

  // ---- element-wise, binary --------------------------------------------------------------------

  /** {@code this + other}, broadcasting. */
  public Tensor add(Tensor other) {
    return binary(Broadcast.ADD, "add", other);
  }

  /** {@code this - other}, broadcasting. */
  public Tensor sub(Tensor other) {
    return binary(Broadcast.SUB, "sub", other);
  }

  /** {@code this * other} element by element, broadcasting. */
  public Tensor mul(Tensor other) {
    return binary(Broadcast.MUL, "mul", other);
  }

  /** {@code this / other} element by element, broadcasting. */
  public Tensor div(Tensor other) {
    return binary(Broadcast.DIV, "div", other);
  }

  /** {@code this + s} for every element. */
  public Tensor add(double s) {
    return withScalar(Broadcast.ADD, s);
  }

  /** {@code this - s} for every element. */
  public Tensor sub(double s) {
    return withScalar(Broadcast.SUB, s);
  }

  /** {@code this * s} for every element. */
  public Tensor mul(double s) {
    return withScalar(Broadcast.MUL, s);
  }

  /** {@code this / s} for every element. */
  public Tensor div(double s) {
    return withScalar(Broadcast.DIV, s);
  }

  private Tensor withScalar(int op, double s) {
    double[] c = new double[data.length];
    Broadcast.row(op, data, 0, 1, new double[] {s}, 0, 0, c, 0, c.length);
    return new Tensor(c, shape);
  }

  private Tensor binary(int op, String name, Tensor other) {
    Objects.requireNonNull(other, () -> name + ": other is null");
    int[] a = shape;
    int[] b = other.shape;
    if (Arrays.equals(a, b)) {
      double[] c = new double[data.length];
      Broadcast.row(op, data, 0, 1, other.data, 0, 1, c, 0, c.length);
      return new Tensor(c, a);
    }
    int[] out = Shapes.broadcast(name, a, b);
    if (other.data.length == 1) {
      // the other operand only adds leading 1s: same elements as this, each combined with one
      double[] c = new double[data.length];
      Broadcast.row(op, data, 0, 1, other.data, 0, 0, c, 0, c.length);
      return new Tensor(c, out);
    }
    if (data.length == 1) {
      double[] c = new double[other.data.length];
      Broadcast.row(op, data, 0, 0, other.data, 0, 1, c, 0, c.length);
      return new Tensor(c, out);
    }
    int m = other.data.length;
    if (Arrays.equals(out, a) && m > 0 && isSuffix(b, a)) {
      // the other operand repeats along the leading axes, e.g. a bias row added to every row
      double[] c = new double[data.length];
      for (int at = 0; at < c.length; at += m) {
        Broadcast.row(op, data, at, 1, other.data, 0, 1, c, at, m);
      }
      return new Tensor(c, out);
    }
    m = data.length;
    if (Arrays.equals(out, b) && m > 0 && isSuffix(a, b)) {
      double[] c = new double[other.data.length];
      for (int at = 0; at < c.length; at += m) {
        Broadcast.row(op, data, 0, 1, other.data, at, 1, c, at, m);
      }
      return new Tensor(c, out);
    }
    return new Tensor(Broadcast.binary(op, data, a, other.data, b, out), out);
  }

  /** Whether {@code s} equals the trailing dimensions of {@code t}. */
  private static boolean isSuffix(int[] s, int[] t) {
    int d = t.length - s.length;
    if (d < 0) {
      return false;
    }
    for (int i = 0; i < s.length; i++) {
      if (s[i] != t[d + i]) {
        return false;
      }
    }
    return true;
  }

  // ---- element-wise, unary ---------------------------------------------------------------------

  /** {@code -this}. */
  public Tensor neg() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = -x[i];
    }
    return new Tensor(y, shape);
  }

  /** Every element raised to {@code exponent} ({@link Math#pow}). */
  public Tensor pow(double exponent) {
    double[] x = data;
    double[] y = new double[x.length];
    if (exponent == 2) {
      for (int i = 0; i < x.length; i++) {
        y[i] = x[i] * x[i];
      }
    } else if (exponent == 1) {
      System.arraycopy(x, 0, y, 0, x.length);
    } else {
      for (int i = 0; i < x.length; i++) {
        y[i] = Math.pow(x[i], exponent);
      }
    }
    return new Tensor(y, shape);
  }

  /** {@code this * this}. */
  public Tensor square() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * x[i];
    }
    return new Tensor(y, shape);
  }

  /** <i>e</i> to the power of every element. */
  public Tensor exp() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.exp(x[i]);
    }
    return new Tensor(y, shape);
  }

  /** The natural logarithm of every element (NaN for negative elements, -∞ for 0). */
  public Tensor log() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.log(x[i]);
    }
    return new Tensor(y, shape);
  }

  /** The square root of every element (NaN for negative elements). */
  public Tensor sqrt() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.sqrt(x[i]);
    }
    return new Tensor(y, shape);
  }

  /** The absolute value of every element. */
  public Tensor abs() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.abs(x[i]);
    }
    return new Tensor(y, shape);
  }

  /**
   * The hyperbolic tangent of every element: within a few ulps of {@link Math#tanh}, with the same
   * special values ({@code ±0}, {@code ±1} at {@code ±∞}, NaN), and the same result for an element
   * wherever it is and whichever kernel computes it ({@link dev.adjoint.tensor.kernel.Elementwise}).
   */
  public Tensor tanh() {
    double[] x = data;
    double[] y = new double[x.length];
    Elementwise.tanh(x, 0, y, 0, x.length);
    return new Tensor(y, shape);
  }

  /** {@code 1 / (1 + e^-x)} of every element, computed without overflow for any x. */
  public Tensor sigmoid() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      if (v >= 0) {
        y[i] = 1 / (1 + Math.exp(-v));
      } else {
        double e = Math.exp(v);
        y[i] = e / (1 + e);
      }
    }
    return new Tensor(y, shape);
  }

  /** {@code max(x, 0)} of every element (NaN stays NaN). */
  public Tensor relu() {
    double[] x = data;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      y[i] = v <= 0 ? 0.0 : v;
    }
    return new Tensor(y, shape);
  }

  // ---- matrix products -------------------------------------------------------------------------

  /**
   * The matrix product. Shapes: {@code [m, k] · [k, n] -> [m, n]}; batched
   * {@code [b, m, k] · [b, k, n] -> [b, m, n]}; a matrix (or a batch of one) is used for every
   * entry of the other operand's batch: {@code [b, m, k] · [k, n] -> [b, m, n]} and
   * {@code [m, k] · [b, k, n] -> [b, m, n]}.
   *
   * @throws IllegalArgumentException if an operand's rank is not 2 or 3, the inner dimensions
   *     differ, or the batch dimensions differ and neither is 1
   */
  public Tensor matmul(Tensor b) {
    Objects.requireNonNull(b, "matmul: b is null");
    return Products.product("matmul", this, false, b, false);
  }

  /**
   * {@code this · bᵀ} without materialising the transpose ({@code bᵀ} swaps b's last two axes):
   * {@code [m, k] · [n, k]ᵀ -> [m, n]}, batched like {@link #matmul}. The adjoint of a matmul's
   * left operand is {@code dC.matmulTransposedB(B)}.
   */
  public Tensor matmulTransposedB(Tensor b) {
    Objects.requireNonNull(b, "matmulTransposedB: b is null");
    return Products.product("matmulTransposedB", this, false, b, true);
  }

  /**
   * {@code thisᵀ · b} without materialising the transpose: {@code [k, m]ᵀ · [k, n] -> [m, n]},
   * batched like {@link #matmul}. The adjoint of a matmul's right operand is
   * {@code A.transposedMatmul(dC)}.
   */
  public Tensor transposedMatmul(Tensor b) {
    Objects.requireNonNull(b, "transposedMatmul: b is null");
    return Products.product("transposedMatmul", this, true, b, false);
  }

  // ---- shape -----------------------------------------------------------------------------------

  /**
   * The transpose of a matrix; for rank 3 or more, the last two axes swapped (every matrix of the
   * batch transposed).
   *
   * @throws IllegalArgumentException if the rank is below 2
   */
  public Tensor transpose() {
    int r = shape.length;
    if (r < 2) {
      throw new IllegalArgumentException(
          "transpose: shape " + Shapes.str(shape) + " has rank " + r
              + "; transpose needs rank 2 or more");
    }
    int rows = shape[r - 2];
    int cols = shape[r - 1];
    int[] out = shape.clone();
    out[r - 2] = cols;
    out[r - 1] = rows;
    double[] x = data;
    double[] y = new double[x.length];
    int mat = rows * cols;
    int batch = mat == 0 ? 0 : x.length / mat;
    final int block = 32;
    for (int b = 0; b < batch; b++) {
      int base = b * mat;
      for (int i0 = 0; i0 < rows; i0 += block) {
        int i1 = Math.min(i0 + block, rows);
        for (int j0 = 0; j0 < cols; j0 += block) {
          int j1 = Math.min(j0 + block, cols);
          for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
              y[base + j * rows + i] = x[base + i * cols + j];
            }
          }
        }
      }
    }
    return new Tensor(y, out);
  }

  /**
   * The same elements in a new shape of the same size; one dimension may be {@code -1} and is
   * then inferred. Costs no copy.
   */
  public Tensor reshape(int... newShape) {
    Objects.requireNonNull(newShape, "reshape: shape is null");
    int[] s = newShape.length == 0 ? Shapes.SCALAR : newShape.clone();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1 && inferred < 0) {
        inferred = i;
      } else if (s[i] < 0) {
        throw new IllegalArgumentException(
            "reshape: cannot reshape shape " + Shapes.str(shape) + " to " + Shapes.str(s)
                + ": only one dimension may be -1 and none may be otherwise negative");
      } else {
        known *= s[i];
        if (known > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("reshape: cannot reshape shape " + Shapes.str(shape)
              + " to " + Shapes.str(s) + ": more elements than a Java array can hold");
        }
      }
    }
    if (inferred >= 0) {
      if (known == 0 || data.length % known != 0) {
        throw new IllegalArgumentException(
            "reshape: cannot reshape shape " + Shapes.str(shape) + " (size " + data.length
                + ") to " + Shapes.str(s));
      }
      s[inferred] = (int) (data.length / known);
    } else if (known != data.length) {
      throw new IllegalArgumentException(
          "reshape: cannot reshape shape " + Shapes.str(shape) + " (size " + data.length
              + ") to " + Shapes.str(s) + " (size " + known + ")");
    }
    return new Tensor(data, s);
  }

  /** This tensor stretched to {@code target} by NumPy broadcasting. */
  public Tensor broadcastTo(int... target) {
    int[] t = Shapes.copyOf("broadcastTo", target);
    if (!Shapes.broadcastsTo(shape, t)) {
      throw new IllegalArgumentException(
          "broadcastTo: shape " + Shapes.str(shape) + " does not broadcast to " + Shapes.str(t));
    }
    if (Arrays.equals(shape, t)) {
      return this;
    }
    return new Tensor(Broadcast.stretch(data, shape, t), t);
  }

  // ---- reductions ------------------------------------------------------------------------------

  /** The sum of all elements (0 for an empty tensor). */
  public double sum() {
    double[] x = data;
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i];
    }
    return s;
  }

  /** The mean of all elements (NaN for an empty tensor). */
  public double mean() {
    return sum() / data.length;
  }

  /**
   * The largest element; NaN if any element is NaN.
   *
   * @throws IllegalArgumentException if the tensor is empty
   */
  public double max() {
    if (data.length == 0) {
      throw new IllegalArgumentException(
          "max: shape " + Shapes.str(shape) + " has no elements");
    }
    double[] x = data;
    double m = x[0];
    for (int i = 1; i < x.length; i++) {
      double v = x[i];
      if (v > m || v != v) {
        m = v;
      }
    }
    return m;
  }

  /**
   * The sums along {@code axis}; that axis is removed, or kept with size 1 if {@code keepDims}.
   */
  public Tensor sum(int axis, boolean keepDims) {
    int ax = Shapes.axis("sum", axis, shape);
    return new Tensor(sumAlong(data, shape, ax, 1.0), Shapes.reduced(shape, ax, keepDims));
  }

  /**
   * The means along {@code axis} (NaN where the axis is empty); that axis is removed, or kept
   * with size 1 if {@code keepDims}.
   */
  public Tensor mean(int axis, boolean keepDims) {
    int ax = Shapes.axis("mean", axis, shape);
    return new Tensor(sumAlong(data, shape, ax, 1.0 / shape[ax]),
        Shapes.reduced(shape, ax, keepDims));
  }

  /** Sums along an axis, scaled. */
  static double[] sumAlong(double[] x, int[] shape, int axis, double scale) {
    int n = shape[axis];
    int inner = Shapes.inner(shape, axis);
    int outer = Shapes.outer(shape, axis);
    double[] y = new double[outer * inner];
    if (inner == 1) {
      for (int o = 0; o < outer; o++) {
        double s = 0;
        int base = o * n;
        for (int k = 0; k < n; k++) {
          s += x[base + k];
        }
        y[o] = s * scale;
      }
    } else {
      for (int o = 0; o < outer; o++) {
        int yo = o * inner;
        for (int k = 0; k < n; k++) {
          int xo = (o * n + k) * inner;
          for (int j = 0; j < inner; j++) {
            y[yo + j] += x[xo + j];
          }
        }
        if (scale != 1.0) {
          for (int j = 0; j < inner; j++) {
            y[yo + j] *= scale;
          }
        }
      }
    }
    return y;
  }

  /**
   * The maxima along {@code axis} (NaN where the slice holds a NaN); that axis is removed, or
   * kept with size 1 if {@code keepDims}.
   *
   * @throws IllegalArgumentException if the axis has size 0
   */
  public Tensor max(int axis, boolean keepDims) {
    int ax = Shapes.axis("max", axis, shape);
    requireNonEmptyAxis("max", shape, ax);
    return new Tensor(maxAlong(data, shape, ax), Shapes.reduced(shape, ax, keepDims));
  }

  static void requireNonEmptyAxis(String op, int[] shape, int axis) {
    if (shape[axis] == 0) {
      throw new IllegalArgumentException(
          op + ": axis " + axis + " of shape " + Shapes.str(shape) + " is empty");
    }
  }

  /** Maxima along a non-empty axis; NaN propagates. */
  static double[] maxAlong(double[] x, int[] shape, int axis) {
    int n = shape[axis];
    int inner = Shapes.inner(shape, axis);
    int outer = Shapes.outer(shape, axis);
    double[] y = new double[outer * inner];
    if (inner == 1) {
      for (int o = 0; o < outer; o++) {
        int xo = o * n;
        double m = x[xo];
        for (int k = 1; k < n; k++) {
          double v = x[xo + k];
          if (v > m || v != v) {
            m = v;
          }
        }
        y[o] = m;
      }
      return y;
    }
    for (int o = 0; o < outer; o++) {
      int yo = o * inner;
      int xo = o * n * inner;
      System.arraycopy(x, xo, y, yo, inner);
      for (int k = 1; k < n; k++) {
        int at = xo + k * inner;
        for (int j = 0; j < inner; j++) {
          double v = x[at + j];
          if (v > y[yo + j] || v != v) {
            y[yo + j] = v;
          }
        }
      }
    }
    return y;
  }

  /**
   * {@code exp(x) / sum(exp(x))} along {@code axis}, computed as {@code exp(x - max)} so that
   * large inputs do not overflow. Same shape as this.
   */
  public Tensor softmax(int axis) {
    int ax = Shapes.axis("softmax", axis, shape);
    double[] y = new double[data.length];
    if (data.length == 0) {
      return new Tensor(y, shape);
    }
    int n = shape[ax];
    int inner = Shapes.inner(shape, ax);
    int outer = Shapes.outer(shape, ax);
    double[] x = data;
    if (inner == 1) {
      // the common case, softmax over the last axis: contiguous rows
      for (int o = 0, row = 0; o < outer; o++, row += n) {
        double m = x[row];
        for (int k = 1; k < n; k++) {
          double v = x[row + k];
          if (v > m || v != v) {
            m = v;
          }
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
          double e = Math.exp(x[row + k] - m);
          y[row + k] = e;
          sum += e;
        }
        double r = 1 / sum;
        for (int k = 0; k < n; k++) {
          y[row + k] *= r;
        }
      }
      return new Tensor(y, shape);
    }
    double[] m = maxAlong(data, shape, ax);
    double[] s = new double[inner];
    for (int o = 0; o < outer; o++) {
      int mo = o * inner;
      int xo = o * n * inner;
      Arrays.fill(s, 0);
      for (int k = 0; k < n; k++) {
        int at = xo + k * inner;
        for (int j = 0; j < inner; j++) {
          double e = Math.exp(x[at + j] - m[mo + j]);
          y[at + j] = e;
          s[j] += e;
        }
      }
      for (int j = 0; j < inner; j++) {
        s[j] = 1 / s[j];
      }
      for (int k = 0; k < n; k++) {
        int at = xo + k * inner;
        for (int j = 0; j < inner; j++) {
          y[at + j] *= s[j];
        }
      }
    }
    return new Tensor(y, shape);
  }

  /**
   * {@code log(sum(exp(x)))} along {@code axis}, computed as {@code max + log(sum(exp(x - max)))}
   * so that large inputs neither overflow nor lose precision; -∞ if the slice is all -∞ (or
   * empty), +∞ if it holds +∞. The axis is removed, or kept with size 1 if {@code keepDims}.
   */
  public Tensor logSumExp(int axis, boolean keepDims) {
    int ax = Shapes.axis("logSumExp", axis, shape);
    return new Tensor(logSumExpAlong(data, shape, ax), Shapes.reduced(shape, ax, keepDims));
  }

  static double[] logSumExpAlong(double[] x, int[] shape, int axis) {
    int n = shape[axis];
    int inner = Shapes.inner(shape, axis);
    int outer = Shapes.outer(shape, axis);
    if (n == 0) {
      double[] y = new double[outer * inner];
      Arrays.fill(y, Double.NEGATIVE_INFINITY);
      return y;
    }
    if (inner == 1) {
      double[] y = new double[outer];
      for (int o = 0; o < outer; o++) {
        y[o] = rowLogSumExp(x, o * n, n);
      }
      return y;
    }
    double[] m = maxAlong(x, shape, axis);
    double[] s = new double[m.length];
    for (int o = 0; o < outer; o++) {
      int mo = o * inner;
      for (int k = 0; k < n; k++) {
        int at = (o * n + k) * inner;
        for (int j = 0; j < inner; j++) {
          s[mo + j] += Math.exp(x[at + j] - m[mo + j]);
        }
      }
    }
    for (int i = 0; i < m.length; i++) {
      double mi = m[i];
      s[i] = Double.isInfinite(mi) ? mi : mi + Math.log(s[i]);
    }
    return s;
  }

  // ---- losses ----------------------------------------------------------------------------------

  /**
   * The mean over the batch of the cross-entropy between {@code softmax(logits)} and the labels:
   * {@code -(1/B) Σ_b Σ_c labels[b, c] · log softmax(logits[b])[c]}, computed stably as
   * {@code Σ_c labels[b, c] · (logSumExp(logits[b]) - logits[b, c])}.
   *
   * @param logits shape {@code [batch, classes]}
   * @param labels either {@code [batch, classes]} (one-hot rows or probabilities; terms with
   *     label 0 are skipped) or {@code [batch]} of class indices (integral values in
   *     {@code [0, classes)})
   * @throws IllegalArgumentException on other shapes or on an invalid class index
   */
  public static double softmaxCrossEntropy(Tensor logits, Tensor labels) {
    checkCrossEntropy("softmaxCrossEntropy", logits, labels);
    int batch = logits.shape[0];
    int classes = logits.shape[1];
    double[] z = logits.data;
    double[] t = labels.data;
    boolean indices = labels.shape.length == 1;
    double total = 0;
    for (int b = 0; b < batch; b++) {
      int row = b * classes;
      double lse = rowLogSumExp(z, row, classes);
      if (indices) {
        total += lse - z[row + (int) t[b]];
      } else {
        for (int c = 0; c < classes; c++) {
          double tc = t[row + c];
          if (tc != 0) {
            total += tc * (lse - z[row + c]);
          }
        }
      }
    }
    return total / batch;
  }

  /** Validates the shapes (and class indices) of a softmax cross-entropy. */
  static void checkCrossEntropy(String op, Tensor logits, Tensor labels) {
    Objects.requireNonNull(logits, () -> op + ": logits is null");
    Objects.requireNonNull(labels, () -> op + ": labels is null");
    int[] z = logits.shape;
    int[] t = labels.shape;
    if (z.length != 2) {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(z) + " and " + Shapes.str(t)
              + ": logits must have shape [batch, classes]");
    }
    if (t.length == 2 ? !Arrays.equals(z, t) : t.length != 1 || t[0] != z[0]) {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(z) + " and " + Shapes.str(t)
              + " do not match: labels must have shape [batch, classes] or [batch]");
    }
    if (t.length == 1) {
      int classes = z[1];
      double[] d = labels.data;
      for (int b = 0; b < d.length; b++) {
        double v = d[b];
        if (!(v >= 0 && v < classes && v == Math.rint(v))) {
          throw new IllegalArgumentException(
              op + ": label " + v + " at batch index " + b + " is not a class index in [0, "
                  + classes + ") (logits shape " + Shapes.str(z) + ", labels shape "
                  + Shapes.str(t) + ")");
        }
      }
    }
  }

  /** {@code log(sum(exp(z[from .. from+n))))}, stably. */
  static double rowLogSumExp(double[] z, int from, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < n; c++) {
      double v = z[from + c];
      if (v > m || v != v) {
        m = v;
      }
    }
    if (Double.isInfinite(m)) {
      return m;
    }
    double s = 0;
    for (int c = 0; c < n; c++) {
      s += Math.exp(z[from + c] - m);
    }
    return m + Math.log(s);
  }

  /**
   * The mean squared error {@code mean((prediction - target)²)}.
   *
   * @throws IllegalArgumentException if the shapes differ (no broadcasting)
   */
  public static double mse(Tensor prediction, Tensor target) {
    checkSameShape("mse", prediction, target);
    double[] p = prediction.data;
    double[] t = target.data;
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      double d = p[i] - t[i];
      s += d * d;
    }
    return s / p.length;
  }

  static void checkSameShape(String op, Tensor a, Tensor b) {
    Objects.requireNonNull(a, () -> op + ": first operand is null");
    Objects.requireNonNull(b, () -> op + ": second operand is null");
    if (!Arrays.equals(a.shape, b.shape)) {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape)
              + " differ; they must be equal");
    }
  }
}
