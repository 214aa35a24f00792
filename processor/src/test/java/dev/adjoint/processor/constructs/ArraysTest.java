package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;

import dev.adjoint.processor.testing.Compiled;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One-dimensional arrays as Java has them: initializers, arrays declared in loops and branches
 * (a fresh array per iteration), int[]/long[]/boolean[] data, System.arraycopy, Arrays.fill and
 * clone. Generated gradients against finite differences.
 */
class ArraysTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Arr", """
        package p;
        import dev.adjoint.Differentiable;
        import java.util.Arrays;
        public final class Arr {
          @Differentiable
          public static double literal(double x, double y) {
            double[] v = {x, y * x, 3};
            return v[0] * v[1] + v[2] * y;
          }

          @Differentiable
          public static double newWithElements(double a, double b, double c) {
            double[] v = new double[] {a, b * b, Math.sin(c), 2};
            double s = 0;
            for (double e : v) {
              s += e * e * a;
            }
            return s;
          }

          @Differentiable
          public static double rowPerIteration(double[] x, int m) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double[] row = new double[m];
              for (int j = 0; j < m; j++) {
                row[j] = Math.sin(x[i] * (j + 1));
              }
              for (int j = 0; j < m; j++) {
                s += row[j] * row[(j + 1) % m] * x[i];
              }
            }
            return s;
          }

          @Differentiable
          public static double overwrittenPerIteration(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double[] t = new double[2];
              t[0] = x[i];
              t[0] = t[0] * t[0] + s;
              t[1] = Math.exp(t[0] / 4);
              s += t[1] * t[0];
            }
            return s;
          }

          @Differentiable
          public static double arrayInBranch(double x) {
            if (x > 0) {
              double[] minor = {x, x * x};
              return minor[0] * minor[1];
            }
            double[] other = new double[1];
            other[0] = Math.cos(x);
            return other[0] * x;
          }

          @Differentiable
          public static double nestedBlocks(double x, int n) {
            double s = 0;
            while (n > 0) {
              {
                double[] w = {x, n};
                if (n % 2 == 0) {
                  double[] u = new double[] {w[0] * w[1], s};
                  s = u[0] + u[1] * x;
                } else {
                  s += w[0];
                }
              }
              n--;
            }
            return s;
          }

          @Differentiable
          public static double permuted(double[] x) {
            int n = x.length;
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
              perm[i] = (i * 3 + 1) % n;
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
              s += x[perm[i]] * x[i] * x[perm[perm[i]]];
            }
            return s;
          }

          @Differentiable
          public static double gathered(double[] x, int[] idx, long[] scale, boolean[] mask) {
            double s = 0;
            for (int i = 0; i < idx.length; i++) {
              if (mask[i]) {
                s += x[idx[i]] * x[idx[i]] * scale[i];
              }
            }
            return s;
          }

          @Differentiable
          public static double clusters(double[] x, double[] c) {
            int[] assign = new int[x.length];
            boolean[] far = new boolean[x.length];
            for (int i = 0; i < x.length; i++) {
              int best = 0;
              for (int k = 1; k < c.length; k++) {
                if (Math.abs(x[i] - c[k]) < Math.abs(x[i] - c[best])) {
                  best = k;
                }
              }
              assign[i] = best;
              far[i] = Math.abs(x[i] - c[best]) > 1;
            }
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double d = x[i] - c[assign[i]];
              s += far[i] ? 2 * d * d : d * d;
            }
            return s;
          }

          @Differentiable
          public static double intOverwrittenInLoop(double[] x) {
            int[] idx = new int[1];
            long[] count = {0L};
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              idx[0] = (i * 7 + 2) % x.length;
              count[0] += 1;
              s += x[idx[0]] * x[i] * count[0] + s * x[idx[0]] / 8;
            }
            return s;
          }

          @Differentiable
          public static double copies(double[] x, double a) {
            double[] y = x.clone();
            y[0] = y[0] * y[1];
            double[] z = new double[x.length + 2];
            System.arraycopy(y, 0, z, 1, x.length);
            Arrays.fill(z, 0, 1, a * a);
            z[z.length - 1] = a;
            double[] w = new double[z.length];
            Arrays.fill(w, Math.sin(a));
            System.arraycopy(z, 1, w, 0, 2);
            System.arraycopy(w, 0, w, 1, 3);
            double s = 0;
            for (int i = 0; i < w.length; i++) {
              s += w[i] * (i + 1) * z[i];
            }
            return s + y[0];
          }

          @Differentiable
          public static double copyInLoop(double[] x) {
            double s = 0;
            double[] acc = new double[x.length];
            for (int r = 0; r < 3; r++) {
              double[] prev = acc.clone();
              for (int i = 0; i < x.length; i++) {
                acc[i] = Math.tanh(prev[(i + 1) % x.length] + x[i] * (r + 1));
              }
              s += acc[0] * prev[x.length - 1];
            }
            return s + acc[1];
          }

          @Differentiable
          public static double det2(double[] m) {
            return m[0] * m[3] - m[1] * m[2];
          }

          @Differentiable
          public static double det3(double[] a) {
            int n = 3;
            double d = 0;
            for (int c = 0; c < n; c++) {
              double[] minor = new double[(n - 1) * (n - 1)];
              int k = 0;
              for (int i = 1; i < n; i++) {
                for (int j = 0; j < n; j++) {
                  if (j != c) {
                    minor[k] = a[i * n + j];
                    k++;
                  }
                }
              }
              double sign = c % 2 == 0 ? 1 : -1;
              d += sign * a[c] * det2(minor);
            }
            return d;
          }
        }
        """);
  }

  static Stream<Arguments> cases() {
    double[] x = {0.3, -1.2, 2.5, 0.7, -0.4};
    return Stream.of(
        Arguments.of("literal", new Object[] {0.7, -1.3}),
        Arguments.of("newWithElements", new Object[] {0.7, -1.3, 0.4}),
        Arguments.of("rowPerIteration", new Object[] {x.clone(), 3}),
        Arguments.of("rowPerIteration", new Object[] {x.clone(), 1}),
        Arguments.of("overwrittenPerIteration", new Object[] {new double[] {0.3, -0.2, 0.5}}),
        Arguments.of("arrayInBranch", new Object[] {0.8}),
        Arguments.of("arrayInBranch", new Object[] {-0.8}),
        Arguments.of("nestedBlocks", new Object[] {0.6, 5}),
        Arguments.of("permuted", new Object[] {x.clone()}),
        Arguments.of("gathered", new Object[] {x.clone(), new int[] {0, 2, 2, 4}, new long[] {1, 2, 3, 4},
            new boolean[] {true, false, true, true}}),
        Arguments.of("clusters", new Object[] {x.clone(), new double[] {-1, 0.5, 2}}),
        Arguments.of("intOverwrittenInLoop", new Object[] {x.clone()}),
        Arguments.of("copies", new Object[] {x.clone(), 0.9}),
        Arguments.of("copyInLoop", new Object[] {x.clone()}),
        Arguments.of("det3", new Object[] {new double[] {2, -1, 0.5, 1.5, 3, -2, 0.7, 0.2, 1.1}}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String method, Object[] args) {
    assertMatches(c, "p.Arr", method, 1e-6, args);
  }
}
