package dev.adjoint.processor.analysis;

import dev.adjoint.processor.diff.Propagation;
import dev.adjoint.processor.diff.Sym;
import dev.adjoint.processor.graph.Expr;
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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loops whose adjoint can run inside them. In an accumulation loop ({@code s += f(x[i])}) the
 * only value carried from one iteration to the next is a sum the body only adds to, so the
 * sum's adjoint is the same in every iteration, and when the code after the loop fixes it
 * before the loop starts ({@code return s} gives 1, {@code return total / n} gives 1/n), each
 * iteration's reverse sweep can run right after the iteration itself: no tape, no trip count,
 * no second pass. Tapenade calls these loops "independent iterations"; it is the adjoint a
 * person writes by hand.
 *
 * <p>A top-level loop of a method with a {@code double} result is fused when
 * <ul>
 *   <li>every variable it assigns is declared inside it, is its counted index, or is an
 *       <em>accumulator</em>: an active {@code double} that every assignment in the loop only
 *       adds to or subtracts from ({@code s += e}, {@code s = s - e}), that nothing else in
 *       the loop reads, and whose earlier values the reverse sweep never reads;
 *   <li>it stores into no array, and the method has no active local arrays or tensors;
 *   <li>no variable it reads from outside is assigned after it (its contributions to their
 *       adjoints are then simply part of their final adjoints);
 *   <li>the code after it is straight-line as far as the accumulators' adjoints are concerned,
 *       and gives each accumulator an adjoint that reads only variables no later code changes:
 *       the <em>seed</em>, evaluated once before the loop.
 * </ul>
 */
public final class Fusion {
  /**
   * A fused loop: the accumulators with their adjoints (seeds) and the active variables from
   * outside the loop whose adjoints it adds to, in order of first appearance.
   */
  public record Fused(Map<Var, Expr> seeds, List<Var> outer) {}

  private final MethodGraph graph;
  private final Predicate<Var> active;
  private final Predicate<Stmt.Assign> saves;
  private final ScratchArrays scratch;

  private Fusion(MethodGraph graph, Predicate<Var> active, Predicate<Stmt.Assign> saves,
      ScratchArrays scratch) {
    this.graph = graph;
    this.active = active;
    this.saves = saves;
    this.scratch = scratch;
  }

  /**
   * The loops of {@code graph} that can be fused; {@code saves} tells which assignments must
   * keep the value they overwrite for the reverse sweep, {@code work} which statements it
   * revisits.
   */
  static Map<Stmt.Loop, Fused> find(MethodGraph graph, Predicate<Var> active,
      Predicate<Stmt.Assign> saves, Predicate<Stmt> work, Recompute recompute) {
    Map<Stmt.Loop, Fused> out = new IdentityHashMap<>();
    if (graph.result().type() != Type.DOUBLE || hasActiveAggregates(graph, active)) {
      return out;
    }
    Fusion f = new Fusion(graph, active, saves, new ScratchArrays(graph, recompute));
    List<Stmt> top = graph.body().stmts;
    // from the last loop to the first: a fused loop after another one is part of its "code after"
    for (int i = top.size() - 1; i >= 0; i--) {
      // the adjoints of active arrays are made before a fused loop: none may be declared after it
      boolean arrayAfter = top.subList(i + 1, top.size()).stream().anyMatch(s -> s instanceof Stmt.Assign a
          && a.declaration && a.target.type().isDoubleArray() && active.test(a.target));
      if (top.get(i) instanceof Stmt.Loop l && work.test(l) && !arrayAfter) {
        Fused fused = f.analyse(l, top.subList(i + 1, top.size()), out);
        if (fused != null) {
          out.put(l, fused);
        }
      }
    }
    return out;
  }

  /**
   * Tensors, and active local arrays other than {@code double[]} (whose adjoints, made before a
   * fused loop, the loop then adds to like any array parameter's).
   */
  private static boolean hasActiveAggregates(MethodGraph graph, Predicate<Var> active) {
    if (graph.params().stream().anyMatch(p -> p.type() == Type.TENSOR)) {
      return true;
    }
    boolean[] found = {false};
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Assign a && (a.target.type() == Type.TENSOR
          || a.target.type().isDoubleArray() && a.target.type() != Type.DOUBLE_ARRAY && active.test(a.target))) {
        found[0] = true;
      }
    });
    return found[0];
  }

  private Fused analyse(Stmt.Loop l, List<Stmt> after, Map<Stmt.Loop, Fused> fusedAfter) {
    Set<Var> declaredInside = new HashSet<>();
    Set<Var> assigned = new LinkedHashSet<>();
    Map<Var, Integer> accumulations = new HashMap<>();
    if (l.counted()) {
      declaredInside.add(l.index);
    }
    List<Stmt> inside = new ArrayList<>();
    for (Block b : Blocks.children(l)) {
      Blocks.walk(b, inside::add);
    }
    for (Stmt s : inside) {
      if (s instanceof Stmt.Eval || s instanceof Stmt.Return
          || s instanceof Stmt.Break || s instanceof Stmt.Continue) {
        return null;
      }
      if (s instanceof Stmt.Assign a && a.declaration) {
        declaredInside.add(a.target);
      }
    }
    for (Stmt s : inside) {
      // an array made in the iteration is the iteration's own; another one it stores into must
      // be a scratch array, filled by each iteration before it reads it
      if (s instanceof Stmt.ArrayStore st && !declaredInside.contains(st.array)
          && !scratch.isScratch(st.array, l)) {
        return null;
      }
      if (s instanceof Stmt.Loop inner && inner.counted()) {
        declaredInside.add(inner.index);
      }
      if (s instanceof Stmt.Assign a) {
        if (a.declaration) {
          declaredInside.add(a.target);
        } else {
          assigned.add(a.target);
          if (accumulates(a)) {
            accumulations.merge(a.target, 1, Integer::sum);
          }
        }
      }
    }
    // what the loop reads, counting each read of a variable
    Map<Var, Integer> reads = new LinkedHashMap<>();
    List<Stmt> withLoop = new ArrayList<>(inside);
    withLoop.add(0, l);
    for (Stmt s : withLoop) {
      List<Expr> exprs = s == l ? List.of(l.cond) : Blocks.exprs(s);
      for (Expr e : exprs) {
        e.forEach(x -> {
          Var v = readVar(x);
          if (v != null) {
            reads.merge(v, 1, Integer::sum);
          }
        });
      }
    }
    Set<Var> accumulators = new LinkedHashSet<>();
    for (Var v : assigned) {
      if (declaredInside.contains(v)) {
        continue;
      }
      int adds = accumulations.getOrDefault(v, 0);
      // a sum whose earlier values the reverse sweep reads (before the loop, say) would have
      // to be restored to them, which only a reverse sweep after the loop can do
      boolean restored = inside.stream().anyMatch(s -> s instanceof Stmt.Assign a && a.target == v && saves.test(a));
      if (v.type() != Type.DOUBLE || !active.test(v) || restored || adds == 0
          || adds != countAssignments(inside, v) || reads.getOrDefault(v, 0) != adds) {
        return null; // carried from one iteration to the next in some other way
      }
      accumulators.add(v);
    }
    if (accumulators.isEmpty()) {
      return null;
    }
    Set<Var> assignedAfter = new HashSet<>();
    for (Stmt s : after) {
      Blocks.walk(new Block(List.of(s)), x -> {
        if (x instanceof Stmt.Assign a) {
          assignedAfter.add(a.target);
        } else if (x instanceof Stmt.ArrayStore st) {
          assignedAfter.add(st.array);
        }
      });
    }
    List<Var> outer = new ArrayList<>();
    for (Var v : reads.keySet()) {
      if (declaredInside.contains(v) || accumulators.contains(v)) {
        continue;
      }
      if (assignedAfter.contains(v)) {
        return null; // its adjoint after the loop belongs to a later value
      }
      if (v.type() == Type.DOUBLE && active.test(v)) {
        outer.add(v);
      }
    }
    Map<Var, Expr> seeds = seeds(after, fusedAfter, accumulators);
    if (seeds == null) {
      return null;
    }
    Set<Var> unstable = new HashSet<>(assigned);
    unstable.addAll(declaredInside);
    unstable.addAll(assignedAfter);
    for (Expr seed : seeds.values()) {
      boolean[] bad = {false};
      seed.forEach(x -> {
        Var v = readVar(x);
        bad[0] |= v != null && unstable.contains(v);
      });
      if (bad[0]) {
        return null; // the seed is not known before the loop runs
      }
    }
    return new Fused(seeds, outer);
  }

  /**
   * The accumulators' adjoints at the end of the loop, from the code after it, or null when
   * that code is not straight-line for them.
   */
  private Map<Var, Expr> seeds(List<Stmt> after, Map<Stmt.Loop, Fused> fusedAfter, Set<Var> accumulators) {
    Map<Var, Expr> adj = new HashMap<>();
    adj.put(graph.result(), Expr.Const.ONE);
    // variables whose adjoint also gets what a later fused loop adds, which is not symbolic
    Set<Var> unknown = new HashSet<>();
    for (int i = after.size() - 1; i >= 0; i--) {
      Stmt s = after.get(i);
      if (s instanceof Stmt.Assign a) {
        Expr adjV = adj.remove(a.target);
        if (unknown.remove(a.target) && active.test(a.target)) {
          Propagation.of(a.value, Expr.Const.ONE, null, active, x -> x).forEach(c -> {
            if (c.target() instanceof Propagation.ToVar t) {
              unknown.add(t.var());
            }
          });
        }
        if (adjV == null || Sym.isZero(adjV) || !active.test(a.target)) {
          continue;
        }
        for (Propagation.Contribution c : Propagation.of(a.value, adjV, null, active, x -> x)) {
          if (c.target() instanceof Propagation.ToVar t) {
            adj.merge(t.var(), c.guard() == null ? c.amount()
                : Sym.cond(c.guard(), c.amount(), Expr.Const.ZERO), Sym::add);
          }
        }
        continue;
      }
      if (s instanceof Stmt.Loop later && fusedAfter.containsKey(later)) {
        // adds only to its own accumulators (identity) and to the adjoints of what it reads
        unknown.addAll(fusedAfter.get(later).outer());
        continue;
      }
      // any other statement (a loop, a branch) must not assign an accumulator; the adjoints of
      // what it assigns and reads are no longer symbolic: their share of the adjoint is unknown
      boolean[] touches = {false};
      Blocks.walk(new Block(List.of(s)), x -> {
        if (x instanceof Stmt.Assign a) {
          touches[0] |= accumulators.contains(a.target);
          adj.remove(a.target);
          unknown.add(a.target);
        }
        for (Expr e : Blocks.exprs(x)) {
          e.forEach(y -> {
            Var v = readVar(y);
            if (v != null && active.test(v)) {
              unknown.add(v);
            }
          });
        }
      });
      if (touches[0]) {
        return null;
      }
    }
    if (accumulators.stream().anyMatch(unknown::contains)) {
      return null;
    }
    Map<Var, Expr> seeds = new LinkedHashMap<>();
    for (Var v : accumulators) {
      seeds.put(v, adj.getOrDefault(v, Expr.Const.ZERO));
    }
    return seeds;
  }

  /** {@code v = v + e}, {@code v = e + v} or {@code v = v - e}, with e not reading v. */
  private static boolean accumulates(Stmt.Assign a) {
    if (!(a.value instanceof Expr.Apply ap) || ap.args().size() != 2) {
      return false;
    }
    Var v = a.target;
    boolean left = ap.arg(0) instanceof Ref r && r.var() == v && !ap.arg(1).reads(v);
    boolean right = ap.arg(1) instanceof Ref r2 && r2.var() == v && !ap.arg(0).reads(v);
    return ap.op() == Op.ADD && (left || right) || ap.op() == Op.SUB && left;
  }

  private static int countAssignments(List<Stmt> stmts, Var v) {
    int n = 0;
    for (Stmt s : stmts) {
      if (s instanceof Stmt.Assign a && a.target == v) {
        n++;
      }
    }
    return n;
  }

  private static Var readVar(Expr x) {
    if (x instanceof Ref r) {
      return r.var();
    }
    if (x instanceof Expr.RecordGet g) {
      return g.record();
    }
    if (x instanceof Expr.Call c) {
      return c.derivative();
    }
    return null;
  }
}
