package dev.adjoint.processor.diff;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * A counter that a counted loop steps once per iteration ({@code idx++} at the top of its body)
 * is undone in the loop's reverse sweep by the opposite step ({@code idx--}): a second induction
 * variable, running down next to the loop index, which HotSpot's C2 compiles poorly when the
 * loop also accumulates an adjoint (no unrolling: about 3× slower on a triangular matrix-vector
 * product's adjoint). Since the step runs exactly once in every iteration, the counter's value
 * after it is undone is linear in the loop index: {@code idx = base + i * step}, with {@code base}
 * computed once before the reverse loop from the counter's value at the loop's end. The same
 * values, exactly (int arithmetic wraps alike), with the loop index the only induction variable.
 *
 * <p>Applies to a forward loop of step 1 whose counter is an int changed by one constant step at
 * the top level of its body or update, nowhere else in the loop, in a loop without break,
 * continue or return; and whose reverse loop undoes it by one statement at its own top level.
 */
final class CountersFromIndex {
  private CountersFromIndex() {}

  /**
   * Rewrites the undo steps in {@code back}, the reverse of {@code forward}; {@code start} is the
   * forward loop's first index and {@code trips} its trip count, both unchanged by the loop.
   */
  static void rewrite(Stmt.Loop forward, Stmt.Loop back, Expr start, Expr trips, Names names, Out out) {
    if (!forward.counted() || forward.step != 1 || exits(forward)) {
      return;
    }
    List<Stmt> tops = new ArrayList<>(forward.body.stmts);
    tops.addAll(forward.update.stmts);
    for (Stmt t : tops) {
      if (!(t instanceof Stmt.Assign a) || a.save != Stmt.Save.INVERT || a.target.type() != Type.INT
          || a.undo == null || !(a.undo.value instanceof Expr.Apply undo)
          || undo.op() != Op.ADD && undo.op() != Op.SUB || !(undo.arg(1) instanceof Expr.Const c)
          || c.type() != Type.INT || ((Number) c.value()).intValue() == Integer.MIN_VALUE
          || assignments(forward, a.target) != 1) {
        continue;
      }
      Var v = a.target;
      Stmt.Assign step = topLevelUndo(back, v);
      if (step == null) {
        continue;
      }
      // the forward step adds s; after it is undone at reverse index i, v = v0 + (i - start) * s
      // where v0 = vEnd - trips * s, so v = base + i * s with base = vEnd - (trips + start) * s
      int s = ((Number) c.value()).intValue() * (undo.op() == Op.SUB ? 1 : -1);
      Var base = new Var(names.fresh("_" + v.name() + "Base", false), Type.INT, Var.Kind.SYNTHETIC);
      out.insertBefore(back, new Stmt.Comment(v.name() + " from " + back.index.name()
          + " in each iteration, not stepped back: one induction variable for the JIT"));
      out.insertBefore(back, new Stmt.Assign(base, plus(new Expr.Ref(v), op(Op.ADD, trips, start), -s),
          true, null, Src.NONE));
      int at = back.body.stmts.indexOf(step);
      back.body.stmts.set(at, new Stmt.Assign(v, plus(new Expr.Ref(base), new Expr.Ref(back.index), s),
          false, null, step.src));
    }
  }

  /** {@code a + e * s}, written {@code a + e}, {@code a - e} or {@code a + e * 3}. */
  private static Expr plus(Expr a, Expr e, int s) {
    int m = Math.abs(s);
    Expr scaled = m == 1 ? e : op(Op.MUL, e, Expr.Const.ofInt(m));
    return op(s < 0 ? Op.SUB : Op.ADD, a, scaled);
  }

  private static Expr op(Op op, Expr a, Expr b) {
    return new Expr.Apply(op, List.of(a, b), Type.INT);
  }

  /** Whether the loop's body can leave an iteration early (the step would not run). */
  private static boolean exits(Stmt.Loop l) {
    boolean[] found = {false};
    Blocks.walk(l.body, s -> found[0] |= s instanceof Stmt.Break || s instanceof Stmt.Continue
        || s instanceof Stmt.Return);
    return found[0];
  }

  private static int assignments(Stmt.Loop l, Var v) {
    int[] n = {0};
    Blocks.walk(l.body, s -> n[0] += s instanceof Stmt.Assign a && a.target == v ? 1 : 0);
    Blocks.walk(l.update, s -> n[0] += s instanceof Stmt.Assign a && a.target == v ? 1 : 0);
    return n[0];
  }

  /** The reverse loop's only assignment to v, if it is a step at its top level. */
  private static Stmt.Assign topLevelUndo(Stmt.Loop back, Var v) {
    int[] n = {0};
    Blocks.walk(back.body, s -> n[0] += s instanceof Stmt.Assign a && a.target == v ? 1 : 0);
    if (n[0] != 1) {
      return null;
    }
    for (Stmt s : back.body.stmts) {
      if (s instanceof Stmt.Assign a && a.target == v && !a.declaration && a.value instanceof Expr.Apply ap
          && (ap.op() == Op.ADD || ap.op() == Op.SUB) && ap.arg(0) instanceof Expr.Ref r && r.var() == v
          && ap.arg(1) instanceof Expr.Const) {
        return a;
      }
    }
    return null;
  }
}
