package dev.adjoint.tensor;

/**
 * Loops over broadcast shapes. An iteration over a shape visits it row by row: dimensions of size
 * 1 are dropped and adjacent dimensions that both operands traverse contiguously (or both skip)
 * are merged, so the innermost loop is as long as possible and each operand's step in it is 0
 * (broadcast) or 1. Nothing is allocated per element: one cursor per operation.
 */
final class Broadcast {
  static final int ADD = 0;
  static final int SUB = 1;
  static final int MUL = 2;
  static final int DIV = 3;

  private Broadcast() {}

  /**
   * A cursor over the rows of a broadcast iteration, with the offsets of two operands whose
   * shapes broadcast to the iterated shape.
   */
  static final class Cursor {
    private final int[] dims;
    private final int[] strideA;
    private final int[] strideB;
    private final int[] counter;
    private final int outerRank;
    /** Elements per row and the step of each operand within a row. */
    final int inner;
    final int innerStrideA;
    final int innerStrideB;
    /** Number of rows. */
    final int rows;
    /** Offsets of the current row's first element in each operand. */
    int offA;
    int offB;

    Cursor(int[] shape, int size, int[] a, int[] b) {
      int rank = shape.length;
      int[] fa = aligned(a, rank);
      int[] fb = aligned(b, rank);
      int[] d = new int[Math.max(rank, 1)];
      int[] sa = new int[d.length];
      int[] sb = new int[d.length];
      int r = 0;
      for (int i = 0; i < rank; i++) {
        if (shape[i] == 1) {
          continue;
        }
        if (r > 0 && sa[r - 1] == fa[i] * shape[i] && sb[r - 1] == fb[i] * shape[i]) {
          d[r - 1] *= shape[i];
          sa[r - 1] = fa[i];
          sb[r - 1] = fb[i];
        } else {
          d[r] = shape[i];
          sa[r] = fa[i];
          sb[r] = fb[i];
          r++;
        }
      }
      if (r == 0) {
        d[0] = 1;
        r = 1;
      }
      this.dims = d;
      this.strideA = sa;
      this.strideB = sb;
      this.counter = new int[r];
      this.inner = d[r - 1];
      this.innerStrideA = sa[r - 1];
      this.innerStrideB = sb[r - 1];
      this.rows = inner == 0 ? 0 : size / inner;
      this.outerRank = r - 1;
    }

    /** Moves to the next row. */
    void advance() {
      for (int k = outerRank - 1; k >= 0; k--) {
        offA += strideA[k];
        offB += strideB[k];
        if (++counter[k] < dims[k]) {
          return;
        }
        counter[k] = 0;
        offA -= strideA[k] * dims[k];
        offB -= strideB[k] * dims[k];
      }
    }

    /** Element strides of {@code operand} right-aligned to {@code rank}; 0 where broadcast. */
    private static int[] aligned(int[] operand, int rank) {
      int[] s = new int[rank];
      int st = 1;
      for (int i = 1; i <= rank; i++) {
        int dim = i <= operand.length ? operand[operand.length - i] : 1;
        s[rank - i] = dim == 1 ? 0 : st;
        st *= dim;
      }
      return s;
    }
  }

  /** {@code a op b} over the broadcast shape {@code out}. */
  static double[] binary(int op, double[] a, int[] aShape, double[] b, int[] bShape, int[] out) {
    int size = Shapes.size(out);
    double[] c = new double[size];
    if (size == 0) {
      return c;
    }
    Cursor cur = new Cursor(out, size, aShape, bShape);
    int n = cur.inner;
    for (int row = 0, co = 0; row < cur.rows; row++, co += n) {
      row(op, a, cur.offA, cur.innerStrideA, b, cur.offB, cur.innerStrideB, c, co, n);
      cur.advance();
    }
    return c;
  }

  /** Copies {@code a} stretched to {@code out}, a shape it broadcasts to. */
  static double[] stretch(double[] a, int[] aShape, int[] out) {
    int size = Shapes.size(out);
    double[] c = new double[size];
    if (size == 0) {
      return c;
    }
    Cursor cur = new Cursor(out, size, aShape, Shapes.SCALAR);
    int n = cur.inner;
    int s = cur.innerStrideA;
    for (int row = 0, co = 0; row < cur.rows; row++, co += n) {
      int ao = cur.offA;
      if (s == 1) {
        System.arraycopy(a, ao, c, co, n);
      } else if (s == 0) {
        java.util.Arrays.fill(c, co, co + n, a[ao]);
      } else {
        for (int i = 0; i < n; i++) {
          c[co + i] = a[ao + i * s];
        }
      }
      cur.advance();
    }
    return c;
  }

  /**
   * Sums {@code g} (of shape {@code gShape}) down to {@code target}, a shape that broadcasts to
   * {@code gShape}: the adjoint of {@link #stretch}.
   */
  static double[] reduce(double[] g, int[] gShape, int[] target) {
    double[] c = new double[Shapes.size(target)];
    int size = g.length;
    if (size == 0 || c.length == 0) {
      return c;
    }
    Cursor cur = new Cursor(gShape, size, gShape, target);
    int n = cur.inner;
    int s = cur.innerStrideB;
    for (int row = 0, go = 0; row < cur.rows; row++, go += n) {
      int co = cur.offB;
      if (s == 0) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
          acc += g[go + i];
        }
        c[co] += acc;
      } else if (s == 1) {
        for (int i = 0; i < n; i++) {
          c[co + i] += g[go + i];
        }
      } else {
        for (int i = 0; i < n; i++) {
          c[co + i * s] += g[go + i];
        }
      }
      cur.advance();
    }
    return c;
  }

  /** One row of {@code c = a op b}; a step of 0 repeats an operand's element. */
  static void row(int op, double[] a, int ao, int as, double[] b, int bo, int bs,
      double[] c, int co, int n) {
    switch (op) {
      case ADD -> add(a, ao, as, b, bo, bs, c, co, n);
      case SUB -> sub(a, ao, as, b, bo, bs, c, co, n);
      case MUL -> mul(a, ao, as, b, bo, bs, c, co, n);
      case DIV -> div(a, ao, as, b, bo, bs, c, co, n);
      default -> throw new AssertionError(op);
    }
  }

  private static void add(double[] a, int ao, int as, double[] b, int bo, int bs,
      double[] c, int co, int n) {
    if (as == 1 && bs == 1) {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] + b[bo + i];
      }
    } else if (as == 1 && bs == 0) {
      double y = b[bo];
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] + y;
      }
    } else if (as == 0 && bs == 1) {
      double x = a[ao];
      for (int i = 0; i < n; i++) {
        c[co + i] = x + b[bo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i * as] + b[bo + i * bs];
      }
    }
  }

  private static void sub(double[] a, int ao, int as, double[] b, int bo, int bs,
      double[] c, int co, int n) {
    if (as == 1 && bs == 1) {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] - b[bo + i];
      }
    } else if (as == 1 && bs == 0) {
      double y = b[bo];
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] - y;
      }
    } else if (as == 0 && bs == 1) {
      double x = a[ao];
      for (int i = 0; i < n; i++) {
        c[co + i] = x - b[bo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i * as] - b[bo + i * bs];
      }
    }
  }

  private static void mul(double[] a, int ao, int as, double[] b, int bo, int bs,
      double[] c, int co, int n) {
    if (as == 1 && bs == 1) {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] * b[bo + i];
      }
    } else if (as == 1 && bs == 0) {
      double y = b[bo];
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] * y;
      }
    } else if (as == 0 && bs == 1) {
      double x = a[ao];
      for (int i = 0; i < n; i++) {
        c[co + i] = x * b[bo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i * as] * b[bo + i * bs];
      }
    }
  }

  private static void div(double[] a, int ao, int as, double[] b, int bo, int bs,
      double[] c, int co, int n) {
    if (as == 1 && bs == 1) {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] / b[bo + i];
      }
    } else if (as == 1 && bs == 0) {
      double y = b[bo];
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i] / y;
      }
    } else if (as == 0 && bs == 1) {
      double x = a[ao];
      for (int i = 0; i < n; i++) {
        c[co + i] = x / b[bo + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        c[co + i] = a[ao + i * as] / b[bo + i * bs];
      }
    }
  }
}
