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
 * differentiate through the call; no Jacobian method is generated (its columns would be the
 * matrix's elements). Against closed forms and finite differences. The class is in
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
  void noJacobianForAMatrixInput() {
    String src = c.generatedSource("p.NdParamsGrad");
    assertTrue(src.contains("matvecVjp("), src);
    assertFalse(src.contains("matvecJacobian("), src);
  }
}
