package dev.adjoint.tensor;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * {@link Tensor#toString()}: nested brackets like NumPy, numbers to six significant digits and
 * right-aligned, and above {@link #THRESHOLD} elements only the first and last
 * {@link #EDGE_ITEMS} entries of each axis, with "..." between.
 */
final class Format {
  static final int THRESHOLD = 1000;
  static final int EDGE_ITEMS = 3;
  private static final String PREFIX = "tensor(";
  private static final MathContext DIGITS = new MathContext(6);

  private Format() {}

  static String toString(double[] data, int[] shape) {
    StringBuilder sb = new StringBuilder(PREFIX);
    if (shape.length == 0) {
      sb.append(number(data[0]));
    } else {
      boolean elide = data.length > THRESHOLD;
      int width = width(data, shape, elide, 0, 0, 0);
      append(sb, data, shape, elide, width, 0, 0);
    }
    return sb.append(", shape=").append(Shapes.str(shape)).append(')').toString();
  }

  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e16) {
      return (v == 0 && 1 / v < 0 ? "-" : "") + (long) v + ".0";
    }
    return Double.toString(new BigDecimal(v).round(DIGITS).doubleValue());
  }

  private static boolean skipped(int i, int n, boolean elide) {
    return elide && n > 2 * EDGE_ITEMS && i >= EDGE_ITEMS && i < n - EDGE_ITEMS;
  }

  /** The widest formatted element that will be shown. */
  private static int width(double[] data, int[] shape, boolean elide, int dim, int offset,
      int widest) {
    int n = shape[dim];
    int stride = Shapes.inner(shape, dim);
    for (int i = 0; i < n; i++) {
      if (skipped(i, n, elide)) {
        i = n - EDGE_ITEMS - 1;
        continue;
      }
      int at = offset + i * stride;
      if (dim == shape.length - 1) {
        widest = Math.max(widest, number(data[at]).length());
      } else {
        widest = width(data, shape, elide, dim + 1, at, widest);
      }
    }
    return widest;
  }

  private static void append(StringBuilder sb, double[] data, int[] shape, boolean elide,
      int width, int dim, int offset) {
    int n = shape[dim];
    int stride = Shapes.inner(shape, dim);
    boolean last = dim == shape.length - 1;
    String separator = last ? ", " : "," + "\n".repeat(shape.length - dim - 1)
        + " ".repeat(PREFIX.length() + dim + 1);
    sb.append('[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(separator);
      }
      if (skipped(i, n, elide)) {
        sb.append("...");
        i = n - EDGE_ITEMS - 1;
        continue;
      }
      int at = offset + i * stride;
      if (last) {
        String s = number(data[at]);
        sb.append(" ".repeat(width - s.length())).append(s);
      } else {
        append(sb, data, shape, elide, width, dim + 1, at);
      }
    }
    sb.append(']');
  }
}
