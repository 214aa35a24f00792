package dev.adjoint.benchmarks.scalar;

import java.util.Arrays;

/** Every benchmark's setup checks that the variants it times compute the same gradient. */
final class Agreement {
  private Agreement() {}

  static void check(String what, double expectedValue, double[] expected, double value,
      double[] actual) {
    boolean ok = close(expectedValue, value);
    for (int i = 0; i < expected.length && ok; i++) {
      ok = close(expected[i], actual[i]);
    }
    if (!ok) {
      throw new IllegalStateException(what + " disagrees with the generated gradient: value "
          + value + " vs " + expectedValue + ", gradient " + Arrays.toString(actual) + " vs "
          + Arrays.toString(expected));
    }
  }

  private static boolean close(double a, double b) {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
  }
}
