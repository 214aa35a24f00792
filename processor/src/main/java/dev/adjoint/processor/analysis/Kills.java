package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * To-be-recorded analysis across array elements: an element that a store overwrites need not be
 * taped when no reverse sweep reads the array between an earlier loop that overwrote the whole
 * array, taping it, and the store. Going backwards, that loop puts every element back as it was
 * before it, so what the store changed is never seen.
 *
 * <p>A scratch array refilled per observation ({@code qxc[j] = ...} for every j, then {@code
 * qxc[r] += ...} in a triangle) then tapes its d elements once per refill instead of once more
 * per update.
 */
final class Kills {
  /** Where each array is created with {@code new T[size]}: its size expression. */
  private final Map<Var, Expr> sizes = new HashMap<>();
  private final Recompute recompute;

  Kills(MethodGraph graph, Recompute recompute) {
    this.recompute = recompute;
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Assign a && a.declaration && a.target.type().isArray()
          && a.value instanceof Apply n && n.op() == Op.NEW_ARRAY && n.args().size() == 1) {
        sizes.put(a.target, n.arg(0));
      }
    });
  }

  /**
   * Whether the store, inside the statements {@code path} (each block with the index of the
   * statement that leads to the store, outermost first), may skip taping the element it
   * overwrites. {@code readers}: the statements whose reverse reads the array.
   */
  boolean coveredByEarlierSave(Stmt.ArrayStore store, List<Block> blocks, List<Integer> indexes,
      Set<Stmt> readers) {
    for (int f = blocks.size() - 1; f >= 0; f--) {
      Block b = blocks.get(f);
      int q = indexes.get(f);
      if (readsIn(b.stmts.get(q), readers)) {
        return false;
      }
      for (int p = q - 1; p >= 0; p--) {
        Stmt s = b.stmts.get(p);
        if (overwritesWholeTaped(s, store.array)) {
          // unless its own reverse reads the array (t[i] = f(t[i - 1])): it sees the store's value
          return !readsIn(s, readers);
        }
        if (readsIn(s, readers)) {
          return false;
        }
      }
    }
    return false;
  }

  private static boolean readsIn(Stmt s, Set<Stmt> readers) {
    if (readers == null || readers.isEmpty()) {
      return false;
    }
    boolean[] found = {readers.contains(s)};
    for (Block c : Blocks.children(s)) {
      Blocks.walk(c, x -> found[0] |= readers.contains(x));
    }
    return found[0];
  }

  /**
   * A counted loop {@code for (i = 0; i < n; i++)} that stores into {@code a[i]} unconditionally
   * in every iteration, taping the old element, where n is a.length or the size a was created
   * with (of values that never change): its reverse puts back every element of a.
   */
  private boolean overwritesWholeTaped(Stmt s, Var array) {
    Stmt.ArrayStore st = wholeOverwrite(s, array, sizes.get(array), recompute);
    return st != null && st.save == Stmt.Save.TAPE;
  }

  /**
   * The store of a counted loop {@code for (i = 0; i < n; i++)} that sets {@code a[i]}
   * unconditionally in every iteration, to a value that does not read a, where n is a.length or
   * {@code size}, the size a was created with (of values that never change); else null. After
   * such a loop every element of a holds a value set by it.
   */
  static Stmt.ArrayStore wholeOverwrite(Stmt s, Var array, Expr size, Recompute recompute) {
    if (!(s instanceof Stmt.Loop l) || l.kind != Stmt.Loop.Kind.FOR || !l.counted() || l.step != 1
        || !(l.start instanceof Const z && z.is(0))
        || !(l.cond instanceof Apply c && c.op() == Op.LT && c.arg(0) instanceof Ref i && i.var() == l.index)) {
      return null;
    }
    Expr bound = c.arg(1);
    boolean whole = bound instanceof Apply len && len.op() == Op.ARRAY_LENGTH
        && len.arg(0) instanceof Ref r && r.var() == array
        || size != null && size.equals(bound) && recompute.recomputable(size, List.of());
    if (!whole) {
      return null;
    }
    for (Stmt x : l.body.stmts) {
      if (x instanceof Stmt.ArrayStore st && st.array == array && st.index instanceof Ref r
          && r.var() == l.index && !st.value.reads(array)) {
        return st;
      }
    }
    return null;
  }
}
