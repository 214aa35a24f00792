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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Rematerialisation of a scratch array: a loop that fills every element of an array from values
 * the reverse sweep still has ({@code for (j = 0; j < d; j++) xc[j] = x[i * d + j] - mu[c * d +
 * j]}, GMM's centred point) is run again where the adjoint of the enclosing loop's iteration
 * begins, instead of pushing the d elements it overwrites and popping them back one by one.
 *
 * <p>It applies to a fill loop {@code F} at the top of the body of a loop {@code L} (its only
 * statement the store, whose old element was to be taped) when: the store is the only write to
 * the array anywhere (no other store, no call given the array); every read of the array is in
 * {@code L}'s body after {@code F}, so no reverse code outside it needs the elements back and no
 * earlier code of the iteration reads them; and the stored value is cheap ({@link
 * Recompute#recomputableValue}): constants, invariant variables, the indexes of the loops around
 * it and elements of arrays nothing writes. In the reverse sweep, {@code L}'s iteration then sees
 * the array as its forward iteration left it: the fill is the last write of the iteration.
 */
public final class Refills {
  private Refills() {}

  /** Marks the fill loops to run again (in their block's {@code refilled}), untaping their store. */
  public static void find(MethodGraph graph, Recompute recompute, Function<Stmt, List<Stmt>> loopsAround) {
    Map<Var, Integer> stores = new HashMap<>();
    List<Var> passed = new ArrayList<>();
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.ArrayStore st) {
        stores.merge(st.array, 1, Integer::sum);
      }
      for (Expr e : exprs(s)) {
        e.forEach(x -> {
          List<Expr> args = x instanceof Expr.Call c ? c.args() : x instanceof Expr.Invoke i ? i.args()
              : x instanceof Expr.New n ? n.args() : List.of();
          for (Expr arg : args) {
            if (arg instanceof Ref r && r.var().type().isArray()) {
              passed.add(r.var());
            }
          }
        });
      }
    });
    Blocks.walk(graph.body(), s -> {
      if (!(s instanceof Stmt.Loop l)) {
        return;
      }
      for (int at = 0; at < l.body.stmts.size(); at++) {
        if (!(l.body.stmts.get(at) instanceof Stmt.Loop f) || f.body.stmts.size() != 1
            || !(f.body.stmts.get(0) instanceof Stmt.ArrayStore st) || st.save != Stmt.Save.TAPE
            || st.array.type() != Type.DOUBLE_ARRAY || stores.get(st.array) != 1 || passed.contains(st.array)
            || Kills.wholeOverwrite(f, st.array, size(graph, st.array), recompute) != st
            || !recompute.recomputableValue(st.value, loopsAround.apply(st))) {
          continue;
        }
        if (readOnlyAfter(graph.body(), l, at, st.array)) {
          st.save = Stmt.Save.NONE;
          l.body.refilled.add(f);
        }
      }
    });
  }

  /** Whether every read of {@code a} is in {@code l}'s body after its statement {@code at}. */
  private static boolean readOnlyAfter(Block top, Stmt.Loop l, int at, Var a) {
    boolean[] outside = {false};
    List<Stmt> after = new ArrayList<>();
    for (int i = at; i < l.body.stmts.size(); i++) {
      Blocks.walk(new Block(List.of(l.body.stmts.get(i))), after::add);
    }
    java.util.Set<Stmt> inside = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    inside.addAll(after);
    Blocks.walk(top, s -> {
      if (inside.contains(s)) {
        return;
      }
      boolean declaration = s instanceof Stmt.Assign d && d.declaration && d.target == a;
      for (Expr e : exprs(s)) {
        outside[0] |= !declaration && e.reads(a);
      }
    });
    return !outside[0];
  }

  /** The size {@code a} was created with ({@code new double[size]}, declared once), or null. */
  private static Expr size(MethodGraph graph, Var a) {
    Expr[] size = {null};
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Assign d && d.declaration && d.target == a && d.value instanceof Apply n
          && n.op() == Op.NEW_ARRAY && n.args().size() == 1) {
        size[0] = n.arg(0);
      }
    });
    return size[0];
  }

  private static List<Expr> exprs(Stmt s) {
    return s instanceof Stmt.Eval e ? List.of(e.call) : Blocks.exprs(s);
  }
}
