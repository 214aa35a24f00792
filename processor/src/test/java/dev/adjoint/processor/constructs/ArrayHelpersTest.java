package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Methods that return arrays, and helpers that write into arrays: {@code double[] y = f(x)}
 * (the callee's vector-Jacobian product runs in the caller's reverse sweep), void helpers
 * called as statements (inlined), and vector-valued methods returning {@code new double[]
 * {...}} or one local array from several places.
 */
class ArrayHelpersTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Ode", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Ode {
          /** Vector-valued, returning an array literal. */
          @Differentiable
          public static double[] polar(double r, double t) {
            return new double[] {r * Math.cos(t), r * Math.sin(t), r};
          }

          /** Vector-valued, one local array returned from a branch and at the end. */
          @Differentiable
          public static double[] clipped(double[] x, double limit) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
              out[i] = x[i] * limit;
              if (out[i] > 3) {
                out[i] = 3 + Math.log(out[i] - 2);
                return out;
              }
            }
            out[0] += limit;
            return out;
          }

          /** Vector-valued, returning a clone. */
          @Differentiable
          public static double[] scaledCopy(double[] x, double a) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
              y[i] = a * x[i] * x[i];
            }
            return y.clone();
          }

          @Differentiable
          public static double usesPolar(double r, double t) {
            double[] p = polar(r * r, t);
            double[] q = polar(t, r);
            return p[0] * q[1] + p[2] * Math.exp(q[0]);
          }

          @Differentiable
          public static double usesClipped(double[] x, double limit) {
            double s = 0;
            for (int k = 0; k < 2; k++) {
              double[] y = clipped(x, limit + k);
              for (int i = 0; i < y.length; i++) {
                s += y[i] * y[i] * (i + 1);
              }
            }
            double[] z = scaledCopy(x, limit);
            return s + z[1];
          }

          static void rhs(double[] y, double a, double[] dydt) {
            dydt[0] = y[1];
            dydt[1] = -a * Math.sin(y[0]);
          }

          static void axpy(double h, double[] x, double[] y, double[] out) {
            for (int i = 0; i < out.length; i++) {
              out[i] = y[i] + h * x[i];
            }
          }

          /** A pendulum integrated with RK4: void helpers write their results into arrays. */
          @Differentiable
          public static double pendulum(double theta0, double a, int steps) {
            double[] y = {theta0, 0};
            double h = 0.1;
            for (int s = 0; s < steps; s++) {
              double[] k1 = new double[2];
              double[] k2 = new double[2];
              double[] k3 = new double[2];
              double[] k4 = new double[2];
              double[] tmp = new double[2];
              rhs(y, a, k1);
              axpy(h / 2, k1, y, tmp);
              rhs(tmp, a, k2);
              axpy(h / 2, k2, y, tmp);
              rhs(tmp, a, k3);
              axpy(h, k3, y, tmp);
              rhs(tmp, a, k4);
              for (int i = 0; i < 2; i++) {
                y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
              }
            }
            return y[0] * y[0] + y[1];
          }
        }
        """);
  }

  static Stream<Arguments> cases() {
    double[] x = {0.3, -1.2, 2.5, 0.7};
    return Stream.of(
        Arguments.of("usesPolar", new Object[] {0.7, -1.3}),
        Arguments.of("usesClipped", new Object[] {x.clone(), 0.9}),
        Arguments.of("usesClipped", new Object[] {x.clone(), 1.9}),
        Arguments.of("pendulum", new Object[] {0.4, 1.3, 5}),
        Arguments.of("pendulum", new Object[] {0.4, 1.3, 0}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String method, Object[] args) {
    assertMatches(c, "p.Ode", method, 1e-6, args);
  }

  @Test
  void vectorValuedMethodsHaveTheirJacobians() {
    double[][] j = (double[][]) c.call("p.OdeGrad", "polarJacobian", 0.7, 0.4);
    assertArrayEquals(new double[] {Math.cos(0.4), -0.7 * Math.sin(0.4)}, j[0], 1e-12);
    assertArrayEquals(new double[] {Math.sin(0.4), 0.7 * Math.cos(0.4)}, j[1], 1e-12);
    assertArrayEquals(new double[] {1, 0}, j[2], 1e-12);
    double[] x = {0.3, -1.2, 2.5, 0.7};
    for (double limit : new double[] {0.9, 1.9}) {
      double[][] jx = (double[][]) c.call("p.OdeGrad", "clippedJacobian", x.clone(), limit);
      double h = 1e-6;
      for (int k = 0; k < x.length; k++) {
        double[] up = x.clone();
        double[] down = x.clone();
        up[k] += h;
        down[k] -= h;
        double[] fu = (double[]) c.call("p.Ode", "clipped", up, limit);
        double[] fd = (double[]) c.call("p.Ode", "clipped", down, limit);
        for (int i = 0; i < fu.length; i++) {
          assertEquals((fu[i] - fd[i]) / (2 * h), jx[i][k], 1e-6, "d out[" + i + "]/d x[" + k + "]");
        }
      }
      double[] fu = (double[]) c.call("p.Ode", "clipped", x.clone(), limit + h);
      double[] fd = (double[]) c.call("p.Ode", "clipped", x.clone(), limit - h);
      for (int i = 0; i < fu.length; i++) {
        assertEquals((fu[i] - fd[i]) / (2 * h), jx[i][x.length], 1e-6, "d out[" + i + "]/d limit");
      }
    }
  }
}
