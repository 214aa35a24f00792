package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What may run after a statement while a variable is still in scope: the statements after it in
 * its block and in the blocks around it, and, for each loop around it inside the variable's
 * scope, the whole loop again (its next iteration runs the statements before it too). Used to
 * decide whether an array stored as a row ({@code m[i] = v}) is used again after the store.
 */
public final class LaterUses {
  private LaterUses() {}

  /**
   * The first statement (nested ones included) matching {@code test} that may run after
   * {@code anchor} while {@code scopeOf} is declared (a parameter: the whole method); null if none.
   */
  public static Stmt first(Block body, Stmt anchor, Var scopeOf, Predicate<Stmt> test) {
    List<Block> blocks = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    List<Stmt> owners = new ArrayList<>();
    if (!path(body, null, anchor, blocks, indexes, owners)) {
      return null;
    }
    for (int level = blocks.size() - 1; level >= 0; level--) {
      Block b = blocks.get(level);
      int at = indexes.get(level);
      for (int i = at + 1; i < b.stmts.size(); i++) {
        Stmt found = match(b.stmts.get(i), test);
        if (found != null) {
          return found;
        }
      }
      if (declares(b, at, scopeOf)) {
        return null; // out of scope after this block
      }
      if (owners.get(level) instanceof Stmt.Loop l) {
        Stmt found = match(l, test); // the next iteration
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** Whether {@code s} reads or writes {@code v} itself (not through the blocks it holds). */
  public static boolean uses(Stmt s, Var v) {
    return Blocks.exprs(s).stream().anyMatch(e -> e.reads(v))
        || s instanceof Stmt.ArrayStore st && st.array == v
        || s instanceof Stmt.Eval e && e.call.reads(v);
  }

  private static Stmt match(Stmt s, Predicate<Stmt> test) {
    if (test.test(s)) {
      return s;
    }
    for (Block c : Blocks.children(s)) {
      for (Stmt x : c.stmts) {
        Stmt found = match(x, test);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean declares(Block b, int upTo, Var v) {
    for (int i = 0; i <= upTo && i < b.stmts.size(); i++) {
      if (b.stmts.get(i) instanceof Stmt.Assign a && a.declaration && a.target == v) {
        return true;
      }
    }
    return false;
  }

  private static boolean path(Block b, Stmt owner, Stmt anchor, List<Block> blocks, List<Integer> indexes,
      List<Stmt> owners) {
    blocks.add(b);
    owners.add(owner);
    indexes.add(-1);
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      indexes.set(indexes.size() - 1, i);
      if (s == anchor) {
        return true;
      }
      for (Block c : Blocks.children(s)) {
        if (path(c, s, anchor, blocks, indexes, owners)) {
          return true;
        }
      }
    }
    blocks.remove(blocks.size() - 1);
    owners.remove(owners.size() - 1);
    indexes.remove(indexes.size() - 1);
    return false;
  }
}
