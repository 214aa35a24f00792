package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * double[][] (and ragged) parameters of array-valued methods: the vector-Jacobian product gives
 * an adjoint of the parameter's shape, forward mode takes a tangent of its shape, callers
 * differentiate through the call; fJacobian's columns are the matrix's elements row by row
 * (ragged rows included), then the other inputs'. Against closed forms and finite differences.
 * The class is in
 * {@code constructs/NdParams.java.txt}, which the ECJ tests compile too.
 */
class NdParamsOfArrayMethodsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.NdParams", ControlFlowTest.resource("NdParams.java.txt"));
  }

  static final double[][] A = {{0.4, -0.7, 1.1}, {0.9, 0.3, -0.2}};
  static final double[] X = {0.6, -0.4, 1.2};

  @Test
  void vjpOfAMatrixVectorProductIsTheOuterProduct() {
    double[] seed = {0.5, -2};
    Map<String, Object> r = Compiled.components(c.call("p.NdParamsGrad", "matvecVjp", A, X, seed));
    double[][] da = (double[][]) r.get("a");
    double[] dx = (double[]) r.get("x");
    for (int i = 0; i < A.length; i++) {
      for (int j = 0; j < X.length; j++) {
        assertEquals(seed[i] * X[j], da[i][j], 1e-14); // ∂(seedᵀ A x)/∂A = seed xᵀ
      }
    }
    for (int j = 0; j < X.length; j++) {
      assertEquals(seed[0] * A[0][j] + seed[1] * A[1][j], dx[j], 1e-14); // Aᵀ seed
    }
  }

  @Test
  void raggedParameterGetsARaggedAdjoint() {
    double[][] ragged = {{0.4}, {0.9, 0.3, -0.2}, {}};
    double[] seed = {1, 2, 3};
    double[][] da = (double[][]) Compiled.components(c.call("p.NdParamsGrad", "matvecVjp", ragged, X, seed)).get("a");
    assertEquals(1, da[0].length);
    assertEquals(3, da[1].length);
    assertEquals(0, da[2].length);
    assertEquals(2 * X[2], da[1][2], 1e-14);
  }

  @Test
  void forwardModeTakesATangentShapedLikeTheMatrix() {
    double[][] ta = {{1, 0, 0.5}, {0, -1, 0}};
    double[] tx = {0.2, 0, -0.3};
    double[] t = (double[]) Compiled.components(c.call("p.NdParamsGrad", "matvecJvp", A, X, ta, tx)).get("tangent");
    for (int i = 0; i < A.length; i++) {
      double expected = 0;
      for (int j = 0; j < X.length; j++) {
        expected += ta[i][j] * X[j] + A[i][j] * tx[j];
      }
      assertEquals(expected, t[i], 1e-14);
    }
  }

  @Test
  void matrixValuedMapOfAMatrix() {
    double[][] seed = {{1, -1, 0.5}, {2, 0, 1}};
    Map<String, Object> r = Compiled.components(c.call("p.NdParamsGrad", "squashVjp", A, 1.5, seed));
    double[][] da = (double[][]) r.get("a");
    double ds = 0;
    for (int i = 0; i < A.length; i++) {
      for (int j = 0; j < A[i].length; j++) {
        double th = Math.tanh(A[i][j]);
        assertEquals(seed[i][j] * 1.5 * (1 - th * th), da[i][j], 1e-14);
        ds += seed[i][j] * th;
      }
    }
    assertEquals(ds, (double) r.get("s"), 1e-14);
  }

  @Test
  void callersDifferentiateThroughBoth() {
    Gradients.assertMatches(c, "p.NdParams", "loss", 1e-6, A, X, 0.8);
  }

  @Test
  void jacobianColumnsAreTheMatrixsElementsRowByRow() {
    double[][] ragged = {{0.4, -0.7, 1.1}, {0.9}, {0.3, -0.2}};
    double[] w = {0.5, -1.5};
    // matvec: 2 outputs, fewer than the inputs (reverse mode, a fVjp per row)
    assertJacobianMatchesDifferences("matvec", new Object[] {A, X});
    assertJacobianMatchesDifferences("matvec", new Object[] {ragged, X});
    // spread: more outputs than inputs (forward mode, a fJvp per column)
    assertJacobianMatchesDifferences("spread", new Object[] {ragged, w, 0.8});
    String src = c.generatedSource("p.NdParamsGrad");
    assertTrue(src.contains("public static double[][] matvecJacobian(double[][] a, double[] x)"), src);
    assertTrue(src.contains("int _aElements$ = Adjoints.size(a);"), src);
    assertTrue(src.contains("int _inputs$ = _aElements$ + x.length;"), src);
    assertFalse(src.contains("matvecJacobianRows("), src); // rows in place are for 1-D gradients
  }

  /** fJacobian against central differences, column by column over the flattened inputs. */
  static void assertJacobianMatchesDifferences(String method, Object[] args) {
    double[][] jac = (double[][]) c.call("p.NdParamsGrad", method + "Jacobian", args);
    double[] y0 = (double[]) c.call("p.NdParams", method, args);
    assertEquals(y0.length, jac.length);
    int col = 0;
    for (int p = 0; p < args.length; p++) {
      double[] flat = Gradients.flatten(args[p] instanceof Double d ? new double[] {d} : args[p]);
      for (int e = 0; e < flat.length; e++, col++) {
        double h = 1e-6;
        double[] yp = (double[]) c.call("p.NdParams", method, moved(args, p, e, h));
        double[] ym = (double[]) c.call("p.NdParams", method, moved(args, p, e, -h));
        for (int i = 0; i < y0.length; i++) {
          double fd = (yp[i] - ym[i]) / (2 * h);
          assertEquals(fd, jac[i][col], 1e-6 * Math.max(1, Math.abs(fd)), method + " J[" + i + "][" + col + "]");
        }
      }
    }
    assertEquals(col, jac[0].length);
  }

  /** The arguments with element e (row by row) of argument p moved by h. */
  static Object[] moved(Object[] args, int p, int e, double h) {
    Object[] out = args.clone();
    if (args[p] instanceof Double d) {
      out[p] = d + h;
    } else if (args[p] instanceof double[] v) {
      double[] m = v.clone();
      m[e] += h;
      out[p] = m;
    } else {
      double[][] a = (double[][]) args[p];
      double[][] m = new double[a.length][];
      for (int i = 0; i < a.length; i++) {
        m[i] = a[i].clone();
        if (e >= 0 && e < m[i].length) {
          m[i][e] += h;
        }
        e -= a[i].length;
      }
      out[p] = m;
    }
    return out;
  }
}
