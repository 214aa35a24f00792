package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows stored into n-D arrays ({@code m[i] = v}, {@code m[i] = new double[k]}, {@code m[i] =
 * f(x)}, {@code m[i] = m[j]}), matrices made with {@code new double[n][]} and filled row by row,
 * ragged tables: gradients against finite differences in reverse mode, tangents against the
 * gradient in forward mode, Hessian-vector products against differences of the gradient. What
 * the generated code keeps for a replaced row (the old row, by reference) is checked too.
 */
class RowStoresTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Rows", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Rows {
          /** A triangular table, a DP filled row by row: row i has i + 1 entries. */
          @Differentiable(forward = true, hessian = true)
          public static double triangle(double[] x) {
            int n = x.length;
            double[][] t = new double[n][];
            for (int i = 0; i < n; i++) {
              t[i] = new double[i + 1];
              t[i][0] = x[i];
              for (int j = 1; j <= i; j++) {
                t[i][j] = t[i - 1][j - 1] * Math.sin(t[i][j - 1]) + (j < i ? t[i - 1][j] : 0);
              }
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
              s += t[n - 1][i] * t[i][i];
            }
            return s;
          }

          /** A design matrix built row by row from a local feature row, then a least-squares loss. */
          @Differentiable(forward = true)
          public static double design(double[] w, double[] x) {
            double[][] features = new double[x.length][];
            for (int i = 0; i < x.length; i++) {
              double[] f = {1, x[i], x[i] * x[i] * w[0]};
              features[i] = f;
            }
            return loss(features, w);
          }

          /** The same matrix, its rows made by a helper. */
          @Differentiable
          public static double designByHelper(double[] w, double[] x) {
            double[][] features = new double[x.length][];
            for (int i = 0; i < x.length; i++) {
              features[i] = featuresOf(x[i], w[0]);
            }
            return loss(features, w);
          }

          private static double[] featuresOf(double xi, double w0) {
            return new double[] {1, xi, xi * xi * w0};
          }

          private static double loss(double[][] features, double[] w) {
            double loss = 0;
            for (int i = 0; i < features.length; i++) {
              double p = 0;
              for (int j = 0; j < w.length; j++) {
                p += features[i][j] * w[j];
              }
              loss += (p - 1) * (p - 1);
            }
            return loss;
          }

          /** One scratch row, refilled and stored as a copy (clone) into each row. */
          @Differentiable
          public static double clonedScratch(double[] x) {
            double[][] m = new double[x.length][];
            double[] scratch = new double[2];
            for (int i = 0; i < x.length; i++) {
              scratch[0] = Math.exp(x[i] * 0.5);
              scratch[1] = scratch[0] * x[(i + 1) % x.length];
              m[i] = scratch.clone();
            }
            double s = 0;
            for (double[] row : m) {
              s += row[0] * row[1];
            }
            return s;
          }

          /** Rows replaced in a rectangular matrix whose old rows were read before; row to row; a parameter row. */
          @Differentiable
          public static double replaced(double[] x, double y) {
            double[][] m = new double[2][2];
            m[0][0] = x[0] * y;
            m[0][1] = Math.sin(x[1]);
            m[1][0] = m[0][0] * m[0][1];
            double s = m[0][0] * m[0][1] + m[1][0];
            m[0] = new double[] {y * y, Math.cos(m[1][0]), 3};
            s += m[0][0] * m[0][1] * m[0].length;
            m[1] = m[0];
            s += m[1][1] * y;
            m[0] = x;
            return s * m[0][1] + m[1][2];
          }

          /** Row stores in branches and a loop that is not counted; rows of different lengths. */
          @Differentiable(forward = true, hessian = true)
          public static double branches(double[] x) {
            double[][] m = new double[x.length][];
            int i = 0;
            while (i < x.length) {
              if (x[i] > 0) {
                m[i] = new double[] {x[i], x[i] * x[i]};
              } else {
                m[i] = new double[3];
                m[i][2] = Math.exp(x[i]);
              }
              i++;
            }
            double s = 0;
            for (double[] row : m) {
              for (double v : row) {
                s += v * v * 0.5 + v;
              }
            }
            return s;
          }

          /** A 3-D array built slab by slab and row by row. */
          @Differentiable
          public static double slabs(double[] x) {
            double[][][] t = new double[2][][];
            for (int a = 0; a < 2; a++) {
              t[a] = new double[x.length][];
              for (int b = 0; b < x.length; b++) {
                t[a][b] = new double[b + 1];
                for (int k = 0; k <= b; k++) {
                  t[a][b][k] = Math.tanh(x[b] * (a + 1) + k);
                }
              }
            }
            double s = 0;
            for (int b = 0; b < x.length; b++) {
              s += t[0][b][b] * t[1][b][0];
            }
            return s;
          }

          /** A row stored once per pass into a matrix whose source row is made afresh in each iteration. */
          @Differentiable
          public static double perIteration(double[] x, double y) {
            double s = 0;
            for (int k = 0; k < 3; k++) {
              double[][] m = new double[x.length][];
              for (int i = 0; i < x.length; i++) {
                double[] r = new double[2];
                r[0] = x[i] * y + s;
                r[1] = Math.sin(r[0]);
                m[i] = r;
              }
              for (int i = 0; i < x.length; i++) {
                s += 0.1 * m[i][0] * m[i][1];
              }
            }
            return s;
          }

          /** A vector-valued method whose rows are built by row stores: its Jacobian (vector forward mode). */
          @Differentiable
          public static double[] rowSums(double[] x, double y) {
            double[][] m = new double[x.length][];
            for (int i = 0; i < x.length; i++) {
              double[] r = {x[i] * y, Math.sin(x[i] + y), 1};
              m[i] = r;
            }
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
              out[i] = m[i][0] * m[i][1] + dot(m[i], x);
            }
            return out;
          }

          private static double dot(double[] a, double[] x) {
            return a[0] * x[0] + a[1] * x[x.length - 1];
          }

          /** int[][] rows: an index table built row by row, read to pick elements. */
          @Differentiable
          public static double indexTable(double[] x) {
            int[][] idx = new int[x.length][];
            for (int i = 0; i < x.length; i++) {
              idx[i] = new int[] {i, (i + 1) % x.length};
            }
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[idx[i][0]] * Math.sin(x[idx[i][1]]);
            }
            return s;
          }

          /** An accumulation loop whose iterations each make a ragged matrix of their own. */
          @Differentiable
          public static double perObservation(double[] x, double y) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double[][] m = new double[2][];
              m[0] = new double[] {x[i] * y};
              m[1] = new double[] {Math.exp(x[i]), y};
              s += m[0][0] * m[1][0] + m[1][1] * m[1][1];
            }
            return s;
          }

          /** One array stored as two rows and read after through all three names: nothing writes them. */
          @Differentiable
          public static double sharedButNotWritten(double[] x) {
            double[] v = {x[0] * x[1], Math.cos(x[0])};
            double[][] m = new double[2][];
            m[0] = v;
            m[1] = v;
            return m[0][0] * v[1] + m[1][1] * v[0];
          }

          /** The determinant by expansion in minors, each minor built row by row (split recursion keeps n). */
          @Differentiable
          public static double det(double[][] a) {
            int n = a.length;
            if (n == 1) {
              return a[0][0];
            }
            double s = 0;
            for (int c = 0; c < n; c++) {
              double[][] minor = new double[n - 1][];
              for (int i = 1; i < n; i++) {
                double[] row = new double[n - 1];
                int k = 0;
                for (int j = 0; j < n; j++) {
                  if (j != c) {
                    row[k] = a[i][j];
                    k++;
                  }
                }
                minor[i - 1] = row;
              }
              s += (c % 2 == 0 ? 1 : -1) * a[0][c] * det(minor);
            }
            return s;
          }

          /** The matrix returned, rows made by a store each. */
          @Differentiable
          public static double[][] outer(double[] x) {
            double[][] m = new double[x.length][];
            for (int i = 0; i < x.length; i++) {
              m[i] = new double[i + 1];
              for (int j = 0; j <= i; j++) {
                m[i][j] = x[i] * x[j];
              }
            }
            return m;
          }
        }
        """);
  }

  static final double[] X = {0.4, -0.7, 1.1, 0.3};

  @Test
  void aTriangularTableFilledRowByRow() {
    assertMatches(c, "p.Rows", "triangle", 1e-6, (Object) X);
    forwardMatchesGradient("triangle", new Object[] {X}, new Object[] {new double[] {0.2, -0.5, 0.9, 0.1}});
    hvpMatchesDifferences("triangle", X, new double[] {0.2, -0.5, 0.9, 0.1});
  }

  @Test
  void aDesignMatrixBuiltRowByRow() {
    double[] w = {0.3, -0.2, 0.5};
    assertMatches(c, "p.Rows", "design", 1e-6, w, X);
    assertMatches(c, "p.Rows", "designByHelper", 1e-6, w, X);
    Map<String, Object> a = Compiled.components(c.call("p.RowsGrad", "design", w, X));
    Map<String, Object> b = Compiled.components(c.call("p.RowsGrad", "designByHelper", w, X));
    assertEquals((double) a.get("value"), (double) b.get("value"), 1e-12);
    forwardMatchesGradient("design", new Object[] {w, X}, new Object[] {new double[] {1, 0.5, -0.3},
        new double[] {0.2, 0.1, -0.4, 0.3}});
  }

  @Test
  void aScratchRowStoredAsCopies() {
    assertMatches(c, "p.Rows", "clonedScratch", 1e-6, (Object) X);
  }

  @Test
  void rowsReplacedAfterTheirOldValuesWereRead() {
    assertMatches(c, "p.Rows", "replaced", 1e-6, new double[] {0.4, -0.7, 1.2}, 0.9);
  }

  @Test
  void rowStoresInBranchesOfAnUncountedLoop() {
    double[] x = {0.4, -0.7, 1.1, -0.2};
    assertMatches(c, "p.Rows", "branches", 1e-6, (Object) x);
    forwardMatchesGradient("branches", new Object[] {x}, new Object[] {new double[] {0.3, 0.1, -0.6, 0.8}});
    hvpMatchesDifferences("branches", x, new double[] {0.3, 0.1, -0.6, 0.8});
  }

  @Test
  void anIndexTableBuiltRowByRow() {
    assertMatches(c, "p.Rows", "indexTable", 1e-6, (Object) X);
  }

  @Test
  void aMatrixPerIterationOfAnAccumulationLoop() {
    assertMatches(c, "p.Rows", "perObservation", 1e-6, X, 0.7);
  }

  @Test
  void anArrayStoredAsRowsAndReadThroughEveryName() {
    assertMatches(c, "p.Rows", "sharedButNotWritten", 1e-6, (Object) new double[] {0.4, -0.9});
  }

  @Test
  void aDeterminantByMinorsBuiltRowByRow() {
    double[][] a = {{2, -1, 0.5, 0.3, 0.1}, {0.4, 1.5, -0.7, 0.2, 0.9}, {1.1, 0.3, 0.9, -0.4, 0.2},
        {0.2, 0.6, -0.3, 1.2, -0.5}, {0.7, -0.2, 0.4, 0.1, 1.3}};
    assertMatches(c, "p.Rows", "det", 1e-6, (Object) a);
    // the recursive calls' records: the reverse half pops the int the forward half pushed
    String source = c.generatedSource("p.RowsGrad");
    assertTrue(source.contains("int n = _tape.popInt();"), source);
  }

  @Test
  void a3dArrayBuiltSlabBySlab() {
    assertMatches(c, "p.Rows", "slabs", 1e-6, (Object) X);
  }

  @Test
  void aMatrixMadeAfreshInEachPass() {
    assertMatches(c, "p.Rows", "perIteration", 1e-6, X, 0.6);
  }

  @Test
  void theJacobianOfAVectorValuedMethodBuiltFromRowStores() {
    double[] x = {0.4, -0.7, 1.1};
    double y = 0.6;
    double[][] j = (double[][]) c.call("p.RowsGrad", "rowSumsJacobian", x, y);
    double h = 1e-6;
    for (int col = 0; col <= x.length; col++) {
      double[] xu = x.clone();
      double[] xd = x.clone();
      double yu = y;
      double yd = y;
      if (col < x.length) {
        xu[col] += h;
        xd[col] -= h;
      } else {
        yu += h;
        yd -= h;
      }
      double[] fu = (double[]) Compiled.components(c.call("p.RowsGrad", "rowSums", xu, yu)).get("value");
      double[] fd = (double[]) Compiled.components(c.call("p.RowsGrad", "rowSums", xd, yd)).get("value");
      for (int row = 0; row < x.length; row++) {
        double expected = (fu[row] - fd[row]) / (2 * h);
        assertEquals(expected, j[row][col], 1e-6 * Math.max(1, Math.abs(expected)), "J[" + row + "][" + col + "]");
      }
    }
    // its forward mode too (fJvp), through the helper that takes a row
    double[] dx = {0.3, -0.2, 0.5};
    double dy = 0.7;
    double[] tangent = (double[]) Compiled.components(c.call("p.RowsGrad", "rowSumsJvp", x, y, dx, dy)).get("tangent");
    for (int row = 0; row < x.length; row++) {
      double expected = j[row][x.length] * dy;
      for (int col = 0; col < x.length; col++) {
        expected += j[row][col] * dx[col];
      }
      assertEquals(expected, tangent[row], 1e-9 * Math.max(1, Math.abs(expected)));
    }
  }

  @Test
  void aMatrixBuiltRowByRowIsReturned() {
    double[][] m = (double[][]) Compiled.components(c.call("p.RowsGrad", "outer", (Object) X)).get("value");
    assertEquals(X.length, m.length);
    assertEquals(3, m[2].length);
    assertEquals(X[2] * X[1], m[2][1], 1e-15);
  }

  @Test
  void theOldRowIsKeptByReferenceAndPutBackWithAnAdjointOfItsShape() {
    String source = c.generatedSource("p.RowsGrad");
    assertTrue(source.contains("double[][] t = new double[n][];"), source);
    assertTrue(source.contains("_tape.pushObject(t[i]);"), source);
    assertTrue(source.contains("t[i] = _tape.popObject();"), source);
    assertTrue(source.contains("_d_t[i] = Adjoints.zerosLike(t[i]);"), source);
    // outside every loop and branch the old row is kept in a local, not on the tape
    assertTrue(source.matches("(?s).*double\\[\\] _t\\w* = m\\[0\\];.*"), source);
  }

  /** The forward tangent along {@code directions} equals the gradient dotted with them. */
  static void forwardMatchesGradient(String method, Object[] args, Object[] directions) {
    Map<String, Object> g = Compiled.components(c.call("p.RowsGrad", method, args));
    Object[] all = new Object[args.length * 2];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(directions, 0, all, args.length, args.length);
    Map<String, Object> t = Compiled.components(c.call("p.RowsGrad", method + "Jvp", all));
    double expected = 0;
    int k = 0;
    for (Map.Entry<String, Object> e : g.entrySet()) {
      if (e.getKey().equals("value")) {
        continue;
      }
      double[] gi = Gradients.flatten(e.getValue());
      double[] di = Gradients.flatten(directions[k++]);
      for (int i = 0; i < gi.length; i++) {
        expected += gi[i] * di[i];
      }
    }
    assertEquals(expected, (double) t.get("tangent"), 1e-9 * Math.max(1, Math.abs(expected)));
    assertEquals((double) g.get("value"), (double) t.get("value"), 1e-12);
  }

  /** The Hessian-vector product along {@code v} equals central differences of the gradient. */
  static void hvpMatchesDifferences(String method, double[] x, double[] v) {
    double[] hv = (double[]) Compiled.components(c.call("p.RowsGrad", method + "Hvp", x, v)).get("xHvp");
    double h = 1e-6;
    double[] up = x.clone();
    double[] down = x.clone();
    for (int i = 0; i < x.length; i++) {
      up[i] += h * v[i];
      down[i] -= h * v[i];
    }
    double[] gu = (double[]) Compiled.components(c.call("p.RowsGrad", method, (Object) up)).get("x");
    double[] gd = (double[]) Compiled.components(c.call("p.RowsGrad", method, (Object) down)).get("x");
    for (int i = 0; i < x.length; i++) {
      double fd = (gu[i] - gd[i]) / (2 * h);
      assertEquals(fd, hv[i], 1e-5 * Math.max(1, Math.abs(fd)), method + " Hv[" + i + "]");
    }
  }
}
