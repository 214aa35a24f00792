package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Walking the structured graph: the blocks a statement holds and the expressions it reads. */
public final class Blocks {
  private Blocks() {}

  public static List<Block> children(Stmt s) {
    if (s instanceof Stmt.If f) {
      return List.of(f.then, f.otherwise);
    }
    if (s instanceof Stmt.Loop l) {
      return List.of(l.body, l.update);
    }
    if (s instanceof Stmt.Nested n) {
      return List.of(n.block);
    }
    return List.of();
  }

  /** The expressions evaluated by the statement itself (not by the blocks it holds). */
  public static List<Expr> exprs(Stmt s) {
    List<Expr> out = new ArrayList<>();
    if (s instanceof Stmt.Assign a) {
      out.add(a.value);
    } else if (s instanceof Stmt.ArrayStore st) {
      out.add(st.index);
      out.add(st.value);
    } else if (s instanceof Stmt.If f) {
      out.add(f.cond);
    } else if (s instanceof Stmt.Loop l) {
      out.add(l.cond);
      if (l.start != null) {
        out.add(l.start);
      }
    } else if (s instanceof Stmt.Return r) {
      out.add(r.value);
    }
    return out;
  }

  /** Every statement of the block and of the blocks nested in it, outer before inner. */
  public static void walk(Block b, Consumer<Stmt> visitor) {
    for (Stmt s : b.stmts) {
      visitor.accept(s);
      for (Block c : children(s)) {
        walk(c, visitor);
      }
    }
  }

  /** Every statement, with whether it sits inside a branch or loop. */
  public static List<Stmt> all(Block b) {
    List<Stmt> out = new ArrayList<>();
    walk(b, out::add);
    return out;
  }

  /**
   * Whether every path through the statements ends in return, break or continue (a break that
   * leaves a labelled block itself goes on right after that block).
   */
  public static boolean alwaysExits(List<Stmt> stmts) {
    if (stmts.isEmpty()) {
      return false;
    }
    Stmt last = stmts.get(stmts.size() - 1);
    if (last instanceof Stmt.Return || last instanceof Stmt.Break || last instanceof Stmt.Continue) {
      return true;
    }
    if (last instanceof Stmt.If f) {
      return alwaysExits(f.then.stmts) && alwaysExits(f.otherwise.stmts);
    }
    if (last instanceof Stmt.Nested n) {
      return n.label == null && alwaysExits(n.block.stmts);
    }
    return false;
  }
}
