package dev.adjoint.processor.faults;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long loops that tape several kinds of value at once — doubles (a value overwritten every
 * iteration), ints (a counter the body reads and an int recurrence), booleans (a branch decided
 * by a value the branch then overwrites) and tensor references — so that every stack of the tape
 * grows many times over while the others grow too. The gradients must stay exact: each is checked
 * against an independent computation in plain Java.
 */
class TapeGrowthTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Growth", """
        package p;

        import dev.adjoint.Differentiable;
        import dev.adjoint.tensor.Tensor;

        public final class Growth {
          /** A bang-bang recurrence around 0.5 + 0.01 k: both branches are taken all along. */
          @Differentiable
          public static double mixed(double x, double r, int n) {
            double s = x;
            int k = 1;
            int i = 0;
            while (i < n) {
              k = (k * 7 + 3 + i % 5) % 11;
              if (s > 0.5 + 0.01 * k) {
                s = s - r * Math.sin(s + 0.01 * k) / n;
              } else {
                s = s + r * Math.cos(s * (1 + 0.001 * (i % 3))) / n;
              }
              i++;
            }
            return s;
          }

          /** A recurrent cell applied n times: tapes a tensor per iteration. */
          @Differentiable(wrt = {"h0", "w"})
          public static double rnn(Tensor h0, Tensor w, int n) {
            Tensor h = h0;
            int i = 0;
            while (i < n) {
              h = h.matmul(w).add(h0).tanh();
              i++;
            }
            return h.sum();
          }
        }
        """);
  }

  /** The generated code really tapes each kind (else this test would not test what it says). */
  @Test
  void theLoopsTapeEveryKind() {
    String src = c.generatedSource("p.GrowthGrad");
    for (String push : new String[] {"pushDouble", "pushInt", "pushBoolean", "pushObject"}) {
      assertWithMessage("generated code uses %s:\n%s", push, src).that(src).contains(push);
    }
  }

  /** s, ds/dx and ds/dr by the forward (tangent) recurrence, with the same branch decisions. */
  static double[] mixedTangents(double x, double r, int n) {
    double s = x;
    double dx = 1;
    double dr = 0;
    int k = 1;
    for (int i = 0; i < n; i++) {
      k = (k * 7 + 3 + i % 5) % 11;
      if (s > 0.5 + 0.01 * k) {
        double c = Math.cos(s + 0.01 * k);
        double sin = Math.sin(s + 0.01 * k);
        dx = dx - r * c * dx / n;
        dr = dr - (sin + r * c * dr) / n;
        s = s - r * sin / n;
      } else {
        double a = 1 + 0.001 * (i % 3);
        double sin = Math.sin(s * a);
        double cos = Math.cos(s * a);
        dx = dx - r * sin * a * dx / n;
        dr = dr + (cos - r * sin * a * dr) / n;
        s = s + r * cos / n;
      }
    }
    return new double[] {s, dx, dr};
  }

  @Test
  void tenMillionIterationsTapingDoublesIntsAndBooleans() {
    int n = 10_000_000;
    double x = 0.3;
    double r = 1.7;
    Map<String, Object> g = Compiled.components(c.call("p.GrowthGrad", "mixed", x, r, n));
    double[] expected = mixedTangents(x, r, n);
    assertEquals(expected[0], (double) g.get("value"), 0, "value");
    assertEquals(expected[1], (double) g.get("x"), 1e-8 * Math.abs(expected[1]), "∂/∂x");
    assertEquals(expected[2], (double) g.get("r"), 1e-8 * Math.abs(expected[2]), "∂/∂r");
    // and short loops through the same code, where the tape barely grows
    for (int m : new int[] {0, 1, 2, 17}) {
      Map<String, Object> small = Compiled.components(c.call("p.GrowthGrad", "mixed", x, r, m));
      double[] e = mixedTangents(x, r, m);
      assertEquals(e[1], (double) small.get("x"), 1e-12 * Math.max(1, Math.abs(e[1])), "∂/∂x, n = " + m);
      assertEquals(e[2], (double) small.get("r"), 1e-12 * Math.max(1, Math.abs(e[2])), "∂/∂r, n = " + m);
    }
  }

  /** The recurrent cell's gradient by reverse mode written out in plain Java. */
  static double[][] rnnGradient(double[] h0, double[][] w, int n) {
    int d = h0.length;
    double[][] hs = new double[n + 1][];
    hs[0] = h0.clone();
    for (int t = 0; t < n; t++) {
      double[] next = new double[d];
      for (int j = 0; j < d; j++) {
        double z = h0[j];
        for (int i = 0; i < d; i++) {
          z += hs[t][i] * w[i][j];
        }
        next[j] = Math.tanh(z);
      }
      hs[t + 1] = next;
    }
    double value = 0;
    for (double v : hs[n]) {
      value += v;
    }
    double[] dh = new double[d];
    java.util.Arrays.fill(dh, 1);
    double[] dh0 = new double[d];
    double[] dw = new double[d * d];
    for (int t = n - 1; t >= 0; t--) {
      double[] dz = new double[d];
      for (int j = 0; j < d; j++) {
        dz[j] = dh[j] * (1 - hs[t + 1][j] * hs[t + 1][j]);
        dh0[j] += dz[j];
      }
      double[] prev = new double[d];
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          dw[i * d + j] += hs[t][i] * dz[j];
          prev[i] += dz[j] * w[i][j];
        }
      }
      dh = prev;
    }
    for (int j = 0; j < d; j++) {
      dh0[j] += dh[j];
    }
    return new double[][] {{value}, dh0, dw};
  }

  @Test
  void aHundredThousandTensorIterations() {
    int n = 100_000;
    double[] h0 = {0.3, -0.2, 0.5, 0.1};
    double[][] w = {{0.5, -0.3, 0.1, 0.2}, {0.2, 0.4, -0.1, 0.3}, {-0.3, 0.1, 0.6, -0.2}, {0.1, 0.2, 0.3, 0.4}};
    double[] flat = new double[16];
    for (int i = 0; i < 4; i++) {
      System.arraycopy(w[i], 0, flat, 4 * i, 4);
    }
    Tensor th0 = Tensor.of(h0, 1, 4);
    Tensor tw = Tensor.of(flat, 4, 4);
    Map<String, Object> g = Compiled.components(c.call("p.GrowthGrad", "rnn", th0, tw, n));
    double[][] expected = rnnGradient(h0, w, n);
    assertEquals(expected[0][0], (double) g.get("value"), 1e-12 * Math.abs(expected[0][0]), "value");
    double[] gh0 = ((Tensor) g.get("h0")).toArray();
    double[] gw = ((Tensor) g.get("w")).toArray();
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[1][i], gh0[i], 1e-9 * Math.max(1, Math.abs(expected[1][i])), "∂/∂h0[" + i + "]");
    }
    for (int i = 0; i < 16; i++) {
      assertEquals(expected[2][i], gw[i], 1e-9 * Math.max(1, Math.abs(expected[2][i])), "∂/∂w[" + i + "]");
    }
    // the inputs are untouched
    assertEquals(Tensor.of(h0, 1, 4), th0);
    assertEquals(Tensor.of(flat, 4, 4), tw);
  }
}
