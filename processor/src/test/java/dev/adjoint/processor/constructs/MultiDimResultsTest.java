package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Methods returning double[][] and double[][][] (ragged too), annotated or differentiated
 * implicitly (private helpers): their vector-Jacobian product (fVjp with a seed of the result's
 * shape) and forward mode, called by differentiable methods that hold the result in a local,
 * index it, iterate over its rows and pass them on; checked against finite differences.
 */
class MultiDimResultsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.NdResults", ControlFlowTest.resource("NdResults.java.txt"));
  }

  static final double[] X = {0.3, -0.7, 1.1};

  @Test
  void helperReturningAMatrix() {
    Gradients.assertMatches(c, "p.NdResults", "useOuter", 1e-6, X, 0.8);
  }

  @Test
  void forwardModeThroughAMatrixValuedHelper() throws Exception {
    double[] dx = {0.2, 0.4, -0.6};
    double dw = -0.3;
    Method jvp = c.load("p.NdResultsGrad").getMethod("useOuterJvp", double[].class, double.class, double[].class,
        double.class);
    Map<String, Object> g = Compiled.components(c.call("p.NdResultsGrad", "useOuter", X, 0.8));
    double expected = (double) g.get("w") * dw;
    double[] gx = (double[]) g.get("x");
    for (int i = 0; i < gx.length; i++) {
      expected += gx[i] * dx[i];
    }
    assertEquals(expected, (double) Compiled.components(jvp.invoke(null, X, 0.8, dx, dw)).get("tangent"), 1e-10);
  }

  @Test
  void raggedResultOfAnAnnotatedMethod() throws Exception {
    Gradients.assertMatches(c, "p.NdResults", "useRagged", 1e-6, 0.6, -1.2);
    // its VJP directly: the seed has the result's shape
    double[][] seed = {{1, 0.5}, {2}, {}, {-1, 0.25, 3}};
    Method vjp = c.load("p.NdResultsGrad").getMethod("raggedVjp", double.class, double.class, double[][].class);
    Map<String, Object> r = Compiled.components(vjp.invoke(null, 0.6, -1.2, seed));
    double x = 0.6;
    double y = -1.2;
    double dx = seed[0][0] * y + seed[0][1] * Math.exp(x) + seed[3][0] + seed[3][1];
    double dy = seed[0][0] * x + seed[1][0] * 2 * y - seed[3][0] - seed[3][2] * Math.sin(y);
    assertEquals(dx, (double) r.get("x"), 1e-12);
    assertEquals(dy, (double) r.get("y"), 1e-12);
    double[][] value = (double[][]) r.get("value");
    assertEquals(4, value.length);
    assertEquals(0, value[2].length);
    // forward mode of the matrix-valued method: the tangent has the result's shape
    Method jvp = c.load("p.NdResultsGrad").getMethod("raggedJvp", double.class, double.class, double.class, double.class);
    double[][] t = (double[][]) Compiled.components(jvp.invoke(null, x, y, 1.0, 0.0)).get("tangent");
    assertEquals(Math.exp(x), t[0][1], 1e-12);
    assertEquals(1, t[3][1], 1e-12);
  }

  @Test
  void threeDimensionalResultInALoop() {
    Gradients.assertMatches(c, "p.NdResults", "useCube", 1e-6, X, 0.8);
  }
}
