package dev.adjoint.processor.analysis;

import dev.adjoint.processor.diff.Propagation;
import dev.adjoint.processor.graph.CallTarget;
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
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, before any code is written, what the reverse sweep needs:
 * <ul>
 *   <li>activity: which variables carry a derivative (they depend on a differentiated input
 *       and reach the result); nothing is spent on the others;
 *   <li>which intermediate values to keep rather than recompute (results of Math functions and
 *       callees' gradients), as temporaries;
 *   <li>which values the reverse sweep reads ("needed"), and so which of them must be saved when
 *       overwritten, or carried out of the block that declares them: in a local where code runs
 *       once, on the value tape inside branches and loops.
 * </ul>
 */
public final class Planner {
  private final MethodGraph graph;
  private final Set<Var> active = new HashSet<>();
  private final Set<Var> needed = new HashSet<>();
  private final Set<Stmt> work = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  /** Statements whose reverse reads a variable ("needing reads"), and statements reading it at all. */
  private final Map<Var, Set<Stmt>> neededBy = new HashMap<>();
  private final Map<Var, Set<Stmt>> readBy = new HashMap<>();
  /** Position of each statement in source order, and the loops around it. */
  private final Map<Stmt, Integer> position = new IdentityHashMap<>();
  private final Map<Stmt, List<Stmt>> loopsAround = new IdentityHashMap<>();
  /** The declaration of each local, so that a loop around it is known to make a fresh one each time. */
  private final Map<Var, Stmt> declaredAt = new HashMap<>();
  private final List<Var> synthetic = new ArrayList<>();
  private boolean usesTape;
  private Map<Stmt.Loop, Fusion.Fused> fused = Map.of();
  /** Loops that only take a running maximum or minimum: nothing taped, see MaxReductions. */
  private Map<Stmt.Loop, MaxReductions.Reduction> reductions = Map.of();
  private final Map<Stmt.Loop, List<Var>> hoisted = new IdentityHashMap<>();
  /** Local copies of array elements the reverse sweep may read again, with their arrays (ElementCopies). */
  private Map<Stmt.Assign, Var> elementCopies = Map.of();
  private Recompute recompute;
  private Kills kills;
  /** Gradient records of generated callees with a double result, by the call's target. */
  private final Map<Var, CallTarget> scalarRecords = new HashMap<>();
  /** For a carried record: the double locals that carry its partials instead, by accessor. */
  private final Map<Var, Map<String, Var>> unpacked = new HashMap<>();
  /** The record and accessor each such double local is read from. */
  private final Map<Var, Expr.RecordGet> unpackedFrom = new HashMap<>();
  /** The blocks around the statement decideSaves is at, and the index of the statement in each. */
  private final List<Block> pathBlocks = new ArrayList<>();
  private final List<Integer> pathIndexes = new ArrayList<>();

  /**
   * A value that carries a derivative flows where derivatives cannot follow: into a call that
   * is not differentiable (or not with respect to that argument), or into an operand that the
   * rule table does not differentiate. {@code node} is the call or operation, {@code argument}
   * the operand's index (-1 for a receiver).
   */
  public record BadCall(Expr node, int argument) {}

  private final List<BadCall> badCalls = new ArrayList<>();

  public Planner(MethodGraph graph) {
    this.graph = graph;
  }

  /** Whether calls may go through callees' accumulating overloads (not where forward mode differentiates the sweep). */
  private boolean accumulateCalls = true;

  /**
   * Calls keep their gradient records: forward mode differentiates this reverse sweep (a
   * Hessian-vector product), and takes a record's tangent from the callee's own product.
   */
  public Planner withoutAccumulatingCalls() {
    accumulateCalls = false;
    return this;
  }

  /** Runs every analysis; returns the calls that must be reported as errors (then stop). */
  public List<BadCall> plan() {
    activity();
    checkCalls(graph.body());
    if (!badCalls.isEmpty()) {
      return badCalls;
    }
    hoist(graph.body());
    activity();
    hoistConditions(graph.body());
    addLoopBookkeeping(graph.body());
    activity();
    reductions = MaxReductions.find(graph, active::contains);
    findNeededAndWork();
    locate(graph.body(), new ArrayList<>());
    // copies of elements of arrays the reverse sweep needs anyway: read again, the array needed
    // at the copy too (ElementCopies)
    elementCopies = ElementCopies.find(graph, new Recompute(graph), loopsAround::get);
    elementCopies.entrySet().removeIf(e -> !needed.contains(e.getKey().target) || !needed.contains(e.getValue()));
    if (!elementCopies.isEmpty()) {
      findNeededAndWork();
    }
    locate(graph.body(), new ArrayList<>());
    recompute = new Recompute(graph);
    fused = Fusion.find(graph, active::contains,
        a -> needed.contains(a.target) && mayReadBefore(neededBy.get(a.target), a), work::contains,
        recompute);
    if (!reductions.isEmpty()) {
      placeReductions();
    }
    pruneBookkeeping(graph.body());
    locate(graph.body(), new ArrayList<>());
    kills = new Kills(graph, recompute);
    decideSaves(graph.body(), false, null);
    if (dropIdleWork(graph.body())) {
      pruneBookkeeping(graph.body());
    }
    fused.keySet().forEach(l -> startsAtIterationAdjoint(l.body));
    Blocks.walk(graph.body(), s -> Blocks.children(s).forEach(this::startCopiesOnlyTheAdjointReads));
    if (accumulateCalls) { // not where forward mode differentiates the sweep
      Refills.find(graph, recompute, loopsAround::get);
    }
    return badCalls;
  }

  public boolean isActive(Var v) {
    return active.contains(v);
  }

  public boolean isNeeded(Var v) {
    return needed.contains(v);
  }

  /** Whether the reverse sweep must revisit this branch, loop or block. */
  public boolean hasWork(Stmt s) {
    return work.contains(s);
  }

  public boolean usesTape() {
    return usesTape;
  }

  /**
   * For a fused loop, the temporaries of its branches that its reverse sweep reads: declared at
   * the top of the loop's body (so both sweeps of the iteration see them) instead of taped.
   */
  public List<Var> hoisted(Stmt.Loop l) {
    return hoisted.getOrDefault(l, List.of());
  }

  /** For a loop whose adjoint runs inside it ({@link Fusion}), its seeds; else null. */
  public Fusion.Fused fused(Stmt.Loop l) {
    return fused.get(l);
  }

  /** The running maximum or minimum the loop only takes, or null (see MaxReductions). */
  public MaxReductions.Reduction reduction(Stmt.Loop l) {
    return reductions.get(l);
  }

  /** Copies of array elements read again from their arrays instead of taped (see ElementCopies). */
  public Set<Stmt.Assign> elementCopies() {
    return elementCopies.keySet();
  }

  /** Variables the planner introduced, for naming. */
  public List<Var> synthetic() {
    return synthetic;
  }

  // ---------------------------------------------------------------- activity

  /** Varied (depends on a wrt input) and useful (reaches the result), to a fixpoint. */
  private void activity() {
    Set<Var> varied = new HashSet<>(graph.wrt());
    Set<Var> useful = new HashSet<>(Set.of(graph.result()));
    boolean changed = true;
    while (changed) {
      changed = false;
      List<Stmt> all = Blocks.all(graph.body());
      for (int i = 0; i < 2 * all.size(); i++) {
        // variedness flows forwards, usefulness backwards: one pass each way settles straight code
        boolean forwards = i < all.size();
        Stmt s = all.get(forwards ? i : 2 * all.size() - 1 - i);
        Var target = target(s);
        if (target == null || !target.type().differentiable()) {
          continue;
        }
        Expr value = value(s);
        if (forwards && !varied.contains(target) && Propagation.isActive(value, varied::contains)) {
          changed |= varied.add(target);
        }
        if (!forwards && useful.contains(target)) {
          for (Var v : reads(value)) {
            if (v.type().differentiable()) {
              changed |= useful.add(v);
            }
          }
        }
      }
    }
    active.clear();
    for (Var v : varied) {
      if (useful.contains(v)) {
        active.add(v);
      }
    }
  }

  private static Var target(Stmt s) {
    if (s instanceof Stmt.Assign a) {
      return a.target;
    }
    if (s instanceof Stmt.ArrayStore st) {
      return st.array;
    }
    return null;
  }

  private static Expr value(Stmt s) {
    return s instanceof Stmt.Assign a ? a.value : ((Stmt.ArrayStore) s).value;
  }

  private boolean isActiveStmt(Stmt s) {
    Var t = target(s);
    return t != null && active.contains(t) && Propagation.isActive(value(s), active::contains);
  }

  private static Set<Var> reads(Expr e) {
    Set<Var> out = new LinkedHashSet<>();
    e.forEach(x -> {
      if (x instanceof Ref r) {
        out.add(r.var());
      } else if (x instanceof Expr.RecordGet g) {
        out.add(g.record());
      }
    });
    return out;
  }

  // ---------------------------------------------------------------- calls

  private void checkCalls(Block b) {
    Blocks.walk(b, s -> {
      if (!isActiveStmt(s)) {
        return;
      }
      value(s).forEach(x -> {
        if (x instanceof Expr.Call c) {
          for (int i = 0; i < c.args().size(); i++) {
            if (Propagation.isActive(c.args().get(i), active::contains) && !c.target().hasPartial(i)) {
              badCalls.add(new BadCall(c, i));
            }
          }
        } else if (x instanceof Expr.Invoke inv && inv.type().differentiable()) {
          if (inv.receiver() != null && Propagation.isActive(inv.receiver(), active::contains)) {
            badCalls.add(new BadCall(inv, -1));
          }
          for (int i = 0; i < inv.args().size(); i++) {
            if (Propagation.isActive(inv.args().get(i), active::contains)) {
              badCalls.add(new BadCall(inv, i));
            }
          }
        } else if (x instanceof Apply a && a.op().isTensor()) {
          List<Expr> operands = a.args();
          for (int i = 1; i < operands.size(); i++) {
            boolean differentiated = a.op() != Op.T_POW && a.op() != Op.T_SOFTMAX_CROSS_ENTROPY
                || i == 0;
            if (!differentiated && Propagation.isActive(operands.get(i), active::contains)) {
              badCalls.add(new BadCall(a, i));
            }
          }
        }
      });
    });
  }

  // ---------------------------------------------------------------- hoisting

  /** Keeps expensive intermediate values of active statements in temporaries. */
  private void hoist(Block b) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      for (Block c : Blocks.children(s)) {
        hoist(c);
      }
      if (!isActiveStmt(s)) {
        continue;
      }
      List<Stmt> before = new ArrayList<>();
      Expr value = hoistIn(value(s), true, before, s, null);
      if (s instanceof Stmt.Assign a) {
        a.value = value;
      } else {
        ((Stmt.ArrayStore) s).value = value;
      }
      b.stmts.addAll(i, before);
      i += before.size();
    }
  }

  /**
   * The gradient record of a call whose branch was not taken: value and partials zero. The
   * reverse sweep may read it in shared terms; every contribution made of them is guarded.
   */
  private static Expr zeroRecord(CallTarget t, List<Expr> args) {
    List<Expr> components = new ArrayList<>(List.of(Const.ZERO));
    for (int i = 0; i < args.size(); i++) {
      if (!t.hasPartial(i)) {
        continue;
      }
      Expr arg = args.get(i);
      components.add(switch (t.paramTypes().get(i)) {
        case DOUBLE_ARRAY -> new Apply(Op.NEW_ARRAY, List.of(new Apply(Op.ARRAY_LENGTH, List.of(arg), Type.INT)),
            Type.DOUBLE_ARRAY);
        case DOUBLE_ARRAY_2D, DOUBLE_ARRAY_3D -> new Expr.Invoke(dev.adjoint.processor.emit.Naming.ADJOINTS, null,
            "zerosLike", List.of(arg), t.paramTypes().get(i));
        case TENSOR -> dev.adjoint.processor.diff.rules.Rules.zerosLike(arg);
        default -> Const.ZERO;
      });
    }
    return new Expr.New(t.derivativeType(), components, Type.OBJECT);
  }

  /**
   * Gradient records hoisted so far: an expression reads one (and under a guard of ?: must not
   * be hoisted, the record being a zero one where the branch is not taken) when this grew while
   * its operands were hoisted.
   */
  private int records;

  /**
   * @param guard the condition under which e is evaluated (inside a branch of {@code ?:}), or
   *     null: a callee's derivative hoisted out of a branch is called only when the branch is
   *     taken, which a recursive method's base case ({@code n == 0 ? x : f(x, n - 1)}) needs
   */
  private Expr hoistIn(Expr e, boolean root, List<Stmt> before, Stmt at, Expr guard) {
    if (e instanceof Apply a) {
      int recordsBefore = records;
      List<Expr> args = new ArrayList<>();
      for (int i = 0; i < a.args().size(); i++) {
        Expr x = a.args().get(i);
        Expr g = guard;
        if (a.op() == Op.COND && i > 0) {
          Expr c = i == 1 ? a.arg(0) : new Apply(Op.NOT, List.of(a.arg(0)), Type.BOOLEAN);
          g = guard == null ? c : new Apply(Op.AND, List.of(guard, c), Type.BOOLEAN);
        }
        args.add(hoistIn(x, false, before, at, g));
      }
      Apply rebuilt = new Apply(a.op(), args, a.type(), a.strict());
      if (!root && a.op().isExpensive() && (a.type() == Type.DOUBLE || a.type() == Type.TENSOR)
          && Propagation.isActive(rebuilt, active::contains) && !(guard != null && records > recordsBefore)) {
        Var t = newVar("t", a.type());
        active.add(t); // active by construction; enclosing nodes must see it so
        before.add(new Stmt.Assign(t, rebuilt, true, null, at.src));
        return new Ref(t);
      }
      return rebuilt;
    }
    if (e instanceof Expr.Call c) {
      List<Expr> args = new ArrayList<>();
      for (Expr x : c.args()) {
        args.add(hoistIn(x, false, before, at, guard));
      }
      Expr.Call rebuilt = new Expr.Call(c.target(), args, null);
      if (!root && c.type() == Type.TENSOR && Propagation.isActive(rebuilt, active::contains)) {
        // a layer's value: computed once, read by the caller's reverse sweep
        Var t = newVar("t", Type.TENSOR);
        active.add(t);
        before.add(new Stmt.Assign(t, rebuilt, true, null, at.src));
        return new Ref(t);
      }
      CallTarget accumulating = accumulateCalls && guard == null ? c.target().accumulating(args) : null;
      if (accumulating != null && Propagation.isActive(rebuilt, active::contains)) {
        // the callee's value now, its gradient added into this method's adjoint arrays by the
        // reverse sweep: no record holding a dense gradient per call
        Expr.Call call = new Expr.Call(accumulating, args, null);
        if (root) {
          return call;
        }
        Var t = newVar("t", Type.DOUBLE);
        active.add(t);
        before.add(new Stmt.Assign(t, call, true, null, at.src));
        return new Ref(t);
      }
      if (c.target().differentiable() && c.target().returnType() != Type.TENSOR
          && !c.target().returnType().isDoubleArray()
          && Propagation.isActive(rebuilt, active::contains)) {
        CallTarget t = c.target();
        Var d = newVar("r", Type.OBJECT, t.derivativeType());
        if (t.kind() == CallTarget.Kind.GENERATED && t.returnType() == Type.DOUBLE) {
          scalarRecords.put(d, t);
        }
        // the callee's derivative method, called once in the forward sweep
        Expr derivative = new Expr.Invoke(t.derivativeOwner(), null, t.derivativeName(), t.derivativeArgs(args),
            Type.OBJECT);
        if (guard != null && t.kind() == CallTarget.Kind.GENERATED) {
          derivative = new Apply(Op.COND, List.of(guard, derivative, zeroRecord(t, args)), Type.OBJECT);
        }
        before.add(new Stmt.Assign(d, derivative, true, null, at.src));
        records++;
        return rebuilt.withDerivative(d);
      }
      return rebuilt;
    }
    return e;
  }

  /**
   * A branch whose condition reads a variable the branch writes keeps the condition in a flag,
   * so the reverse sweep can ask it again.
   */
  private void hoistConditions(Block b) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      for (Block c : Blocks.children(s)) {
        hoistConditions(c);
      }
      if (s instanceof Stmt.If f && !(f.cond instanceof Const)) {
        Set<Var> written = new HashSet<>();
        for (Block c : Blocks.children(f)) {
          Blocks.walk(c, x -> {
            if (target(x) != null) {
              written.add(target(x));
            }
          });
        }
        if (reads(f.cond).stream().anyMatch(written::contains)) {
          Var flag = newVar("c", Type.BOOLEAN);
          b.stmts.add(i, new Stmt.Assign(flag, f.cond, true, null, f.src));
          f.cond = new Ref(flag);
          i++;
        }
      }
    }
  }

  /** Gives every loop a trip counter, and counted loops with a computed start a copy of it. */
  private void addLoopBookkeeping(Block b) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      for (Block c : Blocks.children(s)) {
        addLoopBookkeeping(c);
      }
      if (s instanceof Stmt.Loop l) {
        l.counter = newVar("n", Type.INT);
        b.stmts.add(i, new Stmt.Assign(l.counter, Const.ofInt(0), true, null, l.src));
        i++;
        if (l.counted() && !(l.start instanceof Const)) {
          l.startCopy = newVar("i", Type.INT);
          b.stmts.add(i, new Stmt.Assign(l.startCopy, l.start, true, null, l.src));
          i++;
        }
      }
    }
  }

  private Var newVar(String prefix, Type type) {
    return newVar(prefix, type, null);
  }

  private Var newVar(String prefix, Type type, com.palantir.javapoet.TypeName objectType) {
    Var v = new Var(prefix, type, Var.Kind.SYNTHETIC, objectType);
    synthetic.add(v);
    return v;
  }

  // ---------------------------------------------------------------- needed values and work

  /** A statement has reverse work when it is active or overwrites a needed value. */
  private boolean findWork(Block b) {
    boolean any = false;
    for (Stmt s : b.stmts) {
      boolean w;
      if (s instanceof Stmt.Assign a) {
        // overwriting an active variable, even with a constant, resets its adjoint
        w = isActiveStmt(s) || !a.declaration && (needed.contains(a.target) || active.contains(a.target));
      } else if (s instanceof Stmt.ArrayStore st) {
        w = isActiveStmt(s) || needed.contains(st.array) || active.contains(st.array);
      } else {
        w = false;
        for (Block c : Blocks.children(s)) {
          w |= findWork(c) | carriesAny(c);
        }
      }
      if (w) {
        work.add(s);
        any = true;
      }
    }
    return any;
  }

  /**
   * Once the saves are decided, a write of data (an {@code int[]} element, an int) that keeps
   * nothing for the reverse sweep has no reverse work after all, and neither has a branch or
   * loop left with no work inside and nothing carried: its reverse is never emitted, so its trip
   * counter (which nothing would read) goes too. Returns whether anything lost its work.
   */
  private boolean dropIdleWork(Block b) {
    boolean dropped = false;
    for (Stmt s : b.stmts) {
      if (!work.contains(s)) {
        continue;
      }
      boolean idle;
      if (s instanceof Stmt.Assign a) {
        idle = !a.target.type().differentiable() && a.save == Stmt.Save.NONE;
      } else if (s instanceof Stmt.ArrayStore st) {
        idle = !st.array.type().differentiable() && st.save == Stmt.Save.NONE;
      } else {
        idle = !(s instanceof Stmt.Loop l && (fused.containsKey(l) || reductions.containsKey(l)));
        for (Block c : Blocks.children(s)) {
          dropped |= dropIdleWork(c);
          idle &= c.carried.isEmpty() && c.stmts.stream().noneMatch(work::contains);
        }
      }
      if (idle) {
        work.remove(s);
        dropped = true;
      }
    }
    return dropped;
  }

  /**
   * A fused loop's iteration runs its adjoint right after its forward half. An inner loop's start
   * copy ({@code int _i0 = j + 1;}) that the forward half does not read (it reserves no tape)
   * and that has the same value there is computed where the iteration's adjoint begins (the
   * body's {@code recomputed}) instead of being declared in the forward half, which never reads it.
   */
  private void startsAtIterationAdjoint(Block body) {
    for (Stmt s : List.copyOf(body.stmts)) {
      if (s instanceof Stmt.Loop l && l.startCopy != null && work.contains(l) && !fused.containsKey(l)
          && doublesTapedPerIteration(l) == 0 && recompute.recomputable(l.start, loopsAround.get(l))) {
        body.stmts.removeIf(x -> x instanceof Stmt.Assign a && a.target == l.startCopy);
        body.recomputed.put(l.startCopy, l.start);
      }
    }
  }

  /**
   * A loop's start copy that the reverse sweep computes again where the block's adjoint begins
   * (its {@code recomputed}), and that the forward half does not read (it reserves no tape), is
   * not declared in the forward half, where nothing would read it.
   */
  private void startCopiesOnlyTheAdjointReads(Block b) {
    for (Stmt s : List.copyOf(b.stmts)) {
      if (s instanceof Stmt.Loop l && l.startCopy != null && b.recomputed.containsKey(l.startCopy)
          && work.contains(l) && doublesTapedPerIteration(l) == 0) {
        b.stmts.removeIf(x -> x instanceof Stmt.Assign a && a.target == l.startCopy);
      }
    }
  }

  private boolean carriesAny(Block b) {
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && needed.contains(a.target)) {
        return true;
      }
    }
    return false;
  }

  private void findNeeded(Block b) {
    findNeeded(b, false);
  }

  private void findNeeded(Block b, boolean nested) {
    for (Stmt s : b.stmts) {
      if (nested && s instanceof Stmt.Assign d && d.declaration && d.target.type().isDoubleArray()
          && active.contains(d.target)) {
        // an array declared inside a branch: its adjoint is made where the reverse sweep
        // enters that branch, which needs the array there
        need(s, Set.of(d.target));
      }
      for (Expr e : Blocks.exprs(s)) {
        for (Var v : reads(e)) {
          readBy.computeIfAbsent(v, k -> new HashSet<>()).add(s);
        }
      }
      MaxReductions.Reduction reduction = s instanceof Stmt.Assign a0 ? reductionOf(a0) : null;
      if (reduction != null) {
        // its reverse sweep reads what the operand's contributions read, not m (MaxReductions)
        need(s, needAll(reduction.operand(), null));
      } else if (s instanceof Stmt.Assign a && isActiveStmt(s)) {
        Expr result = a.value.reads(a.target) ? null : new Ref(a.target);
        need(s, needAll(a.value, result));
      } else if (s instanceof Stmt.ArrayStore st && st.replacesRow()) {
        if (needed.contains(st.array) || active.contains(st.array)) {
          // its reverse puts the old row back (and an adjoint row shaped like it): m and i
          Set<Var> reads = new HashSet<>(reads(st.index));
          reads.add(st.array);
          need(s, reads);
        }
      } else if (s instanceof Stmt.ArrayStore st) {
        if (isActiveStmt(s) || needed.contains(st.array)) {
          need(s, reads(st.index));
        }
        if (isActiveStmt(s)) {
          need(s, needAll(st.value, null));
        }
      } else if (s instanceof Stmt.If f && work.contains(s)) {
        need(s, reads(f.cond));
      } else if (s instanceof Stmt.Loop l && work.contains(s) && !reductions.containsKey(l)) {
        need(s, Set.of(l.counter));
        if (l.startCopy != null) {
          need(s, Set.of(l.startCopy));
        }
      }
      if (s instanceof Stmt.Assign copy && elementCopies.containsKey(copy) && needed.contains(copy.target)) {
        // read again where the reverse sweep enters the block: the array must be as it was here
        Set<Var> reads = new HashSet<>(reads(copy.value));
        need(s, reads);
      }
      for (Block c : Blocks.children(s)) {
        findNeeded(c, true);
      }
    }
  }

  /** Needed values and the regions whose reverse has work depend on each other: iterated. */
  private void findNeededAndWork() {
    int before;
    do {
      before = needed.size() + work.size();
      findWork(graph.body());
      findNeeded(graph.body());
    } while (needed.size() + work.size() != before);
  }

  /** The running maximum or minimum whose step a is, or null. */
  private MaxReductions.Reduction reductionOf(Stmt.Assign a) {
    for (MaxReductions.Reduction r : reductions.values()) {
      if (r.step() == a) {
        return r;
      }
    }
    return null;
  }

  /**
   * Where each running maximum's notes live (MaxReductions): in locals where its reverse sweep
   * runs in their scope, else on the tape; and whether m's value before the loop is put back
   * (a statement whose reverse sweep runs later reads it). A loop the fusion took is a reduction
   * all the same: the needed values were found for its reverse sweep as one.
   */
  private void placeReductions() {
    fused = new IdentityHashMap<>(fused);
    fused.keySet().removeIf(reductions::containsKey);
    Set<Stmt.Loop> inScope = MaxReductions.inScope(graph, fused::containsKey);
    for (Map.Entry<Stmt.Loop, MaxReductions.Reduction> e : reductions.entrySet()) {
      MaxReductions.Reduction r = e.getValue();
      Stmt.Assign step = r.step();
      Set<Stmt> readers = new HashSet<>(neededBy.getOrDefault(step.target, Set.of()));
      readers.remove(step);
      boolean restores = needed.contains(step.target) && mayReadBefore(readers, step, step.target);
      boolean taped = !inScope.contains(e.getKey());
      e.setValue(r.placed(taped, restores));
      usesTape |= taped;
    }
  }

  private void need(Stmt s, Set<Var> vars) {
    for (Var v : vars) {
      needed.add(v);
      neededBy.computeIfAbsent(v, k -> new HashSet<>()).add(s);
    }
  }

  /** What the contributions of an active statement read (partials, indexes). */
  private Set<Var> needAll(Expr value, Expr result) {
    Var marker = new Var("adjoint", Type.DOUBLE, Var.Kind.SYNTHETIC);
    Set<Var> out = new LinkedHashSet<>();
    Set<Var> bound = new HashSet<>();
    // what the reverse sweep binds to temporaries is read there too; as there (Reverse.bind),
    // the partials then read one variable, so adjoints do not grow with the expression's depth
    for (Propagation.Contribution c : Propagation.of(value, new Ref(marker), result,
        active::contains, x -> {
          out.addAll(reads(x));
          if (x instanceof Ref || x instanceof Const || x.size() <= 3 && x.type() != Type.TENSOR) {
            return x;
          }
          Var t = new Var("bound", x.type(), Var.Kind.SYNTHETIC);
          bound.add(t);
          return new Ref(t);
        })) {
      out.addAll(reads(c.amount()));
      if (c.guard() != null) {
        out.addAll(reads(c.guard()));
      }
      if (c.target() instanceof Propagation.ToElement el) {
        out.addAll(reads(el.index()));
      } else if (c.target() instanceof Propagation.ToArray arr) {
        out.addAll(reads(arr.vector()));
        if (arr.index() != null) {
          out.addAll(reads(arr.index()));
        }
      } else if (c.target() instanceof Propagation.ToCallersArrays call) {
        out.addAll(reads(call.call())); // the accumulating overload is called with the same arguments
      }
    }
    out.remove(marker);
    out.removeAll(bound);
    // a call's derivative record is read by the partials; keep it with the call
    value.forEach(x -> {
      if (x instanceof Expr.Call call && call.derivative() != null) {
        out.add(call.derivative());
      }
    });
    return out;
  }

  private void locate(Block b, List<Stmt> loops) {
    if (loops.isEmpty() && b == graph.body()) {
      position.clear();
      loopsAround.clear();
      declaredAt.clear();
    }
    for (Stmt s : b.stmts) {
      position.put(s, position.size());
      loopsAround.put(s, List.copyOf(loops));
      if (s instanceof Stmt.Assign a && a.declaration) {
        declaredAt.put(a.target, s);
      }
      List<Stmt> inner = loops;
      if (s instanceof Stmt.Loop) {
        inner = new ArrayList<>(loops);
        inner.add(s);
      }
      for (Block c : Blocks.children(s)) {
        locate(c, inner);
      }
    }
  }

  /**
   * Whether a reader may see the value that {@code write} overwrites: it comes earlier in the
   * source (or is the writing statement itself, or a region around it), or shares a loop with
   * it, so that it runs again after the write.
   */
  private boolean mayReadBefore(Set<Stmt> readers, Stmt write) {
    return mayReadBefore(readers, write, null);
  }

  /**
   * The same for a write to {@code v}: a loop around v's declaration makes a fresh v (a fresh
   * array) in each iteration, so a reader in a later iteration of that loop reads another one.
   */
  private boolean mayReadBefore(Set<Stmt> readers, Stmt write, Var v) {
    if (readers == null) {
      return false;
    }
    Stmt declaration = v == null ? null : declaredAt.get(v);
    List<Stmt> fresh = declaration == null ? List.of() : loopsAround.get(declaration);
    int at = position.get(write);
    for (Stmt r : readers) {
      if (r == declaration && v.type().isArray()) {
        continue; // it reads the array's length, to make the adjoint: writes never change that
      }
      Integer p = position.get(r);
      if (p == null || p <= at) {
        return true;
      }
      for (Stmt loop : loopsAround.get(r)) {
        if (loopsAround.get(write).contains(loop) && !fresh.contains(loop)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the adjoint of a reassigned variable is still read above the assignment; if not,
   * the reverse sweep can drop it instead of resetting it to zero.
   */
  public boolean adjointLiveBefore(Stmt.Assign a) {
    return mayReadBefore(readBy.get(a.target), a);
  }

  // ---------------------------------------------------------------- saves

  /**
   * {@code fusedAround}: the fused loop whose iteration this block belongs to (not through an
   * inner loop), whose body then declares the temporaries its branches would otherwise tape.
   */
  private void decideSaves(Block b, boolean inRegion, Stmt.Loop fusedAround) {
    pathBlocks.add(b);
    pathIndexes.add(0);
    for (int index = 0; index < b.stmts.size(); index++) {
      Stmt s = b.stmts.get(index);
      pathIndexes.set(pathIndexes.size() - 1, index);
      if (s instanceof Stmt.Assign a && !a.declaration && needed.contains(a.target)
          && mayReadBefore(neededBy.get(a.target), a, a.target)
          && reductions.values().stream().noneMatch(r -> r.step() == a)) {
        a.undo = inRegion ? recompute.inverse(a, loopsAround.get(a)) : null;
        a.save = a.undo != null ? Stmt.Save.INVERT : inRegion ? Stmt.Save.TAPE : Stmt.Save.LOCAL;
        if (!inRegion) {
          a.saved = newVar("t", a.target.type());
        }
      } else if (s instanceof Stmt.ArrayStore st && st.replacesRow()) {
        // a row replaced (m[i] = new double[k]): the old row is kept whole, by reference, for the
        // reverse sweep to put back with an adjoint row of its shape
        if (needed.contains(st.array) || active.contains(st.array)) {
          st.save = inRegion ? Stmt.Save.TAPE : Stmt.Save.LOCAL;
          if (!inRegion) {
            st.saved = newVar("t", st.overwrittenType());
          }
        }
      } else if (s instanceof Stmt.ArrayStore st && needed.contains(st.array)
          && mayReadBefore(neededBy.get(st.array), st, st.array)
          && !kills.coveredByEarlierSave(st, pathBlocks, pathIndexes, neededBy.get(st.array))) {
        st.save = inRegion ? Stmt.Save.TAPE : Stmt.Save.LOCAL;
        if (!inRegion) {
          st.saved = newVar("t", st.array.type().element());
        }
      }
      usesTape |= inRegion && (s instanceof Stmt.Assign a2 && a2.save == Stmt.Save.TAPE
          || s instanceof Stmt.ArrayStore st2 && st2.save == Stmt.Save.TAPE);
      Stmt.Loop around = s instanceof Stmt.Loop l ? (fused.containsKey(l) ? l : null) : fusedAround;
      for (Block c : Blocks.children(s)) {
        decideSaves(c, true, around);
        Set<Var> countersDropped = new HashSet<>();
        for (Stmt x : c.stmts) {
          // a fused loop's reverse sweep runs while its body's locals are still in scope
          if (x instanceof Stmt.Assign a && a.declaration && needed.contains(a.target)
              && work.contains(s) && !fused.containsKey(s)) {
            if (c.recomputed.containsKey(a.target)) {
              continue;
            }
            Stmt.Loop counted = loopCounting(c, a.target);
            if (counted != null && recomputeTrips(c, counted)) {
              countersDropped.add(counted.counter);
            } else if (around != null && a.target.kind() == Var.Kind.SYNTHETIC && a.target.type() != Type.OBJECT
                && a.target.type() != Type.TENSOR && !a.target.type().isDoubleArray()) {
              // a temporary of a branch inside a fused loop: declared in the loop's body instead
              hoisted.computeIfAbsent(around, k -> new ArrayList<>()).add(a.target);
            } else if (scalarRecords.containsKey(a.target) && scalarPartials(scalarRecords.get(a.target))) {
              // a callee's gradient record: its partials are carried, not the record, so the
              // record need not be allocated (the JIT removes a record that does not escape)
              CallTarget t = scalarRecords.get(a.target);
              Map<String, Var> parts = new java.util.LinkedHashMap<>();
              Var result = newVar("p", Type.DOUBLE); // the call's value, which partials may read
              parts.put("value", result);
              unpackedFrom.put(result, new Expr.RecordGet(a.target, "value", Type.DOUBLE));
              c.carried.add(result);
              for (int i = 0; i < t.paramTypes().size(); i++) {
                if (t.hasPartial(i)) {
                  Var part = newVar("p", Type.DOUBLE);
                  parts.put(t.partials().get(i), part);
                  unpackedFrom.put(part, new Expr.RecordGet(a.target, t.partials().get(i), Type.DOUBLE));
                  c.carried.add(part);
                }
              }
              unpacked.put(a.target, parts);
              usesTape = true;
            } else if (elementCopies.containsKey(a)) {
              // a copy of an element of an array the reverse sweep has as it was here: read again
              c.recomputed.put(a.target, a.value);
            } else if (recompute.recomputable(a, loopsAround.get(a))) {
              // cheap, and made of values the reverse sweep still has: evaluated again there
              c.recomputed.put(a.target, a.value);
            } else {
              c.carried.add(a.target);
              usesTape = true;
            }
          }
        }
        // a recomputed trip count is not counted in the forward sweep
        removeDeclarations(c, countersDropped);
      }
    }
    pathBlocks.remove(pathBlocks.size() - 1);
    pathIndexes.remove(pathIndexes.size() - 1);
  }

  private static boolean scalarPartials(CallTarget t) {
    for (int i = 0; i < t.paramTypes().size(); i++) {
      if (t.hasPartial(i) && t.paramTypes().get(i) != Type.DOUBLE) {
        return false;
      }
    }
    return true;
  }

  /**
   * For a carried double that stands for a partial of a callee's gradient record: the record's
   * accessor it is read from in the forward sweep; else null.
   */
  public Expr.RecordGet unpackedFrom(Var v) {
    return unpackedFrom.get(v);
  }

  /** For a record whose partials are carried instead of it: the local of each partial. */
  public Map<String, Var> unpacked(Var record) {
    return unpacked.get(record);
  }

  /** The loop of block b whose trip counter or start copy v is, or null. */
  private static Stmt.Loop loopCounting(Block b, Var v) {
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Loop l && (l.counter == v || l.startCopy != null && l.startCopy == v)) {
        return l;
      }
    }
    return null;
  }

  /**
   * Whether the reverse sweep can compute loop l's start and trip count again where block b's
   * adjoint begins ({@link Recompute}); if so, records both there and marks the loop.
   */
  private boolean recomputeTrips(Block b, Stmt.Loop l) {
    Expr trips = Recompute.tripCount(l);
    List<Stmt> around = loopsAround.get(l);
    if (trips == null || l.index.type() != Type.INT || trips.type() != Type.INT
        || l.start.type() != Type.INT || !recompute.recomputable(l.start, around)) {
      return false;
    }
    Expr expanded = l.startCopy == null ? trips
        : trips.map(z -> z instanceof Ref r && r.var() == l.startCopy ? l.start : z);
    if (!recompute.recomputable(expanded, around)) {
      return false;
    }
    if (l.startCopy != null) {
      b.recomputed.put(l.startCopy, l.start);
    }
    b.recomputed.put(l.counter, trips);
    l.tripsRecomputed = true;
    return true;
  }

  /**
   * Values one iteration of the loop tapes, for the note about tape size: both branches of an
   * if counted, an inner loop's iterations not (they are its own).
   */
  public int tapedPerIteration(Stmt.Loop l) {
    return taped(l.body, t -> true);
  }

  /** The doubles among them, which the reverse sweep reserves room for before the loop. */
  public int doublesTapedPerIteration(Stmt.Loop l) {
    return taped(l.body, t -> t == Type.DOUBLE);
  }

  private static int taped(Block b, java.util.function.Predicate<Type> kind) {
    int n = (int) b.carried.stream().filter(v -> kind.test(v.type())).count();
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Assign a && a.save == Stmt.Save.TAPE && kind.test(a.target.type())
          || s instanceof Stmt.ArrayStore st && st.save == Stmt.Save.TAPE && kind.test(st.overwrittenType())) {
        n++;
      } else if (s instanceof Stmt.If || s instanceof Stmt.Nested) {
        for (Block c : Blocks.children(s)) {
          n += taped(c, kind);
        }
      }
    }
    return n;
  }

  /** Loops without reverse work need no trip counter: drop it again. */
  private void pruneBookkeeping(Block b) {
    Set<Var> unused = new HashSet<>();
    Blocks.walk(b, s -> {
      if (s instanceof Stmt.Loop l && (!work.contains(l) || fused.containsKey(l) || reductions.containsKey(l))) {
        unused.add(l.counter);
        if (l.startCopy != null) {
          unused.add(l.startCopy);
        }
        l.counter = null;
        l.startCopy = null;
      }
    });
    removeDeclarations(b, unused);
    // a trip count carried or computed again for a loop left without work (see dropIdleWork)
    Blocks.walk(b, s -> Blocks.children(s).forEach(c -> {
      c.recomputed.keySet().removeAll(unused);
      c.carried.removeAll(unused);
    }));
    b.recomputed.keySet().removeAll(unused);
    b.carried.removeAll(unused);
    hoisted.values().forEach(h -> h.removeAll(unused));
    synthetic.removeAll(unused);
  }

  private static void removeDeclarations(Block b, Set<Var> vars) {
    b.stmts.removeIf(s -> s instanceof Stmt.Assign a && vars.contains(a.target));
    for (Stmt s : b.stmts) {
      for (Block c : Blocks.children(s)) {
        removeDeclarations(c, vars);
      }
    }
  }
}
