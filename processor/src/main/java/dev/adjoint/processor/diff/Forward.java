package dev.adjoint.processor.diff;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.diff.rules.Rules;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward mode (tangents, dual numbers written inline): next to every statement that computes
 * a value depending on the seeded inputs, a statement computes its directional derivative
 * {@code _dot_v} from the same rule table (a scalar rule's partials times the operands'
 * tangents). Branches and loops keep their shape: the tangent follows the path the value takes,
 * so nothing is taped.
 *
 * <p>The transform takes graph statements and gives graph statements, so it applies to a
 * method's body (a Jacobian-vector product) and equally to the reverse sweep written for it
 * (forward over reverse: Hessian-vector products). For the latter it understands the reverse
 * sweep's tape (a value's tangent travels with it: pushed after it, popped before it) and its
 * callees' gradient records (whose tangents come from the callee's own Hessian-vector product).
 */
public final class Forward {
  /** What a differentiated call's record turns into under the transform. */
  public interface CallTangents {
    /**
     * The expression giving the tangent of {@code record} (a callee's gradient record computed
     * by {@code call}), or null when the callee cannot provide one.
     */
    Expr recordTangent(Expr.Invoke call, CallTarget target, List<Expr> argTangents);

    /** The tangent of component {@code accessor} of a record, given the record's tangent var. */
    Expr componentTangent(Var recordTangent, CallTarget target, String accessor);

    /** The tangent record for a call whose branch of ?: was not taken, or null when unknown. */
    default Expr zeroTangent(CallTarget target) {
      return null;
    }
  }

  private final Names names;
  private final CallTangents calls;
  private final Map<Var, Var> tangents = new LinkedHashMap<>();
  private final Set<Var> varied = new HashSet<>();
  /** The callee behind each gradient-record variable, keyed by the record's tangent. */
  private final Map<Var, CallTarget> recordTargets = new HashMap<>();
  private final Map<Var, CallTarget> records;
  private final List<String> problems = new ArrayList<>();
  private final Set<Var> bookkeeping = new HashSet<>();

  /** {@code records}: the callee of each gradient-record variable of the method. */
  public Forward(Names names, CallTangents calls, Map<Var, CallTarget> records) {
    this.names = names;
    this.calls = calls;
    this.records = records;
  }

  /** The tangent variable of each varied variable (seeds included), in the order they arose. */
  public java.util.Collection<Var> tangentVars() {
    return tangents.values();
  }

  /** Problems found (constructs the forward transform cannot handle); empty when all is well. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Transforms {@code body}; {@code seeds} gives, for each input, the variable holding its
   * tangent. Returns the new body; {@link #tangent(Expr)} then gives tangents of expressions
   * valid at its end.
   */
  public Block transform(Block body, Map<Var, Var> seeds) {
    this.seeds = Set.copyOf(seeds.values());
    tangents.putAll(seeds);
    varied.addAll(seeds.keySet());
    findVaried(body);
    // trip counters serve the reverse sweep only
    Blocks.walk(body, s -> {
      if (s instanceof Stmt.Loop l) {
        if (l.counter != null) {
          bookkeeping.add(l.counter);
        }
        if (l.startCopy != null) {
          bookkeeping.add(l.startCopy);
        }
      }
    });
    Block out = new Block();
    // a double parameter without a seed (outside wrt) that the body sets from varying values:
    // its tangent starts at zero
    Set<Var> unseeded = new java.util.LinkedHashSet<>();
    Blocks.walk(body, s -> {
      if (s instanceof Stmt.Assign a && a.target.isParameter() && a.target.type() == Type.DOUBLE
          && varied.contains(a.target) && !seeds.containsKey(a.target)) {
        unseeded.add(a.target);
      }
    });
    for (Var p : unseeded) {
      out.stmts.add(new Stmt.Assign(tangentVar(p), Const.ZERO, true, null, Src.NONE));
    }
    block(body, out);
    return out;
  }

  /**
   * Drops tangents nothing reads (a Hessian-vector product needs no tangent of the value),
   * except tangents popped from the tape, which keep the tape balanced.
   */
  public void removeUnread(Block out, List<Expr> results) {
    Set<Var> computed = new HashSet<>(tangents.values());
    computed.removeAll(seedsOf());
    boolean changed = true;
    while (changed) {
      Set<Var> read = new HashSet<>();
      for (Expr r : results) {
        r.forEach(x -> collect(x, read));
      }
      for (Stmt s : Blocks.all(out)) {
        for (Expr e : Blocks.exprs(s)) {
          e.forEach(x -> collect(x, read));
        }
        if (s instanceof Stmt.Eval ev) {
          ev.call.forEach(x -> collect(x, read));
        }
        if (s instanceof Stmt.ArrayStore st) {
          read.add(st.array); // an element write keeps the array
        }
      }
      changed = removeDead(out, computed, read);
    }
  }

  private Set<Var> seeds = Set.of();

  private Set<Var> seedsOf() {
    return seeds;
  }

  private static void collect(Expr x, Set<Var> read) {
    if (x instanceof Ref r) {
      read.add(r.var());
    } else if (x instanceof Expr.RecordGet g) {
      read.add(g.record());
    }
  }

  private static boolean removeDead(Block b, Set<Var> computed, Set<Var> read) {
    boolean removed = b.stmts.removeIf(s -> s instanceof Stmt.Assign a && computed.contains(a.target)
        && !read.contains(a.target) && !isPop(a.value));
    for (Stmt s : b.stmts) {
      for (Block c : Blocks.children(s)) {
        removed |= removeDead(c, computed, read);
      }
    }
    return removed;
  }

  /** The tangent of an expression, in terms of the tangent variables. */
  public Expr tangent(Expr e) {
    return tangentOf(e, null);
  }

  // ---------------------------------------------------------------- which values vary

  private void findVaried(Block body) {
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Stmt s : Blocks.all(body)) {
        if (s instanceof Stmt.Assign a && !varied.contains(a.target) && differentiable(a.target)
            && !isPop(a.value) && dependsOnVaried(a.value)
            && (a.target.type() != Type.OBJECT || calls != null && derivativeCall(a.value) != null)) {
          changed |= varied.add(a.target);
        } else if (s instanceof Stmt.ArrayStore st && !varied.contains(st.array) && differentiable(st.array)
            && !isPop(st.value) && dependsOnVaried(st.value)) {
          changed |= varied.add(st.array);
        }
      }
    }
  }

  private static boolean differentiable(Var v) {
    return v.type() == Type.DOUBLE || v.type().isDoubleArray() || v.type() == Type.OBJECT
        || v.type() == Type.TENSOR;
  }

  private boolean dependsOnVaried(Expr e) {
    boolean[] found = {false};
    e.forEach(x -> {
      if (x instanceof Ref r && varied.contains(r.var()) && r.var().type() != Type.OBJECT
          || x instanceof Expr.RecordGet g && varied.contains(g.record())) {
        found[0] = true;
      }
    });
    Expr.Invoke inv = derivativeCall(e);
    if (!found[0] && inv != null && inv.type() == Type.OBJECT && inv.owner() != null) {
      // a callee's gradient record varies with its arguments
      return inv.args().stream().anyMatch(this::dependsOnVaried);
    }
    return found[0];
  }

  /** A callee's derivative call, possibly guarded ({@code c ? Grad.f(x) : null} in a branch of ?:). */
  private static Expr.Invoke derivativeCall(Expr e) {
    if (e instanceof Apply a && a.op() == Op.COND && a.type() == Type.OBJECT) {
      e = a.arg(1);
    }
    return e instanceof Expr.Invoke i ? i : null;
  }

  private static boolean isPop(Expr e) {
    return e instanceof Expr.Invoke i && i.receiver() != null && i.method().startsWith("pop");
  }

  /** Room made on the tape ahead of a loop: its argument is a count (of an array's length, say), never a value. */
  private static boolean isReserve(Expr e) {
    return e instanceof Expr.Invoke i && i.receiver() != null && i.method().startsWith("reserve");
  }

  private static boolean isPush(Expr e) {
    return e instanceof Expr.Invoke i && i.receiver() != null && i.method().startsWith("push");
  }

  private Var tangentVar(Var v) {
    return tangents.computeIfAbsent(v, x -> {
      String base = x.name().startsWith("_") ? "_dot" + x.name() : "_dot_" + x.name();
      // a gradient record's tangent is the callee's Hessian-vector product record
      com.palantir.javapoet.TypeName type = x.objectType();
      if (x.type() == Type.OBJECT && records.get(x) != null
          && records.get(x).derivativeType() instanceof com.palantir.javapoet.ClassName record) {
        type = record.peerClass(record.simpleName() + "Hvp");
      }
      return new Var(names.fresh(base, false), x.type(), Var.Kind.SYNTHETIC, type);
    });
  }

  // ---------------------------------------------------------------- statements

  private void block(Block in, Block out) {
    for (Stmt s : in.stmts) {
      statement(s, out);
    }
  }

  private void statement(Stmt s, Block out) {
    if (s instanceof Stmt.Assign a && bookkeeping.contains(a.target)) {
      return;
    }
    if (s instanceof Stmt.Assign a) {
      assign(a, out);
    } else if (s instanceof Stmt.ArrayStore st) {
      store(st, out);
    } else if (s instanceof Stmt.Eval e) {
      out.stmts.add(s);
      if (isPush(e.call)) {
        Expr pushed = ((Expr.Invoke) e.call).args().get(0);
        Expr t = pushedTangent(pushed);
        if (t != null) {
          Expr.Invoke push = (Expr.Invoke) e.call;
          out.stmts.add(new Stmt.Eval(new Expr.Invoke(null, push.receiver(), push.method(), List.of(t), push.type())));
        }
      } else if (dependsOnVaried(e.call) && !isReserve(e.call)) {
        problems.add(helperProblem((Expr.Invoke) e.call));
      }
    } else if (s instanceof Stmt.If f) {
      Stmt.If copy = new Stmt.If(f.cond, new Block(), new Block(), f.src);
      block(f.then, copy.then);
      block(f.otherwise, copy.otherwise);
      out.stmts.add(copy);
    } else if (s instanceof Stmt.Loop l) {
      Stmt.Loop copy = new Stmt.Loop(l.kind, l.index, l.start, l.step, l.cond, new Block(), new Block(), l.src);
      copy.adjoint = l.adjoint;
      block(l.body, copy.body);
      block(l.update, copy.update);
      out.stmts.add(copy);
    } else if (s instanceof Stmt.Nested n) {
      Stmt.Nested copy = new Stmt.Nested(new Block(), n.src);
      block(n.block, copy.block);
      out.stmts.add(copy);
    } else {
      out.stmts.add(s);
    }
  }

  /**
   * What a runtime helper call of the reverse sweep stands for, in the user's terms: an array
   * argument's share of a callee's gradient ({@code Adjoints.addScaled(_d_a, s, _r.a())}) is the
   * call of that callee with an array that carries a derivative.
   */
  private String helperProblem(Expr.Invoke call) {
    if (call.method().equals("addScaled")) {
      String[] callee = {"a method"};
      call.args().get(2).forEach(x -> {
        Var record = x instanceof Expr.RecordGet g ? g.record()
            : x instanceof Expr.Invoke i && i.receiver() instanceof Ref r ? r.var() : null;
        if (record != null && records.get(record) != null) {
          callee[0] = records.get(record).name();
        }
      });
      return "the call of " + callee[0] + " with an array argument that carries a derivative (second-order code "
          + "follows derivatives through calls of doubles only: pass the callee the elements it needs as doubles)";
    }
    return "the helper call " + call.method();
  }

  /** The tangent of a pushed value, or null when it does not vary (then none is pushed). */
  private Expr pushedTangent(Expr pushed) {
    if (pushed instanceof Ref r) {
      return varied.contains(r.var()) ? new Ref(tangentVar(r.var())) : null;
    }
    if (pushed instanceof Apply a && a.op() == Op.ARRAY_READ && a.arg(0) instanceof Ref r) {
      return varied.contains(r.var()) // an element, or a row a row replacement keeps
          ? new Apply(Op.ARRAY_READ, List.of(new Ref(tangentVar(r.var())), a.arg(1)), a.type()) : null;
    }
    return null;
  }

  private void assign(Stmt.Assign a, Block out) {
    Var v = a.target;
    if (!varied.contains(v)) {
      out.stmts.add(a);
      return;
    }
    Var dv = tangentVar(v);
    if (isPop(a.value)) {
      // the tangent was pushed after the value, so it comes off the tape first
      out.stmts.add(new Stmt.Assign(dv, a.value, a.declaration, null, Src.NONE));
      out.stmts.add(a);
      return;
    }
    if (v.type() == Type.OBJECT) {
      out.stmts.add(a);
      Expr.Invoke call = derivativeCall(a.value);
      List<Expr> argTangents = call.args().stream().map(this::tangent).toList();
      Expr t = calls.recordTangent(call, records.get(v), argTangents);
      if (t == null) {
        problems.add("the call of " + call.method());
        return;
      }
      if (a.value instanceof Apply guarded && calls.zeroTangent(records.get(v)) != null) {
        // the branch not taken has a zero record: its tangent is zero too
        t = new Apply(Op.COND, List.of(guarded.arg(0), t, calls.zeroTangent(records.get(v))), Type.OBJECT);
      } else if (a.value instanceof Apply) {
        problems.add("the call of " + call.method() + " in a branch of ?:");
        return;
      }
      recordTargets.put(dv, records.get(v));
      out.stmts.add(new Stmt.Assign(dv, t, a.declaration, null, Src.NONE));
      return;
    }
    if (a.value instanceof Apply n && n.op() == Op.NEW_ARRAY
        || v.type().isNdDoubleArray() && a.value instanceof Expr.Invoke z && z.method().equals("zerosLike")) {
      // a fresh array of zeros (an n-D adjoint shaped like its parameter): its tangent is one too
      out.stmts.add(a);
      out.stmts.add(new Stmt.Assign(dv, a.value, a.declaration, null, Src.NONE));
      return;
    }
    boolean selfRead = a.value.reads(v);
    Expr t = tangentOf(a.value, selfRead ? null : new Ref(v));
    if (v.type() == Type.TENSOR && Sym.isZero(t)) {
      t = Rules.zerosLike(selfRead ? a.value : new Ref(v));
    }
    Stmt tangentStmt = new Stmt.Assign(dv, t, a.declaration, null, Src.NONE);
    if (!a.declaration && t instanceof Ref same && same.var() == dv) {
      out.stmts.add(a); // the tangent stays what it was (v += a value of zero tangent)
      return;
    }
    if (selfRead) {
      // the tangent reads the old value: compute it first
      out.stmts.add(a.declaration ? tangentStmt : new Stmt.Assign(dv, t, false, null, Src.NONE));
      out.stmts.add(a);
    } else {
      out.stmts.add(a);
      out.stmts.add(tangentStmt);
    }
  }

  private void store(Stmt.ArrayStore st, Block out) {
    if (!varied.contains(st.array)) {
      out.stmts.add(st);
      return;
    }
    Var da = tangentVar(st.array);
    if (st.replacesRow() && !isPop(st.value)) {
      // a new row of zeros (m[i] = new double[k], or an adjoint row shaped like one): its tangent
      // is a new row of zeros of that shape
      out.stmts.add(st);
      out.stmts.add(new Stmt.ArrayStore(da, st.index, st.value, null, Src.NONE));
      return;
    }
    if (isPop(st.value)) {
      out.stmts.add(new Stmt.ArrayStore(da, st.index, st.value, null, Src.NONE));
      out.stmts.add(st);
      return;
    }
    Expr t = tangentOf(st.value, null);
    // the tangent reads the operands before the element changes
    out.stmts.add(new Stmt.ArrayStore(da, st.index, t, null, Src.NONE));
    out.stmts.add(st);
  }

  // ---------------------------------------------------------------- expressions

  /** Σ ∂e/∂operand · tangent(operand), with {@code result} standing for e's value when known. */
  private Expr tangentOf(Expr e, Expr result) {
    if (e instanceof Ref r) {
      return varied.contains(r.var()) && r.var().type() != Type.OBJECT ? new Ref(tangentVar(r.var())) : Const.ZERO;
    }
    if (e instanceof Apply a && a.op() == Op.ARRAY_READ) {
      Var array = a.arg(0) instanceof Ref r ? r.var() : null; // or a static final table
      return array != null && varied.contains(array)
          ? new Apply(Op.ARRAY_READ, List.of(new Ref(tangentVar(array)), a.arg(1)), a.type()) : Const.ZERO;
    }
    if (e instanceof Expr.RecordGet g) {
      if (!varied.contains(g.record())) {
        return Const.ZERO;
      }
      Var t = tangentVar(g.record());
      if (recordTargets.get(t) == null) {
        return Const.ZERO; // its call had no tangent: already a problem, reported as an error
      }
      return calls.componentTangent(t, recordTargets.get(t), g.accessor());
    }
    if (e instanceof Apply a && a.op().isTensor()) {
      List<Expr> dx = new ArrayList<>();
      boolean any = false;
      for (Expr x : a.args()) {
        Expr t = x.type() == Type.DOUBLE || x.type() == Type.TENSOR ? tangentOf(x, null) : Const.ZERO;
        any |= !Sym.isZero(t);
        dx.add(t);
      }
      return any ? Rules.jvp(a, result != null ? result : a, dx) : Const.ZERO;
    }
    if (e instanceof Apply a && a.type() == Type.DOUBLE && !a.op().isTensor()) {
      List<Expr> partials = Rules.partials(a, result != null ? result : a);
      Expr sum = Const.ZERO;
      for (int i = 0; i < a.args().size(); i++) {
        if (partials.get(i) != null) {
          Expr ti = tangentOf(a.arg(i), null);
          if (!Sym.isZero(ti)) {
            sum = Sym.add(sum, Sym.mul(partials.get(i), ti));
          }
        }
      }
      return sum;
    }
    if (e instanceof Expr.Call c && c.type() != Type.DOUBLE && c.target().kind() == CallTarget.Kind.GENERATED
        && c.target().forward()) {
      // a layer or vector-valued callee: its own forward mode, along the arguments' tangents
      List<Expr> args = new ArrayList<>(c.args());
      boolean any = false;
      for (int i = 0; i < c.args().size(); i++) {
        if (!c.target().hasPartial(i)) {
          continue;
        }
        Expr arg = c.args().get(i);
        Expr t = tangentOf(arg, null);
        any |= !Sym.isZero(t);
        if (Sym.isZero(t)) {
          t = arg.type() == Type.TENSOR ? Rules.zerosLike(arg)
              : arg.type() == Type.DOUBLE_ARRAY ? new Apply(Op.NEW_ARRAY, List.of(
                  new Apply(Op.ARRAY_LENGTH, List.of(arg), Type.INT)), Type.DOUBLE_ARRAY) : Const.ZERO;
        }
        args.add(t);
      }
      if (!any) {
        return Const.ZERO;
      }
      Expr jvp = new Expr.Invoke(c.target().derivativeOwner(), null, c.target().name() + "Jvp", args, Type.OBJECT);
      return new Expr.Invoke(null, jvp, "tangent", List.of(), c.type());
    }
    if (e instanceof Expr.Call c && c.type() == Type.DOUBLE && c.derivative() == null) {
      // the planner computes a callee's derivative wherever the call's value reaches the result
      // (else a varying argument the callee does not differentiate is an error already): this
      // value does not (a comparison reads it), so its tangent is never needed
      return Const.ZERO;
    }
    if (e instanceof Expr.Call c && c.type() == Type.DOUBLE) {
      List<Expr> partials = Rules.partials(c);
      Expr sum = Const.ZERO;
      for (int i = 0; i < c.args().size(); i++) {
        Expr ti = tangentOf(c.args().get(i), null);
        if (Sym.isZero(ti)) {
          continue;
        }
        if (partials.get(i) == null) {
          problems.add("the call of " + c.target().name() + " with a varying "
              + c.args().get(i).type().javaName() + " argument it does not differentiate");
          continue;
        }
        if (c.args().get(i).type() == Type.TENSOR) {
          sum = Sym.add(sum, new Expr.Invoke(dev.adjoint.processor.emit.Naming.TENSOR_ADJOINTS, null, "sumOfProducts", List.of(partials.get(i), ti), Type.DOUBLE));
          continue;
        }
        if (c.args().get(i).type().isDoubleArray()) {
          // an array argument: the callee's gradient along the array's tangent
          sum = Sym.add(sum, new Expr.Invoke(dev.adjoint.processor.emit.Naming.ADJOINTS,
              null, "dot", List.of(partials.get(i), ti), Type.DOUBLE));
          continue;
        }
        sum = Sym.add(sum, Sym.mul(partials.get(i), ti));
      }
      return sum;
    }
    if (dependsOnVaried(e) && (e.type() == Type.DOUBLE || e.type() == Type.TENSOR)) {
      problems.add("'" + dev.adjoint.processor.emit.ExprWriter.text(e) + "'");
    }
    return Const.ZERO;
  }

}
