package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether a method's Hessian with respect to its differentiated parameters is diagonal, proved
 * from its graph: the result must be a sum of terms that each depend on one parameter element
 * (k-means' cost: a sum over points of the minimum over centroids of Σ (p - c)², each square of
 * one centroid coordinate). Then the Hessian-vector product with ones is the diagonal, and
 * {@code fHessianDiagonal} is generated.
 *
 * <p>Each double value gets one of four levels, the lowest that holds wherever the code runs:
 * {@code CONST} (no differentiated element), {@code ONE} (a function of at most one element, the
 * same one for the whole value: almost everywhere, since {@code min}, {@code max}, {@code abs},
 * {@code ?:} and branches select among values and their second derivatives vanish between the
 * selections), {@code SUM} (a sum of such functions, each of its own element) and {@code ANY}.
 * Sums of ONE values are SUMs; a product is ONE only of a value with itself ({@code d * d}) or with
 * a constant; a function of a SUM is ANY, except a selection (min, max, abs, ?:) among SUMs, which
 * is a SUM where each piece is; calls other than Math functions give ANY. Arrays take the
 * level of everything stored into them; loops and branches iterate to a fixpoint.
 */
public final class HessianStructure {
  private static final int CONST = 0;
  private static final int ONE = 1;
  private static final int SUM = 2;
  private static final int ANY = 3;

  private final MethodGraph graph;
  private final Map<Var, Integer> level = new HashMap<>();
  private final Set<Var> wrt;
  private boolean changed;

  private HessianStructure(MethodGraph graph) {
    this.graph = graph;
    this.wrt = new HashSet<>(graph.wrt());
  }

  /** Whether the Hessian of {@code graph}'s double result over its differentiated parameters is diagonal. */
  public static boolean isDiagonal(MethodGraph graph) {
    HessianStructure h = new HessianStructure(graph);
    do {
      h.changed = false;
      h.block(graph.body());
    } while (h.changed);
    return h.level.getOrDefault(graph.result(), CONST) <= SUM;
  }

  private void block(Block b) {
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Assign a) {
        raise(a.target, eval(a.value));
      } else if (s instanceof Stmt.ArrayStore st) {
        raise(st.array, eval(st.value));
      } else if (s instanceof Stmt.Eval e) {
        // a helper call as a statement (a tape call, a void helper left in place): whatever it
        // may write, it writes from its arguments
        int l = eval(e.call);
        e.call.forEach(x -> {
          if (x instanceof Expr.Ref r && r.var().type().isDoubleArray() && l > CONST) {
            raise(r.var(), ANY);
          }
        });
      }
      for (Block c : Blocks.children(s)) {
        block(c);
      }
    }
  }

  private void raise(Var v, int l) {
    if (!v.type().differentiable()) {
      return; // an int or boolean carries no derivative, whatever it was computed from
    }
    int old = level.getOrDefault(v, CONST);
    if (l > old) {
      level.put(v, l);
      changed = true;
    }
  }

  private int eval(Expr e) {
    if (e instanceof Expr.Const) {
      return CONST;
    }
    if (e instanceof Expr.Ref r) {
      return wrt.contains(r.var()) && !r.var().type().isDoubleArray() ? ONE : level.getOrDefault(r.var(), CONST);
    }
    if (e instanceof Apply a) {
      switch (a.op()) {
        case ARRAY_READ -> {
          Var array = a.arg(0) instanceof Expr.Ref r ? r.var() : null;
          if (array != null && wrt.contains(array)) {
            return ONE; // one element of a differentiated array
          }
          return array == null ? CONST : level.getOrDefault(array, CONST);
        }
        case ARRAY_LENGTH, INDICES -> {
          return CONST;
        }
        case ADD, SUB -> {
          int x = eval(a.arg(0));
          int y = eval(a.arg(1));
          return x == CONST ? y : y == CONST ? x : Math.max(SUM, Math.max(x, y));
        }
        case NEG, CAST -> {
          return eval(a.arg(0));
        }
        case MUL -> {
          int x = eval(a.arg(0));
          int y = eval(a.arg(1));
          if (x == CONST || y == CONST) {
            return Math.max(x, y);
          }
          return x == ONE && y == ONE && a.arg(0).equals(a.arg(1)) ? ONE : ANY;
        }
        case DIV -> {
          int x = eval(a.arg(0));
          int y = eval(a.arg(1));
          if (y == CONST) {
            return x;
          }
          return x <= ONE && (x == CONST || a.arg(0).equals(a.arg(1))) && y == ONE ? ONE : ANY;
        }
        case FLOOR, CEIL, RINT, SIGNUM -> {
          return CONST; // derivative zero
        }
        case MIN, MAX, ABS, COND -> {
          // selections: piecewise one of their operands (a condition's own level does not matter)
          int l = CONST;
          for (int i = a.op() == Op.COND ? 1 : 0; i < a.args().size(); i++) {
            l = Math.max(l, eval(a.arg(i)));
          }
          return l;
        }
        default -> {
          // a comparison or an integer result carries no derivative
          if (!a.type().differentiable()) {
            return CONST;
          }
          // a smooth Math function of one element (its operands that vary all that same value,
          // pow(d, 2), hypot(d, d)) is still of one element; of more, anything
          Expr varying = null;
          boolean one = a.op().isExpensive() && !a.op().isTensor();
          for (Expr x : a.args()) {
            int l = eval(x);
            if (l == CONST) {
              continue;
            }
            one &= l == ONE && (varying == null || varying.equals(x));
            varying = x;
          }
          return varying == null ? CONST : one ? ONE : ANY;
        }
      }
    }
    // calls, records, objects: anything, unless nothing differentiated flows in
    int[] l = {CONST};
    e.forEach(x -> {
      if (x != e && (x instanceof Expr.Ref || x instanceof Apply)) {
        l[0] = Math.max(l[0], eval(x));
      }
    });
    return l[0] == CONST ? CONST : ANY;
  }
}
