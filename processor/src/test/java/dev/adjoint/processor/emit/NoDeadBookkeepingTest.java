package dev.adjoint.processor.emit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated code declares no bookkeeping that nothing reads: a loop whose stores into an
 * {@code int[][]} need no restoring has no trip counter (ECJ would warn "value of local variable
 * not used"), and a fused loop's inner loop declares its start copy where the iteration's
 * adjoint, its only reader, begins. Where the forward half does read the copy (the tape reserve),
 * or its value changes before the adjoint runs, it stays where it was. Gradients against finite
 * differences throughout.
 */
class NoDeadBookkeepingTest {
  static Compiled c;

  static final String SOURCE = """
      package p;

      import dev.adjoint.Differentiable;

      public class Bookkeeping {
        @Differentiable
        public static double permuted(double[] x) {
          int n = x.length;
          int[][] perm = new int[2][n];
          for (int k = 0; k < 2; k++) {
            for (int i = 0; i < n; i++) {
              perm[k][i] = (i + k + 1) % n;
            }
          }
          double s = 0;
          for (int i = 0; i < n; i++) {
            s += x[i] * x[perm[1][i]];
          }
          return s;
        }

        @Differentiable
        public static double carriedBeside(double[] x, int n) {
          if ((n & 2) != 0) {
            return Math.tanh(x[0]);
          }
          int[] p = new int[x.length];
          for (int i = 0; i < p.length; i++) {
            p[i] = (i + 1) % p.length;
          }
          double d = 0;
          for (int i = 0; i < p.length; i++) {
            d = 0.5 * d + x[p[i]] * Math.atan(x[i]);
          }
          return Math.atan(d) + 0.25 * d;
        }

        @Differentiable
        public static double packed(double[] x) {
          int d = x.length;
          double[] q = new double[d];
          int idx = 0;
          for (int j = 0; j < d; j++) {
            for (int r = j + 1; r < d; r++) {
              q[r] += x[idx % d] * x[j];
              idx++;
            }
          }
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += Math.sin(q[j]) * q[j];
          }
          return s;
        }

        @Differentiable
        public static double triangle(double[] x) {
          int n = x.length;
          double s = 0;
          for (int j = 0; j < n; j++) {
            for (int k = j + 1; k < n; k++) {
              s += x[k] * x[j];
            }
          }
          return s;
        }

        @Differentiable
        public static double triangleTaped(double[] x) {
          int n = x.length;
          double s = 0;
          for (int j = 0; j < n; j++) {
            for (int k = j + 1; k < n; k++) {
              s += x[k] * x[j] * Math.sin(x[k]);
            }
          }
          return s;
        }

        @Differentiable
        public static double movingStart(double[] x) {
          int n = x.length;
          double s = 0;
          for (int j = 0; j < n; j++) {
            int at = j / 2;
            for (int k = at; k < n; k++) {
              s += x[k] * x[j];
            }
            at = at + 1;
            s += at;
          }
          return s;
        }
      }
      """;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Bookkeeping", SOURCE);
  }

  static final double[] X = {0.6, -0.4, 1.2, 0.3, -0.9};

  private static String method(String name) {
    String src = c.generatedSource("p.BookkeepingGrad");
    int at = src.indexOf(" " + name + "(double[] x) {");
    return src.substring(at, src.indexOf("\n    }\n", at));
  }

  @Test
  void gradientsAreExact() {
    for (String m : new String[] {"permuted", "triangle", "triangleTaped", "movingStart", "packed"}) {
      Gradients.assertMatches(c, "p.Bookkeeping", m, 1e-6, (Object) X.clone());
    }
  }

  @Test
  void aCounterDroppedFromABlockThatCarriesOtherLocals() {
    // the index loop's counter had been chosen to be carried with p and d (the block after the
    // early return is a branch), before the loop turned out to have no reverse work
    for (int n : new int[] {0, 2}) {
      Gradients.assertMatches(c, "p.Bookkeeping", "carriedBeside", 1e-6, X.clone(), n);
    }
    String src = c.generatedSource("p.BookkeepingGrad");
    int at = src.indexOf(" carriedBeside(double[] x, int n) {");
    String m = src.substring(at, src.indexOf("\n    }\n", at));
    assertFalse(m.contains("pushInt(n)") || m.contains("int n = "), m);
  }

  @Test
  void aLoopOnlyWritingIntElementsCountsNothing() {
    String m = method("permuted");
    assertFalse(m.contains("int _n"), m);
    assertFalse(m.contains("k >= 0; k--"), m); // no empty reverse loop either
  }

  @Test
  void aFusedInnerLoopsStartIsDeclaredWhereTheAdjointBegins() {
    String m = method("triangle");
    assertTrue(Pattern.compile("// adjoint of this iteration\\s+int (_i\\d+) = j \\+ 1;").matcher(m).find(), m);
    assertTrue(m.indexOf("int _i") > m.indexOf("// adjoint of this iteration"), m);
  }

  @Test
  void aStartComputedAgainInTheReverseSweepIsNotCopiedInTheForwardSweep() {
    Gradients.assertMatches(c, "p.Bookkeeping", "packed", 1e-6, (Object) X.clone());
    String m = method("packed");
    // once, where the reverse of the outer loop's body begins
    assertTrue(m.indexOf("int _i0 = j + 1;") > m.indexOf("// reverse sweep"), m);
    assertTrue(m.indexOf("int _i0 = j + 1;") == m.lastIndexOf("int _i0 = j + 1;"), m);
  }

  @Test
  void theStartCopyStaysWhereTheForwardHalfReadsIt() {
    // the tape is reserved for the taped sines: n - _i0, in the forward half
    String taped = method("triangleTaped");
    assertTrue(Pattern.compile("int (_i\\d+) = j \\+ 1;\\s+_tape.reserveDoubles\\(n - \\1\\);").matcher(taped).find(), taped);
    // the start reads a local the iteration changes before its adjoint: copied before the loop
    String moving = method("movingStart");
    assertTrue(moving.indexOf("int _i0 = at;") >= 0
        && moving.indexOf("int _i0 = at;") < moving.indexOf("// adjoint of this iteration"), moving);
  }

  @Test
  void aFieldsReceiverIsVisited() {
    Var self = new Var("self", Type.OBJECT, Var.Kind.PARAMETER);
    Var other = new Var("other", Type.OBJECT, Var.Kind.PARAMETER);
    Expr scale = new Expr.Field(null, new Expr.Ref(self), "scale", Type.DOUBLE);
    assertTrue(scale.reads(self));
    Expr moved = scale.map(e -> e instanceof Expr.Ref r && r.var() == self ? new Expr.Ref(other) : e);
    assertTrue(moved.reads(other));
    assertFalse(moved.reads(self));
  }
}
