package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code long[][]} and {@code boolean[][]} parameters and locals are data, like {@code int[][]}:
 * initializers, {@code new long[r][c]} filled in loops, rows as locals, enhanced for, compound
 * assignment, a boolean element set from a comparison of doubles (which takes no tangent).
 * Gradients against finite differences, forward mode against the gradient, Hessian-vector products
 * against differences of the gradient. The class is in {@code constructs/DataTables.java.txt},
 * which the ECJ tests compile too.
 */
class DataTablesTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.DataTables", ControlFlowTest.resource("DataTables.java.txt"));
  }

  static final boolean[][] MASK = {{true, false, true}, {false, true, true}};
  static final long[][] SEEDS = {{3, 1, 4, 1, 5}, {9, 2, 6, 5, 3}};

  @Test
  void gradientForwardAndHessian() {
    for (double[] x : new double[][] {{0.6, -0.4, 1.2, 0.3, -0.9}, {-0.6, 0.4, 1.2, 0.3, 0.9}}) {
      Gradients.assertMatches(c, "p.DataTables", "masked", 1e-6, x.clone(), MASK, SEEDS);
      double[] dx = {0.3, -1, 0.5, 0.2, 0.7};
      double[] g = (double[]) Compiled.components(c.call("p.DataTablesGrad", "masked", x.clone(), MASK, SEEDS)).get("x");
      double tangent = (double) Compiled.components(
          c.call("p.DataTablesGrad", "maskedJvp", x.clone(), MASK, SEEDS, dx)).get("tangent");
      assertEquals(RowCopiesTest.dot(g, dx), tangent, 1e-10 * Math.max(1, Math.abs(tangent)));
      double h = 1e-5;
      double[] plus = x.clone();
      double[] minus = x.clone();
      for (int k = 0; k < x.length; k++) {
        plus[k] += h * dx[k];
        minus[k] -= h * dx[k];
      }
      double[] gp = (double[]) Compiled.components(c.call("p.DataTablesGrad", "masked", plus, MASK, SEEDS)).get("x");
      double[] gm = (double[]) Compiled.components(c.call("p.DataTablesGrad", "masked", minus, MASK, SEEDS)).get("x");
      Map<String, Object> hvp = Compiled.components(c.call("p.DataTablesGrad", "maskedHvp", x.clone(), MASK, SEEDS, dx));
      double[] product = (double[]) hvp.get("xHvp");
      for (int k = 0; k < x.length; k++) {
        double fd = (gp[k] - gm[k]) / (2 * h);
        assertEquals(fd, product[k], 1e-6 * Math.max(1, Math.abs(fd)), "Hvp[" + k + "]");
      }
    }
  }

  @Test
  void tablesAreDeclaredWithTheirOwnTypes() {
    String src = c.generatedSource("p.DataTablesGrad");
    assertTrue(src.contains("long[][] w = new long[2][n];"), src);
    assertTrue(src.contains("boolean[][] flags = new boolean[n][2];"), src);
    assertTrue(src.contains("long[][] grid = new long[][] {new long[2], new long[1]};"), src);
    assertTrue(!src.contains("_dot_flags") && !src.contains("_dot_seen"), src); // data takes no tangent
  }
}
