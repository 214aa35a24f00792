package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checkpointed loops: a top-level loop whose iterations tape a lot (inner loops that tape an
 * element per inner iteration: RK4's stages) can instead keep only what each iteration reads of
 * the state it overwrites (its live-in state, {@code y}), and run the iteration again, taped,
 * right before its adjoint. The tape then holds one checkpoint per iteration plus one
 * iteration's values, instead of every iteration's.
 *
 * <p>The live-in state: every scalar the body assigns that is declared before it, and every
 * array the body stores into whose elements it may read before it has set all of them (an
 * array the body fills before it reads it, a scratch array, needs no checkpoint; see {@link
 * #readsBeforeFilled}). Running an iteration again computes what it computed the first time
 * when, besides that state, everything it reads is unchanged after the loop: the loop must be
 * a statement of the method's body that no later statement writes what the loop reads.
 *
 * <p>Only where it pays: some array is live-in (its length, times the trip count, says at run
 * time whether the tape would be large), the body's inner loops tape more arrays' worth of elements than the
 * checkpoint holds, no call (whose callee could keep or write anything) and no loop whose
 * adjoint runs in the forward sweep ({@link Fusion}) is inside, and the trip count is known
 * when the loop starts (the generated code checkpoints only when the checkpoints would be
 * large, see {@code Reverse}).
 */
public final class Checkpoints {
  /** What one iteration keeps: scalars pushed one by one, arrays whole. */
  public record Checkpoint(List<Var> scalars, List<Var> arrays, Expr trips) {}

  private final MethodGraph graph;
  /** Arrays made at the top level with {@code new double[size]}: their size. */
  private final Map<Var, Expr> sizes = new HashMap<>();
  /** Locals assigned once, at their declaration: their value. */
  private final Map<Var, Expr> definitions = new HashMap<>();
  /** Variables assigned more than once (parameters: assigned at all). */
  private final Set<Var> reassigned = new HashSet<>();
  private final Map<Stmt.Loop, Checkpoint> decided = new HashMap<>();

  public Checkpoints(MethodGraph graph) {
    this.graph = graph;
    Map<Var, Integer> assignments = new HashMap<>();
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Assign a) {
        assignments.merge(a.target, 1, Integer::sum);
        if (a.declaration) {
          definitions.put(a.target, a.value);
        }
        if (!a.declaration || a.target.isParameter()) {
          reassigned.add(a.target);
        }
      }
    });
    assignments.forEach((v, n) -> {
      if (n > 1) {
        reassigned.add(v);
      }
    });
    definitions.keySet().removeAll(reassigned);
    for (Stmt s : graph.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && a.target.type() == Type.DOUBLE_ARRAY
          && !reassigned.contains(a.target)
          && a.value instanceof Apply n && n.op() == Op.NEW_ARRAY && n.args().size() == 1) {
        sizes.put(a.target, n.arg(0));
      }
    }
    // an array named anywhere but to read or store its elements or take its length (assigned to
    // another variable, stored as a row, passed to a call) could change through an alias
    Blocks.walk(graph.body(), s -> {
      for (Expr e : Blocks.exprs(s)) {
        escaping(e, sizes.keySet());
      }
    });
  }

  /**
   * The checkpoint of loop {@code l} when it is checkpointed; else null. {@code fused}: whether a
   * loop runs its adjoint in the forward sweep.
   */
  public Checkpoint of(Stmt.Loop l, java.util.function.Predicate<Stmt.Loop> fused) {
    return decided.computeIfAbsent(l, x -> decide(x, fused));
  }

  private Checkpoint decide(Stmt.Loop l, java.util.function.Predicate<Stmt.Loop> fused) {
    int at = graph.body().stmts.indexOf(l);
    Expr trips = Recompute.tripCount(l);
    if (at < 0 || fused.test(l) || !l.update.stmts.isEmpty() || trips == null) {
      return null;
    }
    Set<Var> declaredInside = new HashSet<>();
    Set<Var> assigned = new LinkedHashSet<>();
    Set<Var> stored = new LinkedHashSet<>();
    Set<Var> read = new HashSet<>();
    boolean[] unsupported = {false};
    Blocks.walk(l.body, s -> {
      if (s instanceof Stmt.Assign a) {
        (a.declaration ? declaredInside : assigned).add(a.target);
      } else if (s instanceof Stmt.ArrayStore st) {
        stored.add(st.array);
      } else if (s instanceof Stmt.Loop inner) {
        declaredInside.add(inner.index);
        unsupported[0] |= fused.test(inner);
      }
      unsupported[0] |= s instanceof Stmt.Eval || s instanceof Stmt.Return
          || s instanceof Stmt.Break || s instanceof Stmt.Continue
          || s instanceof Stmt.Assign a2 && a2.save == Stmt.Save.LOCAL;
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          unsupported[0] |= x instanceof Expr.Call || x instanceof Expr.Invoke || x instanceof Expr.New
              || x instanceof Expr.RecordGet;
          if (x instanceof Ref r) {
            read.add(r.var());
          }
        });
      }
    });
    if (unsupported[0]) {
      return null;
    }
    List<Var> scalars = new ArrayList<>();
    for (Var v : assigned) {
      if (declaredInside.contains(v)) {
        continue;
      }
      Type t = v.type();
      if (t != Type.DOUBLE && t != Type.INT && t != Type.LONG && t != Type.BOOLEAN) {
        return null;
      }
      scalars.add(v);
    }
    List<Var> arrays = new ArrayList<>();
    for (Var a : stored) {
      if (declaredInside.contains(a)) {
        continue;
      }
      if (!sizes.containsKey(a)) {
        return null; // a parameter's or an alias's elements: not ours to keep and put back
      }
      if (readsBeforeFilled(l.body, a, new int[] {0})) {
        arrays.add(a);
      }
    }
    if (arrays.isEmpty() || tapedInInnerLoops(l.body, false) <= arrays.size()) {
      return null; // the checkpoint would cost about what the tape costs
    }
    // what the loop reads and does not keep must be as it was when the reverse sweep gets there
    Set<Var> kept = new HashSet<>(scalars);
    kept.addAll(arrays);
    for (int k = at + 1; k < graph.body().stmts.size(); k++) {
      boolean[] writes = {false};
      Blocks.walk(new Block(List.of(graph.body().stmts.get(k))), s -> {
        Var w = s instanceof Stmt.Assign a ? a.target : s instanceof Stmt.ArrayStore st ? st.array : null;
        writes[0] |= w != null && read.contains(w) && !kept.contains(w) && !declaredInside.contains(w);
      });
      if (writes[0]) {
        return null;
      }
    }
    return new Checkpoint(scalars, arrays, trips);
  }

  /** Statements inside inner loops of the block that tape a value per inner iteration. */
  private static int tapedInInnerLoops(Block b, boolean inLoop) {
    int n = inLoop ? b.carried.size() : 0;
    for (Stmt s : b.stmts) {
      if (inLoop && (s instanceof Stmt.Assign a && a.save == Stmt.Save.TAPE
          || s instanceof Stmt.ArrayStore st && st.save == Stmt.Save.TAPE)) {
        n++;
      }
      for (Block c : Blocks.children(s)) {
        n += tapedInInnerLoops(c, inLoop || s instanceof Stmt.Loop);
      }
    }
    return n;
  }

  /**
   * Whether the block may read an element of {@code a} that it has not set before. {@code
   * filled[0]}: how many leading elements are set so far ({@code a[0] = ...; a[1] = ...}), or -1
   * once all are (a counted loop from there to a's length storing {@code a[i]} in every
   * iteration, as {@code z[0] = x[0]; for (i = 1; i < x.length; i++) z[i] = ...} does for a z
   * of x's length).
   */
  boolean readsBeforeFilled(Block b, Var a, int[] filled) {
    for (Stmt s : b.stmts) {
      if (filled[0] < 0) {
        return false;
      }
      if (s instanceof Stmt.ArrayStore st && st.array == a && st.compound == null
          && st.index instanceof Const k && k.type() == Type.INT && ((Number) k.value()).intValue() == filled[0]
          && !st.value.reads(a)) {
        filled[0]++;
      } else if (fillsFrom(s, a, filled[0])) {
        filled[0] = -1;
      } else if (s instanceof Stmt.Nested n) {
        if (readsBeforeFilled(n.block, a, filled)) {
          return true;
        }
      } else if (readsElements(s, a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A counted loop {@code for (i = from; i < n; i++)}, n a's length, whose body stores {@code
   * a[i]} unconditionally and reads no element of a.
   */
  private boolean fillsFrom(Stmt s, Var a, int from) {
    if (!(s instanceof Stmt.Loop l) || l.kind != Stmt.Loop.Kind.FOR || !l.counted() || l.step != 1
        || !(l.start instanceof Const z && z.type() == Type.INT && ((Number) z.value()).intValue() == from)
        || !(l.cond instanceof Apply c && c.op() == Op.LT && c.arg(0) instanceof Ref i && i.var() == l.index)
        || !l.update.stmts.isEmpty()) {
      return false;
    }
    Expr bound = c.arg(1);
    boolean whole = bound instanceof Apply len && len.op() == Op.ARRAY_LENGTH
        && len.arg(0) instanceof Ref r && r.var() == a;
    if (!whole) {
      Expr size = stable(sizes.get(a));
      whole = size != null && size.equals(stable(bound));
    }
    if (!whole) {
      return false;
    }
    boolean stores = false;
    for (Stmt x : l.body.stmts) {
      stores |= x instanceof Stmt.ArrayStore st && st.array == a && st.compound == null
          && st.index instanceof Ref r && r.var() == l.index;
      if (readsElements(x, a)) {
        return false;
      }
    }
    return stores;
  }

  /**
   * The expression with each local assigned once replaced by its value, when every variable
   * left is a parameter never assigned (its value then never changes); else null.
   */
  private Expr stable(Expr e) {
    if (e == null) {
      return null;
    }
    boolean[] ok = {true};
    Expr out = e.map(x -> {
      if (x instanceof Ref r) {
        if (definitions.containsKey(r.var())) {
          Expr d = stable(definitions.get(r.var()));
          if (d != null) {
            return d;
          }
        } else if (r.var().isParameter() && !reassigned.contains(r.var())) {
          return x;
        }
        ok[0] = false;
      }
      return x;
    });
    return ok[0] ? out : null;
  }

  /** Removes from {@code arrays} those e names other than as {@code a[i]} or {@code a.length}. */
  private static void escaping(Expr e, Set<Var> arrays) {
    if (e instanceof Ref r) {
      arrays.remove(r.var());
    } else if (e instanceof Apply ap && (ap.op() == Op.ARRAY_READ || ap.op() == Op.ARRAY_LENGTH)
        && ap.arg(0) instanceof Ref) {
      for (int k = 1; k < ap.args().size(); k++) {
        escaping(ap.arg(k), arrays);
      }
    } else if (e instanceof Apply ap) {
      ap.args().forEach(x -> escaping(x, arrays));
    } else {
      e.forEach(x -> {
        if (x != e && x instanceof Ref r) {
          arrays.remove(r.var());
        }
      });
    }
  }

  /** Whether the statement (or one inside it) reads an element of a; a.length does not count. */
  private static boolean readsElements(Stmt s, Var a) {
    boolean[] found = {false};
    Blocks.walk(new Block(List.of(s)), x -> {
      found[0] |= x instanceof Stmt.ArrayStore st && st.array == a && st.compound != null;
      for (Expr e : Blocks.exprs(x)) {
        found[0] |= ScratchArrays.readsElements(e, a);
      }
    });
    return found[0];
  }
}
