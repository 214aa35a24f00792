package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Vector-valued functions: the generated Jacobian (forward mode when inputs are fewer, reverse
 * mode when outputs are fewer) against finite differences, and forward equals reverse.
 */
class JacobianTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Vec", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Vec {
          /** Polar to Cartesian, sampled along a spiral: 2 inputs, 2n outputs (forward mode). */
          @Differentiable
          public static double[] spiral(double r, double theta, int n) {
            double[] out = new double[2 * n];
            for (int i = 0; i < n; i++) {
              double a = theta * (i + 1);
              out[2 * i] = r * Math.cos(a) / (i + 1);
              out[2 * i + 1] = r * Math.sin(a) / (i + 1);
            }
            return out;
          }

          /** Softmax-like normalisation with a branch: w.length + 1 inputs, 2 outputs (reverse mode). */
          @Differentiable(forward = true)
          public static double[] summary(double[] w, double scale) {
            double[] out = new double[2];
            double total = 0;
            for (double v : w) {
              total += Math.exp(v * scale);
            }
            out[0] = Math.log(total);
            out[1] = 0;
            for (int i = 0; i < w.length; i++) {
              double p = Math.exp(w[i] * scale) / total;
              if (p > 0.2) {
                out[1] += p * p;
              } else {
                out[1] += p * w[i];
              }
            }
            return out;
          }
        }
        """);
  }

  static double[] spiral(double r, double theta) {
    return (double[]) c.call("p.Vec", "spiral", r, theta, 4);
  }

  static double[] summary(double[] w, double scale) {
    return (double[]) c.call("p.Vec", "summary", w, scale);
  }

  @Test
  void forwardJacobianWhenInputsAreFewer() {
    double r = 1.3;
    double theta = 0.7;
    double[][] j = (double[][]) c.call("p.VecGrad", "spiralJacobian", r, theta, 4);
    assertEquals(8, j.length);
    double h = 1e-6;
    for (int i = 0; i < 8; i++) {
      double dr = (spiral(r + h, theta)[i] - spiral(r - h, theta)[i]) / (2 * h);
      double dt = (spiral(r, theta + h)[i] - spiral(r, theta - h)[i]) / (2 * h);
      assertEquals(dr, j[i][0], 1e-7);
      assertEquals(dt, j[i][1], 1e-7);
    }
  }

  @Test
  void reverseJacobianWhenOutputsAreFewer() {
    double[] w = {0.3, -0.2, 1.1, 0.4};
    double scale = 0.9;
    double[][] j = (double[][]) c.call("p.VecGrad", "summaryJacobian", w, scale);
    assertEquals(2, j.length);
    assertEquals(5, j[0].length);
    double h = 1e-6;
    for (int k = 0; k < 5; k++) {
      double[] up = w.clone();
      double[] down = w.clone();
      double su = scale;
      double sd = scale;
      if (k < 4) {
        up[k] += h;
        down[k] -= h;
      } else {
        su += h;
        sd -= h;
      }
      double[] fu = summary(up, su);
      double[] fd = summary(down, sd);
      for (int i = 0; i < 2; i++) {
        assertEquals((fu[i] - fd[i]) / (2 * h), j[i][k], 1e-7, "J[" + i + "][" + k + "]");
      }
    }
  }

  @Test
  void forwardAndReverseAgree() {
    double[] w = {0.3, -0.2, 1.1, 0.4};
    double[] dw = {1, 2, -1, 0.5};
    Map<String, Object> jvp = Compiled.components(c.call("p.VecGrad", "summaryJvp", w, 0.9, dw, 0.3));
    double[][] j = (double[][]) c.call("p.VecGrad", "summaryJacobian", w, 0.9);
    double[] tangent = (double[]) jvp.get("tangent");
    for (int i = 0; i < 2; i++) {
      double e = 0.3 * j[i][4];
      for (int k = 0; k < 4; k++) {
        e += j[i][k] * dw[k];
      }
      assertEquals(e, tangent[i], 1e-12 * Math.max(1, Math.abs(e)));
    }
    assertArrayEquals(summary(w, 0.9), (double[]) jvp.get("value"));
  }
}
