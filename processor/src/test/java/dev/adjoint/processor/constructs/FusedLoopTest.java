package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Accumulation loops whose adjoint runs inside the loop (analysis.Fusion): which loops are
 * fused, and that fused and unfused loops give the same, exact gradients.
 */
class FusedLoopTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Acc", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Acc {
          @Differentiable
          public static double sumOfSquares(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * x[i];
            }
            return s;
          }

          @Differentiable
          public static double extendedRosenbrock(double[] x) {
            double s = 0;
            for (int i = 0; i + 1 < x.length; i++) {
              double a = 1 - x[i];
              double b = x[i + 1] - x[i] * x[i];
              s += a * a + 100 * b * b;
            }
            return s;
          }

          @Differentiable(wrt = "w")
          public static double logisticLoss(double[] w, double[] x, double[] y, int n, int d) {
            double total = 0;
            for (int i = 0; i < n; i++) {
              double z = 0;
              for (int j = 0; j < d; j++) {
                z += w[j] * x[i * d + j];
              }
              double m = y[i] * z;
              if (m > 0) {
                total += Math.log1p(Math.exp(-m));
              } else {
                total += Math.log1p(Math.exp(m)) - m;
              }
            }
            return total / n;
          }

          /** delta is differentiated too: the loop adds to its adjoint from outside. */
          @Differentiable
          public static double huber(double[] x, double delta) {
            double s = 0;
            for (int i = 0; i + 1 < x.length; i++) {
              double r = x[i + 1] - x[i];
              if (r > delta) {
                s += delta * (r - 0.5 * delta);
              } else if (r < -delta) {
                s -= delta * (r + 0.5 * delta);
              } else {
                s = 0.5 * r * r + s;
              }
            }
            return s;
          }

          /** The first loop's sum is read by the second: only the second is fused. */
          @Differentiable
          public static double twoLoops(double[] x, double c) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += c * x[i];
            }
            double t = 0;
            for (int i = 0; i < x.length; i++) {
              t += Math.sin(s * x[i]);
            }
            return s + t;
          }

          /** Two loops adding to the same sum: both fused. */
          @Differentiable
          public static double sameSumTwice(double[] x, double c) {
            double s = c * c;
            for (int i = 0; i < x.length; i++) {
              s += Math.exp(c * x[i]);
            }
            for (int i = x.length - 1; i >= 0; i--) {
              s = s - x[i] / (1 + c * c);
            }
            double scaled = s * c;
            return scaled / x.length;
          }

          /** The second loop adds to c2's adjoint, which flows back into s: only it is fused. */
          @Differentiable
          public static double chained(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * x[i];
            }
            double c2 = s * 0.3;
            double t = 0;
            for (int i = 0; i < x.length; i++) {
              t += Math.sin(c2 * x[i]);
            }
            return t;
          }

          @Differentiable
          public static double enhanced(double[] x, double c) {
            double s = 0;
            for (double v : x) {
              s += Math.sin(v * c);
            }
            return s * 0.5;
          }

          @Differentiable
          public static double stepTwo(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i += 2) {
              s += x[i] * x[i];
            }
            return s;
          }

          @Differentiable
          public static double withContinue(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              if (x[i] < 0) {
                continue;
              }
              s += Math.sqrt(x[i] + 1);
            }
            return s;
          }

          @Differentiable
          public static double withCall(double[] x, double c) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += enhanced(x, c * x[i]);
            }
            return s;
          }

          @Differentiable
          public static double nestedSums(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double row = 0;
              for (int j = 0; j < x.length; j++) {
                row += x[i] * x[j];
              }
              s += Math.tanh(row);
            }
            return s;
          }

          /** The sum's adjoint depends on the sum: not fused. */
          @Differentiable
          public static double squaredSum(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * x[i];
            }
            return s * s;
          }

          /** A value the loop reads changes after it: not fused. */
          @Differentiable
          public static double readThenChanged(double[] x, double c) {
            double k = c;
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += k * x[i];
            }
            k = k * Math.cos(k);
            return s + k;
          }

          /** A local reassigned inside the iteration, a nested loop adding to the outer sum. */
          @Differentiable
          public static double insideOut(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double t = x[i];
              s += t * t;
              t = Math.sin(t);
              s += t;
              for (int j = 0; j < i; j++) {
                s += x[i] * x[j] * 0.5;
              }
            }
            return s;
          }

          /** The sum's value before the loop is read by the reverse sweep of t: not fused. */
          @Differentiable
          public static double readBeforeTheLoop(double[] x, double x0) {
            double s = x0 * 2;
            double t = s * s;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * x0;
            }
            return s + t;
          }

          /** A while loop moves its own index: not fused. */
          @Differentiable
          public static double whileSum(double[] x) {
            double s = 0;
            int i = 0;
            while (i < x.length) {
              s += Math.cbrt(x[i]) * x[i];
              i++;
            }
            return s;
          }

          /** Branch temporaries (exp) that the iteration's adjoint reads: declared in the body. */
          @Differentiable(hessian = true)
          public static double softBranches(double a, double b, int n) {
            double s = 0;
            for (int i = 0; i < n; i++) {
              double t = a * i - b;
              if (t > 0) {
                s += Math.log1p(Math.exp(-t));
              } else {
                s += Math.log1p(Math.exp(t)) - t;
              }
            }
            return s / n;
          }

          @Differentiable(hessian = true)
          public static double waves(double a, double b, int n) {
            double s = 0;
            for (int i = 0; i < n; i++) {
              s += Math.sin(a * i) * b + a * a * b / (i + 1);
            }
            return s / n;
          }
        }
        """);
  }

  static Stream<Arguments> cases() {
    double[] x = {0.3, -1.2, 2.5, 0.7, -0.4, 1.1};
    double[] w = {0.2, -0.5, 0.9};
    double[] xs = new double[4 * 3];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = Math.sin(1.7 * i + 0.3);
    }
    double[] ys = {1, -1, -1, 1};
    return Stream.of(
        Arguments.of("sumOfSquares", true, new Object[] {x.clone()}),
        Arguments.of("sumOfSquares", true, new Object[] {new double[0]}),
        Arguments.of("extendedRosenbrock", true, new Object[] {x.clone()}),
        Arguments.of("extendedRosenbrock", true, new Object[] {new double[] {0.5}}),
        Arguments.of("logisticLoss", true, new Object[] {w.clone(), xs, ys, 4, 3}),
        Arguments.of("huber", true, new Object[] {x.clone(), 0.8}),
        Arguments.of("huber", true, new Object[] {x.clone(), 5.0}),
        Arguments.of("twoLoops", true, new Object[] {x.clone(), 0.6}),
        Arguments.of("sameSumTwice", true, new Object[] {x.clone(), 0.6}),
        Arguments.of("chained", true, new Object[] {x.clone()}),
        Arguments.of("enhanced", true, new Object[] {x.clone(), 0.8}),
        Arguments.of("stepTwo", true, new Object[] {x.clone()}),
        Arguments.of("withContinue", true, new Object[] {x.clone()}),
        Arguments.of("withCall", true, new Object[] {x.clone(), 0.3}),
        Arguments.of("nestedSums", true, new Object[] {new double[] {0.3, -0.5, 0.8}}),
        Arguments.of("squaredSum", false, new Object[] {x.clone()}),
        Arguments.of("readThenChanged", false, new Object[] {x.clone(), 0.6}),
        Arguments.of("insideOut", true, new Object[] {x.clone()}),
        Arguments.of("whileSum", false, new Object[] {x.clone()}),
        Arguments.of("readBeforeTheLoop", false, new Object[] {x.clone(), 0.7}),
        Arguments.of("waves", true, new Object[] {0.7, -1.3, 9}),
        Arguments.of("softBranches", true, new Object[] {0.4, 1.1, 7}));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String method, boolean fused, Object[] args) {
    assertMatches(c, "p.Acc", method, 1e-6, args);
    assertEquals(fused, source(method).contains("adjoint of this iteration"), method + " fused");
  }

  @Test
  void aFusedLoopNeedsNoTapeAndNoTripCount() {
    for (String m : new String[] {"sumOfSquares", "extendedRosenbrock", "huber", "sameSumTwice"}) {
      String src = source(m);
      assertFalse(src.contains("Tape"), m + ":\n" + src);
      assertFalse(src.contains("_n0"), m + ":\n" + src);
    }
    // the sum's adjoint 1/n is computed once, before the loop
    assertTrue(source("logisticLoss").contains("double _d_total = 1.0 / n;"), source("logisticLoss"));
    // what its branches compute for the iteration's adjoint is declared in the loop body, not taped
    assertFalse(source("logisticLoss").contains("Tape"), source("logisticLoss"));
    assertTrue(source("logisticLoss").contains("double _t0 = 0;"), source("logisticLoss"));
  }

  @Test
  void closedForms() {
    double[] x = {0.3, -1.2, 2.5};
    Map<String, Object> g = Compiled.components(c.call("p.AccGrad", "sumOfSquares", (Object) x));
    assertArrayEquals(new double[] {0.6, -2.4, 5.0}, (double[]) g.get("x"), 1e-15);
    // huber with a large delta is half the sum of squared differences
    double[] y = {0.3, -0.2, 0.5};
    Map<String, Object> h = Compiled.components(c.call("p.AccGrad", "huber", y, 10.0));
    assertArrayEquals(new double[] {0.5, -1.2, 0.7}, (double[]) h.get("x"), 1e-15);
    assertEquals(0.0, (double) h.get("delta"), 0.0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"waves, 0.7, -1.3, 9", "softBranches, 0.4, 1.1, 7"})
  void hessianThroughAFusedLoop(String method, double a, double b, int n) {
    Object[] args = {a, b, n};
    Map<String, Object> h = Compiled.components(c.call("p.AccGrad", method + "Hessian", args));
    double[][] hessian = (double[][]) h.get("hessian");
    double step = 1e-4;
    String[] names = {"a", "b"};
    for (int j = 0; j < 2; j++) {
      Object[] up = args.clone();
      Object[] down = args.clone();
      up[j] = (double) args[j] + step;
      down[j] = (double) args[j] - step;
      Map<String, Object> gu = Compiled.components(c.call("p.AccGrad", method, up));
      Map<String, Object> gd = Compiled.components(c.call("p.AccGrad", method, down));
      for (int i = 0; i < 2; i++) {
        double fd = ((double) gu.get(names[i]) - (double) gd.get(names[i])) / (2 * step);
        assertEquals(fd, hessian[i][j], 1e-6 * Math.max(1, Math.abs(fd)), "H[" + i + "][" + j + "]");
      }
    }
  }

  /** The generated gradient method's text. */
  private static String source(String method) {
    String all = c.generatedSource("p.AccGrad");
    String record = Character.toUpperCase(method.charAt(0)) + method.substring(1);
    int start = all.indexOf("public static " + record + " " + method + "(");
    assertTrue(start >= 0, method);
    return all.substring(start, all.indexOf("\n    }\n", start));
  }
}
