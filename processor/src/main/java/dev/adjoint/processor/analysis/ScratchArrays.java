package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.HashMap;
import java.util.Map;

/**
 * Scratch arrays of a loop: arrays made before it ({@code double[] xc = new double[d]}) that only
 * it uses, and that each iteration fills before it reads them ({@code for (j = 0; j < d; j++)
 * xc[j] = ...}). Nothing flows through them from one iteration to the next, so for the adjoint
 * they are locals of the iteration: an iteration's reverse sweep leaves their adjoints zero (the
 * filling loop's adjoint zeroes every element), and a loop that only carries sums otherwise can
 * run each iteration's adjoint at its end ({@link Fusion}).
 */
final class ScratchArrays {
  private final MethodGraph graph;
  private final Recompute recompute;
  /** Arrays created at the top level with {@code new double[size]}: their size. */
  private final Map<Var, Expr> sizes = new HashMap<>();

  ScratchArrays(MethodGraph graph, Recompute recompute) {
    this.graph = graph;
    this.recompute = recompute;
    for (Stmt s : graph.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && a.target.type() == Type.DOUBLE_ARRAY
          && a.value instanceof Apply n && n.op() == Op.NEW_ARRAY && n.args().size() == 1) {
        sizes.put(a.target, n.arg(0));
      }
    }
  }

  /** Whether {@code a} is a scratch array of the top-level loop {@code l}. */
  boolean isScratch(Var a, Stmt.Loop l) {
    if (!sizes.containsKey(a)) {
      return false;
    }
    // outside the loop, only its declaration names it
    for (Stmt s : graph.body().stmts) {
      if (s == l) {
        continue;
      }
      boolean[] used = {false};
      Blocks.walk(new Block(java.util.List.of(s)), x -> {
        boolean declaration = x instanceof Stmt.Assign d && d.declaration && d.target == a;
        used[0] |= !declaration && (x instanceof Stmt.ArrayStore st && st.array == a
            || Blocks.exprs(x).stream().anyMatch(e -> e.reads(a)));
      });
      if (used[0]) {
        return false;
      }
    }
    return !l.cond.reads(a) && filledBeforeRead(l.body, a, false) && filledBeforeRead(l.update, a, false);
  }

  /**
   * Whether every element of {@code a} the block reads was set earlier in the same iteration:
   * each read comes after a loop that fills a ({@link Kills#wholeOverwrite}) in a block around
   * it.
   */
  private boolean filledBeforeRead(Block b, Var a, boolean filled) {
    for (Stmt s : b.stmts) {
      if (!filled) {
        if (Kills.wholeOverwrite(s, a, sizes.get(a), recompute) != null) {
          // its body may not read what it has not filled yet either
          if (!filledBeforeRead(((Stmt.Loop) s).body, a, false)) {
            return false;
          }
          filled = true;
          continue;
        }
        for (Expr e : Blocks.exprs(s)) {
          if (readsElements(e, a)) {
            return false;
          }
        }
        if (s instanceof Stmt.Eval) {
          return false;
        }
      }
      for (Block c : Blocks.children(s)) {
        if (!filledBeforeRead(c, a, filled)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether e reads an element of a (its length does not count). */
  static boolean readsElements(Expr e, Var a) {
    if (e instanceof Apply ap && ap.op() == Op.ARRAY_LENGTH && ap.arg(0) instanceof Ref r && r.var() == a) {
      return false;
    }
    if (e instanceof Ref r) {
      return r.var() == a;
    }
    if (e instanceof Apply ap) {
      for (Expr x : ap.args()) {
        if (readsElements(x, a)) {
          return true;
        }
      }
      return false;
    }
    return e.reads(a);
  }
}
