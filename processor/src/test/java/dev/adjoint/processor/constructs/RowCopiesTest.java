package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows of matrices in copies ({@code System.arraycopy(m[i], ...)}, {@code Arrays.fill(m[i], v)},
 * {@code m[i].clone()}, row locals too; two rows of one matrix that may be the same row) and
 * {@code int[][]} locals (data: initializers, {@code new int[r][c]}, made in loops, rows iterated).
 * Gradients against finite differences, forward mode against the gradient, Hessian-vector
 * products against differences of the gradient; the generated code copies element by element.
 * The class is in {@code constructs/RowCopies.java.txt}, which the ECJ tests compile too.
 */
class RowCopiesTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.RowCopies", ControlFlowTest.resource("RowCopies.java.txt"));
  }

  static final double[][] A = {{0.4, -0.7, 1.1}, {0.9, 0.3, -0.2}, {-1.3, 0.5, 0.8}};
  static final double[] X = {0.6, -0.4, 1.2};

  @Test
  void arraycopyIntoFromAndBetweenRows() throws Exception {
    Gradients.assertMatches(c, "p.RowCopies", "arraycopyRows", 1e-6, A, X);
    jvpMatchesGradient("arraycopyRows", new Object[] {A, X}, new Object[] {scaled(A, -0.5), new double[] {0.3, 1, -0.2}});
  }

  @Test
  void copyBetweenRowsThatMayBeTheSameRow() throws Exception {
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        Gradients.assertMatches(c, "p.RowCopies", "rowsMaybeSame", 1e-6, X, i, j);
        jvpMatchesGradient("rowsMaybeSame", new Object[] {X, i, j}, new Object[] {new double[] {0.2, -1, 0.7}});
        hvpMatchesGradient("rowsMaybeSame", X, i, j);
      }
    }
    // the same row moved up by one: Java copies as if through a temporary array
    double[] x = {0.5, 0.1, -0.3};
    double[] m0 = {0.25, 0.25, 0.01};
    double s = 0;
    for (int k = 0; k < 3; k++) {
      s += m0[k] * Math.exp(x[k]) * (k + 1);
    }
    double v = (double) c.call("p.RowCopies", "rowsMaybeSame", x, 0, 0);
    assertEquals(s, v, 1e-15);
    double g = (double) Compiled.components(c.call("p.RowCopiesGrad", "rowsMaybeSame", x, 0, 0)).get("value");
    assertEquals(v, g, 1e-15);
  }

  @Test
  void fillRowsWholeAndRanges() throws Exception {
    Gradients.assertMatches(c, "p.RowCopies", "fillRows", 1e-6, X);
    jvpMatchesGradient("fillRows", new Object[] {X}, new Object[] {new double[] {1, 0.5, -0.5}});
    hvpMatchesGradient("fillRows", X);
  }

  @Test
  void cloneOfRows() throws Exception {
    Gradients.assertMatches(c, "p.RowCopies", "cloneRows", 1e-6, A, 0.7);
    jvpMatchesGradient("cloneRows", new Object[] {A, 0.7}, new Object[] {scaled(A, 0.3), -1.0});
  }

  @Test
  void intMatrixLocals() throws Exception {
    Gradients.assertMatches(c, "p.RowCopies", "intMatrices", 1e-6, X);
    Gradients.assertMatches(c, "p.RowCopies", "intMatrices", 1e-6, new double[] {0.3, -0.8, 0.5, 1.4});
    jvpMatchesGradient("intMatrices", new Object[] {X}, new Object[] {new double[] {0.4, 0.1, -0.9}});
    hvpMatchesGradient("intMatrices", X);
  }

  @Test
  void rowCopiesAreElementLoopsInTheGeneratedCode() {
    String src = c.generatedSource("p.RowCopiesGrad");
    // copies into, out of and between rows are loops over their elements, in place
    assertTrue(java.util.regex.Pattern.compile("m\\[i\\]\\[1 \\+ (_i\\d+)\\] = x\\[\\1\\];").matcher(src).find(), src);
    assertTrue(java.util.regex.Pattern.compile("r\\[(_i\\d+)\\] = a\\[1\\]\\[\\1\\];").matcher(src).find(), src);
    assertTrue(src.contains("int[][] pairs = new int[][] {"), src);
  }

  /** fJvp's tangent equals the gradient dotted with the direction (the ints take no tangent). */
  static void jvpMatchesGradient(String method, Object[] args, Object[] directions) throws Exception {
    Object[] call = new Object[args.length + directions.length];
    System.arraycopy(args, 0, call, 0, args.length);
    System.arraycopy(directions, 0, call, args.length, directions.length);
    double tangent = (double) Compiled.components(c.call("p.RowCopiesGrad", method + "Jvp", call)).get("tangent");
    Map<String, Object> g = Compiled.components(c.call("p.RowCopiesGrad", method, args));
    double expected = 0;
    int d = 0;
    for (Object a : args) {
      if (a instanceof Integer) {
        continue;
      }
      Object dir = directions[d++];
      String name = g.keySet().stream().filter(k -> !k.equals("value")).skip(d - 1).findFirst().orElseThrow();
      expected += dot(Gradients.flatten(box(g.get(name))), Gradients.flatten(box(dir)));
    }
    assertEquals(expected, tangent, 1e-10 * Math.max(1, Math.abs(expected)));
  }

  /** fHvp(x, v) against central differences of the gradient along v. */
  static void hvpMatchesGradient(String method, double[] x, Object... ints) {
    double[] v = {0.7, -0.3, 0.5};
    double h = 1e-5;
    double[] plus = x.clone();
    double[] minus = x.clone();
    for (int k = 0; k < x.length; k++) {
      plus[k] += h * v[k];
      minus[k] -= h * v[k];
    }
    double[] gp = (double[]) Compiled.components(c.call("p.RowCopiesGrad", method, concat(plus, ints))).get("x");
    double[] gm = (double[]) Compiled.components(c.call("p.RowCopiesGrad", method, concat(minus, ints))).get("x");
    Object[] hv = new Object[2 + ints.length];
    hv[0] = x;
    System.arraycopy(ints, 0, hv, 1, ints.length);
    hv[hv.length - 1] = v;
    double[] product = (double[]) Compiled.components(c.call("p.RowCopiesGrad", method + "Hvp", hv)).get("xHvp");
    for (int k = 0; k < x.length; k++) {
      double fd = (gp[k] - gm[k]) / (2 * h);
      assertEquals(fd, product[k], 1e-6 * Math.max(1, Math.abs(fd)), method + " Hvp[" + k + "]");
    }
  }

  static Object[] concat(double[] x, Object[] ints) {
    Object[] out = new Object[1 + ints.length];
    out[0] = x;
    System.arraycopy(ints, 0, out, 1, ints.length);
    return out;
  }

  static Object box(Object o) {
    return o instanceof Double d ? new double[] {d} : o;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[][] scaled(double[][] a, double f) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] *= f * (j + 1);
      }
    }
    return out;
  }
}
