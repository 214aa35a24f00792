package dev.adjoint.processor.diff;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.analysis.Planner;
import dev.adjoint.processor.diff.Propagation.Contribution;
import dev.adjoint.processor.diff.rules.Rules;
import dev.adjoint.processor.emit.ExprWriter;
import dev.adjoint.processor.emit.GradClassWriter;
import dev.adjoint.processor.emit.Names;
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
  private static final ClassName TAPE = ClassName.get("dev.adjoint.runtime", "Tape");
  private static final ClassName ADJOINTS = ClassName.get("dev.adjoint.runtime", "Adjoints");

  private final MethodGraph graph;
  private final Planner plan;
  private final Names names;
  private final CodeBlock.Builder out = CodeBlock.builder();

  /** Current adjoint of each active scalar variable, in the order they were first touched. */
  private final Map<Var, Expr> adj = new LinkedHashMap<>();
  /** The {@code _d_} locals declared so far, per reverse-sweep scope. */
  private final Deque<Set<Var>> declared = new ArrayDeque<>();
  private final Map<Var, Var> adjointVars = new HashMap<>();
  /** Inside branches: the variables whose dead adjoint may be dropped rather than zeroed. */
  private final Deque<Set<Var>> droppable = new ArrayDeque<>();
  private Src commentPending;
  private Src lastReverseComment;
  private long lastForwardLine = -1;

  public Reverse(MethodGraph graph, Planner plan, Names names) {
    this.graph = graph;
    this.plan = plan;
    this.names = names;
  }

  /**
   * The method body; {@code record} is the result record's type, {@code seed} the adjoint the
   * result starts with: 1 for a double result, the caller's tensor for a layer's
   * vector-Jacobian product.
   */
  public CodeBlock body(TypeName record, Expr seed) {
    if (plan.usesTape()) {
      out.addStatement("$T $N = new $T()", TAPE, names.tape, TAPE);
    }
    forwardBlock(graph.body(), true);

    out.add("\n// reverse sweep\n");
    declared.push(new LinkedHashSet<>());
    for (Var a : arrayAdjoints()) {
      out.addStatement("double[] $N = new double[$N.length]", adjointVar(a).name(), a.name());
      declared.peek().add(a);
    }
    adj.put(graph.result(), seed);
    reverseBlock(graph.body(), true);

    List<CodeBlock> components = new ArrayList<>();
    components.add(CodeBlock.of("$N", graph.result().name()));
    for (Var p : graph.wrt()) {
      if (p.type() == Type.DOUBLE_ARRAY) {
        components.add(CodeBlock.of("$N", adjointVar(p).name()));
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
      components.add(ExprWriter.write(e));
    }
    out.addStatement("return new $T($L)", record, CodeBlock.join(components, ", "));
    return out.build();
  }

  /** Array adjoints live for the whole sweep: differentiated array parameters, active locals. */
  private List<Var> arrayAdjoints() {
    List<Var> arrays = new ArrayList<>();
    for (Var p : graph.params()) {
      if (p.type() == Type.DOUBLE_ARRAY && (graph.wrt().contains(p) || plan.isActive(p))) {
        arrays.add(p);
      }
    }
    for (Stmt s : graph.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && a.target.type() == Type.DOUBLE_ARRAY
          && plan.isActive(a.target)) {
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
    if (!top && !b.carried.isEmpty()) {
      out.add("// keep for the reverse sweep: $L\n",
          String.join(", ", b.carried.stream().map(Var::name).toList()));
      for (Var v : b.carried) {
        out.addStatement("$N.$N($N)", names.tape, push(v.type()), v.name());
      }
    }
  }

  private void forward(Stmt s) {
    if (s instanceof Stmt.Assign a) {
      sourceComment(a.src);
      save(a.save, a.saved, a.target.type(), CodeBlock.of("$N", a.target.name()));
      if (a.target.type() == Type.OBJECT) {
        out.addStatement("$T $N = $L", a.target.objectType(), a.target.name(),
            ExprWriter.derivativeCall((Expr.Call) a.value));
      } else if (a.declaration) {
        out.addStatement("$T $N = $L", GradClassWriter.javaType(a.target.type()), a.target.name(),
            ExprWriter.write(a.value));
      } else {
        out.addStatement("$N$L", a.target.name(), assignment(a.target, a.value, a.compound));
      }
    } else if (s instanceof Stmt.ArrayStore st) {
      sourceComment(st.src);
      CodeBlock element = CodeBlock.of("$N[$L]", st.array.name(), ExprWriter.write(st.index));
      save(st.save, st.saved, Type.DOUBLE, element);
      Expr read = new Expr.Apply(Op.ARRAY_READ, List.of(new Ref(st.array), st.index), Type.DOUBLE);
      out.addStatement("$L$L", element, assignment(read, st.value, st.compound));
    } else if (s instanceof Stmt.If f) {
      sourceComment(f.src);
      out.beginControlFlow("if ($L)", ExprWriter.write(f.cond));
      forwardBlock(f.then, false);
      if (!f.otherwise.stmts.isEmpty() || !f.otherwise.carried.isEmpty()) {
        out.nextControlFlow("else");
        forwardBlock(f.otherwise, false);
      }
      out.endControlFlow();
    } else if (s instanceof Stmt.Loop l) {
      forwardLoop(l);
    } else if (s instanceof Stmt.Nested n) {
      out.add("{\n$>");
      forwardBlock(n.block, false);
      out.add("$<}\n");
    } else {
      throw new IllegalStateException("not lowered: " + s.getClass().getSimpleName());
    }
  }

  private void forwardLoop(Stmt.Loop l) {
    sourceComment(l.src);
    CodeBlock cond = ExprWriter.write(l.cond);
    if (l.kind == Stmt.Loop.Kind.DO_WHILE) {
      out.beginControlFlow("do");
    } else if (l.counted()) {
      String i = l.index.name();
      CodeBlock update = l.step == 1 ? CodeBlock.of("$N++", i) : l.step == -1 ? CodeBlock.of("$N--", i)
          : l.step > 0 ? CodeBlock.of("$N += $L", i, l.step) : CodeBlock.of("$N -= $L", i, -l.step);
      out.beginControlFlow("for (int $N = $L; $L; $L)", i, ExprWriter.write(l.start), cond, update);
    } else {
      out.beginControlFlow("while ($L)", cond);
    }
    if (l.counter != null) {
      out.addStatement("$N++", l.counter.name());
    }
    forwardBlock(l.body, false);
    forwardBlock(l.update, false);
    if (l.kind == Stmt.Loop.Kind.DO_WHILE) {
      out.endControlFlow("while ($L)", cond);
    } else {
      out.endControlFlow();
    }
  }

  /** {@code = value}, or {@code += rhs} where the source used a compound assignment. */
  private static CodeBlock assignment(Object target, Expr value, Op compound) {
    if (compound != null && value instanceof Expr.Apply a && a.args().size() == 2) {
      Expr rhs = a.arg(1);
      if (rhs instanceof Const c && c.is(1) && c.type() != Type.DOUBLE) {
        return CodeBlock.of("$L", compound == Op.ADD ? "++" : "--");
      }
      return CodeBlock.of(" $L= $L", compound.symbol(), ExprWriter.write(rhs));
    }
    return CodeBlock.of(" = $L", ExprWriter.write(value));
  }

  private void save(Stmt.Save save, Var saved, Type type, CodeBlock value) {
    if (save == Stmt.Save.LOCAL) {
      out.addStatement("$T $N = $L", GradClassWriter.javaType(type), saved.name(), value);
    } else if (save == Stmt.Save.TAPE) {
      out.addStatement("$N.$N($L)", names.tape, push(type), value);
    }
  }

  private void sourceComment(Src src) {
    if (src.known() && src.line() != lastForwardLine) {
      out.add("// line $L: $L\n", src.line(), src.text());
      lastForwardLine = src.line();
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

  // ================================================================ reverse sweep

  private void reverseBlock(Block b, boolean top) {
    if (!top) {
      declared.push(new LinkedHashSet<>());
      for (int i = b.carried.size() - 1; i >= 0; i--) {
        Var v = b.carried.get(i);
        TypeName type = v.type() == Type.OBJECT ? v.objectType() : typeName(v.type());
        out.addStatement("$T $N = $N.$N()", type, v.name(), names.tape, pop(v.type()));
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

  private static TypeName typeName(Type t) {
    return switch (t) {
      case DOUBLE -> TypeName.DOUBLE;
      case INT -> TypeName.INT;
      case LONG -> TypeName.LONG;
      case BOOLEAN -> TypeName.BOOLEAN;
      default -> dev.adjoint.processor.emit.GradClassWriter.javaType(t);
    };
  }

  private void reverse(Stmt s) {
    if (s instanceof Stmt.Assign a) {
      reverseAssign(a);
    } else if (s instanceof Stmt.ArrayStore st) {
      reverseStore(st);
    } else if (s instanceof Stmt.If f && plan.hasWork(f)) {
      enterRegion(f);
      reverseComment(f.src, "branch");
      // an adjoint may be dropped inside a branch only where both branches drop it
      Set<Var> dropBoth = droppedAtTop(f.then);
      dropBoth.retainAll(droppedAtTop(f.otherwise));
      if (!droppable.isEmpty()) {
        dropBoth.retainAll(droppable.peek());
      }
      droppable.push(dropBoth);
      Map<Var, Expr> before = new LinkedHashMap<>(adj);
      if (!hasReverseWork(f.then)) {
        // only the else branch has work: ask the negated condition
        out.beginControlFlow("if ($L)", ExprWriter.write(
            new Expr.Apply(Op.NOT, List.of(f.cond), Type.BOOLEAN)));
        reverseBlock(f.otherwise, false);
      } else {
        out.beginControlFlow("if ($L)", ExprWriter.write(f.cond));
        reverseBlock(f.then, false);
        if (hasReverseWork(f.otherwise)) {
          out.nextControlFlow("else");
          adj.clear();
          adj.putAll(before);
          reverseBlock(f.otherwise, false);
        }
      }
      out.endControlFlow();
      droppable.pop();
      adj.keySet().removeIf(dropBoth::contains);
    } else if (s instanceof Stmt.Loop l && plan.hasWork(l)) {
      enterRegion(l);
      droppable.push(Set.of());
      reverseLoop(l);
      droppable.pop();
    } else if (s instanceof Stmt.Nested n && plan.hasWork(n)) {
      enterRegion(n);
      out.add("{\n$>");
      reverseBlock(n.block, false);
      out.add("$<}\n");
    }
  }

  /** Variables a block reassigns at its top level whose adjoint is read nowhere above. */
  private Set<Var> droppedAtTop(Block b) {
    Set<Var> out = new HashSet<>();
    for (Stmt s : b.stmts) {
      if (s instanceof Stmt.Assign a && !a.declaration && !plan.adjointLiveBefore(a)) {
        out.add(a.target);
      }
    }
    return out;
  }

  private boolean hasReverseWork(Block b) {
    return !b.carried.isEmpty() || b.stmts.stream().anyMatch(plan::hasWork);
  }

  private void reverseLoop(Stmt.Loop l) {
    reverseComment(l.src, "loop, run backwards");
    String n = l.counter.name();
    if (l.counted() && Math.abs(l.step) == 1) {
      String i = l.index.name();
      CodeBlock start = l.startCopy != null ? CodeBlock.of("$N", l.startCopy.name()) : ExprWriter.write(l.start);
      boolean zero = l.startCopy == null && l.start instanceof Const c && c.is(0);
      if (l.step == 1) {
        CodeBlock first = zero ? CodeBlock.of("$N - 1", n) : CodeBlock.of("$L + $N - 1", start, n);
        out.beginControlFlow("for (int $N = $L; $N >= $L; $N--)", i, first, i, start, i);
      } else {
        out.beginControlFlow("for (int $N = $L - $N + 1; $N <= $L; $N++)", i, start, n, i, start, i);
      }
    } else {
      String k = names.fresh("_k");
      out.beginControlFlow("for (int $N = $N - 1; $N >= 0; $N--)", k, n, k, k);
      if (l.counted()) {
        CodeBlock start = l.startCopy != null ? CodeBlock.of("$N", l.startCopy.name()) : ExprWriter.write(l.start);
        out.addStatement("int $N = $L + $N * $L", l.index.name(), start, k, l.step);
      }
    }
    declared.push(new LinkedHashSet<>());
    reverseBlock(l.update, false);
    reverseBlock(l.body, false);
    declared.pop();
    out.endControlFlow();
  }

  private void reverseAssign(Stmt.Assign a) {
    Var v = a.target;
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
    boolean mayDrop = droppable.isEmpty() || droppable.peek().contains(v);
    if (a.declaration || mayDrop && !plan.adjointLiveBefore(a)) {
      adj.remove(v);
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
    boolean activeTarget = plan.isActive(st.array);
    if (!activeTarget) {
      if (st.save != Stmt.Save.NONE) {
        restore(st);
      }
      return;
    }
    reverseComment(st.src, null);
    CodeBlock index = ExprWriter.write(st.index);
    String d = adjointVar(st.array).name();
    Expr adjV = null;
    if (Propagation.isActive(st.value, plan::isActive)) {
      Var t = new Var(names.fresh("_t"), Type.DOUBLE, Var.Kind.SYNTHETIC);
      out.addStatement("double $N = $N[$L]", t.name(), d, index);
      adjV = new Ref(t);
    }
    out.addStatement("$N[$L] = 0", d, index);
    if (st.save != Stmt.Save.NONE) {
      restore(st);
    }
    if (adjV != null) {
      applyAll(Propagation.of(st.value, adjV, null, plan::isActive, this::bind));
    }
  }

  /** Applies contributions, summing those that go to the same array element first. */
  private void applyAll(List<Contribution> contributions) {
    Map<Propagation.Target, Expr> merged = new LinkedHashMap<>();
    for (Contribution c : contributions) {
      if (c.target() instanceof Propagation.ToElement) {
        merged.merge(c.target(), c.amount(), Sym::add);
      } else {
        apply(c);
      }
    }
    merged.forEach((t, amount) -> apply(new Contribution(t, amount)));
  }

  private void apply(Contribution c) {
    if (!(c.target() instanceof Propagation.ToVar)) {
      flushPendingComment();
    }
    if (c.target() instanceof Propagation.ToVar t) {
      adj.put(t.var(), Sym.add(current(t.var()), c.amount()));
    } else if (c.target() instanceof Propagation.ToElement e) {
      boolean minus = c.amount() instanceof Expr.Apply n && n.op() == Op.NEG;
      out.addStatement("$N[$L] $L= $L", adjointVar(e.array()).name(), ExprWriter.write(e.index()),
          minus ? "-" : "+", ExprWriter.write(minus ? ((Expr.Apply) c.amount()).arg(0) : c.amount()));
    } else if (c.target() instanceof Propagation.ToArray a) {
      out.addStatement("$T.addScaled($N, $L, $L)", ADJOINTS, adjointVar(a.array()).name(),
          ExprWriter.write(c.amount()), ExprWriter.write(a.vector()));
    }
  }

  /** An adjoint several operands share becomes a temporary when it is more than a name. */
  private Expr bind(Expr e) {
    if (e instanceof Ref || e instanceof Const || e.size() <= 3) {
      return e;
    }
    flushPendingComment();
    Var t = new Var(names.fresh("_t"), e.type(), Var.Kind.SYNTHETIC);
    if (e.type() == Type.OBJECT) {
      out.addStatement("var $N = $L", t.name(), ExprWriter.write(e)); // a callee's gradient record
    } else {
      out.addStatement("$T $N = $L", GradClassWriter.javaType(e.type()), t.name(), ExprWriter.write(e));
    }
    return new Ref(t);
  }

  private void restore(Stmt.Assign a) {
    flushReaders(a.target);
    CodeBlock from = a.save == Stmt.Save.LOCAL ? CodeBlock.of("$N", a.saved.name())
        : CodeBlock.of("$N.$N()", names.tape, pop(a.target.type()));
    out.addStatement("$N = $L", a.target.name(), from);
  }

  private void restore(Stmt.ArrayStore st) {
    flushReaders(st.array);
    CodeBlock from = st.save == Stmt.Save.LOCAL ? CodeBlock.of("$N", st.saved.name())
        : CodeBlock.of("$N.popDouble()", names.tape);
    out.addStatement("$N[$L] = $L", st.array.name(), ExprWriter.write(st.index), from);
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
            Var t = new Var(names.fresh("_t"), Type.DOUBLE, Var.Kind.SYNTHETIC);
            out.addStatement("double $N = $N", t.name(), d.name());
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
          out.addStatement("$N = $N.add($L)", d.name(), d.name(), ExprWriter.write(sum.arg(1)));
        } else {
          out.addStatement("$N = $L", d.name(), ExprWriter.write(tensorZero(w, e)));
        }
        adj.put(w, dRef);
        return;
      }
      Expr rest = Sym.sub(e, dRef);
      if (!rest.reads(d)) {
        if (!Sym.isZero(rest)) {
          if (rest instanceof Expr.Apply n && n.op() == Op.NEG) {
            out.addStatement("$N -= $L", d.name(), ExprWriter.write(n.arg(0)));
          } else {
            out.addStatement("$N += $L", d.name(), ExprWriter.write(rest));
          }
        }
      } else {
        out.addStatement("$N = $L", d.name(), ExprWriter.write(e));
      }
    } else {
      out.addStatement("$T $N = $L", GradClassWriter.javaType(w.type()), d.name(),
          ExprWriter.write(tensorZero(w, e)));
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
      if (!inside.contains(u) && (u.type() == Type.DOUBLE || u.type() == Type.TENSOR)
          && plan.isActive(u) && !isDeclared(u)) {
        flushPendingComment();
        out.addStatement("$T $N = $L", GradClassWriter.javaType(u.type()), adjointVar(u).name(),
            ExprWriter.write(tensorZero(u, Const.ZERO)));
        declared.peek().add(u);
        adj.put(u, new Ref(adjointVar(u)));
      }
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
        out.add("// line $L: $L ($L)\n", src.line(), src.text(), what);
      }
      commentPending = null;
    } else {
      commentPending = src.known() ? src : commentPending;
    }
  }

  private void flushPendingComment() {
    if (commentPending != null) {
      out.add("// line $L: $L\n", commentPending.line(), commentPending.text());
      lastReverseComment = commentPending;
      commentPending = null;
    }
  }
}
