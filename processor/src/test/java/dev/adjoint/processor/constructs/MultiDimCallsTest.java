package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * n-D arrays across calls: double[][] and double[][][] (ragged too) passed to helpers, annotated
 * or not, private or not, static or of the instance; gradients shaped like the parameter,
 * checked against finite differences, forward mode against the gradient.
 */
class MultiDimCallsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.NdCalls", ControlFlowTest.resource("NdCalls.java.txt"));
  }

  static final double[][] A = {{0.5, -0.2, 0.9}, {0.4, -0.6, 0.3}, {0.1, 0.7, -0.8}};
  static final double[][] RAGGED = {{0.5, -0.2, 0.9}, {0.4}, {}, {0.1, 0.7}};

  @Test
  void parameterMatrixToHelpers() {
    Gradients.assertMatches(c, "p.NdCalls", "params", 1e-6, A, new double[] {0.3, -0.7, 1.1}, 0.8);
    double[][] ga = (double[][]) Compiled.components(c.call("p.NdCallsGrad", "params", A,
        new double[] {0.3, -0.7, 1.1}, 0.8)).get("a");
    assertEquals(3, ga.length);
  }

  @Test
  void localMatrixToAHelperInALoop() {
    Gradients.assertMatches(c, "p.NdCalls", "local", 1e-6, new double[] {0.3, -0.7, 1.1}, 0.8);
  }

  @Test
  void raggedThreeDimensional() {
    double[][][] t = {{{0.1, 0.2, 0.7}, {-0.3}}, {{0.2, -0.1}, {0.3, 0.3, 0.1}, {}}};
    Gradients.assertMatches(c, "p.NdCalls", "slabs", 1e-6, t, 0.4);
  }

  @Test
  void raggedParameterToAHelper() {
    Gradients.assertMatches(c, "p.NdCalls", "fwd", 1e-6, RAGGED, 0.6);
  }

  @Test
  void forwardModeAgreesWithTheGradient() throws Exception {
    double[][] da = {{0.3, -0.1, 0.2}, {0.5}, {}, {-0.4, 0.8}};
    double dw = 0.7;
    Object jvp = c.load("p.NdCallsGrad").getMethod("fwdJvp", double[][].class, double.class, double[][].class,
        double.class).invoke(null, RAGGED, 0.6, da, dw);
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "fwd", RAGGED, 0.6));
    double expected = (double) g.get("w") * dw;
    double[] ga = Gradients.flatten(g.get("a"));
    double[] fd = Gradients.flatten(da);
    for (int i = 0; i < ga.length; i++) {
      expected += ga[i] * fd[i];
    }
    assertEquals(expected, (double) Compiled.components(jvp).get("tangent"), 1e-12);
  }

  @Test
  void rowsToAHelper() {
    Gradients.assertMatches(c, "p.NdCalls", "rows", 1e-6, A, new double[] {0.3, -0.7, 1.1});
    Gradients.assertMatches(c, "p.NdCalls", "rows", 1e-6, RAGGED_WIDE, new double[] {0.3, -0.7});
  }

  static final double[][] RAGGED_WIDE = {{0.5, -0.2}, {0.4, 0.8}};

  static final double[][][] T = {{{0.1, 0.2, 0.7}, {-0.3}}, {{0.2, -0.1, 0.4}, {0.3, 0.3, 0.1}, {}}};

  @Test
  void rowAliasesLocalRowsAndSlabs() throws Exception {
    double[] x = {0.3, -0.7, 1.1};
    Gradients.assertMatches(c, "p.NdCalls", "rowKinds", 1e-6, T, x, 0.8);
    double[][][] dt = {{{0.5, -1, 0.25}, {2}}, {{0.1, 0.3, -0.2}, {1, -1, 0.5}, {}}};
    double[] dx = {0.2, 0.4, -0.6};
    double dw = -0.3;
    Object jvp = c.load("p.NdCallsGrad").getMethod("rowKindsJvp", double[][][].class, double[].class, double.class,
        double[][][].class, double[].class, double.class).invoke(null, T, x, 0.8, dt, dx, dw);
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "rowKinds", T, x, 0.8));
    double expected = (double) g.get("w") * dw;
    double[] gt = Gradients.flatten(g.get("t"));
    double[] ft = Gradients.flatten(dt);
    for (int i = 0; i < gt.length; i++) {
      expected += gt[i] * ft[i];
    }
    double[] gx = (double[]) g.get("x");
    for (int i = 0; i < gx.length; i++) {
      expected += gx[i] * dx[i];
    }
    assertEquals(expected, (double) Compiled.components(jvp).get("tangent"), 1e-10);
  }

  @Test
  void voidHelpersWriteIntoAMatrixAndItsRows() {
    Gradients.assertMatches(c, "p.NdCalls", "voidWrites", 1e-6, new double[] {0.3, -0.7, 1.1}, 0.8);
  }

  @Test
  void nDimensionalFieldsAreData() throws Exception {
    Object self = c.load("p.NdCalls").getConstructor().newInstance();
    double[] x = {0.3, -0.7, 1.1};
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "fields", self, x));
    double[] gx = (double[]) g.get("x");
    java.lang.reflect.Method f = c.load("p.NdCalls").getMethod("fields", double[].class);
    for (int i = 0; i < x.length; i++) {
      double[] up = x.clone();
      double[] down = x.clone();
      up[i] += 1e-6;
      down[i] -= 1e-6;
      double fd = ((double) f.invoke(self, up) - (double) f.invoke(self, down)) / 2e-6;
      assertEquals(fd, gx[i], 1e-6);
    }
    assertEquals((double) f.invoke(self, x), (double) g.get("value"), 1e-12);
  }

  @Test
  void intMatrixParameter() {
    Gradients.assertMatches(c, "p.NdCalls", "sparse", 1e-6, new double[] {0.5, -1.5, 2.0},
        new int[][] {{0, 2}, {1, 0}, {2, 1}}, new double[] {0.3, -0.7, 1.1});
  }

  @Test
  void instanceHelperOfAMatrix() throws Exception {
    Object self = c.load("p.NdCalls").getConstructor().newInstance();
    Map<String, Object> g = Compiled.components(c.call("p.NdCallsGrad", "onSelf", self, A, 0.9));
    Map<String, Object> expected = Compiled.components(c.call("p.NdCallsGrad", "onSelfStatic", A, 0.9));
    assertEquals((double) expected.get("x"), (double) g.get("x"), 1e-12);
    org.junit.jupiter.api.Assertions.assertArrayEquals(Gradients.flatten(expected.get("a")),
        Gradients.flatten(g.get("a")), 1e-12);
    Gradients.assertMatches(c, "p.NdCalls", "onSelfStatic", 1e-6, A, 0.9);
  }
}
