package dev.adjoint.processor.diff;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Checkpoints;
import dev.adjoint.processor.analysis.Fusion;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.diff.Propagation.Contribution;
import dev.adjoint.processor.diff.rules.Rules;
import dev.adjoint.processor.emit.GradClassWriter;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse mode: writes the body of the gradient method. The forward sweep is the primal code
 * plus what the reverse sweep will need (saved values, tape pushes, trip counts); the reverse
 * sweep visits the statements backwards and accumulates adjoints.
 *
 * <p>Adjoints are kept symbolic as long as the code runs straight: {@code adj} maps a variable
 * to an expression for its current adjoint, built with the simplifier, and only becomes a Java
 * local {@code _d_x} when it must (a branch or loop is about to update it in place, a value it
 * reads is about to be restored, or it is final). This is what makes the adjoint of straight-line
 * code as short as a hand-written one.
 */
public final class Reverse {
  private static final ClassName TAPE = Naming.TAPE;
  private static final ClassName ADJOINTS = Naming.ADJOINTS;

  private final MethodGraph graph;
  private final Planner plan;
  private final Names names;
  private final Out out = new Out();
  private final Var tape;

  /** Current adjoint of each active scalar variable, in the order they were first touched. */
  private final Map<Var, Expr> adj = new LinkedHashMap<>();
  /** The {@code _d_} locals declared so far, per reverse-sweep scope. */
  private final Deque<Set<Var>> declared = new ArrayDeque<>();
  private final Map<Var, Var> adjointVars = new HashMap<>();
  /** Inside branches: the variables whose dead adjoint may be dropped rather than zeroed. */
  private final Deque<Set<Var>> droppable = new ArrayDeque<>();
  /**
   * Variables whose adjoint is zero for the rest of the reverse sweep on the path being
   * written: an assignment killed the value and its adjoint was dropped, and nothing above
   * reads the variable. Their assignments above contribute nothing, and regions above do not
   * give them a local. Inside a branch it holds for the rest of that branch; never inside a
   * loop body (whose code runs again for earlier iterations), where adjoints are not dropped.
   */
  private final Set<Var> dead = new HashSet<>();
  private Src commentPending;
  private Src lastReverseComment;
  /** Array adjoints already declared (before the first fused loop). */
  private boolean arrayAdjointsDeclared;
  /** Variables whose adjoint local a fused loop has filled before the reverse sweep starts. */
  private final Set<Var> filledByFusedLoops = new LinkedHashSet<>();
  /** Temporaries of a fused loop's branches, declared at the top of its body (Planner.hoisted). */
  private final Set<Var> hoisted = new HashSet<>();
  /** Array parameters whose adjoint is the caller's array (the writing overload). */
  private final Map<Var, Var> callerArrays = new HashMap<>();

  public Reverse(MethodGraph graph, Planner plan, Names names) {
    this.graph = graph;
    this.plan = plan;
    this.names = names;
    this.tape = new Var(names.tape, Type.OBJECT, Var.Kind.SYNTHETIC, TAPE);
  }

  /**
   * The same reverse mode, accumulating the adjoint of each array parameter in {@code
   * callerArrays}' array for it (zeroed first) instead of a new one.
   */
  public Reverse(MethodGraph graph, Planner plan, Names names, Map<Var, Var> callerArrays) {
    this(graph, plan, names);
    this.callerArrays.putAll(callerArrays);
  }

  /** The adjoint a double result starts with (1, or an accumulating overload's seed); else null. */
  private Expr resultSeed;

  /** The caller's arrays are added to, not zeroed first (the accumulating overload). */
  private boolean accumulate;

  /**
   * The reverse mode of {@code fAccumulate}: the adjoint of each array parameter is the caller's
   * array for it, added to as it is (the caller's adjoint of the arrays it passed).
   */
  public Reverse accumulating() {
    accumulate = true;
    return this;
  }

  /** A copy of an array: {@code a.clone()}, rows included for an n-D one. */
  private static Expr copy(Expr a) {
    return a.type().isNdDoubleArray() ? new Expr.Invoke(ADJOINTS, null, "copyOf", List.of(a), a.type())
        : new Expr.Invoke(null, a, "clone", List.of(), a.type());
  }

  /** {@code new double[a.length]}, or the caller's array for it, zeroed. */
  private Expr newArrayAdjoint(Var a) {
    if (accumulate && callerArrays.containsKey(a)) {
      return new Ref(callerArrays.get(a));
    }
    if (a.type().isNdDoubleArray()) {
      // n-D: zeros of a's shape (ragged rows included), or the caller's array checked and zeroed
      return callerArrays.containsKey(a)
          ? new Expr.Invoke(ADJOINTS, null, "zeroed", List.of(new Ref(callerArrays.get(a)), new Ref(a)), a.type())
          : new Expr.Invoke(ADJOINTS, null, "zerosLike", List.of(new Ref(a)), a.type());
    }
    Expr length = new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT);
    if (callerArrays.containsKey(a)) {
      return new Expr.Invoke(ADJOINTS, null, "zeroed", List.of(new Ref(callerArrays.get(a)), length),
          Type.DOUBLE_ARRAY);
    }
    return new Expr.Apply(Op.NEW_ARRAY, List.of(length), Type.DOUBLE_ARRAY);
  }

  /**
   * The method body; {@code record} is the result record's type, {@code seed} the adjoint the
   * result starts with: 1 for a double result, the caller's tensor for a layer's
   * vector-Jacobian product.
   */
  public Block body(TypeName record, Expr seed) {
    if (graph.result().type() == Type.DOUBLE) {
      resultSeed = seed; // fused loops, in the forward sweep, start from it
    }
    if (plan.usesTape()) {
      out.declare(tape, new Expr.Invoke(TAPE, null, "open", List.of(), Type.OBJECT));
    }
    declared.push(new LinkedHashSet<>());
    forwardBlock(graph.body(), true);

    out.comment("");
    out.comment("reverse sweep");
    adj.clear();
    dead.clear(); // what fused loops' adjoints found holds inside their iterations only
    for (Var u : filledByFusedLoops) {
      adj.put(u, new Ref(adjointVar(u)));
    }
    Var value = graph.result();
    boolean restored = dev.adjoint.processor.analysis.Blocks.all(graph.body()).stream()
        .anyMatch(x -> x instanceof Stmt.Assign a && a.target == graph.result() && a.save != Stmt.Save.NONE);
    if (restored) {
      // the reverse sweep restores the result's earlier values: keep the one to return
      value = new Var(names.fresh("_result", false), value.type(), Var.Kind.SYNTHETIC);
      out.declare(value, new Ref(graph.result()));
    } else if (value.type().isDoubleArray()) {
      // the reverse sweep restores overwritten elements: keep the result as the forward sweep left it
      value = new Var(names.fresh("_value", false), value.type(), Var.Kind.SYNTHETIC);
      out.declare(value, copy(new Ref(graph.result())));
    }
    for (Var a : arrayAdjointsDeclared ? List.<Var>of() : arrayAdjoints()) {
      Expr init = a == graph.result() ? copy(seed) : newArrayAdjoint(a);
      out.declare(adjointVar(a), init);
      declared.peek().add(a);
    }
    if (!graph.result().type().isDoubleArray()) {
      adj.put(graph.result(), seed);
    }
    reverseBlock(graph.body(), true);

    List<Expr> components = new ArrayList<>();
    components.add(new Ref(value));
    for (Var p : graph.wrt()) {
      if (p.type().isDoubleArray()) {
        components.add(new Ref(adjointVar(p)));
        continue;
      }
      Expr e = current(p);
      if (p.type() == Type.TENSOR && Sym.isZero(e)) {
        e = Rules.zerosLike(new Ref(p));
      }
      if (!(e instanceof Ref || e instanceof Const)) {
        materialize(p);
        e = current(p);
      }
      components.add(e);
    }
    if (plan.usesTape()) {
      // emptied by the sweep: kept for this thread's next call
      out.eval(tapeCall("close"));
    }
    out.add(new Stmt.Return(new Expr.New(record, components, Type.OBJECT), Src.NONE));
    Block body = out.result();
    dropUnreadTemporaries(body);
    if (bulkSaves) {
      // else forward mode differentiates this sweep first: the tangents' adjoints must be asked too
      SkipZeroAdjoints.apply(body);
      InvariantElements.apply(body, names);
      if (plan.usesTape()) {
        TapeScope.apply(body, tape);
      }
    }
    return body;
  }

  /**
   * Whether the rows of a vector-valued method's Jacobian can share one forward sweep: its
   * reverse sweep restores no value the forward sweep overwrote (it only pops what it reads) and
   * no fused loop computes adjoints during the forward sweep, so after a {@code Tape.rewind()} the
   * reverse sweep can run again, once per row, over the same forward state.
   */
  public static boolean rowsShareForwardSweep(MethodGraph graph, Planner plan) {
    boolean declaredAtTop = graph.body().stmts.stream()
        .anyMatch(s -> s instanceof Stmt.Assign a && a.target == graph.result() && a.declaration);
    if (!declaredAtTop || graph.wrt().stream().anyMatch(p -> p.type() != Type.DOUBLE && p.type() != Type.DOUBLE_ARRAY)) {
      return false;
    }
    for (Stmt s : Blocks.all(graph.body())) {
      if (s instanceof Stmt.Assign a && a.save != Stmt.Save.NONE
          || s instanceof Stmt.ArrayStore st && st.save != Stmt.Save.NONE
          || s instanceof Stmt.Loop l && (plan.fused(l) != null || plan.reduction(l) != null)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The body of {@code fJacobianRows(params..., jacobian)} (when {@link #rowsShareForwardSweep}):
   * one forward sweep, then for each row i of {@code jacobian} (one per output) the reverse sweep
   * with the seed eᵢ, writing ∂value[i]/∂inputs (the differentiated parameters flattened in
   * order) into that row. The tape is marked after the forward sweep and rewound before each
   * reverse sweep; the reverse sweep only reads the forward state, so every row sees it whole.
   */
  public Block rows(Var jacobian, Var row) {
    if (plan.usesTape()) {
      out.declare(tape, new Expr.Invoke(TAPE, null, "open", List.of(), Type.OBJECT));
    }
    declared.push(new LinkedHashSet<>());
    forwardBlock(graph.body(), true);
    out.comment("");
    out.comment("one reverse sweep per row of the Jacobian, each over the forward sweep above");
    Expr inputs = null;
    for (Var p : graph.wrt()) {
      Expr size = p.type() == Type.DOUBLE ? Const.ofInt(1)
          : new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(p)), Type.INT);
      inputs = inputs == null ? size : intOp(Op.ADD, inputs, size);
    }
    out.eval(new Expr.Invoke(ADJOINTS, null, "checkJacobian", List.of(new Ref(jacobian),
        new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(graph.result())), Type.INT),
        inputs == null ? Const.ofInt(0) : inputs), Type.OBJECT));
    if (plan.usesTape()) {
      out.eval(tapeCall("mark"));
    }
    // the array adjoints, allocated once and zeroed for each row
    List<Var> arrays = arrayAdjoints();
    for (Var a : arrays) {
      Expr init = a == graph.result()
          ? new Expr.Apply(Op.NEW_ARRAY, List.of(new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT)),
              Type.DOUBLE_ARRAY)
          : newArrayAdjoint(a);
      out.declare(adjointVar(a), init);
      declared.peek().add(a);
    }
    Expr rows = new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(jacobian)), Type.INT);
    out.openLoop(new Stmt.Loop(Stmt.Loop.Kind.FOR, row, Const.ofInt(0), 1,
        new Expr.Apply(Op.LT, List.of(new Ref(row), rows), Type.BOOLEAN), new Block(), new Block(), Src.NONE));
    if (plan.usesTape()) {
      out.eval(tapeCall("rewind"));
    }
    declared.push(new LinkedHashSet<>());
    adj.clear();
    dead.clear();
    for (Var a : arrays) {
      if (a.type().isNdDoubleArray()) {
        out.eval(new Expr.Invoke(ADJOINTS, null, "zeroed", List.of(new Ref(adjointVar(a)), new Ref(a)), a.type()));
      } else {
        out.eval(new Expr.Invoke(ClassName.get(java.util.Arrays.class), null, "fill",
            List.of(new Ref(adjointVar(a)), Const.ZERO), Type.OBJECT));
      }
    }
    out.store(adjointVar(graph.result()), new Ref(row), Const.ONE);
    reverseBlock(graph.body(), true);
    Expr target = new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(jacobian), new Ref(row)), Type.DOUBLE_ARRAY);
    Var line = new Var(names.fresh("_line", false), Type.DOUBLE_ARRAY, Var.Kind.SYNTHETIC);
    out.declare(line, target);
    Expr offset = Const.ofInt(0);
    for (Var p : graph.wrt()) {
      if (p.type() == Type.DOUBLE_ARRAY) {
        out.eval(new Expr.Invoke(ClassName.get(System.class), null, "arraycopy", List.of(new Ref(adjointVar(p)),
            Const.ofInt(0), new Ref(line), offset, new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(p)), Type.INT)),
            Type.OBJECT));
        offset = plus(offset, new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(p)), Type.INT));
      } else {
        Expr e = current(p);
        if (!(e instanceof Ref || e instanceof Const)) {
          materialize(p);
          e = current(p);
        }
        out.store(line, offset, e);
        offset = plus(offset, Const.ofInt(1));
      }
    }
    declared.pop();
    out.close();
    if (plan.usesTape()) {
      out.eval(tapeCall("close"));
    }
    return out.result();
  }

  /**
   * Removes temporaries that nothing reads: an adjoint bound for several operands whose shares
   * all turned out zero ({@code Math.log(1 + floor(e) * floor(e))}: floor's derivative is 0), a
   * partial vector forward mode hoisted for a tangent that turned out zero.
   * Only pure values are dropped (never a pop from the tape or a call).
   */
  static void dropUnreadTemporaries(Block body) {
    for (boolean changed = true; changed; ) {
      java.util.Set<Var> read = new java.util.HashSet<>();
      dev.adjoint.processor.analysis.Blocks.walk(body, st -> {
        List<Expr> exprs = new ArrayList<>(dev.adjoint.processor.analysis.Blocks.exprs(st));
        if (st instanceof Stmt.Eval e) {
          exprs.add(e.call);
        }
        if (st instanceof Stmt.Assign a && (!a.declaration || a.compound != null)) {
          read.add(a.target); // written again later (or compounded): kept
        }
        for (Expr x : exprs) {
          x.forEach(y -> {
            if (y instanceof Ref r) {
              read.add(r.var());
            } else if (y instanceof Expr.RecordGet g) {
              read.add(g.record());
            }
          });
        }
      });
      changed = drop(body, read);
    }
  }

  /**
   * In a gradient's body (not one forward over reverse transforms, where a value's tangent is
   * popped beside it): a value popped from the tape that nothing reads is popped without a
   * name, {@code _tape.popDouble();}, so the tape stays in step and no local is left unread.
   */
  public static void discardUnreadPops(Block body) {
    java.util.Set<Var> read = new java.util.HashSet<>();
    dev.adjoint.processor.analysis.Blocks.walk(body, st -> {
      List<Expr> exprs = new ArrayList<>(dev.adjoint.processor.analysis.Blocks.exprs(st));
      if (st instanceof Stmt.Eval e) {
        exprs.add(e.call);
      }
      if (st instanceof Stmt.Assign a && !a.declaration) {
        read.add(a.target);
      }
      for (Expr x : exprs) {
        x.forEach(y -> {
          if (y instanceof Ref r) {
            read.add(r.var());
          }
        });
      }
    });
    discardPops(body, read);
  }

  private static void discardPops(Block b, java.util.Set<Var> read) {
    for (int i = 0; i < b.stmts.size(); i++) {
      if (b.stmts.get(i) instanceof Stmt.Assign a && a.declaration && a.target.kind() == Var.Kind.SYNTHETIC
          && !read.contains(a.target) && a.value instanceof Expr.Invoke inv && inv.method().startsWith("pop")
          && inv.args().isEmpty()) {
        b.stmts.set(i, new Stmt.Eval(a.value));
      }
      for (Block c : dev.adjoint.processor.analysis.Blocks.children(b.stmts.get(i))) {
        discardPops(c, read);
      }
    }
  }

  private static boolean drop(Block b, java.util.Set<Var> read) {
    boolean changed = b.stmts.removeIf(st -> st instanceof Stmt.Assign a && a.declaration && a.compound == null
        && a.target.kind() == Var.Kind.SYNTHETIC && (a.target.name().startsWith("_t") || a.target.name().startsWith("_p"))
        && !read.contains(a.target)
        && a.target.type() == Type.DOUBLE && pure(a.value));
    for (Stmt st : b.stmts) {
      for (Block c : dev.adjoint.processor.analysis.Blocks.children(st)) {
        changed |= drop(c, read);
      }
    }
    return changed;
  }

  private static boolean pure(Expr e) {
    boolean[] ok = {true};
    e.forEach(x -> ok[0] &= !(x instanceof Expr.Invoke || x instanceof Expr.Call));
    return ok[0];
  }

  /** Array adjoints live for the whole sweep: differentiated array parameters, active locals. */
  private List<Var> arrayAdjoints() {
    List<Var> arrays = new ArrayList<>();
    Set<Var> sinks = sinks();
    for (Var p : graph.params()) {
      if (p.type().isDoubleArray() && (graph.wrt().contains(p) || plan.isActive(p) || sinks.contains(p))) {
        arrays.add(p);
      }
    }
    for (Stmt s : graph.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && a.target.type().isDoubleArray()
          && (plan.isActive(a.target) || a.target == graph.result())) {
        arrays.add(a.target);
      }
    }
    return arrays;
  }

  // ================================================================ forward sweep

  private void forwardBlock(Block b, boolean top) {
    for (Stmt s : b.stmts) {
      forward(s);
    }
    if (!top && !b.carried.isEmpty() && !untaped) {
      out.comment("keep for the reverse sweep: "
          + String.join(", ", b.carried.stream()
              .map(v -> plan.unpackedFrom(v) != null && bulkSaves ? plan.unpackedFrom(v).record().name() + "."
                  + plan.unpackedFrom(v).accessor() + "()" : v.name()).toList()));
      for (Var v : b.carried) {
        Expr.RecordGet from = plan.unpackedFrom(v);
        if (from == null) {
          out.eval(tapeCall(push(v.type()), new Ref(v)));
        } else if (bulkSaves) {
          out.eval(tapeCall(push(v.type()), from));
        } else if (from.accessor().equals("value")) {
          // forward over reverse differentiates the record's partials: the record is kept
          out.eval(tapeCall(push(Type.OBJECT), new Ref(from.record())));
        }
      }
    }
  }

  private void forward(Stmt s) {
    if (s instanceof Stmt.Assign a) {
      save(a.save, a.saved, a.target.type(), new Ref(a.target), a.src);
      out.add(new Stmt.Assign(a.target, a.value, a.declaration && !hoisted.contains(a.target), a.compound, a.src));
    } else if (s instanceof Stmt.ArrayStore st) {
      Type elem = st.overwrittenType(); // an element, or the row a row replacement drops
      Expr element = new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(st.array), st.index), elem);
      save(savedBeforeLoop.contains(st) ? Stmt.Save.NONE : st.save, st.saved, elem, element, st.src);
      out.add(new Stmt.ArrayStore(st.array, st.index, st.value, st.compound, st.src));
    } else if (s instanceof Stmt.If f) {
      out.openIf(f.cond, f.src);
      forwardBlock(f.then, false);
      out.otherwise();
      forwardBlock(f.otherwise, false);
      out.close();
    } else if (s instanceof Stmt.Loop l && plan.fused(l) != null) {
      fusedLoop(l, plan.fused(l));
    } else if (s instanceof Stmt.Loop l && plan.reduction(l) != null) {
      new ReductionSweeps(l, plan.reduction(l)).forward();
    } else if (s instanceof Stmt.Loop l) {
      forwardLoop(l);
    } else if (s instanceof Stmt.Nested n) {
      out.openBlock();
      forwardBlock(n.block, false);
      out.close();
    } else {
      throw new IllegalStateException("not lowered: " + s.getClass().getSimpleName());
    }
  }

  /** Stores whose overwritten elements were pushed before their loop at once. */
  private final Set<Stmt.ArrayStore> savedBeforeLoop = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /**
   * Whether a loop's overwritten elements may be pushed before it at once; not when forward mode
   * differentiates this sweep (forward over reverse), which pushes each value's tangent after it.
   */
  private boolean bulkSaves = true;

  /** This sweep is differentiated again by forward mode: every taped value pushed on its own. */
  public Reverse elementwiseTape() {
    bulkSaves = false;
    return this;
  }

  private void forwardLoop(Stmt.Loop l) {
    Checkpoints.Checkpoint checkpoint = checkpoint(l);
    if (checkpoint != null) {
      checkpointedLoop(l, checkpoint);
      return;
    }
    Stmt.ArrayStore bulk = bulkSaves && !untaped ? savedWhole(l) : null;
    if (untaped) {
      // nothing to keep
    } else if (bulk != null) {
      Expr start = l.startCopy != null ? new Ref(l.startCopy) : l.start;
      out.comment("keep for the reverse sweep: the elements of " + bulk.array.name() + " the loop overwrites");
      out.eval(tapeCall("pushDoubles", new Ref(bulk.array), start, tripCount(l)));
      savedBeforeLoop.add(bulk);
    } else {
      reserveTape(l);
    }
    Stmt.Loop copy = new Stmt.Loop(l.kind, l.index, l.start, l.step, l.cond, new Block(), new Block(), l.src);
    out.openLoop(copy);
    if (l.counter != null && !l.tripsRecomputed) {
      out.update(l.counter, Op.ADD, Const.ofInt(1));
    }
    forwardBlock(l.body, false);
    forwardBlock(l.update, false);
    out.close();
  }

  /**
   * The store of a counted loop (step 1, trip count known when it starts, no loop inside) that
   * tapes the element {@code a[i]} it overwrites, i the loop's index, when it is the only double
   * the loop tapes and the only store into a: iteration i then pushes a[i] as it was before the
   * loop, so all of them can be pushed before it in one copy, in the same order; the reverse
   * sweep pops them one per iteration as before. Null otherwise.
   */
  private Stmt.ArrayStore savedWhole(Stmt.Loop l) {
    if (l.kind != Stmt.Loop.Kind.FOR || !l.counted() || l.step != 1 || tripCount(l) == null
        || plan.doublesTapedPerIteration(l) != 1) {
      return null;
    }
    Stmt.ArrayStore found = null;
    for (Stmt s : l.body.stmts) {
      if (s instanceof Stmt.ArrayStore st && st.save == Stmt.Save.TAPE) {
        found = st;
      }
    }
    if (found == null || found.array.type() != Type.DOUBLE_ARRAY
        || !(found.index instanceof Ref r && r.var() == l.index)) {
      return null;
    }
    Stmt.ArrayStore store = found;
    boolean[] other = {false};
    for (Block b : Blocks.children(l)) {
      Blocks.walk(b, x -> {
        other[0] |= x instanceof Stmt.Loop
            || x instanceof Stmt.ArrayStore st && st.array == store.array && st != store
            || x instanceof Stmt.Assign a && a.target == l.index;
      });
    }
    return other[0] ? null : store;
  }

  /**
   * Before a counted loop whose trip count is known when it starts, room on the tape for the
   * doubles its iterations push: the tape then grows once, not a dozen times.
   */
  private void reserveTape(Stmt.Loop l) {
    int perIteration = plan.doublesTapedPerIteration(l);
    Expr trips = perIteration == 0 ? null : tripCount(l);
    if (trips != null) {
      out.eval(tapeCall("reserveDoubles", perIteration == 1 ? trips
          : intOp(Op.MUL, Const.ofInt(perIteration), trips)));
    }
  }

  private static Expr tripCount(Stmt.Loop l) {
    return dev.adjoint.processor.analysis.Recompute.tripCount(l);
  }

  /**
   * A loop whose iterations are independent for the adjoint ({@link
   * dev.adjoint.processor.analysis.Fusion}): each iteration's reverse sweep runs at its end,
   * adding to adjoints declared before the loop, with the accumulators' adjoints fixed.
   */
  private void fusedLoop(Stmt.Loop l, Fusion.Fused fused) {
    out.comment("the loop below runs each iteration's adjoint at the iteration's end (its"
        + " iterations are independent); the adjoints it uses and adds to:");
    if (!arrayAdjointsDeclared) {
      for (Var a : arrayAdjoints()) {
        out.declare(adjointVar(a), newArrayAdjoint(a));
        declared.peek().add(a);
      }
      arrayAdjointsDeclared = true;
    }
    fused.seeds().forEach((v, unitSeed) -> {
      // the planner found the accumulators' adjoints for a result adjoint of 1: they are linear in it
      Expr seed = resultSeed == null || resultSeed instanceof Const c && c.is(1) ? unitSeed : Sym.mul(resultSeed, unitSeed);
      if (!isDeclared(v)) {
        out.declare(adjointVar(v), seed);
        declared.peek().add(v);
      } else {
        out.assign(adjointVar(v), seed);
      }
      adj.put(v, new Ref(adjointVar(v)));
    });
    for (Var u : fused.outer()) {
      if (!isDeclared(u)) {
        out.declare(adjointVar(u), Const.ZERO);
        declared.peek().add(u);
      }
      filledByFusedLoops.add(u);
      adj.put(u, new Ref(adjointVar(u)));
    }
    out.openLoop(new Stmt.Loop(l.kind, l.index, l.start, l.step, l.cond, new Block(), new Block(), l.src));
    if (!plan.hoisted(l).isEmpty()) {
      out.comment("set in the branches below, read by this iteration's adjoint");
    }
    for (Var t : plan.hoisted(l)) {
      out.declare(t, zero(t.type()));
      hoisted.add(t);
    }
    forwardBlock(l.body, false);
    forwardBlock(l.update, false);
    hoisted.clear();
    out.comment("adjoint of this iteration");
    declared.push(new LinkedHashSet<>());
    droppable.push(Set.of());
    reverseBlock(l.update, false);
    reverseBlock(l.body, false);
    droppable.pop();
    declared.pop();
    out.close();
    adj.clear();
    commentPending = null;
    lastReverseComment = null;
  }

  private static Expr zero(Type t) {
    return switch (t) {
      case BOOLEAN -> Const.ofBoolean(false);
      case INT -> Const.ofInt(0);
      case LONG -> new Const(Type.LONG, 0L);
      default -> Const.ZERO;
    };
  }

  private Expr tapeCall(String method, Expr... args) {
    Type type = method.startsWith("pop") ? switch (method) {
      case "popDouble" -> Type.DOUBLE;
      case "popInt" -> Type.INT;
      case "popLong" -> Type.LONG;
      case "popBoolean" -> Type.BOOLEAN;
      default -> Type.OBJECT;
    } : Type.OBJECT;
    return new Expr.Invoke(null, new Ref(tape), method, List.of(args), type);
  }

  private void save(Stmt.Save save, Var saved, Type type, Expr value, Src src) {
    if (untaped) {
      return;
    }
    if (save == Stmt.Save.LOCAL) {
      out.declare(saved, value, src);
    } else if (save == Stmt.Save.TAPE) {
      Stmt.Eval push = new Stmt.Eval(tapeCall(push(type), value));
      out.add(push);
    }
  }

  private static String push(Type t) {
    return switch (t) {
      case DOUBLE -> "pushDouble";
      case INT -> "pushInt";
      case LONG -> "pushLong";
      case BOOLEAN -> "pushBoolean";
      default -> "pushObject";
    };
  }

  private static String pop(Type t) {
    return switch (t) {
      case DOUBLE -> "popDouble";
      case INT -> "popInt";
      case LONG -> "popLong";
      case BOOLEAN -> "popBoolean";
      default -> "popObject";
    };
  }

  // ================================================================ checkpointed loops

  /** Emitting a checkpointed iteration's forward sweep, which keeps nothing for its adjoint. */
  private boolean untaped;
  private Checkpoints checkpoints;
  /** Per checkpointed loop: the flag saying whether this call checkpoints it. */
  private final Map<Stmt.Loop, Var> checkpointing = new HashMap<>();

  /** The loop's checkpoint when it is checkpointed ({@link Checkpoints}); else null. */
  private Checkpoints.Checkpoint checkpoint(Stmt.Loop l) {
    // forward over reverse pushes tangents beside values: not with checkpoints
    if (!bulkSaves || untaped || graph.body().stmts.stream().noneMatch(s -> s == l)) {
      return null;
    }
    if (checkpoints == null) {
      checkpoints = new Checkpoints(graph);
    }
    return checkpoints.of(l, x -> plan.fused(x) != null);
  }

  /**
   * A checkpointed loop's forward sweep: when the checkpoints are large, each iteration pushes
   * its live-in state and runs untaped; else the loop runs taped as usual.
   */
  private void checkpointedLoop(Stmt.Loop l, Checkpoints.Checkpoint c) {
    Var flag = new Var(names.fresh("_checkpointed"), Type.BOOLEAN, Var.Kind.SYNTHETIC);
    checkpointing.put(l, flag);
    List<String> kept = new ArrayList<>();
    Expr size = null;
    for (Var v : c.scalars()) {
      kept.add(v.name());
      size = size == null ? Const.ofInt(1) : intOp(Op.ADD, size, Const.ofInt(1));
    }
    for (Var a : c.arrays()) {
      kept.add(a.name());
      Expr length = new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT);
      size = size == null ? length : intOp(Op.ADD, size, length);
    }
    out.comment("checkpointed when its tape would be large (Tape.checkpoints): an iteration then keeps only "
        + String.join(", ", kept) + ", and the reverse sweep runs it again, taped, before its adjoint");
    Expr checkpoints = new Expr.Apply(Op.MUL, List.of(
        new Expr.Apply(Op.CAST, List.of(c.trips()), Type.LONG), size), Type.LONG);
    out.declare(flag, new Expr.Invoke(TAPE, null, "checkpoints", List.of(checkpoints), Type.BOOLEAN));
    out.openLoop(new Stmt.Loop(l.kind, l.index, l.start, l.step, l.cond, new Block(), new Block(), l.src));
    if (l.counter != null && !l.tripsRecomputed) {
      out.update(l.counter, Op.ADD, Const.ofInt(1));
    }
    out.openIf(new Ref(flag), Src.NONE);
    for (Var v : c.scalars()) {
      out.eval(tapeCall(push(v.type()), new Ref(v)));
    }
    for (Var a : c.arrays()) {
      out.eval(tapeCall("pushDoubles", new Ref(a), Const.ofInt(0),
          new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT)));
    }
    untaped = true;
    forwardBlock(l.body, false);
    untaped = false;
    out.otherwise();
    forwardBlock(l.body, false);
    out.close();
    out.close();
  }

  /**
   * In a checkpointed loop's reverse sweep, before an iteration's adjoint: its live-in state
   * popped back, and the iteration run again taping what its adjoint reads.
   */
  private void recomputeIteration(Stmt.Loop l) {
    Var flag = checkpointing.get(l);
    if (flag == null) {
      return;
    }
    Checkpoints.Checkpoint c = checkpoint(l);
    out.openIf(new Ref(flag), Src.NONE);
    out.comment("this iteration again, from its checkpoint");
    for (int k = c.arrays().size() - 1; k >= 0; k--) {
      Var a = c.arrays().get(k);
      out.eval(tapeCall("popDoubles", new Ref(a), Const.ofInt(0),
          new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT)));
    }
    for (int k = c.scalars().size() - 1; k >= 0; k--) {
      Var v = c.scalars().get(k);
      out.assign(v, tapeCall(pop(v.type())));
    }
    out.openBlock();
    forwardBlock(l.body, false);
    out.close();
    out.close();
  }

  // ================================================================ reverse sweep

  private void reverseBlock(Block b, boolean top) {
    if (!top) {
      declared.push(new LinkedHashSet<>());
      // a value read from an array this block refills is read after the refill
      Set<Var> refilled = new HashSet<>();
      b.refilled.forEach(f -> refilled.add(((Stmt.ArrayStore) f.body.stmts.get(0)).array));
      b.recomputed.forEach((v, e) -> {
        if (refilled.stream().noneMatch(e::reads)) {
          out.declare(v, e);
        }
      });
      for (Stmt.Loop f : b.refilled) {
        refill(f);
      }
      b.recomputed.forEach((v, e) -> {
        if (refilled.stream().anyMatch(e::reads)) {
          out.declare(v, e);
        }
      });
      for (int i = b.carried.size() - 1; i >= 0; i--) {
        Var v = b.carried.get(i);
        Expr.RecordGet from = plan.unpackedFrom(v);
        if (from == null || bulkSaves) {
          out.declare(v, tapeCall(pop(v.type())));
        } else if (from.accessor().equals("value")) {
          out.declare(from.record(), tapeCall(pop(Type.OBJECT)));
        }
      }
      for (Stmt s : b.stmts) {
        if (s instanceof Stmt.Assign a && a.declaration && a.target.type().isDoubleArray()
            && plan.isActive(a.target)) {
          // an array declared in this block (after an early exit, say): its adjoint lives here
          out.declare(adjointVar(a.target), a.target.type().isNdDoubleArray()
              ? new Expr.Invoke(ADJOINTS, null, "zerosLike", List.of(new Ref(a.target)), a.target.type())
              : new Expr.Apply(Op.NEW_ARRAY, List.of(
              new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.target)), Type.INT)), Type.DOUBLE_ARRAY));
        }
      }
    }
    for (int i = b.stmts.size() - 1; i >= 0; i--) {
      reverse(b.stmts.get(i));
    }
    if (!top) {
      materializeAll();
      declared.pop();
    }
  }


  private void reverse(Stmt s) {
    if (s instanceof Stmt.Assign a) {
      reverseAssign(a);
    } else if (s instanceof Stmt.ArrayStore st) {
      reverseStore(st);
    } else if (s instanceof Stmt.If f && plan.hasWork(f)) {
      enterRegion(f);
      int mark = out.mark();
      reverseComment(f.src, "branch");
      // an adjoint may be dropped inside a branch only where both branches drop it
      Set<Var> dropBoth = droppedAtTop(f.then);
      dropBoth.retainAll(droppedAtTop(f.otherwise));
      if (!droppable.isEmpty()) {
        dropBoth.retainAll(droppable.peek());
      }
      droppable.push(dropBoth);
      Map<Var, Expr> before = new LinkedHashMap<>(adj);
      Set<Var> deadBefore = new HashSet<>(dead);
      if (!hasReverseWork(f.then)) {
        // only the else branch has work: ask the negated condition
        out.openIf(new Expr.Apply(Op.NOT, List.of(f.cond), Type.BOOLEAN), Src.NONE);
        reverseBlock(f.otherwise, false);
      } else {
        out.openIf(f.cond, Src.NONE);
        reverseBlock(f.then, false);
        if (hasReverseWork(f.otherwise)) {
          out.otherwise();
          adj.clear();
          adj.putAll(before);
          dead.retainAll(deadBefore);
          reverseBlock(f.otherwise, false);
        }
      }
      dead.retainAll(deadBefore);
      out.close();
      out.dropSinceIfEmpty(mark);
      droppable.pop();
      adj.keySet().removeIf(dropBoth::contains);
      dead.addAll(dropBoth); // both branches killed them, and nothing above reads them
    } else if (s instanceof Stmt.Loop l && plan.fused(l) != null) {
      if (l.src.known()) {
        out.comment("line " + l.src.line() + ": " + l.src.text() + " (its adjoint ran inside the loop)");
      }
    } else if (s instanceof Stmt.Loop l && plan.hasWork(l) && plan.reduction(l) != null) {
      reductions.get(l).reverse();
    } else if (s instanceof Stmt.Loop l && plan.hasWork(l)) {
      enterRegion(l);
      int mark = out.mark();
      droppable.push(Set.of());
      reverseLoop(l);
      droppable.pop();
      out.dropSinceIfEmpty(mark);
    } else if (s instanceof Stmt.Nested n && plan.hasWork(n)) {
      enterRegion(n);
      out.openBlock();
      reverseBlock(n.block, false);
      out.close();
    }
  }

  /** Variables a block reassigns at its top level whose adjoint is read nowhere above. */
  private Set<Var> droppedAtTop(Block b) {
    Set<Var> dropped = new HashSet<>();
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Assign a && !a.declaration && !plan.adjointLiveBefore(a)) {
        dropped.add(a.target);
      }
    }
    return dropped;
  }

  private boolean hasReverseWork(Block b) {
    return !b.carried.isEmpty() || b.stmts.stream().anyMatch(plan::hasWork);
  }

  private void reverseLoop(Stmt.Loop l) {
    reverseComment(l.src, "loop, run backwards");
    Expr n = new Ref(l.counter);
    Expr one = Const.ofInt(1);
    Stmt.Loop back;
    if (l.counted() && Math.abs(l.step) == 1) {
      // the index of a counted loop is recomputed, never taped
      Var i = l.index;
      Expr start = l.startCopy != null ? new Ref(l.startCopy) : l.start;
      boolean zero = l.startCopy == null && l.start instanceof Const c && c.is(0);
      if (l.step == 1) {
        Expr first = zero ? intOp(Op.SUB, n, one) : intOp(Op.SUB, intOp(Op.ADD, start, n), one);
        back = new Stmt.Loop(Stmt.Loop.Kind.FOR, i, first, -1,
            new Expr.Apply(Op.GE, List.of(new Ref(i), start), Type.BOOLEAN), new Block(), new Block(), Src.NONE);
      } else {
        Expr first = intOp(Op.ADD, intOp(Op.SUB, start, n), one);
        back = new Stmt.Loop(Stmt.Loop.Kind.FOR, i, first, 1,
            new Expr.Apply(Op.LE, List.of(new Ref(i), start), Type.BOOLEAN), new Block(), new Block(), Src.NONE);
      }
      out.openLoop(back);
    } else {
      Var k = new Var(names.fresh("_k"), Type.INT, Var.Kind.SYNTHETIC);
      back = new Stmt.Loop(Stmt.Loop.Kind.FOR, k, intOp(Op.SUB, n, one), -1,
          new Expr.Apply(Op.GE, List.of(new Ref(k), Const.ofInt(0)), Type.BOOLEAN), new Block(), new Block(), Src.NONE);
      out.openLoop(back);
      if (l.counted()) {
        Expr start = l.startCopy != null ? new Ref(l.startCopy) : l.start;
        out.declare(l.index, intOp(Op.ADD, start, intOp(Op.MUL, new Ref(k), Const.ofInt(l.step))));
      }
    }
    back.adjoint = true;
    recomputeIteration(l);
    declared.push(new LinkedHashSet<>());
    reverseBlock(l.update, false);
    reverseBlock(l.body, false);
    declared.pop();
    out.close();
    if (l.counted() && l.step == 1) {
      restoreBeforeLoop(l, back, l.startCopy != null ? new Ref(l.startCopy) : l.start, n);
      CountersFromIndex.rewrite(l, back, l.startCopy != null ? new Ref(l.startCopy) : l.start, n, names, out);
    }
  }

  /**
   * A loop whose overwritten elements were pushed before it at once ({@link #savedWhole}) pops
   * them back at once too, before its adjoint, when that adjoint reads no element of the array:
   * one copy instead of a pop per iteration (which also keeps the loop from being vectorised).
   */
  private void restoreBeforeLoop(Stmt.Loop l, Stmt.Loop back, Expr start, Expr trips) {
    Stmt.ArrayStore saved = null;
    for (Stmt s : l.body.stmts) {
      if (s instanceof Stmt.ArrayStore st && savedBeforeLoop.contains(st)) {
        saved = st;
      }
    }
    if (saved == null) {
      return;
    }
    Var a = saved.array;
    Stmt restore = null;
    for (Stmt s : back.body.stmts) {
      if (s instanceof Stmt.ArrayStore st && st.array == a && st.index instanceof Ref i && i.var() == l.index
          && st.value instanceof Expr.Invoke pop && pop.method().equals("popDouble")) {
        restore = s;
      }
    }
    Stmt only = restore;
    boolean[] other = {false};
    Blocks.walk(back.body, s -> {
      if (s != only) {
        other[0] |= s instanceof Stmt.ArrayStore st && st.array == a
            || Blocks.exprs(s).stream().anyMatch(e -> e.reads(a))
            || s instanceof Stmt.Eval e && e.call.reads(a);
      }
    });
    if (restore == null || other[0]) {
      return;
    }
    back.body.stmts.remove(restore);
    out.insertBefore(back, new Stmt.Comment("the elements of " + a.name() + " the loop overwrote, put back at once"));
    out.insertBefore(back, new Stmt.Eval(tapeCall("popDoubles", new Ref(a), start, trips)));
  }

  /** The forward sweeps' notes of running maxima and minima, for their reverse sweeps. */
  private final Map<Stmt.Loop, ReductionSweeps> reductions = new java.util.IdentityHashMap<>();

  /**
   * A loop that only takes a running maximum or minimum m ({@link
   * dev.adjoint.processor.analysis.MaxReductions}): the forward sweep keeps m's value before the
   * loop and the last iteration that took the operand; the reverse sweep adds m's adjoint to the
   * operand at that iteration alone and restores m.
   */
  private final class ReductionSweeps {
    final Stmt.Loop loop;
    final dev.adjoint.processor.analysis.MaxReductions.Reduction r;
    final Var m;
    final Var before;
    final Var at;
    final Var taken;

    ReductionSweeps(Stmt.Loop loop, dev.adjoint.processor.analysis.MaxReductions.Reduction r) {
      this.loop = loop;
      this.r = r;
      this.m = r.step().target;
      this.before = new Var(names.fresh("_" + m.name() + "Before", false), Type.DOUBLE, Var.Kind.SYNTHETIC);
      this.at = new Var(names.fresh("_" + m.name() + "At", false), Type.INT, Var.Kind.SYNTHETIC);
      this.taken = new Var(names.fresh("_" + m.name() + "Taken", false), Type.BOOLEAN, Var.Kind.SYNTHETIC);
      reductions.put(loop, this);
    }

    void forward() {
      out.comment("keep for the reverse sweep: " + (r.restores() ? m.name() + " before the loop, and " : "")
          + "the last iteration whose operand " + m.name() + " took (its adjoint goes there alone)");
      if (r.restores()) {
        out.declare(before, new Ref(m));
      }
      out.declare(at, Const.ofInt(0));
      out.declare(taken, Const.ofBoolean(false));
      out.openLoop(new Stmt.Loop(loop.kind, loop.index, loop.start, loop.step, loop.cond, new Block(), new Block(), loop.src));
      if (loop.counter != null && !loop.tripsRecomputed) {
        out.update(loop.counter, Op.ADD, Const.ofInt(1));
      }
      Stmt.Assign step = r.step();
      Var operand = new Var(names.fresh("_t"), Type.DOUBLE, Var.Kind.SYNTHETIC);
      if (step.src.known()) {
        out.comment("line " + step.src.line() + ": " + step.src.text());
      }
      out.declare(operand, r.operand());
      out.openIf(r.takesOperand(new Ref(m), new Ref(operand)), Src.NONE);
      out.assign(at, new Ref(loop.index));
      out.assign(taken, Const.ofBoolean(true));
      out.close();
      Expr.Apply f = (Expr.Apply) step.value;
      List<Expr> args = r.operandFirst() ? List.of(new Ref(operand), new Ref(m)) : List.of(new Ref(m), new Ref(operand));
      out.add(new Stmt.Assign(m, new Expr.Apply(f.op(), args, f.type(), f.strict()), false, null, Src.NONE));
      out.close();
      if (r.notesTaped() && !untaped) {
        // its reverse sweep runs in another block: the notes on the tape, once per run of the loop
        out.eval(tapeCall("pushInt", new Ref(at)));
        out.eval(tapeCall("pushBoolean", new Ref(taken)));
        if (r.restores()) {
          out.eval(tapeCall("pushDouble", new Ref(before)));
        }
      }
    }

    void reverse() {
      reverseComment(loop.src, "its adjoint: to the operand of the last iteration that took it");
      flushPendingComment();
      if (r.notesTaped()) {
        if (r.restores()) {
          out.declare(before, tapeCall("popDouble"));
        }
        out.declare(taken, tapeCall("popBoolean"));
        out.declare(at, tapeCall("popInt"));
      }
      materialize(m);
      Expr adjM = current(m);
      if (!Sym.isZero(adjM)) {
        out.openIf(new Ref(taken), Src.NONE);
        out.declare(loop.index, new Ref(at));
        applyAll(Propagation.of(r.operand(), adjM, null, plan::isActive, Reverse.this::bind));
        out.assign(adjointVar(m), Const.ZERO);
        out.close();
      }
      flushReaders(m);
      if (r.restores()) {
        out.assign(m, new Ref(before));
      }
    }
  }

  /** a + b on ints, without a 0 + or adding up constants. */
  private static Expr plus(Expr a, Expr b) {
    if (a instanceof Const c && c.is(0)) {
      return b;
    }
    if (a instanceof Const c && b instanceof Const d) {
      return Const.ofInt((int) (c.asDouble() + d.asDouble()));
    }
    if (a instanceof Expr.Apply x && x.op() == Op.ADD && x.arg(1) instanceof Const c && b instanceof Const d) {
      return intOp(Op.ADD, x.arg(0), Const.ofInt((int) (c.asDouble() + d.asDouble())));
    }
    return intOp(Op.ADD, a, b);
  }

  private static Expr intOp(Op op, Expr a, Expr b) {
    return new Expr.Apply(op, List.of(a, b), Type.INT);
  }

  private void reverseAssign(Stmt.Assign a) {
    Var v = a.target;
    if (v.type().isDoubleArray() && a.value instanceof Expr.Call call && plan.isActive(v)
        && Propagation.isActive(call, plan::isActive)) {
      // double[] y = f(x): f's vector-Jacobian product with y's adjoint, which then dies
      reverseComment(a.src, null);
      flushPendingComment();
      applyAll(Propagation.of(call, new Ref(adjointVar(v)), null, plan::isActive, this::bind));
      return;
    }
    boolean activeTarget = plan.isActive(v) && (v.type() == Type.DOUBLE || v.type() == Type.TENSOR);
    if (!activeTarget) {
      if (a.save != Stmt.Save.NONE) {
        restore(a);
      }
      return;
    }
    reverseComment(a.src, null);
    boolean contributes = Propagation.isActive(a.value, plan::isActive);
    boolean selfRead = a.value.reads(v);
    if (selfRead && a.save != Stmt.Save.NONE) {
      restore(a);
    }
    Expr adjV = current(v);
    if (contributes && v.kind() != Var.Kind.SYNTHETIC && !(adjV instanceof Ref || adjV instanceof Const)) {
      // a source variable's adjoint gets its name: _d_a reads better than its formula twice
      materialize(v);
      adjV = current(v);
    }
    // after undoing v = e the adjoint of v is zero (v = f(v) adds f's share back below): an
    // adjoint read nowhere above is dropped (where every path drops it), else reset to zero
    boolean liveBefore = plan.adjointLiveBefore(a);
    boolean mayDrop = droppable.isEmpty() || droppable.peek().contains(v) || dead.contains(v);
    if (a.declaration || mayDrop && !liveBefore) {
      adj.remove(v);
      if (!liveBefore) {
        dead.add(v);
      }
    } else {
      adj.put(v, Const.ZERO);
    }
    if (contributes && !Sym.isZero(adjV)) {
      Expr result = selfRead && a.save != Stmt.Save.NONE ? null : new Ref(v);
      applyAll(Propagation.of(a.value, adjV, result, plan::isActive, this::bind));
    }
    if (!selfRead && a.save != Stmt.Save.NONE) {
      restore(a);
    }
  }

  private void reverseStore(Stmt.ArrayStore st) {
    if (st.replacesRow()) {
      replacedRow(st);
      return;
    }
    boolean activeTarget = plan.isActive(st.array);
    if (!activeTarget) {
      if (st.save != Stmt.Save.NONE) {
        restore(st);
      }
      return;
    }
    reverseComment(st.src, null);
    flushPendingComment();
    Var d = adjointVar(st.array);
    Expr increment = increment(st);
    if (increment != null) {
      // a[i] += e: the element's adjoint passes through unchanged; only e receives a share
      if (st.save != Stmt.Save.NONE) {
        restore(st);
      }
      if (Propagation.isActive(increment, plan::isActive)) {
        Var t = new Var(names.fresh("_t"), Type.DOUBLE, Var.Kind.SYNTHETIC);
        out.declare(t, new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(d), st.index), Type.DOUBLE));
        Expr.Apply sum = (Expr.Apply) st.value;
        Expr share = sum.op() == Op.SUB ? Sym.neg(new Ref(t)) : new Ref(t);
        applyAll(Propagation.of(increment, share, null, plan::isActive, this::bind));
      }
      return;
    }
    Expr adjV = null;
    if (Propagation.isActive(st.value, plan::isActive)) {
      Var t = new Var(names.fresh("_t"), Type.DOUBLE, Var.Kind.SYNTHETIC);
      out.declare(t, new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(d), st.index), Type.DOUBLE));
      adjV = new Ref(t);
    }
    out.store(d, st.index, Const.ZERO);
    if (st.save != Stmt.Save.NONE) {
      restore(st);
    }
    if (adjV != null) {
      applyAll(Propagation.of(st.value, adjV, null, plan::isActive, this::bind));
    }
  }

  /**
   * {@code m[i] = new double[k]} undone: the old row back, and an adjoint row of its shape, zero
   * (what the old row held was dropped by the store: nothing after it read that).
   */
  private void replacedRow(Stmt.ArrayStore st) {
    if (st.save == Stmt.Save.NONE) {
      return;
    }
    reverseComment(st.src, null);
    flushPendingComment();
    restore(st);
    if (plan.isActive(st.array)) {
      Expr old = new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(st.array), st.index), st.overwrittenType());
      out.store(adjointVar(st.array), st.index, new Expr.Invoke(dev.adjoint.processor.emit.Naming.ADJOINTS, null,
          "zerosLike", List.of(old), st.overwrittenType()));
    }
  }

  /**
   * For {@code a[i] = a[i] + e} or {@code a[i] = a[i] - e} (as {@code +=}, {@code -=} write it)
   * with e not reading a: e; else null.
   */
  private static Expr increment(Stmt.ArrayStore st) {
    if (!(st.value instanceof Expr.Apply sum) || sum.op() != Op.ADD && sum.op() != Op.SUB
        || !(sum.arg(0) instanceof Expr.Apply read) || read.op() != Op.ARRAY_READ
        || !(read.arg(0) instanceof Ref r) || r.var() != st.array || !read.arg(1).equals(st.index)
        || sum.arg(1).reads(st.array)) {
      return null;
    }
    return sum.arg(1);
  }

  /** Applies contributions, summing those that go to the same array element first. */
  private void applyAll(List<Contribution> contributions) {
    record Key(Propagation.Target target, Expr guard) {}
    Map<Key, Expr> merged = new LinkedHashMap<>();
    for (Contribution c : contributions) {
      if (c.target() instanceof Propagation.ToElement) {
        merged.merge(new Key(c.target(), c.guard()), c.amount(), Sym::add);
      } else {
        apply(c);
      }
    }
    merged.forEach((k, amount) -> apply(new Contribution(k.target(), amount, k.guard())));
  }

  /** A partial read from a record whose partials were carried: the local that carries it. */
  private Expr unpack(Expr e) {
    if (e == null || !bulkSaves) {
      return e;
    }
    return e.map(x -> {
      if (x instanceof Expr.RecordGet g && plan.unpacked(g.record()) != null
          && plan.unpacked(g.record()).containsKey(g.accessor())) {
        return new Ref(plan.unpacked(g.record()).get(g.accessor()));
      }
      if (x instanceof Expr.Call call && call.derivative() != null && plan.unpacked(call.derivative()) != null) {
        return new Ref(plan.unpacked(call.derivative()).get("value")); // written record.value()
      }
      return x;
    });
  }

  private void apply(Contribution c) {
    c = new Contribution(c.target(), unpack(c.amount()), unpack(c.guard()));
    if (!(c.target() instanceof Propagation.ToVar)) {
      flushPendingComment();
      if (c.guard() != null) {
        out.openIf(c.guard(), Src.NONE);
        apply(new Contribution(c.target(), c.amount()));
        out.close();
        return;
      }
    }
    if (c.target() instanceof Propagation.ToVar t) {
      Expr sum = Sym.add(current(t.var()), c.amount());
      adj.put(t.var(), sum);
      if (isDeclared(t.var()) || declared.size() == 1) {
        boundPending(t.var(), sum);
      }
    } else if (c.target() instanceof Propagation.ToElement e) {
      boolean minus = c.amount() instanceof Expr.Apply n && n.op() == Op.NEG;
      out.storeUpdate(adjointVar(e.array()), e.index(), minus ? Op.SUB : Op.ADD,
          minus ? ((Expr.Apply) c.amount()).arg(0) : c.amount());
    } else if (c.target() instanceof Propagation.ToArray a) {
      Expr target = a.index() == null ? new Ref(adjointVar(a.array()))
          : new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(adjointVar(a.array())), a.index()),
              a.array().type().indexed(a.index() instanceof Expr.Apply ix && ix.op() == Op.INDICES ? ix.args().size() : 1));
      out.eval(new Expr.Invoke(ADJOINTS, null, "addScaled", List.of(target, c.amount(), a.vector()), Type.OBJECT));
    } else if (c.target() instanceof Propagation.ToCallersArrays a) {
      // the callee adds amount × its gradient into these adjoint arrays itself; a zero amount
      // adds nothing (the minimum of k distances passes its adjoint to one of them)
      Expr amount = bind(c.amount());
      if (!(amount instanceof Const)) {
        out.openIf(new Expr.Apply(Op.NE, List.of(amount, Const.ZERO), Type.BOOLEAN), Src.NONE);
      }
      out.eval(accumulateCall(a.call(), amount));
      if (!(amount instanceof Const)) {
        out.close();
      }
    }
  }

  /**
   * Parameters without a derivative passed where an accumulating callee differentiates: the
   * callee adds its share for them somewhere, into one array made once (read by nothing) rather
   * than a new one per call.
   */
  private Set<Var> sinks() {
    Set<Var> out = new HashSet<>();
    Blocks.walk(graph.body(), s -> {
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Call c && c.target().kind() == CallTarget.Kind.ACCUMULATE) {
            for (int i = 0; i < c.args().size(); i++) {
              if (c.target().hasPartial(i) && c.args().get(i) instanceof Ref r
                  && r.var().kind() == Var.Kind.PARAMETER && !plan.isActive(r.var())) {
                out.add(r.var());
              }
            }
          }
        });
      }
    });
    return out;
  }

  /** {@code G.fAccumulate(args..., amount, adjoint arrays of the differentiated arguments...)}. */
  private Expr accumulateCall(Expr.Call call, Expr amount) {
    CallTarget t = call.target();
    List<Expr> args = new ArrayList<>(call.args());
    args.add(amount);
    for (int i = 0; i < call.args().size(); i++) {
      if (t.hasPartial(i)) {
        Var array = ((Ref) call.args().get(i)).var();
        args.add(plan.isActive(array) || array.kind() == Var.Kind.PARAMETER ? new Ref(adjointVar(array))
            // an argument that carries no derivative: its share goes nowhere
            : array.type().isNdDoubleArray()
                ? new Expr.Invoke(ADJOINTS, null, "zerosLike", List.of(new Ref(array)), array.type())
                : new Expr.Apply(Op.NEW_ARRAY, List.of(new Expr.Apply(Op.ARRAY_LENGTH, List.of(new Ref(array)),
                    Type.INT)), Type.DOUBLE_ARRAY));
      }
    }
    return new Expr.Invoke(t.derivativeOwner(), null, t.derivativeName(), args, Type.OBJECT);
  }

  /** An adjoint several operands share becomes a temporary when it is more than a name. */
  private Expr bind(Expr e) {
    e = unpack(e);
    if (e instanceof Ref || e instanceof Const || e.size() <= 3 && e.type() != Type.TENSOR) {
      return e; // cheap enough to repeat; a tensor expression never is
    }
    flushPendingComment();
    // a callee's gradient record (type OBJECT) is declared with var
    Var t = new Var(names.fresh("_t"), e.type(), Var.Kind.SYNTHETIC);
    out.declare(t, e);
    return new Ref(t);
  }

  /** A fill loop run again where its iteration's adjoint begins ({@code analysis.Refills}). */
  private void refill(Stmt.Loop f) {
    Stmt.ArrayStore st = (Stmt.ArrayStore) f.body.stmts.get(0);
    flushReaders(st.array);
    out.comment("recompute " + st.array.name() + " as this iteration filled it (not taped)");
    out.add(new Stmt.Loop(f.kind, f.index, f.start, f.step, f.cond,
        new Block(List.of(new Stmt.ArrayStore(st.array, st.index, st.value, null, st.src))), new Block(), f.src));
  }

  private void restore(Stmt.Assign a) {
    flushReaders(a.target);
    if (a.save == Stmt.Save.INVERT) {
      // a step undone: idx++ by idx--, sign = -sign by itself
      Expr.Apply back = (Expr.Apply) a.undo.value;
      if (back.op() == Op.NEG) {
        out.assign(a.target, back);
      } else {
        out.update(a.target, back.op(), back.arg(1));
      }
      return;
    }
    Expr from = a.save == Stmt.Save.LOCAL ? new Ref(a.saved) : tapeCall(pop(a.target.type()));
    out.assign(a.target, from);
  }

  private void restore(Stmt.ArrayStore st) {
    flushReaders(st.array);
    Expr from = st.save == Stmt.Save.LOCAL ? new Ref(st.saved) : tapeCall(pop(st.overwrittenType()));
    out.store(st.array, st.index, from);
  }

  // ================================================================ symbolic adjoints

  private Expr current(Var v) {
    return adj.getOrDefault(v, Const.ZERO);
  }

  private Var adjointVar(Var v) {
    return adjointVars.computeIfAbsent(v, x -> new Var(names.adjoint(x),
        x.type(), Var.Kind.SYNTHETIC));
  }

  private boolean isDeclared(Var v) {
    return declared.stream().anyMatch(s -> s.contains(v));
  }

  /** Before a value changes, every pending adjoint that reads it is written out. */
  private void flushReaders(Var changed) {
    for (Var w : new ArrayList<>(adj.keySet())) {
      Expr e = adj.get(w);
      if (e != null && e.reads(changed)) {
        materialize(w);
      }
    }
  }

  private void materializeAll() {
    for (Var w : new ArrayList<>(adj.keySet())) {
      materialize(w);
    }
  }

  /** Makes the local {@code _d_w} hold w's current adjoint. */
  private void materialize(Var w) {
    materialize(w, new HashSet<>());
  }

  /**
   * Most nodes a pending adjoint may grow to before it is written into its variable: a chain of
   * thousands of calls ({@code sin(sin(...))}) would otherwise carry a product of thousands of
   * factors from statement to statement, rebuilt at each (quadratic in the depth). Far above
   * what the adjoints of ordinary statements hold, so their code is unchanged.
   */
  private static final int PENDING_NODES = 256;

  private void boundPending(Var w, Expr pending) {
    int[] budget = {PENDING_NODES};
    pending.forEach(x -> budget[0]--); // stops mattering past the budget; cheap below it
    if (budget[0] < 0) {
      materialize(w);
    }
  }

  private void materialize(Var w, Set<Var> inProgress) {
    Expr e = adj.get(w);
    if (e == null) {
      return;
    }
    Var d = adjointVar(w);
    Ref dRef = new Ref(d);
    if (e.equals(dRef)) {
      return;
    }
    flushPendingComment();
    if (isDeclared(w)) {
      inProgress.add(w);
      // whoever still reads the old _d_w must read it before it changes
      for (Var x : new ArrayList<>(adj.keySet())) {
        Expr xe = adj.get(x);
        if (x != w && xe != null && xe.reads(d)) {
          if (inProgress.contains(x)) {
            Var t = new Var(names.fresh("_t"), d.type(), Var.Kind.SYNTHETIC);
            out.declare(t, dRef);
            for (Var y : new ArrayList<>(adj.keySet())) {
              if (y != w) {
                adj.put(y, adj.get(y).map(z -> z.equals(dRef) ? new Ref(t) : z));
              }
            }
          } else {
            materialize(x, inProgress);
          }
        }
      }
      e = adj.get(w);
      if (w.type() == Type.TENSOR) {
        if (e instanceof Expr.Apply sum && sum.op() == Op.T_ADD && sum.arg(0).equals(dRef)
            && !sum.arg(1).reads(d)) {
          out.update(d, Op.T_ADD, sum.arg(1));
        } else {
          out.assign(d, tensorZero(w, e));
        }
        adj.put(w, dRef);
        return;
      }
      Expr rest = Sym.sub(e, dRef);
      if (!rest.reads(d)) {
        if (!Sym.isZero(rest)) {
          if (rest instanceof Expr.Apply n && n.op() == Op.NEG) {
            out.update(d, Op.SUB, n.arg(0));
          } else {
            out.update(d, Op.ADD, rest);
          }
        }
      } else {
        out.assign(d, e);
      }
    } else {
      out.declare(d, tensorZero(w, e));
      declared.peek().add(w);
    }
    adj.put(w, dRef);
  }

  /** A zero adjoint of a tensor is a tensor of zeros of its shape. */
  private static Expr tensorZero(Var w, Expr e) {
    return w.type() == Type.TENSOR && Sym.isZero(e) ? Rules.zerosLike(new Ref(w)) : e;
  }

  /**
   * Before a branch or loop updates adjoints in place, each one it touches becomes a local
   * declared outside it.
   */
  private void enterRegion(Stmt region) {
    materializeAll();
    Set<Var> inside = new HashSet<>();
    Set<Var> touched = new LinkedHashSet<>();
    for (Block b : Blocks.children(region)) {
      Blocks.walk(b, s -> {
        if (s instanceof Stmt.Assign a) {
          if (a.declaration) {
            inside.add(a.target);
          }
          touched.add(a.target);
          a.value.forEach(x -> {
            if (x instanceof Ref r) {
              touched.add(r.var());
            }
          });
        } else if (s instanceof Stmt.ArrayStore st) {
          st.value.forEach(x -> {
            if (x instanceof Ref r) {
              touched.add(r.var());
            }
          });
        }
      });
    }
    for (Var u : touched) {
      if (inside.contains(u) || u.type() != Type.DOUBLE && u.type() != Type.TENSOR
          || !plan.isActive(u) || dead.contains(u) || adj.containsKey(u)) {
        continue;
      }
      flushPendingComment();
      if (!isDeclared(u)) {
        out.declare(adjointVar(u), tensorZero(u, Const.ZERO));
        declared.peek().add(u);
      } else {
        // the local still holds the adjoint of a value an assignment below killed (its adjoint
        // was dropped there): the region updates it in place, so it must start from zero
        out.assign(adjointVar(u), tensorZero(u, Const.ZERO));
      }
      adj.put(u, new Ref(adjointVar(u)));
    }
  }

  // ================================================================ comments

  private void reverseComment(Src src, String what) {
    if (src.equals(lastReverseComment)) {
      return;
    }
    if (what != null) {
      lastReverseComment = src;
      if (src.known()) {
        out.comment("line " + src.line() + ": " + src.text() + " (" + what + ")");
      }
      commentPending = null;
    } else {
      commentPending = src.known() ? src : commentPending;
    }
  }

  private void flushPendingComment() {
    if (commentPending != null) {
      out.comment("line " + commentPending.line() + ": " + commentPending.text());
      lastReverseComment = commentPending;
      commentPending = null;
    }
  }
}
