package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.runtime.Tape;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Split mode for recursion (diff.SplitRecursion): a method that recurses through accumulating
 * calls records each call's forward sweep once ({@code fRecord}) and its reverse sweep consumes
 * the records ({@code fReverse}), instead of every level running its subtree's forward sweep
 * again; beyond the tape budget a call runs its joint gradient. Checked against finite
 * differences and a closed form at depth 8 and more, for direct and mutual recursion, for every
 * budget (each call recorded, none but the outermost, some); and where it must not apply.
 */
class SplitRecursionTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Split", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Split {
          /** The determinant by minors, rows from row on, columns not in the bit set used. */
          @Differentiable
          public static double det(double[] a, int n, int row, int used) {
            if (row == n - 1) {
              return a[row * n + Integer.numberOfTrailingZeros(~used)];
            }
            double det = 0;
            double sign = 1;
            for (int col = 0; col < n; col++) {
              if ((used & (1 << col)) == 0) {
                det += sign * a[row * n + col] * det(a, n, row + 1, used | (1 << col));
                sign = -sign;
              }
            }
            return det;
          }

          /** The same, iterating over the free columns only: the set bits of a mask, lowest first. */
          @Differentiable
          public static double detFree(double[] a, int n, int row, int used) {
            if (row == n - 1) {
              return a[row * n + Integer.numberOfTrailingZeros(~used)];
            }
            double det = 0;
            double sign = 1;
            for (int free = ~used & ((1 << n) - 1); free != 0; free &= free - 1) {
              int col = Integer.numberOfTrailingZeros(free);
              det += sign * a[row * n + col] * detFree(a, n, row + 1, used | (1 << col));
              sign = -sign;
            }
            return det;
          }

          /** Mutual recursion along an array: even calls odd calls even, a local read after. */
          @Differentiable
          public static double even(double[] x, double[] w, int i) {
            if (i == x.length) {
              return 1;
            }
            double s = Math.sin(x[i]);
            double r = odd(x, w, i + 1);
            return s * r + w[i] * x[i];
          }

          @Differentiable
          public static double odd(double[] x, double[] w, int i) {
            if (i == x.length) {
              return 2;
            }
            double t = 0;
            for (int k = i; k < x.length; k++) {
              t += x[k] * w[k];
            }
            return Math.cos(t) * even(x, w, i + 1) - x[i] * t;
          }

          /** Two recursive calls per level (a tree), over a prefix of the array. */
          @Differentiable
          public static double tree(double[] x, int n) {
            if (n < 2) {
              return x[n];
            }
            double left = tree(x, n - 1);
            double right = tree(x, n - 2);
            return Math.tanh(left) * x[n] + right * right;
          }

          /** A new array per call passed down: the branch keeps it on the tape, by reference. */
          @Differentiable
          public static double scratch(double[] a, int n) {
            if (n == 1) {
              return a[0];
            }
            double[] m = new double[n - 1];
            for (int i = 0; i < n - 1; i++) {
              m[i] = a[i] * a[i + 1];
            }
            return a[n - 1] * scratch(m, n - 1);
          }

          /** The same array made before the base case: a local of the method's top level. */
          @Differentiable
          public static double scratchAtTop(double[] a, int n) {
            double[] m = new double[n - 1];
            if (n == 1) {
              return a[0];
            }
            for (int i = 0; i < n - 1; i++) {
              m[i] = a[i] * a[i + 1];
            }
            return a[n - 1] * scratchAtTop(m, n - 1);
          }

          /** Not recursive: a callee reading an array, as before. */
          @Differentiable
          public static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              s += a[i] * b[i];
            }
            return s;
          }

          @Differentiable
          public static double twice(double[] a, double[] b) {
            return dot(a, b) * dot(b, a);
          }

          /** Recursion over a scalar: no accumulating overload, so nothing to split. */
          @Differentiable
          public static double pow(double x, int k) {
            return k == 0 ? 1 : x * pow(x, k - 1);
          }
        }
        """);
  }

  @AfterEach
  void defaultBudget() {
    Tape.recursionBudget(Tape.RECURSION_BUDGET_DEFAULT);
  }

  private static double[] random(int length, long seed) {
    Random r = new Random(seed);
    double[] a = new double[length];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble() * 2 - 1;
    }
    return a;
  }

  private static double[] gradient(String method, Object... args) {
    Map<String, Object> g = Compiled.components(c.call("p.SplitGrad", method, args));
    return (double[]) g.get(g.keySet().stream().filter(k -> !k.equals("value")).findFirst().orElseThrow());
  }

  @Test
  void theRecursiveMethodsGetTheSplitForm() {
    String src = c.generatedSource("p.SplitGrad");
    for (String m : new String[] {"det", "detFree", "even", "odd", "tree", "scratch"}) {
      assertTrue(src.contains("static double " + m + "Record("), m + "Record");
      assertTrue(src.contains("static void " + m + "Reverse("), m + "Reverse");
    }
    // the forward sweep records the recursive call, the reverse sweep consumes it
    assertTrue(src.contains("SplitGrad.detRecord(a, n, row + 1, used | 1 << col, _tape, _limit)"), src);
    assertTrue(src.contains("SplitGrad.detReverse(a, n, row + 1, used | 1 << col, "), src);
    assertTrue(src.contains("SplitGrad.detFreeRecord(a, n, row + 1, used | 1 << col, _tape, _limit)"), src);
    assertTrue(src.contains("SplitGrad.oddRecord(x, w, i + 1, _tape, _limit)"), src);
    assertTrue(src.contains("SplitGrad.evenRecord(x, w, i + 1, _tape, _limit)"), src);
    // fAccumulate is the split gradient over one tape of its own, budgeted
    assertTrue(src.contains("SplitGrad.detRecord(a, n, row, used, _tape, _tape.entries() + Tape.recursionBudget())"),
        src);
  }

  @Test
  void notSplitWhereItMustNotBe() {
    String src = c.generatedSource("p.SplitGrad");
    // an array local of the top level that the reverse sweep reads would have to cross from one
    // half to the other: kept joint
    assertFalse(src.contains("scratchAtTopRecord("), src);
    assertTrue(src.contains("scratchAtTopAccumulate("), src);
    // not recursive
    assertFalse(src.contains("dotRecord("), src);
    assertFalse(src.contains("twiceRecord("), src);
    // no array parameter: no accumulating overload
    assertFalse(src.contains("powRecord("), src);
  }

  @Test
  void determinantNineDeepMatchesTheClosedFormForEveryBudget() {
    determinantMatchesTheClosedFormForEveryBudget("det");
  }

  @Test
  void determinantOverTheFreeColumnsMatchesTheClosedFormForEveryBudget() {
    determinantMatchesTheClosedFormForEveryBudget("detFree");
  }

  private static void determinantMatchesTheClosedFormForEveryBudget(String method) {
    int n = 9;
    double[] a = random(n * n, 3);
    for (int i = 0; i < n; i++) {
      a[i * n + i] += 2;
    }
    double[] inv = RecursionTest.inverse(a, n);
    double[] reference = null;
    for (long budget : new long[] {Tape.RECURSION_BUDGET_DEFAULT, 0, 1, 50, 5_000}) {
      Tape.recursionBudget(budget);
      Map<String, Object> g = Compiled.components(c.call("p.SplitGrad", method, a, n, 0, 0));
      double det = (double) g.get("value");
      double[] grad = (double[]) g.get("a");
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          assertEquals(det * inv[j * n + i], grad[i * n + j], 1e-9 * Math.abs(det), "budget " + budget);
        }
      }
      if (reference == null) {
        reference = grad;
      } else {
        // the same operations whichever calls were recorded
        assertArrayEquals(reference, grad, "budget " + budget);
      }
    }
  }

  @Test
  void determinantMatchesFiniteDifferences() {
    for (int n = 2; n <= 5; n++) {
      assertMatches(c, "p.Split", "det", 1e-6, random(n * n, n), n, 0, 0);
      assertMatches(c, "p.Split", "detFree", 1e-6, random(n * n, n), n, 0, 0);
    }
  }

  @Test
  void mutualRecursionTenDeepMatchesFiniteDifferencesForEveryBudget() {
    double[] x = random(10, 5);
    double[] w = random(10, 6);
    double[] reference = null;
    for (long budget : new long[] {Tape.RECURSION_BUDGET_DEFAULT, 0, 3, 20}) {
      Tape.recursionBudget(budget);
      assertMatches(c, "p.Split", "even", 1e-6, x, w, 0);
      assertMatches(c, "p.Split", "odd", 1e-6, x, w, 0);
      double[] g = gradient("even", x, w, 0);
      if (reference != null) {
        assertArrayEquals(reference, g, "budget " + budget);
      }
      reference = g;
    }
  }

  @Test
  void scratchArraysNineDeepMatchFiniteDifferencesForEveryBudget() {
    for (long budget : new long[] {Tape.RECURSION_BUDGET_DEFAULT, 0, 10}) {
      Tape.recursionBudget(budget);
      assertMatches(c, "p.Split", "scratch", 1e-6, random(9, 9), 9);
    }
  }

  @Test
  void treeRecursionTwelveDeepMatchesFiniteDifferencesForEveryBudget() {
    double[] x = random(13, 8);
    for (long budget : new long[] {Tape.RECURSION_BUDGET_DEFAULT, 0, 40}) {
      Tape.recursionBudget(budget);
      assertMatches(c, "p.Split", "tree", 1e-6, x, 12);
    }
  }

  @Test
  void theMethodsNotSplitStillMatchFiniteDifferences() {
    assertMatches(c, "p.Split", "scratchAtTop", 1e-6, random(9, 9), 9);
    assertMatches(c, "p.Split", "twice", 1e-6, random(5, 10), random(5, 11));
  }
}
