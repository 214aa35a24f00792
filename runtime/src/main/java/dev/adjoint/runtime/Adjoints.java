package dev.adjoint.runtime;

/** Small array helpers that generated adjoints call. */
public final class Adjoints {
  private Adjoints() {}

  /** {@code target[i] += scale * source[i]} for every i: a callee's array gradient, scaled. */
  public static void addScaled(double[] target, double scale, double[] source) {
    for (int i = 0; i < target.length; i++) {
      target[i] += scale * source[i];
    }
  }

  /** {@link #addScaled(double[], double, double[])} row by row: a callee's double[][] gradient. */
  public static void addScaled(double[][] target, double scale, double[][] source) {
    for (int i = 0; i < target.length; i++) {
      addScaled(target[i], scale, source[i]);
    }
  }

  /** {@link #addScaled(double[], double, double[])} row by row: a callee's double[][][] gradient. */
  public static void addScaled(double[][][] target, double scale, double[][][] source) {
    for (int i = 0; i < target.length; i++) {
      addScaled(target[i], scale, source[i]);
    }
  }

  /**
   * The caller's gradient array {@code out}, checked to have {@code length} elements (the length
   * of the parameter it is the gradient of) and zeroed: generated overloads that write the
   * gradient into the caller's array start from it.
   */
  public static double[] zeroed(double[] out, int length) {
    if (out.length != length) {
      throw new IllegalArgumentException("the gradient array has " + out.length
          + " elements but its parameter has " + length + ": pass an array of the parameter's length");
    }
    java.util.Arrays.fill(out, 0.0);
    return out;
  }

  /**
   * Checks that {@code jacobian} has one row per output, each as long as the inputs, before a
   * generated {@code fJacobianRows} writes into it.
   */
  public static void checkJacobian(double[][] jacobian, int outputs, int inputs) {
    if (jacobian.length != outputs) {
      throw new IllegalArgumentException("the Jacobian has " + jacobian.length + " rows, the result "
          + outputs + " elements");
    }
    for (double[] row : jacobian) {
      if (row.length != inputs) {
        throw new IllegalArgumentException("a row of the Jacobian has " + row.length
            + " elements, the inputs " + inputs);
      }
    }
  }

  /** {@code Σ a[i] b[i]}: a callee's array gradient along an array tangent (forward mode). */
  public static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** {@code Σ a[i][j] b[i][j]}: a callee's double[][] gradient along a tangent (forward mode). */
  public static double dot(double[][] a, double[][] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += dot(a[i], b[i]);
    }
    return s;
  }

  /** {@link #dot(double[][], double[][])} for double[][][]. */
  public static double dot(double[][][] a, double[][][] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += dot(a[i], b[i]);
    }
    return s;
  }

  /** Ones as long as {@code a}: the direction whose Hessian-vector product is a diagonal Hessian. */
  public static double[] onesLike(double[] a) {
    double[] o = new double[a.length];
    java.util.Arrays.fill(o, 1.0);
    return o;
  }

  /**
   * Ones shaped like {@code a}, ragged rows included: a Hessian-diagonal direction, or the seed of
   * the gradient of the sum of a double[][]'s elements.
   */
  public static double[][] onesLike(double[][] a) {
    double[][] o = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      o[i] = onesLike(a[i]);
    }
    return o;
  }

  /** Ones shaped like {@code a}, ragged rows included. */
  public static double[][][] onesLike(double[][][] a) {
    double[][][] o = new double[a.length][][];
    for (int i = 0; i < a.length; i++) {
      o[i] = onesLike(a[i]);
    }
    return o;
  }

  /**
   * Zeros as long as {@code a}, or null for a null {@code a}: the adjoint of a row of an n-D
   * array, which may not be made yet ({@code new double[n][]} before {@code m[i] = ...}).
   */
  public static double[] zerosLike(double[] a) {
    return a == null ? null : new double[a.length];
  }

  /** Zeros shaped like {@code a}, ragged rows included (rows not made yet stay null): the adjoint of a double[][]. */
  public static double[][] zerosLike(double[][] a) {
    if (a == null) {
      return null;
    }
    double[][] z = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      z[i] = a[i] == null ? null : new double[a[i].length];
    }
    return z;
  }

  /** Zeros shaped like {@code a}, ragged rows included: the adjoint of a double[][][]. */
  public static double[][][] zerosLike(double[][][] a) {
    if (a == null) {
      return null;
    }
    double[][][] z = new double[a.length][][];
    for (int i = 0; i < a.length; i++) {
      z[i] = zerosLike(a[i]);
    }
    return z;
  }

  /** A copy of {@code a}, rows included: the value of a double[][]-valued method, kept as computed. */
  public static double[][] copyOf(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i] == null ? null : a[i].clone(); // a row never stored stays null
    }
    return c;
  }

  /** {@link #copyOf(double[][])} for a double[][][]. */
  public static double[][][] copyOf(double[][][] a) {
    double[][][] c = new double[a.length][][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i] == null ? null : copyOf(a[i]);
    }
    return c;
  }

  /**
   * The caller's gradient array {@code out}, checked to have the shape of {@code like} (the
   * parameter it is the gradient of) and zeroed.
   */
  public static double[][] zeroed(double[][] out, double[][] like) {
    if (out.length != like.length) {
      throw new IllegalArgumentException("the gradient array has " + out.length
          + " rows but its parameter has " + like.length + ": pass an array of the parameter's shape");
    }
    for (int i = 0; i < like.length; i++) {
      if (out[i] == null || out[i].length != like[i].length) {
        throw new IllegalArgumentException("row " + i + " of the gradient array has "
            + (out[i] == null ? "no" : Integer.toString(out[i].length)) + " elements but the parameter's has "
            + like[i].length + ": pass an array of the parameter's shape");
      }
      java.util.Arrays.fill(out[i], 0.0);
    }
    return out;
  }

  /** {@link #zeroed(double[][], double[][])} for a double[][][]. */
  public static double[][][] zeroed(double[][][] out, double[][][] like) {
    if (out.length != like.length) {
      throw new IllegalArgumentException("the gradient array has " + out.length
          + " slices but its parameter has " + like.length + ": pass an array of the parameter's shape");
    }
    for (int i = 0; i < like.length; i++) {
      if (out[i] == null) {
        throw new IllegalArgumentException("slice " + i + " of the gradient array is null");
      }
      zeroed(out[i], like[i]);
    }
    return out;
  }
  /** The number of elements of {@code a}, ragged rows included: its columns in a Jacobian. */
  public static int size(double[][] a) {
    int n = 0;
    for (double[] row : a) {
      n += row.length;
    }
    return n;
  }

  /** {@link #size(double[][])} for a double[][][]. */
  public static int size(double[][][] a) {
    int n = 0;
    for (double[][] slice : a) {
      n += size(slice);
    }
    return n;
  }

  /**
   * Zeros shaped like {@code a} but for a 1 at element {@code k} counted row by row (none when k
   * is not an element): the tangent of a matrix parameter along one column of a Jacobian.
   */
  public static double[][] unitLike(double[][] a, int k) {
    double[][] u = zerosLike(a);
    for (double[] row : u) {
      if (k >= 0 && k < row.length) {
        row[k] = 1;
        return u;
      }
      k -= row.length;
    }
    return u;
  }

  /** {@link #unitLike(double[][], int)} for a double[][][]. */
  public static double[][][] unitLike(double[][][] a, int k) {
    double[][][] u = zerosLike(a);
    for (double[][] slice : u) {
      for (double[] row : slice) {
        if (k >= 0 && k < row.length) {
          row[k] = 1;
          return u;
        }
        k -= row.length;
      }
    }
    return u;
  }

  /** Copies the elements of {@code a}, row by row, into {@code out} from {@code at}; returns the index after them. */
  public static int flattenInto(double[][] a, double[] out, int at) {
    for (double[] row : a) {
      System.arraycopy(row, 0, out, at, row.length);
      at += row.length;
    }
    return at;
  }

  /** {@link #flattenInto(double[][], double[], int)} for a double[][][]. */
  public static int flattenInto(double[][][] a, double[] out, int at) {
    for (double[][] slice : a) {
      at = flattenInto(slice, out, at);
    }
    return at;
  }
}
