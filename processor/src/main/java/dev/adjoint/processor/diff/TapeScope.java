package dev.adjoint.processor.diff;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the tape only on the paths that use it. A recursive method's base case ({@code if (row
 * == n - 1) return a[...]; ...}) tapes nothing, and its calls are most of the calls of the
 * recursion (the leaves of the call tree): there the gradient should not take a tape from the
 * thread's pool and give it back. Applied to the finished body of a gradient method.
 *
 * <p>It applies when the tape is used only inside top-level branches on one condition that
 * reads nothing the method changes (the forward sweep's branch and the reverse sweep's mirror
 * of it, {@code if (c)} or {@code if (!c)}): both then take the same arm. The tape is declared
 * {@code null}, opened at the start of each arm of the first such branch that uses it, and
 * closed at the end when it was opened. Where a later branch uses the tape in an arm whose
 * counterpart in the first one does not open it, or the condition may change, nothing changes.
 */
public final class TapeScope {
  private TapeScope() {}

  /** Narrows the tape's scope in {@code body} (a method body that opens {@code tape} first). */
  public static void apply(Block body, Var tape) {
    List<Stmt> top = body.stmts;
    int open = -1;
    int close = -1;
    List<Stmt.If> users = new ArrayList<>();
    for (int i = 0; i < top.size(); i++) {
      Stmt s = top.get(i);
      if (s instanceof Stmt.Assign a && a.target == tape && a.declaration && open < 0) {
        open = i;
      } else if (isClose(s, tape) && close < 0) {
        close = i;
      } else if (uses(s, tape)) {
        if (!(s instanceof Stmt.If f) || open < 0 || close >= 0) {
          return;
        }
        users.add(f);
      }
    }
    if (open < 0 || close < 0 || users.isEmpty()) {
      return;
    }
    Stmt.If first = users.get(0);
    Expr cond = positive(first.cond);
    boolean firstNegated = first.cond != cond;
    if (!stable(cond, body, first)) {
      return;
    }
    // which arm of the first branch (by the condition's truth) uses the tape
    boolean opensWhenTrue = usesBlock(firstNegated ? first.otherwise : first.then, tape);
    boolean opensWhenFalse = usesBlock(firstNegated ? first.then : first.otherwise, tape);
    if (opensWhenTrue == opensWhenFalse) {
      return; // both arms tape (nothing to gain), or neither
    }
    for (Stmt.If f : users) {
      if (!positive(f.cond).equals(cond)) {
        return;
      }
      boolean negated = positive(f.cond) != f.cond;
      boolean whenTrue = usesBlock(negated ? f.otherwise : f.then, tape);
      boolean whenFalse = usesBlock(negated ? f.then : f.otherwise, tape);
      if (whenTrue && !opensWhenTrue || whenFalse && !opensWhenFalse) {
        return;
      }
    }
    Stmt.Assign declaration = (Stmt.Assign) top.get(open);
    top.set(open, new Stmt.Assign(tape, new Const(Type.OBJECT, null), true, null, declaration.src));
    for (Block arm : List.of(first.then, first.otherwise)) {
      if (usesBlock(arm, tape)) {
        arm.stmts.add(0, new Stmt.Comment("this branch tapes: the tape is taken here, not on every call"));
        arm.stmts.add(1, new Stmt.Assign(tape, declaration.value, false, null, Src.NONE));
      }
    }
    Expr opened = new Apply(Op.NE, List.of(new Ref(tape), new Const(Type.OBJECT, null)), Type.BOOLEAN);
    top.set(close, new Stmt.If(opened, new Block(new ArrayList<>(List.of(top.get(close)))), new Block(), Src.NONE));
  }

  private static boolean isClose(Stmt s, Var tape) {
    return s instanceof Stmt.Eval e && e.call instanceof Expr.Invoke i && i.receiver() instanceof Ref r
        && r.var() == tape && i.method().equals("close");
  }

  private static Expr positive(Expr cond) {
    return cond instanceof Apply a && a.op() == Op.NOT ? a.arg(0) : cond;
  }

  private static boolean uses(Stmt s, Var tape) {
    if (s instanceof Stmt.Assign a && a.target == tape
        || Blocks.exprs(s).stream().anyMatch(e -> e.reads(tape))
        || s instanceof Stmt.Eval e && e.call.reads(tape)) {
      return true;
    }
    return Blocks.children(s).stream().anyMatch(b -> usesBlock(b, tape));
  }

  private static boolean usesBlock(Block b, Var tape) {
    return b.stmts.stream().anyMatch(s -> uses(s, tape));
  }

  /**
   * Whether {@code cond} has the same value wherever it is evaluated after {@code first}
   * starts: it calls nothing, reads no array element, and reads only variables the body never
   * assigns (parameters) or declares once, at the top, before {@code first}.
   */
  private static boolean stable(Expr cond, Block body, Stmt.If first) {
    boolean[] ok = {true};
    List<Var> read = new ArrayList<>();
    cond.forEach(e -> {
      if (e instanceof Ref r) {
        read.add(r.var());
      } else if (e instanceof Apply a) {
        ok[0] &= a.op() != Op.ARRAY_READ && a.op() != Op.NEW_ARRAY && a.type() != Type.OBJECT
            && a.type() != Type.TENSOR;
      } else if (!(e instanceof Const)) {
        ok[0] = false;
      }
    });
    if (!ok[0]) {
      return false;
    }
    int firstIndex = body.stmts.indexOf(first);
    for (Var v : read) {
      if (v.type() == Type.OBJECT || v.type() == Type.TENSOR) {
        return false;
      }
      List<Stmt> assigns = new ArrayList<>();
      Blocks.walk(body, s -> {
        if (s instanceof Stmt.Assign a && a.target == v || s instanceof Stmt.Loop l && l.index == v) {
          assigns.add(s);
        }
      });
      if (assigns.size() > 1 || assigns.size() == 1 && !(assigns.get(0) instanceof Stmt.Assign a
          && a.declaration && body.stmts.indexOf(a) >= 0 && body.stmts.indexOf(a) < firstIndex)) {
        return false;
      }
    }
    return true;
  }
}
