package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Vector forward mode ({@code fJvps}): many directions over one primal sweep, each tangent equal
 * to the one-direction {@code fJvp} along it and to central finite differences; {@code fJacobian}
 * takes its columns from it when inputs are fewer; a method whose tangents flow through a call
 * gets none and keeps one sweep per column.
 */
class VectorForwardTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Fan", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Fan {
          /** 3 + 1 inputs, 2n outputs: local arrays, a loop, a branch, a local declared in it. */
          @Differentiable
          public static double[] fan(double[] a, double s, int n) {
            double[] scratch = new double[3];
            double[] out = new double[2 * n];
            for (int i = 0; i < n; i++) {
              for (int j = 0; j < 3; j++) {
                scratch[j] = Math.sin(a[j] * (i + 1) + s);
              }
              double m = scratch[0] * scratch[1];
              if (m > 0) {
                double q = Math.sqrt(m + s * s);
                out[2 * i] = q * scratch[2];
              } else {
                out[2 * i] = m - scratch[2] / (1 + s * s);
              }
              out[2 * i + 1] = Math.exp(-a[i % 3] * s) + out[2 * i] * out[2 * i];
            }
            return out;
          }

          /** Outputs that do not depend on the inputs: every derivative is zero. */
          @Differentiable
          public static double[] flat(double[] a, int n) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
              out[i] = i;
            }
            return out;
          }

          /** Its tangent flows through a vector-valued callee's forward mode: no vector mode. */
          @Differentiable
          public static double[] outer(double[] a, double s) {
            double[] inner = fan(a, s, 3);
            double[] out = new double[6];
            for (int i = 0; i < 6; i++) {
              out[i] = inner[i] * s;
            }
            return out;
          }
        }
        """);
  }

  static double[] fan(double[] a, double s) {
    return (double[]) c.call("p.Fan", "fan", a, s, 5);
  }

  @Test
  void everyDirectionMatchesItsOwnForwardSweepAndFiniteDifferences() {
    double[] a = {0.4, -0.7, 1.2};
    double s = 0.3;
    double[][] da = {{1, 0, 0}, {0.5, -1, 2}, {0, 0, 0}, {0.1, 0.2, 0.3}};
    double[] ds = {0, 0.7, 1, -2};
    Map<String, Object> r = Compiled.components(c.call("p.FanGrad", "fanJvps", a, s, 5, da, ds));
    double[][] tangents = (double[][]) r.get("tangents");
    assertEquals(4, tangents.length);
    assertEquals(10, tangents[0].length);
    org.junit.jupiter.api.Assertions.assertArrayEquals(fan(a, s), (double[]) r.get("value"));
    double h = 1e-6;
    for (int k = 0; k < 4; k++) {
      double[] one = (double[]) Compiled.components(c.call("p.FanGrad", "fanJvp", a, s, 5, da[k], ds[k])).get("tangent");
      double[] up = a.clone();
      double[] down = a.clone();
      for (int j = 0; j < 3; j++) {
        up[j] += h * da[k][j];
        down[j] -= h * da[k][j];
      }
      double[] fu = fan(up, s + h * ds[k]);
      double[] fd = fan(down, s - h * ds[k]);
      for (int i = 0; i < 10; i++) {
        assertEquals(one[i], tangents[k][i], 1e-12 * Math.max(1, Math.abs(one[i])), "direction " + k + ", output " + i);
        double expected = (fu[i] - fd[i]) / (2 * h);
        assertEquals(expected, tangents[k][i], 1e-6 * Math.max(1, Math.abs(expected)), "direction " + k + ", output " + i);
      }
    }
  }

  @Test
  void theJacobiansColumnsComeFromOnePrimalSweep() {
    double[] a = {0.4, -0.7, 1.2};
    double s = 0.3;
    double[][] j = (double[][]) c.call("p.FanGrad", "fanJacobian", a, s, 5);
    double h = 1e-6;
    for (int col = 0; col < 4; col++) {
      double[] up = a.clone();
      double[] down = a.clone();
      double su = s;
      double sd = s;
      if (col < 3) {
        up[col] += h;
        down[col] -= h;
      } else {
        su += h;
        sd -= h;
      }
      double[] fu = fan(up, su);
      double[] fd = fan(down, sd);
      for (int i = 0; i < 10; i++) {
        double expected = (fu[i] - fd[i]) / (2 * h);
        assertEquals(expected, j[i][col], 1e-6 * Math.max(1, Math.abs(expected)), "J[" + i + "][" + col + "]");
      }
    }
    String source = c.generatedSource("p.FanGrad");
    String jacobian = source.substring(source.indexOf("double[][] fanJacobian("));
    assertTrue(jacobian.contains("fanJvpsRows("), "fanJacobian uses the vector forward mode, into its rows");
    assertFalse(jacobian.contains("_columns$"), "no columns to transpose");
  }

  @Test
  void jvpsRowsWriteEachOutputsDirectionsIntoItsRowAtTheColumnGiven() {
    double[] a = {0.4, -0.7, 1.2};
    double s = 0.3;
    double[][] da = {{1, 0, 0}, {0.5, -1, 2}, {0.1, 0.2, 0.3}};
    double[] ds = {0, 1, -0.5};
    Object jvps = c.call("p.FanGrad", "fanJvps", a, s, 5, da, ds);
    double[][] tangents = (double[][]) Compiled.components(jvps).get("tangents");
    double[][] rows = new double[10][5];
    for (double[] row : rows) {
      java.util.Arrays.fill(row, 7);
    }
    double[] value = (double[]) c.call("p.FanGrad", "fanJvpsRows", a, s, 5, da, ds, rows, 1);
    assertEquals(java.util.Arrays.toString(fan(a, s)), java.util.Arrays.toString(value));
    for (int i = 0; i < 10; i++) {
      assertEquals(7, rows[i][0], "column 0 untouched");
      assertEquals(7, rows[i][4], "column 4 untouched");
      for (int k = 0; k < 3; k++) {
        assertEquals(tangents[k][i], rows[i][1 + k], 0, "row " + i + ", direction " + k);
      }
    }
    String source = c.generatedSource("p.FanGrad");
    String body = source.substring(source.indexOf("double[] fanJvpsRows("));
    body = body.substring(0, body.indexOf("\n    }\n"));
    assertFalse(body.contains("_tangents"), "no array of columns");
    assertFalse(body.contains("new double[_nd][") , "nothing allocated per output");
    assertFalse(source.contains("outerJvpsRows("), "no vector mode, no rows variant");
  }

  @Test
  void jvpsRowsOfOutputsIndependentOfTheInputsWriteZeros() {
    double[][] da = {{1, 0}, {0, 1}};
    double[][] rows = new double[3][4];
    for (double[] row : rows) {
      java.util.Arrays.fill(row, 7);
    }
    double[] value = (double[]) c.call("p.FanGrad", "flatJvpsRows", new double[] {0.5, 2}, 3, da, rows, 2);
    assertEquals("[0.0, 1.0, 2.0]", java.util.Arrays.toString(value));
    for (double[] row : rows) {
      assertEquals("[7.0, 7.0, 0.0, 0.0]", java.util.Arrays.toString(row));
    }
  }

  @Test
  void tangentsThroughACallKeepOneSweepPerColumn() {
    String source = c.generatedSource("p.FanGrad");
    assertFalse(source.contains("outerJvps("));
    double[] a = {0.4, -0.7, 1.2};
    double[][] j = (double[][]) c.call("p.FanGrad", "outerJacobian", a, 0.3);
    double h = 1e-6;
    for (int col = 0; col < 3; col++) {
      double[] up = a.clone();
      double[] down = a.clone();
      up[col] += h;
      down[col] -= h;
      double[] fu = (double[]) c.call("p.Fan", "outer", up, 0.3);
      double[] fd = (double[]) c.call("p.Fan", "outer", down, 0.3);
      for (int i = 0; i < 6; i++) {
        assertEquals((fu[i] - fd[i]) / (2 * h), j[i][col], 1e-6, "J[" + i + "][" + col + "]");
      }
    }
  }
}
