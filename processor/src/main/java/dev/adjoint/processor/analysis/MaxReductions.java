package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loops that only take a running maximum or minimum, {@code for (...) m = Math.max(m, e)}: the
 * adjoint of m goes to one operand, e in the last iteration that took it (or m's value before the
 * loop when none did), so the forward sweep notes that iteration and m's value before the loop,
 * and the reverse sweep adds m's adjoint to e there alone, instead of taping m in every iteration
 * and running the loop backwards. Which operand an iteration takes follows the rule for max and
 * min (ties to the first operand: {@code m >= e} keeps m for max(m, e), {@code e >= m} takes e for
 * max(e, m)).
 *
 * <p>A loop qualifies when it is a counted loop, with nothing in its update, whose body is the
 * one assignment {@code m = Math.max(m, e)}, {@code Math.max(e, m)} (or min) of an active double m
 * that is not the method's result, and e reads neither m nor calls anything, and reads active
 * values only as elements of one-dimensional double arrays (its adjoint is then added to array
 * elements, at the iteration's index). The reverse sweep then reads neither m nor e's value, only
 * what e's own partials and indexes read at the noted iteration.
 *
 * <p>The loop may sit anywhere (a log-sum-exp per observation is a running maximum inside the
 * observation loop). Where its reverse sweep runs in the scope of its forward sweep (at the top
 * of the method, or at the top of the body of a loop whose adjoint runs inside each iteration,
 * {@link Fusion}) the notes are locals; elsewhere (inside a loop run backwards, or in a branch)
 * they go on the tape once per run of the loop, not once per iteration ({@link
 * Reduction#notesTaped}).
 */
public final class MaxReductions {
  /**
   * The loop's assignment, its operand e, whether e is the first operand of max/min, and whether
   * the notes of the forward sweep (m before the loop, the iteration that took e) go on the tape,
   * the reverse sweep running outside their scope; {@code restores}: whether the reverse sweep
   * puts m's value before the loop back (something it runs later reads m).
   */
  public record Reduction(Stmt.Assign step, Expr operand, boolean operandFirst, boolean notesTaped, boolean restores) {
    Reduction placed(boolean notesTaped, boolean restores) {
      return new Reduction(step, operand, operandFirst, notesTaped, restores);
    }

    /** Whether the iteration takes e, given {@code m} and {@code e} (the rule's predicate). */
    public Expr takesOperand(Expr m, Expr e) {
      Op compare = ((Apply) step.value).op() == Op.MAX ? Op.GE : Op.LE;
      Expr keepsFirst = new Apply(compare, java.util.List.of(operandFirst ? e : m, operandFirst ? m : e), Type.BOOLEAN);
      return operandFirst ? keepsFirst : new Apply(Op.NOT, java.util.List.of(keepsFirst), Type.BOOLEAN);
    }
  }

  private MaxReductions() {}

  /** Every such loop of the method, not yet placed (notes in locals, m restored). */
  static Map<Stmt.Loop, Reduction> find(MethodGraph graph, Predicate<Var> active) {
    Map<Stmt.Loop, Reduction> out = new IdentityHashMap<>();
    Blocks.walk(graph.body(), s -> {
      Reduction r = s instanceof Stmt.Loop l ? reduction(graph, l, active) : null;
      if (r != null) {
        out.put((Stmt.Loop) s, r);
      }
    });
    return out;
  }

  /**
   * The loops whose reverse sweep runs in the scope of their forward sweep: those at the top of
   * the method or of the body of a loop in {@code fused} (whose adjoint runs inside each
   * iteration). Not through a branch: its reverse sweep is another block.
   */
  static Set<Stmt.Loop> inScope(MethodGraph graph, Predicate<Stmt.Loop> fused) {
    Set<Stmt.Loop> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<Stmt.Block> blocks = new ArrayList<>(List.of(graph.body()));
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Loop l && fused.test(l)) {
        blocks.add(l.body);
      }
    });
    for (Stmt.Block b : blocks) {
      for (Stmt s : b.stmts) {
        if (s instanceof Stmt.Loop l) {
          out.add(l);
        }
      }
    }
    return out;
  }

  private static Reduction reduction(MethodGraph graph, Stmt.Loop l, Predicate<Var> active) {
    if (!l.counted() || !l.update.stmts.isEmpty() || l.body.stmts.size() != 1
        || !(l.body.stmts.get(0) instanceof Stmt.Assign a) || a.declaration) {
      return null;
    }
    Var m = a.target;
    if (m.type() != Type.DOUBLE || !active.test(m) || m == graph.result() || m == l.index
        || !(a.value instanceof Apply f) || f.op() != Op.MAX && f.op() != Op.MIN) {
      return null;
    }
    boolean operandFirst;
    if (f.arg(0) instanceof Ref r && r.var() == m) {
      operandFirst = false;
    } else if (f.arg(1) instanceof Ref r && r.var() == m) {
      operandFirst = true;
    } else {
      return null;
    }
    Expr e = f.arg(operandFirst ? 0 : 1);
    if (e.reads(m) || e.type() != Type.DOUBLE || !onlyElementsActive(e, active)) {
      return null;
    }
    return new Reduction(a, e, operandFirst, false, true);
  }

  /** No call; active values read only as elements {@code x[k]} of 1-D double arrays. */
  private static boolean onlyElementsActive(Expr e, Predicate<Var> active) {
    if (e instanceof Expr.Const) {
      return true;
    }
    if (e instanceof Ref r) {
      return !active.test(r.var()) && !r.var().type().isArray();
    }
    if (e instanceof Apply a && a.op() == Op.ARRAY_READ && a.arg(0) instanceof Ref arr
        && arr.var().type() == Type.DOUBLE_ARRAY) {
      return a.args().subList(1, a.args().size()).stream().allMatch(x -> onlyElementsActive(x, active));
    }
    if (e instanceof Apply a && a.op() != Op.ARRAY_READ && a.op() != Op.NEW_ARRAY) {
      return a.args().stream().allMatch(x -> onlyElementsActive(x, active));
    }
    return false;
  }
}
