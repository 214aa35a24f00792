package dev.adjoint.tensor;

import java.util.Arrays;
import java.util.Objects;

/** Shape arithmetic and the messages of shape errors; every message names the operation. */
final class Shapes {
  static final int[] SCALAR = new int[0];

  private Shapes() {}

  /** A validated private copy of a user-supplied shape. */
  static int[] copyOf(String op, int[] shape) {
    Objects.requireNonNull(shape, () -> op + ": shape is null");
    int[] copy = shape.length == 0 ? SCALAR : shape.clone();
    sizeOf(op, copy);
    return copy;
  }

  /** The number of elements of a shape, checking that no dimension is negative and it fits. */
  static int sizeOf(String op, int[] shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            op + ": negative dimension in shape " + str(shape));
      }
      size *= d;
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            op + ": shape " + str(shape) + " has more elements than a Java array can hold");
      }
    }
    return (int) size;
  }

  /** The size of a shape already known to be valid. */
  static int size(int[] shape) {
    return sizeOf("shape", shape); // never wraps around: a result too large is an error
  }

  static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  /** The NumPy broadcast of two shapes: right-aligned, a dimension of size 1 stretches. */
  static int[] broadcast(String op, int[] a, int[] b) {
    if (Arrays.equals(a, b)) {
      return a;
    }
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 1; i <= rank; i++) {
      int da = i <= a.length ? a[a.length - i] : 1;
      int db = i <= b.length ? b[b.length - i] : 1;
      if (da == db || db == 1) {
        out[rank - i] = da;
      } else if (da == 1) {
        out[rank - i] = db;
      } else {
        throw new IllegalArgumentException(
            op + ": shapes " + str(a) + " and " + str(b) + " do not broadcast");
      }
    }
    return out;
  }

  /** Whether {@code from} broadcasts to exactly {@code to}. */
  static boolean broadcastsTo(int[] from, int[] to) {
    if (from.length > to.length) {
      return false;
    }
    for (int i = 1; i <= from.length; i++) {
      int f = from[from.length - i];
      if (f != 1 && f != to[to.length - i]) {
        return false;
      }
    }
    return true;
  }

  /** Normalises an axis (negative counts from the end) or throws naming the shape. */
  static int axis(String op, int axis, int[] shape) {
    int rank = shape.length;
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException(
          op + ": axis " + axis + " is out of range for shape " + str(shape) + " (rank " + rank
              + ")");
    }
    return axis < 0 ? axis + rank : axis;
  }

  /** The product of the dimensions before {@code axis}. */
  static int outer(int[] shape, int axis) {
    int p = 1;
    for (int i = 0; i < axis; i++) {
      p *= shape[i];
    }
    return p;
  }

  /** The product of the dimensions after {@code axis}. */
  static int inner(int[] shape, int axis) {
    int p = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      p *= shape[i];
    }
    return p;
  }

  /** The shape after reducing over {@code axis} (a normalised axis). */
  static int[] reduced(int[] shape, int axis, boolean keepDims) {
    if (keepDims) {
      int[] out = shape.clone();
      out[axis] = 1;
      return out;
    }
    int[] out = new int[shape.length - 1];
    System.arraycopy(shape, 0, out, 0, axis);
    System.arraycopy(shape, axis + 1, out, axis, shape.length - axis - 1);
    return out;
  }
}
