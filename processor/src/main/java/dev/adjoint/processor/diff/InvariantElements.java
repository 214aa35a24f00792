package dev.adjoint.processor.diff;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Array elements that an innermost loop of the generated code touches at an index it does not
 * change, kept in locals for the loop's duration (scalar replacement). In GMM's reverse triangle
 * {@code _d_l[idx] += _t5 * xc[j]; _d_xc[j] += _t5 * l[idx];} runs over r with j fixed: the JIT
 * must store {@code _d_xc[j]} and load {@code xc[j]} every iteration, since the store to {@code
 * _d_l} might write the same memory. Here the loop becomes
 *
 * <pre>
 * if (first test of the loop) {          // it runs at least once: the elements exist
 *   double _t9 = xc[j];                  // read, never written in the loop
 *   double _t10 = _d_xc[j];              // only added to in the loop
 *   for (...) { _d_l[idx] += _t5 * _t9; _t10 += _t5 * l[idx]; }
 *   _d_xc[j] = _t10;
 * }
 * </pre>
 *
 * The same sums in the same order: the results are the same to the bit. Applied to the finished
 * method (forward and reverse sweeps), innermost counted loops only.
 *
 * <p>The analysis: the index reads no variable the loop assigns, no array the loop writes (or
 * passes to a call), and calls nothing. An element read is kept when the loop never writes its
 * array; an element added to ({@code a[e] += v}, {@code a[e] -= v}) when those are the loop's
 * only mentions of {@code a}. Either needs the array not to be another name of an array the loop
 * writes or reads: it must be fresh (made by {@code new} in this method, and never assigned to
 * another variable or passed on except as a call's argument whose result is dropped), or, for
 * an element read, every array the loop writes must be fresh. Both must be evaluated in every
 * iteration (by a statement of the loop's body, not under a branch or in a {@code ?:}'s arm), so
 * that they exist when the loop runs. The loop must hold no branch out of it (break, continue,
 * return) and no call of the user's methods (which may write any array they reach), and its start
 * and test call nothing, so that the first test can be asked before it.
 */
public final class InvariantElements {
  private final Names names;
  /** Arrays made by {@code new} in this method that no other variable can name. */
  private final Set<Var> fresh = new HashSet<>();

  private InvariantElements(Names names, Block body) {
    this.names = names;
    Map<Var, Integer> assignments = new IdentityHashMap<>();
    List<Var> made = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    Blocks.walk(body, s -> {
      if (s instanceof Stmt.Assign a) {
        assignments.merge(a.target, 1, Integer::sum);
        values.add(a.value);
        if (a.declaration && a.target.type().rank() == 1 && a.value instanceof Apply n
            && n.op() == Op.NEW_ARRAY) {
          made.add(a.target);
        }
      } else if (s instanceof Stmt.ArrayStore st) {
        values.add(st.value);
      }
    });
    for (Var a : made) {
      if (assignments.get(a) == 1 && values.stream().noneMatch(v -> namesWhole(v, a))) {
        fresh.add(a);
      }
    }
  }

  /** Keeps the invariant elements of every qualifying innermost loop of {@code body}. */
  public static void apply(Block body, Names names) {
    new InvariantElements(names, body).block(body);
  }

  private void block(Block b) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      for (Block c : Blocks.children(s)) {
        block(c);
      }
      if (s instanceof Stmt.Loop l) {
        Stmt replaced = loop(l);
        if (replaced != null) {
          b.stmts.set(i, replaced);
        }
      }
    }
  }

  /** The loop with its invariant elements in locals, or null when it keeps none. */
  private Stmt loop(Stmt.Loop l) {
    // the runtime's helpers (the tape's pushes and pops, Adjoints) write only arrays they are given
    if (l.kind != Stmt.Loop.Kind.FOR || !l.counted() || !plain(l.start) || !plain(l.cond)) {
      return null;
    }
    Set<Var> assigned = new HashSet<>();
    assigned.add(l.index);
    Set<Var> written = new HashSet<>();
    List<Stmt> stmts = new ArrayList<>();
    for (Block c : Blocks.children(l)) {
      Blocks.walk(c, stmts::add);
    }
    for (Stmt s : stmts) {
      if (s instanceof Stmt.Loop || s instanceof Stmt.Break || s instanceof Stmt.Continue
          || s instanceof Stmt.Return) {
        return null;
      }
      if (s instanceof Stmt.Assign a) {
        assigned.add(a.target);
      } else if (s instanceof Stmt.ArrayStore st) {
        written.add(st.array);
      }
      for (Expr e : exprsOf(s)) {
        boolean[] userCall = {false};
        e.forEach(x -> userCall[0] |= x instanceof Expr.Call);
        if (userCall[0]) {
          return null; // a method of the user's may write any array it can reach
        }
        // an array a call is given may be written by it
        e.forEach(x -> {
          List<Expr> args = x instanceof Expr.Call c ? c.args() : x instanceof Expr.Invoke v ? v.args()
              : x instanceof Expr.New n ? n.args() : List.of();
          args.forEach(arg -> arg.forEach(y -> {
            if (y instanceof Ref r && r.var().type().rank() > 0) {
              written.add(r.var());
            }
          }));
        });
      }
    }

    // elements only added to: a[e] += v, a[e] -= v, a fresh and mentioned nowhere else
    Map<Var, Expr> sums = new LinkedHashMap<>();
    Set<Var> rejected = new HashSet<>();
    for (Stmt s : stmts) {
      if (s instanceof Stmt.ArrayStore st && sums.get(st.array) == null && !rejected.contains(st.array)) {
        Var a = st.array;
        boolean ok = fresh.contains(a) && a.type().rank() == 1 && invariant(st.index, assigned, written);
        for (Stmt t : stmts) {
          // each addition runs in every iteration (not under a branch), so a[e] exists
          ok &= t instanceof Stmt.ArrayStore o && o.array == a
              ? accumulation(o, st.index) && l.body.stmts.contains(o)
              : exprsOf(t).stream().noneMatch(e -> e.reads(a));
        }
        ok &= !l.cond.reads(a) && !l.start.reads(a);
        if (ok) {
          sums.put(a, st.index);
        } else {
          rejected.add(a);
        }
      }
    }

    // elements only read: a[e], a never written in the loop and not another name of one it writes
    boolean writesOnlyFresh = fresh.containsAll(written);
    Map<Expr, Var> loads = new LinkedHashMap<>();
    for (Stmt s : l.body.stmts) {
      for (Expr e : exprsOf(s)) {
        unconditionally(e, x -> {
          if (x instanceof Apply r && r.op() == Op.ARRAY_READ && r.args().size() == 2
              && r.arg(0) instanceof Ref ar && ar.var().type().rank() == 1 && !written.contains(ar.var())
              && (fresh.contains(ar.var()) || writesOnlyFresh) && invariant(r.arg(1), assigned, written)
              && !loads.containsKey(r)) {
            loads.put(r, new Var(names.fresh("_t"), r.type(), Var.Kind.SYNTHETIC));
          }
        });
      }
    }
    if (sums.isEmpty() && loads.isEmpty()) {
      return null;
    }

    Map<Var, Var> sumLocals = new LinkedHashMap<>();
    sums.keySet().forEach(a -> sumLocals.put(a, new Var(names.fresh("_t"), a.type().element(), Var.Kind.SYNTHETIC)));
    rewrite(l.body, sums, sumLocals, loads);
    rewrite(l.update, sums, sumLocals, loads);

    List<Stmt> out = new ArrayList<>();
    out.add(new Stmt.Comment("the loop runs at least once: elements at an index it does not change kept in locals"));
    loads.forEach((read, local) -> out.add(new Stmt.Assign(local, read, true, null, Src.NONE)));
    sums.forEach((a, index) -> out.add(new Stmt.Assign(sumLocals.get(a),
        new Apply(Op.ARRAY_READ, List.of(new Ref(a), index), a.type().element()), true, null, Src.NONE)));
    out.add(l);
    sums.forEach((a, index) -> out.add(new Stmt.ArrayStore(a, index, new Ref(sumLocals.get(a)), null, Src.NONE)));
    Expr firstTest = l.cond.map(x -> x instanceof Ref r && r.var() == l.index ? l.start : x);
    return new Stmt.If(firstTest, new Block(out), new Block(), Src.NONE);
  }

  /** Replaces the kept elements by their locals, in place. */
  private static void rewrite(Block b, Map<Var, Expr> sums, Map<Var, Var> sumLocals, Map<Expr, Var> loads) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      for (Block c : Blocks.children(s)) {
        rewrite(c, sums, sumLocals, loads);
      }
      java.util.function.Function<Expr, Expr> local = x -> loads.containsKey(x) ? new Ref(loads.get(x)) : x;
      if (s instanceof Stmt.ArrayStore st && sums.containsKey(st.array)) {
        Var t = sumLocals.get(st.array);
        Apply update = (Apply) st.value;
        Expr value = new Apply(update.op(), List.of(new Ref(t), update.arg(1).map(local)), t.type());
        b.stmts.set(i, new Stmt.Assign(t, value, false, st.compound, st.src));
      } else if (s instanceof Stmt.Assign a) {
        a.value = a.value.map(local);
      } else if (s instanceof Stmt.ArrayStore st) {
        st.index = st.index.map(local);
        st.value = st.value.map(local);
      } else if (s instanceof Stmt.If f) {
        f.cond = f.cond.map(local);
      } else if (s instanceof Stmt.Eval) {
        b.stmts.set(i, new Stmt.Eval(((Stmt.Eval) s).call.map(local)));
      }
    }
  }

  /**
   * Visits the nodes of e that are evaluated whenever e is: not the branches of {@code ?:} nor
   * the right side of {@code &&} and {@code ||}.
   */
  private static void unconditionally(Expr e, java.util.function.Consumer<Expr> visitor) {
    visitor.accept(e);
    if (e instanceof Apply a) {
      boolean shortCircuit = a.op() == Op.COND || a.op() == Op.AND || a.op() == Op.OR;
      for (Expr x : shortCircuit ? a.args().subList(0, 1) : a.args()) {
        unconditionally(x, visitor);
      }
    } else if (e instanceof Expr.Call c) {
      c.args().forEach(x -> unconditionally(x, visitor));
    } else if (e instanceof Expr.Invoke v) {
      v.args().forEach(x -> unconditionally(x, visitor));
    } else if (e instanceof Expr.New n) {
      n.args().forEach(x -> unconditionally(x, visitor));
    }
  }

  /** {@code a[index] += v} or {@code a[index] -= v} with v not reading a. */
  private static boolean accumulation(Stmt.ArrayStore st, Expr index) {
    return (st.compound == Op.ADD || st.compound == Op.SUB) && st.index.equals(index)
        && st.value instanceof Apply u && u.op() == st.compound && u.args().size() == 2
        && u.arg(0) instanceof Apply r && r.op() == Op.ARRAY_READ && r.args().size() == 2
        && r.arg(0) instanceof Ref ar && ar.var() == st.array && r.arg(1).equals(index)
        && !u.arg(1).reads(st.array);
  }

  /** The same value in every iteration: reads nothing the loop changes, calls nothing. */
  private static boolean invariant(Expr e, Set<Var> assigned, Set<Var> written) {
    if (!plain(e)) {
      return false;
    }
    boolean[] ok = {true};
    e.forEach(x -> ok[0] &= !(x instanceof Ref r && (assigned.contains(r.var()) || written.contains(r.var()))));
    return ok[0];
  }

  /** Constants, variables, fields and operators only. */
  private static boolean plain(Expr e) {
    boolean[] ok = {true};
    e.forEach(x -> ok[0] &= x instanceof Expr.Const || x instanceof Ref || x instanceof Expr.Field
        || x instanceof Apply a && a.op() != Op.NEW_ARRAY);
    return ok[0];
  }

  /** Whether e mentions array a other than by its elements or its length. */
  private static boolean namesWhole(Expr e, Var a) {
    if (e instanceof Ref r) {
      return r.var() == a;
    }
    if (e instanceof Apply ap && (ap.op() == Op.ARRAY_READ || ap.op() == Op.ARRAY_LENGTH)
        && ap.arg(0) instanceof Ref r && r.var() == a) {
      return ap.args().stream().skip(1).anyMatch(x -> namesWhole(x, a));
    }
    boolean[] found = {false};
    List<Expr> kids = e instanceof Apply ap ? ap.args() : e instanceof Expr.Call c ? c.args()
        : e instanceof Expr.Invoke v ? concat(v.receiver(), v.args()) : e instanceof Expr.New n ? n.args() : List.of();
    for (Expr k : kids) {
      found[0] |= namesWhole(k, a);
    }
    return found[0] || e instanceof Expr.RecordGet g && g.record() == a || e instanceof Expr.Call c && c.derivative() == a;
  }

  private static List<Expr> concat(Expr first, List<Expr> rest) {
    List<Expr> out = new ArrayList<>();
    if (first != null) {
      out.add(first);
    }
    out.addAll(rest);
    return out;
  }

  private static List<Expr> exprsOf(Stmt s) {
    if (s instanceof Stmt.Eval e) {
      return List.of(e.call);
    }
    return Blocks.exprs(s);
  }
}
