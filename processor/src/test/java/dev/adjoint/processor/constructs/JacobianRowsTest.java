package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jacobians without wasted sweeps: reverse-mode rows over one shared forward sweep
 * ({@code fJacobianRows}, the tape marked and rewound), the number of outputs read from the
 * method's code instead of running it (or counted by the first forward sweep), and vector-valued
 * instance methods; each Jacobian against central finite differences, and the number of sweeps
 * counted through a data-only call the method makes once per sweep.
 */
public class JacobianRowsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Rows", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Rows {
          /** 3 outputs of w.length + 1 inputs: a loop whose locals are taped, a branch. */
          @Differentiable
          public static double[] moments(double[] w, double s) {
            int sweeps = dev.adjoint.processor.constructs.JacobianRowsTest.tick();
            double[] out = new double[3];
            for (int i = 0; i < w.length; i++) {
              double a = Math.sin(w[i] * s);
              double b = a * a;
              if (b > 0.1) {
                out[0] += b * w[i];
              } else {
                out[0] += a;
              }
              out[1] += Math.exp(a) / (i + 1);
              out[2] += a * b * s;
            }
            return out;
          }

          /** A literal result: 2 outputs, 4 inputs, no loop. */
          @Differentiable
          public static double[] pair(double[] p, double q) {
            int sweeps = dev.adjoint.processor.constructs.JacobianRowsTest.tick();
            double r = p[0] * p[1] - Math.cos(p[2] * q);
            double t;
            if (r > 0) {
              double k = Math.sqrt(r + 1);
              t = k * q;
            } else {
              t = r * r;
            }
            return new double[] {r * t, t / (1 + q * q)};
          }

          /** A recurrence: its reverse sweep restores h, so each row runs its own sweeps. */
          @Differentiable
          public static double[] recurrence(double[] w, double s) {
            double[] out = new double[2];
            double h = 0.5;
            for (int i = 0; i < w.length; i++) {
              h = Math.tanh(h * w[i] + s);
            }
            out[0] = h;
            out[1] = h * h * s;
            return out;
          }

          /** A result whose length the code does not tell before running: counted by a sweep. */
          @Differentiable
          public static double[] prefix(double[] w, double s, int[] lengths) {
            int sweeps = dev.adjoint.processor.constructs.JacobianRowsTest.tick();
            double[] out = new double[lengths[0]];
            for (int i = 0; i < out.length; i++) {
              out[i] = Math.sin(w[i % w.length] * s) * (i + 1);
            }
            return out;
          }
        }
        """, "p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Model {
          private final double[] weights;
          private final int outputs;

          public Model(double[] weights, int outputs) {
            this.weights = weights;
            this.outputs = outputs;
          }

          /** A vector-valued instance method reading its fields as data. */
          @Differentiable
          public double[] predict(double[] x, double bias) {
            int n = outputs;
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
              double z = bias;
              for (int j = 0; j < x.length; j++) {
                z += weights[(i * x.length + j) % weights.length] * x[j];
              }
              out[i] = Math.tanh(z);
            }
            return out;
          }
        }
        """);
  }

  private static final java.util.concurrent.atomic.AtomicInteger SWEEPS = new java.util.concurrent.atomic.AtomicInteger();

  /** Called by the compiled methods once per run of their forward code: counts the sweeps. */
  public static int tick() {
    return SWEEPS.incrementAndGet();
  }

  static int sweeps() {
    return SWEEPS.get();
  }

  /** The flattened inputs (an array, then a double) to the function's outputs. */
  static void assertJacobianMatchesFiniteDifferences(double[][] j, double[] w, double s,
      java.util.function.BiFunction<double[], Double, double[]> f) {
    double h = 1e-6;
    for (int k = 0; k <= w.length; k++) {
      double[] up = w.clone();
      double[] down = w.clone();
      double su = s;
      double sd = s;
      if (k < w.length) {
        up[k] += h;
        down[k] -= h;
      } else {
        su += h;
        sd -= h;
      }
      double[] fu = f.apply(up, su);
      double[] fd = f.apply(down, sd);
      for (int i = 0; i < j.length; i++) {
        double expected = (fu[i] - fd[i]) / (2 * h);
        assertEquals(expected, j[i][k], 1e-7 * Math.max(1, Math.abs(expected)), "J[" + i + "][" + k + "]");
      }
    }
  }

  @Test
  void reverseRowsShareOneForwardSweep() {
    double[] w = {0.3, -0.2, 1.1, 0.4, 0.05};
    double s = 0.9;
    int before = sweeps();
    double[][] j = (double[][]) c.call("p.RowsGrad", "momentsJacobian", w, s);
    assertEquals(1, sweeps() - before, "one forward sweep for all three rows, none to count the outputs");
    assertEquals(3, j.length);
    assertEquals(6, j[0].length);
    assertJacobianMatchesFiniteDifferences(j, w, s, (x, t) -> (double[]) c.call("p.Rows", "moments", x, t));

    double[][] into = new double[3][6];
    c.call("p.RowsGrad", "momentsJacobianRows", w, s, into);
    assertArrayEquals(j, into);
    // the caller's matrix must have one row per output and one column per input
    Exception e = assertThrows(RuntimeException.class,
        () -> c.call("p.RowsGrad", "momentsJacobianRows", w, s, new double[2][6]));
    Throwable cause = e instanceof RuntimeException && e.getCause() instanceof InvocationTargetException ite
        ? ite.getCause() : e.getCause() != null ? e.getCause() : e;
    assertTrue(String.valueOf(cause).contains("rows"), String.valueOf(cause));
  }

  @Test
  void aLiteralResultAndBranchLocalsOverOneForwardSweep() {
    for (double[] p : new double[][] {{0.7, 1.3, 0.2}, {0.1, 0.2, 0.3}}) {
      double q = 0.6;
      int before = sweeps();
      double[][] j = (double[][]) c.call("p.RowsGrad", "pairJacobian", p, q);
      assertEquals(1, sweeps() - before);
      assertJacobianMatchesFiniteDifferences(j, p, q, (x, t) -> (double[]) c.call("p.Rows", "pair", x, t));
    }
    assertTrue(c.generatedSource("p.RowsGrad").contains("int _outputs$ = 2;"),
        "the number of outputs is read from the code");
  }

  @Test
  void aReverseSweepThatRestoresValuesRunsOneSweepPerRow() {
    double[] w = {0.3, -0.2, 1.1};
    double[][] j = (double[][]) c.call("p.RowsGrad", "recurrenceJacobian", w, 0.4);
    assertJacobianMatchesFiniteDifferences(j, w, 0.4, (x, t) -> (double[]) c.call("p.Rows", "recurrence", x, t));
    assertFalse(c.generatedSource("p.RowsGrad").contains("recurrenceJacobianRows"));
  }

  @Test
  void noSweepOnlyCountsTheOutputs() {
    double[] w = {0.3, -0.2};
    double s = 0.7;
    int[] lengths = {7};
    int before = sweeps();
    double[][] j = (double[][]) c.call("p.RowsGrad", "prefixJacobian", w, s, lengths);
    // 3 inputs ≤ 7 outputs: the forward sweep that counted the outputs gave column 0, one vector
    // forward sweep gives the other two
    assertEquals(2, sweeps() - before);
    assertEquals(7, j.length);
    assertJacobianMatchesFiniteDifferences(j, w, s,
        (x, t) -> (double[]) c.call("p.Rows", "prefix", x, t, lengths));
    // fewer outputs than inputs: the counting sweep, then the rows over one forward sweep
    double[] wide = {0.3, -0.2, 0.5, 0.8};
    int[] two = {2};
    before = sweeps();
    double[][] k = (double[][]) c.call("p.RowsGrad", "prefixJacobian", wide, s, two);
    assertEquals(2, sweeps() - before);
    assertJacobianMatchesFiniteDifferences(k, wide, s,
        (x, t) -> (double[]) c.call("p.Rows", "prefix", x, t, two));
  }

  @Test
  void aVectorValuedInstanceMethod() throws ReflectiveOperationException {
    Object model = c.load("p.Model").getConstructor(double[].class, int.class)
        .newInstance(new double[] {0.5, -0.3, 0.8, 0.1, -0.6}, 3);
    double[] x = {0.2, -0.4};
    double bias = 0.1;
    Function<Object[], double[]> predict = a -> {
      try {
        return (double[]) c.load("p.Model").getMethod("predict", double[].class, double.class).invoke(model, a);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    };
    double[][] j = (double[][]) c.call("p.ModelGrad", "predictJacobian", model, x, bias);
    assertEquals(3, j.length);
    assertJacobianMatchesFiniteDifferences(j, x, bias, (v, t) -> predict.apply(new Object[] {v, t}));
    double[][] rows = new double[3][3];
    c.call("p.ModelGrad", "predictJacobianRows", model, x, bias, rows);
    assertArrayEquals(j, rows);
  }
}
