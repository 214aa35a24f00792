package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code det}: the determinant of an ell-by-ell matrix (row-major) by expansion by
 * minors along the first row, recursively, as in cmpad's {@code det_by_minor}. A minor is the
 * matrix's rows from {@code row} on and its columns not in the bit set {@code usedColumns}
 * (cmpad removes rows and columns by relinking lists in place; a bit set removes them without
 * writing anything, so there is nothing to restore).
 */
public final class Det {
  private Det() {}

  @Differentiable
  public static double det(double[] a, int ell) {
    return detOfMinor(a, ell, 0, 0);
  }

  /** The determinant of the minor of the n-by-n matrix a: rows row..n-1, columns not used. */
  @Differentiable
  static double detOfMinor(double[] a, int n, int row, int usedColumns) {
    if (row == n - 1) {
      return a[row * n + Integer.numberOfTrailingZeros(~usedColumns)];
    }
    double det = 0;
    double sign = 1;
    // the minor's columns, lowest first: the n columns less the used ones (one pass each, not n)
    for (int free = ~usedColumns & ((1 << n) - 1); free != 0; free &= free - 1) {
      int col = Integer.numberOfTrailingZeros(free);
      det += sign * a[row * n + col] * detOfMinor(a, n, row + 1, usedColumns | (1 << col));
      sign = -sign;
    }
    return det;
  }

  record Input(double[] A, int ell) {}

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    double[] a = in.A();
    int ell = in.ell();
    double[] gradient = new double[a.length];
    return switch (function) {
      case "primal" -> () -> det(a, ell);
      case "gradient" -> () -> {
        DetGrad.det(a, ell, gradient);
        return gradient;
      };
      default -> null;
    };
  };
}
