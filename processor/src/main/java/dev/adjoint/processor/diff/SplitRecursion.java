package dev.adjoint.processor.diff;

import com.palantir.javapoet.ClassName;
import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.analysis.RecursiveCalls;
import dev.adjoint.processor.emit.Naming;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
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
import java.util.function.Predicate;

/**
 * Split mode for recursion ({@code analysis.RecursiveCalls}): a recursive method's accumulating
 * gradient cut into its two sweeps, which share the caller's tape.
 *
 * <ul>
 *   <li>{@code double fRecord(params..., Tape _tape, long _limit)}: the forward sweep, pushing what
 *       the reverse sweep needs onto the caller's tape; the recursive calls it makes are recorded
 *       the same way ({@code gRecord}), and the locals the reverse sweep reads are pushed last.
 *       A call made when the tape already holds {@code _limit} entries records nothing (a mark
 *       says so) and runs the plain method: memory stays within the budget.
 *   <li>{@code void fReverse(params..., seed, adjoints..., Tape _tape)}: the reverse sweep, popping
 *       them; the recursive calls' adjoints are {@code gReverse}, each consuming what its
 *       {@code gRecord} pushed (last in, first out). A call that was not recorded runs its joint
 *       gradient instead ({@code fAccumulate}, on a tape of its own with a budget of its own).
 *   <li>{@code fAccumulate} becomes: open a tape, record, reverse, close.
 * </ul>
 *
 * Built from the joint {@code fAccumulate} body by cutting it at the reverse sweep. Not built
 * (null) where the cut is not clean: the forward sweep reads the seed or the adjoints (a fused
 * loop), the reverse sweep runs a recursive call's forward sweep again (a checkpointed loop),
 * a local the reverse sweep reads is not a primitive, a recursive reverse call sits in a branch
 * on an adjoint (it must pop whatever its adjoint), or the recursive calls of the two sweeps do
 * not pair up.
 */
public final class SplitRecursion {
  public static final String RECORD_SUFFIX = "Record";
  public static final String REVERSE_SUFFIX = "Reverse";

  private static final ClassName TAPE = Naming.TAPE;

  /**
   * The bodies of the three methods, and the parameters the first two add: {@code tape} to both,
   * {@code limit} to fRecord.
   */
  public record Halves(Block record, Block reverse, Block accumulate, Var tape, Var limit, Var seed,
      List<Var> adjoints) {}

  /**
   * The split forms of the methods of one generated class that recurse through accumulating
   * calls ({@link RecursiveCalls}), by graph. Each is built from its joint {@code fAccumulate};
   * a method whose form does not apply keeps its joint gradient, and the cycles are found again
   * without it until every remaining one applies.
   */
  public static Map<MethodGraph, Halves> plan(List<MethodGraph> graphs, Map<MethodGraph, Planner> plans,
      Map<MethodGraph, Names> names, ClassName gradClass) {
    Map<String, Integer> overloads = new HashMap<>();
    graphs.forEach(g -> overloads.merge(g.name(), 1, Integer::sum));
    List<MethodGraph> candidates = new ArrayList<>();
    for (MethodGraph g : graphs) {
      if (candidate(g) && overloads.get(g.name()) == 1) {
        candidates.add(g);
      }
    }
    Map<String, MethodGraph> byName = new HashMap<>();
    candidates.forEach(g -> byName.put(g.name(), g));
    // a call of one of them (static: an instance method's receiver is left out)
    java.util.function.Function<CallTarget, MethodGraph> callee = t -> t.kind() == CallTarget.Kind.ACCUMULATE
        && !t.instance() && gradClass.equals(t.derivativeOwner()) ? byName.get(t.name()) : null;
    Map<MethodGraph, Halves> out = new java.util.LinkedHashMap<>();
    List<MethodGraph> remaining = new ArrayList<>(candidates);
    while (true) {
      Set<MethodGraph> cyclic = RecursiveCalls.onCycles(remaining, callee);
      Map<MethodGraph, Expr.Call> selves = new HashMap<>();
      for (MethodGraph g : cyclic) {
        for (CallTarget t : RecursiveCalls.accumulateCalls(g)) {
          MethodGraph c = callee.apply(t);
          if (c != null && cyclic.contains(c) && t.paramTypes().size() == c.params().size()) {
            selves.put(c, new Expr.Call(t, c.params().stream().<Expr>map(Ref::new).toList(), null));
          }
        }
      }
      Set<String> splitNames = new HashSet<>();
      cyclic.forEach(g -> splitNames.add(g.name() + CallTarget.ACCUMULATE_SUFFIX));
      out.clear();
      List<MethodGraph> failed = new ArrayList<>();
      for (MethodGraph g : cyclic) {
        Halves h = selves.containsKey(g) ? halves(g, plans.get(g), names.get(g), gradClass,
            t -> cyclic.contains(callee.apply(t)), splitNames, selves.get(g)) : null;
        if (h == null) {
          failed.add(g);
        } else {
          out.put(g, h);
        }
      }
      if (failed.isEmpty()) {
        return out;
      }
      remaining.removeAll(failed);
    }
  }

  /** Whether g has an accumulating overload (a double result, arrays differentiated), which splits. */
  public static boolean candidate(MethodGraph g) {
    return g.result().type() == Type.DOUBLE && !g.wrt().isEmpty()
        && g.wrt().stream().allMatch(p -> p.type().isDoubleArray());
  }

  /** The split form of g built from its joint fAccumulate, or null. */
  private static Halves halves(MethodGraph g, Planner plan, Names made, ClassName gradClass,
      Predicate<CallTarget> split, Set<String> splitNames, Expr.Call self) {
    try {
      Names names = made.enter().fork();
      Var seed = new Var(names.fresh("seed", false), Type.DOUBLE, Var.Kind.PARAMETER);
      Map<Var, Var> outs = new java.util.LinkedHashMap<>();
      for (Var p : g.wrt()) {
        String name = "adjoint" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
        outs.put(p, new Var(names.fresh(name, false), p.type(), Var.Kind.PARAMETER));
      }
      Block joint = Modes.valueOnly(new Reverse(g, plan, names, outs).accumulating()
          .body(gradClass.nestedClass(g.recordName()), new Ref(seed)));
      return of(g, joint, names, seed, List.copyOf(outs.values()), split, splitNames, self, gradClass);
    } catch (RuntimeException ex) {
      return null; // the joint gradient stays, and reports whatever went wrong where it is built
    }
  }

  private final MethodGraph graph;
  private final String tapeName;
  private final Var tape;
  private final Var limit;
  private final Predicate<CallTarget> split;
  private final Set<String> reverseNames = new HashSet<>();
  private final ClassName gradClass;

  private SplitRecursion(MethodGraph graph, Names names, Predicate<CallTarget> split, ClassName gradClass) {
    this.graph = graph;
    this.tapeName = names.tape;
    this.tape = new Var(names.tape, Type.OBJECT, Var.Kind.PARAMETER, TAPE);
    this.limit = new Var(names.fresh("_limit", false), Type.LONG, Var.Kind.PARAMETER);
    this.split = split;
    this.gradClass = gradClass;
  }

  /**
   * The split form of a method, or null where it does not apply.
   *
   * @param joint the body of the method's {@code fAccumulate} (it returns the value), built with
   *     {@code names}; it is taken apart
   * @param seed the seed parameter of fAccumulate; {@code adjoints} its adjoint arrays
   * @param split whether a call target has a split form in {@code gradClass}
   * @param self a call of the method itself with its parameters (the plain method)
   * @param splitNames the derivative names ({@code gAccumulate}) of the split targets
   */
  public static Halves of(MethodGraph graph, Block joint, Names names, Var seed, List<Var> adjoints,
      Predicate<CallTarget> split, Set<String> splitNames, Expr.Call self, ClassName gradClass) {
    SplitRecursion s = new SplitRecursion(graph, names, split, gradClass);
    s.reverseNames.addAll(splitNames);
    return s.build(joint, seed, adjoints, self);
  }

  private Halves build(Block joint, Var seed, List<Var> adjoints, Expr.Call self) {
    List<Stmt> stmts = copy(joint).stmts; // rewritten in place: the joint body's statements stay as they are
    int cut = -1;
    for (int i = 0; i < stmts.size(); i++) {
      if (stmts.get(i) instanceof Stmt.Comment c && c.text.equals("reverse sweep")) {
        cut = i;
        break;
      }
    }
    if (cut < 0 || !(stmts.get(stmts.size() - 1) instanceof Stmt.Return)) {
      return null;
    }
    Block forward = new Block(new ArrayList<>(stmts.subList(0, cut)));
    Block reverse = new Block(new ArrayList<>(stmts.subList(cut + 1, stmts.size() - 1)));
    if (!forward.stmts.isEmpty() && forward.stmts.get(forward.stmts.size() - 1) instanceof Stmt.Comment c
        && c.text.isEmpty()) {
      forward.stmts.remove(forward.stmts.size() - 1);
    }
    // the tape is the caller's: neither opened nor closed here
    dropTapeScope(forward);
    dropTapeScope(reverse);
    Set<Var> adjointParams = new HashSet<>(adjoints);
    adjointParams.add(seed);
    boolean[] ok = {true};
    Blocks.walk(forward, st -> {
      if (st instanceof Stmt.Return) {
        ok[0] = false;
      }
      int calls = 0;
      for (Expr e : exprsOf(st)) {
        if (readsAny(e, adjointParams) || readsTapeOtherThanPush(e)) {
          ok[0] = false;
        }
        calls += splitCalls(e);
        if (reverseCalls(e) > 0) {
          ok[0] = false;
        }
      }
      ok[0] &= calls <= 1; // their records must be popped in the opposite order: one per statement
    });
    Blocks.walk(reverse, st -> {
      if (st instanceof Stmt.Return) {
        ok[0] = false;
      }
      for (Expr e : exprsOf(st)) {
        ok[0] &= splitCalls(e) == 0 && !readsTapeOtherThanPop(e);
      }
    });
    if (!ok[0]) {
      return null;
    }
    Map<String, Integer> recorded = new HashMap<>();
    rewriteForward(forward, recorded);
    unguardReverseCalls(reverse);
    Map<String, Integer> reversed = new HashMap<>();
    rewriteReverse(reverse, reversed);
    if (!recorded.equals(reversed) || !reverseCallsUnconditional(reverse, adjointParams)) {
      return null;
    }

    // the locals of the forward sweep that the reverse sweep reads: pushed last, popped first
    Set<Var> declared = new LinkedHashSet<>();
    for (Stmt st : forward.stmts) {
      if (st instanceof Stmt.Assign a && a.declaration) {
        declared.add(a.target);
      }
    }
    if (!declared.contains(graph.result())) {
      return null;
    }
    Set<Var> read = new HashSet<>();
    Blocks.walk(reverse, st -> {
      exprsOf(st).forEach(e -> e.forEach(x -> {
        if (x instanceof Ref r) {
          read.add(r.var());
        }
      }));
      if (st instanceof Stmt.Assign a) {
        read.add(a.target);
      } else if (st instanceof Stmt.ArrayStore s) {
        read.add(s.array);
      } else if (st instanceof Stmt.Loop l && l.index != null) {
        read.add(l.index);
      }
    });
    List<Var> carried = new ArrayList<>();
    for (Var v : declared) {
      if (read.contains(v)) {
        if (push(v.type()) == null) {
          return null;
        }
        carried.add(v);
      }
    }

    // fRecord
    Block record = new Block();
    Block over = new Block();
    over.stmts.add(new Stmt.Eval(tapeCall("pushBoolean", Const.ofBoolean(false))));
    over.stmts.add(new Stmt.Return(self, Src.NONE));
    record.stmts.add(new Stmt.Comment("beyond the budget: not recorded, its adjoint runs it again"));
    record.stmts.add(new Stmt.If(new Expr.Apply(Op.GE, List.of(tapeCall("entries", Type.LONG), new Ref(limit)),
        Type.BOOLEAN), over, new Block(), Src.NONE));
    record.stmts.addAll(forward.stmts);
    record.stmts.add(new Stmt.Comment("for the reverse sweep: the locals it reads, and that this call was recorded"));
    for (Var v : carried) {
      record.stmts.add(new Stmt.Eval(tapeCall(push(v.type()), new Ref(v))));
    }
    record.stmts.add(new Stmt.Eval(tapeCall("pushBoolean", Const.ofBoolean(true))));
    record.stmts.add(new Stmt.Return(new Ref(graph.result()), Src.NONE));

    // fReverse
    List<Expr> accumulateArgs = new ArrayList<>(self.args());
    accumulateArgs.add(new Ref(seed));
    adjoints.forEach(a -> accumulateArgs.add(new Ref(a)));
    Block recordedPath = new Block();
    for (int i = carried.size() - 1; i >= 0; i--) {
      Var v = carried.get(i);
      recordedPath.stmts.add(new Stmt.Assign(v, tapeCall(pop(v.type()), v.type()), true, null, Src.NONE));
    }
    recordedPath.stmts.addAll(reverse.stmts);
    Block again = new Block();
    again.stmts.add(new Stmt.Comment("not recorded (beyond the budget): its joint gradient runs it again"));
    Block nonzero = new Block();
    nonzero.stmts.add(new Stmt.Eval(new Expr.Invoke(gradClass, null, graph.name() + CallTarget.ACCUMULATE_SUFFIX,
        accumulateArgs, Type.OBJECT)));
    again.stmts.add(new Stmt.If(new Expr.Apply(Op.NE, List.of(new Ref(seed), Const.ZERO), Type.BOOLEAN),
        nonzero, new Block(), Src.NONE));
    Block rev = new Block();
    rev.stmts.add(new Stmt.If(tapeCall("popBoolean", Type.BOOLEAN), recordedPath, again, Src.NONE));

    // fAccumulate: one tape for the whole recursion below this call
    Block accumulate = new Block();
    Var own = new Var(tapeName, Type.OBJECT, Var.Kind.SYNTHETIC, TAPE);
    accumulate.stmts.add(new Stmt.Comment("split: the recursion below records its forward sweeps once, on one tape"));
    accumulate.stmts.add(new Stmt.Assign(own, new Expr.Invoke(TAPE, null, "open", List.of(), Type.OBJECT), true,
        null, Src.NONE));
    List<Expr> recordArgs = new ArrayList<>(self.args());
    recordArgs.add(new Ref(own));
    recordArgs.add(new Expr.Apply(Op.ADD, List.of(tapeCall("entries", Type.LONG),
        new Expr.Invoke(TAPE, null, "recursionBudget", List.of(), Type.LONG)), Type.LONG));
    Var value = new Var(graph.result().name(), Type.DOUBLE, Var.Kind.SYNTHETIC);
    accumulate.stmts.add(new Stmt.Assign(value, new Expr.Invoke(gradClass, null, graph.name() + RECORD_SUFFIX,
        recordArgs, Type.DOUBLE), true, null, Src.NONE));
    List<Expr> reverseArgs = new ArrayList<>(accumulateArgs);
    reverseArgs.add(new Ref(own));
    accumulate.stmts.add(new Stmt.Eval(new Expr.Invoke(gradClass, null, graph.name() + REVERSE_SUFFIX,
        reverseArgs, Type.OBJECT)));
    accumulate.stmts.add(new Stmt.Eval(tapeCall("close", Type.OBJECT)));
    accumulate.stmts.add(new Stmt.Return(new Ref(value), Src.NONE));
    return new Halves(record, rev, accumulate, tape, limit, seed, adjoints);
  }

  // ------------------------------------------------------------------ the tape

  private Expr tapeCall(String method, Expr arg) {
    return new Expr.Invoke(null, new Ref(tape), method, List.of(arg), Type.OBJECT);
  }

  private Expr tapeCall(String method, Type type) {
    return new Expr.Invoke(null, new Ref(tape), method, List.of(), type);
  }

  private static String push(Type t) {
    return t == Type.DOUBLE ? "pushDouble" : t == Type.INT ? "pushInt" : t == Type.BOOLEAN ? "pushBoolean"
        : t == Type.LONG ? "pushLong" : null;
  }

  private static String pop(Type t) {
    return "pop" + push(t).substring("push".length()); // pushInt -> popInt
  }

  private boolean isTape(Expr e) {
    return e instanceof Ref r && r.var().name().equals(tapeName);
  }

  /** Removes the tape's opening and closing (TapeScope's lazy opening included). */
  private void dropTapeScope(Block b) {
    b.stmts.removeIf(st -> st instanceof Stmt.Assign a && a.target.name().equals(tapeName)
        || st instanceof Stmt.Comment c && c.text.startsWith("this branch tapes")
        || st instanceof Stmt.Eval e && e.call instanceof Expr.Invoke i && isTape(i.receiver())
            && i.method().equals("close")
        || st instanceof Stmt.If f && readsTape(f.cond) && f.otherwise.stmts.isEmpty()
            && f.then.stmts.stream().allMatch(t -> t instanceof Stmt.Eval e && e.call instanceof Expr.Invoke i
                && isTape(i.receiver()) && i.method().equals("close")));
    for (Stmt st : b.stmts) {
      for (Block c : Blocks.children(st)) {
        dropTapeScope(c);
      }
    }
  }

  private boolean readsTape(Expr e) {
    boolean[] found = {false};
    e.forEach(x -> found[0] |= isTape(x));
    return found[0];
  }

  private boolean readsTapeOtherThanPush(Expr e) {
    return readsTapeExcept(e, "push", "reserve");
  }

  private boolean readsTapeOtherThanPop(Expr e) {
    return readsTapeExcept(e, "pop", "pop");
  }

  /** Whether e uses the tape other than by a method whose name starts with a or b. */
  private boolean readsTapeExcept(Expr e, String a, String b) {
    boolean[] bad = {false};
    e.forEach(x -> {
      if (x instanceof Expr.Invoke i && isTape(i.receiver())) {
        bad[0] |= !(i.method().startsWith(a) || i.method().startsWith(b));
      } else if (x instanceof Expr.Invoke i) {
        bad[0] |= i.args().stream().anyMatch(this::isTape);
      } else if (x instanceof Expr.Call c) {
        bad[0] |= c.args().stream().anyMatch(this::isTape);
      }
    });
    return bad[0];
  }

  // ------------------------------------------------------------------ the recursive calls

  private boolean isSplitCall(Expr x) {
    return x instanceof Expr.Call c && c.target().kind() == CallTarget.Kind.ACCUMULATE && split.test(c.target());
  }

  private boolean isReverseCall(Expr x) {
    return x instanceof Expr.Invoke i && i.receiver() == null && gradClass.equals(i.owner())
        && reverseNames.contains(i.method());
  }

  private int splitCalls(Expr e) {
    int[] n = {0};
    e.forEach(x -> n[0] += isSplitCall(x) ? 1 : 0);
    return n[0];
  }

  private int reverseCalls(Expr e) {
    int[] n = {0};
    e.forEach(x -> n[0] += isReverseCall(x) ? 1 : 0);
    return n[0];
  }

  /** The forward sweep's recursive calls record: {@code gRecord(args..., _tape, _limit)}. */
  private void rewriteForward(Block b, Map<String, Integer> count) {
    rewrite(b, x -> {
      if (!isSplitCall(x)) {
        return x;
      }
      Expr.Call c = (Expr.Call) x;
      count.merge(c.target().derivativeName(), 1, Integer::sum);
      List<Expr> args = new ArrayList<>(c.args());
      args.add(new Ref(tape));
      args.add(new Ref(limit));
      return new Expr.Invoke(gradClass, null, c.target().name() + RECORD_SUFFIX, args, Type.DOUBLE);
    });
  }

  /** The reverse sweep's calls of gAccumulate become {@code gReverse(args..., seed, adjoints..., _tape)}. */
  private void rewriteReverse(Block b, Map<String, Integer> count) {
    rewrite(b, x -> {
      if (!isReverseCall(x)) {
        return x;
      }
      Expr.Invoke i = (Expr.Invoke) x;
      count.merge(i.method(), 1, Integer::sum);
      List<Expr> args = new ArrayList<>(i.args());
      args.add(new Ref(tape));
      String name = i.method().substring(0, i.method().length() - CallTarget.ACCUMULATE_SUFFIX.length());
      return new Expr.Invoke(gradClass, null, name + REVERSE_SUFFIX, args, Type.OBJECT);
    });
  }

  /**
   * A recorded call's adjoint must pop its records even when its seed is zero: the joint sweep's
   * {@code if (amount != 0) gAccumulate(...)} becomes the call alone.
   */
  private void unguardReverseCalls(Block b) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt st = b.stmts.get(i);
      if (st instanceof Stmt.If f && f.otherwise.stmts.isEmpty() && f.then.stmts.size() == 1
          && f.then.stmts.get(0) instanceof Stmt.Eval e && isReverseCall(e.call)
          && f.cond instanceof Expr.Apply ne && ne.op() == Op.NE && ne.arg(1) instanceof Const z && z.is(0)) {
        b.stmts.set(i, e);
        continue;
      }
      for (Block c : Blocks.children(st)) {
        unguardReverseCalls(c);
      }
    }
  }

  /**
   * Whether every gReverse call runs whatever the adjoints are: no branch or loop around it
   * tests a value computed from the seed or the adjoints (the branches and loops of the reverse
   * sweep mirror the forward sweep's, which took the same paths when it recorded).
   */
  private boolean reverseCallsUnconditional(Block reverse, Set<Var> adjointParams) {
    Set<Var> tainted = new HashSet<>(adjointParams);
    for (boolean changed = true; changed; ) {
      changed = false;
      for (Stmt st : Blocks.all(reverse)) {
        if (st instanceof Stmt.Assign a && !tainted.contains(a.target) && readsAny(a.value, tainted)) {
          tainted.add(a.target);
          changed = true;
        }
      }
    }
    return unconditional(reverse, tainted, false);
  }

  private boolean unconditional(Block b, Set<Var> tainted, boolean guarded) {
    for (Stmt st : b.stmts) {
      boolean here = guarded;
      if (st instanceof Stmt.If f) {
        here |= readsAny(f.cond, tainted);
      } else if (st instanceof Stmt.Loop l) {
        here |= readsAny(l.cond, tainted) || l.start != null && readsAny(l.start, tainted);
      }
      for (Expr e : exprsOf(st)) {
        if (here && reverseCallsAfterRewrite(e) > 0) {
          return false;
        }
      }
      for (Block c : Blocks.children(st)) {
        if (!unconditional(c, tainted, here)) {
          return false;
        }
      }
    }
    return true;
  }

  private int reverseCallsAfterRewrite(Expr e) {
    int[] n = {0};
    e.forEach(x -> n[0] += x instanceof Expr.Invoke i && i.receiver() == null && gradClass.equals(i.owner())
        && i.method().endsWith(REVERSE_SUFFIX) ? 1 : 0);
    return n[0];
  }

  private static boolean readsAny(Expr e, Set<Var> vars) {
    boolean[] found = {false};
    e.forEach(x -> found[0] |= x instanceof Ref r && vars.contains(r.var()));
    return found[0];
  }

  // ------------------------------------------------------------------ walking

  /** The expressions of a statement, an evaluated call's included. */
  private static List<Expr> exprsOf(Stmt st) {
    List<Expr> out = new ArrayList<>(Blocks.exprs(st));
    if (st instanceof Stmt.Eval e) {
      out.add(e.call);
    }
    return out;
  }

  /** A copy of the statements of b (expressions are immutable and shared). */
  private static Block copy(Block b) {
    Block out = new Block();
    for (Stmt st : b.stmts) {
      out.stmts.add(copy(st));
    }
    return out;
  }

  private static Stmt copy(Stmt st) {
    if (st instanceof Stmt.Assign a) {
      return new Stmt.Assign(a.target, a.value, a.declaration, a.compound, a.src);
    } else if (st instanceof Stmt.ArrayStore s) {
      return new Stmt.ArrayStore(s.array, s.index, s.value, s.compound, s.src);
    } else if (st instanceof Stmt.If f) {
      return new Stmt.If(f.cond, copy(f.then), copy(f.otherwise), f.src);
    } else if (st instanceof Stmt.Loop l) {
      Stmt.Loop c = new Stmt.Loop(l.kind, l.index, l.start, l.step, l.cond, copy(l.body), copy(l.update), l.src);
      c.label = l.label;
      c.counter = l.counter;
      c.startCopy = l.startCopy;
      c.tripsRecomputed = l.tripsRecomputed;
      c.adjoint = l.adjoint;
      return c;
    } else if (st instanceof Stmt.Nested n) {
      Stmt.Nested c = new Stmt.Nested(copy(n.block), n.src);
      c.label = n.label;
      return c;
    } else if (st instanceof Stmt.Return r) {
      return new Stmt.Return(r.value, r.src);
    }
    return st; // Eval, Comment, Break, Continue: never changed in place
  }

  private static void rewrite(Block b, java.util.function.Function<Expr, Expr> f) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt st = b.stmts.get(i);
      if (st instanceof Stmt.Assign a) {
        a.value = a.value.map(f);
      } else if (st instanceof Stmt.ArrayStore s) {
        s.index = s.index.map(f);
        s.value = s.value.map(f);
      } else if (st instanceof Stmt.If c) {
        c.cond = c.cond.map(f);
      } else if (st instanceof Stmt.Loop l) {
        l.cond = l.cond.map(f);
        if (l.start != null) {
          l.start = l.start.map(f);
        }
      } else if (st instanceof Stmt.Eval e) {
        b.stmts.set(i, new Stmt.Eval(e.call.map(f)));
      } else if (st instanceof Stmt.Return r) {
        b.stmts.set(i, new Stmt.Return(r.value.map(f), r.src));
      }
      for (Block c : Blocks.children(st)) {
        rewrite(c, f);
      }
    }
  }
}
