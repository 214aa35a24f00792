package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
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
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes early exits ({@code return} inside branches and loops, {@code break},
 * {@code continue}) so that every block runs to its end: the reverse sweep can then undo a block
 * by undoing its statements in reverse order. Code after a branch that always exits moves into
 * the other branch; where that is not enough a boolean flag records the exit and guards the
 * rest. Flags that end up unread are removed again, so simple code keeps its shape.
 */
public final class Lowering {
  private final Var result;
  private final Var returned = new Var("returned", Type.BOOLEAN, Var.Kind.SYNTHETIC);
  private final Set<Var> flags = new LinkedHashSet<>();

  private Lowering(Var result) {
    this.result = result;
  }

  /** Lowers the method body in place; afterwards the result is in {@code graph.result()}. */
  public static void lower(MethodGraph graph) {
    Lowering l = new Lowering(graph.result());
    Out top = l.block(graph.body().stmts, Map.of());
    List<Stmt> body = top.stmts;
    removeLateFlagSets(body, l.flags);
    Set<Var> read = new HashSet<>();
    collectReads(body, read);
    removeUnreadFlags(body, l.flags, read);
    if (graph.result().kind() == Var.Kind.LOCAL) {
      // a vector-valued function's result is its own local array
      if (read.contains(l.returned)) {
        body.add(0, new Stmt.Assign(l.returned, Const.ofBoolean(false), true, null, Src.NONE));
      }
      graph.body().stmts.clear();
      graph.body().stmts.addAll(body);
      return;
    }
    // the method's value: a declaration where it is assigned once at the end, else a local
    long assignments = countAssignments(body, graph.result());
    Stmt last = body.isEmpty() ? null : body.get(body.size() - 1);
    List<Stmt> prologue = new ArrayList<>();
    if (assignments == 1 && last instanceof Stmt.Assign a && a.target == graph.result()) {
      body.set(body.size() - 1, new Stmt.Assign(a.target, a.value, true, null, a.src));
    } else {
      Expr none = graph.result().type() == Type.TENSOR ? new Const(Type.TENSOR, null) : Const.ZERO;
      prologue.add(new Stmt.Assign(graph.result(), none, true, null, Src.NONE));
    }
    if (read.contains(l.returned)) {
      prologue.add(new Stmt.Assign(l.returned, Const.ofBoolean(false), true, null, Src.NONE));
    }
    body.addAll(0, prologue);
    graph.body().stmts.clear();
    graph.body().stmts.addAll(body);
  }

  private record Out(List<Stmt> stmts, Set<Var> exits) {}

  /**
   * The flags of one statement that break or continue can name: {@code broke} says the loop,
   * switch or labelled block was left; {@code skip} (loops only) says the rest of this iteration
   * is skipped. A labelled exit out of nested loops sets the outer statement's flag, and every
   * loop it passes stops on that flag, just as they stop on {@code returned}.
   */
  private record Flags(Var broke, Var skip) {}

  private Out block(List<Stmt> in, Map<Stmt.Label, Flags> targets) {
    List<Stmt> out = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      Stmt s = in.get(i);
      Set<Var> exits = new LinkedHashSet<>();
      if (s instanceof Stmt.Return r) {
        if (!(r.value instanceof Ref ref && ref.var() == result)) { // a vector result returns itself
          out.add(new Stmt.Assign(result, r.value, false, null, r.src));
        }
        out.add(set(returned, r.src));
        return new Out(out, Set.of(returned));
      } else if (s instanceof Stmt.Break b) {
        Var flag = flags(targets, b.target).broke;
        out.add(set(flag, b.src));
        return new Out(out, Set.of(flag));
      } else if (s instanceof Stmt.Continue c) {
        Var flag = flags(targets, c.target).skip;
        out.add(set(flag, c.src));
        return new Out(out, Set.of(flag));
      } else if (s instanceof Stmt.If f) {
        Out t = block(f.then.stmts, targets);
        Out e = block(f.otherwise.stmts, targets);
        Stmt.If lowered = new Stmt.If(f.cond, new Block(t.stmts), new Block(e.stmts), f.src);
        out.add(lowered);
        exits.addAll(t.exits);
        exits.addAll(e.exits);
        List<Stmt> rest = in.subList(i + 1, in.size());
        if (exits.isEmpty()) {
          continue;
        }
        boolean thenExits = Blocks.alwaysExits(f.then.stmts);
        boolean elseExits = Blocks.alwaysExits(f.otherwise.stmts);
        if (thenExits != elseExits && (thenExits ? e.exits : t.exits).isEmpty()) {
          // the rest runs exactly when the other branch ran: move it there
          Out r = block(rest, targets);
          (thenExits ? lowered.otherwise : lowered.then).stmts.addAll(r.stmts);
          exits.addAll(r.exits);
          return new Out(out, exits);
        }
        return guardRest(out, exits, rest, targets);
      } else if (s instanceof Stmt.Loop l) {
        Out lowered = loop(l, targets);
        out.addAll(lowered.stmts);
        if (!lowered.exits.isEmpty()) {
          return guardRest(out, new LinkedHashSet<>(lowered.exits), in.subList(i + 1, in.size()), targets);
        }
      } else if (s instanceof Stmt.Nested n) {
        Map<Stmt.Label, Flags> inner = targets;
        Flags own = null;
        if (n.label != null) {
          own = new Flags(new Var(n.label.name == null ? "broke" : "broke_" + n.label.name, Type.BOOLEAN,
              Var.Kind.SYNTHETIC), null);
          inner = new HashMap<>(targets);
          inner.put(n.label, own);
        }
        Out b = block(n.block.stmts, inner);
        List<Stmt> stmts = new ArrayList<>(b.stmts);
        Set<Var> left = new LinkedHashSet<>(b.exits);
        if (own != null && left.remove(own.broke)) {
          // break out of this block: the rest of the block is guarded; nothing outside reads it
          stmts.add(0, new Stmt.Assign(own.broke, Const.ofBoolean(false), true, null, Src.NONE));
        }
        out.add(new Stmt.Nested(new Block(stmts), n.src));
        if (!left.isEmpty()) {
          return guardRest(out, left, in.subList(i + 1, in.size()), targets);
        }
      } else {
        out.add(s);
      }
    }
    return new Out(out, Set.of());
  }

  private static Flags flags(Map<Stmt.Label, Flags> targets, Stmt.Label target) {
    Flags f = targets.get(target);
    if (f == null) {
      throw new IllegalStateException("break or continue to " + target + " outside its statement");
    }
    return f;
  }

  private Out guardRest(List<Stmt> out, Set<Var> exits, List<Stmt> rest, Map<Stmt.Label, Flags> targets) {
    if (!rest.isEmpty()) {
      Out r = block(rest, targets);
      out.add(new Stmt.If(notAny(exits), new Block(r.stmts), new Block(), Src.NONE));
      exits.addAll(r.exits);
    }
    return new Out(out, exits);
  }

  private Out loop(Stmt.Loop l, Map<Stmt.Label, Flags> targets) {
    String suffix = l.label != null && l.label.name != null ? "_" + l.label.name : "";
    Flags flagsHere = new Flags(
        new Var("broke" + suffix, Type.BOOLEAN, Var.Kind.SYNTHETIC),
        new Var("skip" + suffix, Type.BOOLEAN, Var.Kind.SYNTHETIC));
    Map<Stmt.Label, Flags> inner = targets;
    if (l.label != null) {
      inner = new HashMap<>(targets);
      inner.put(l.label, flagsHere);
    }
    Out body = block(l.body.stmts, inner);
    Out update = block(l.update.stmts, inner);
    List<Stmt> out = new ArrayList<>();
    // the loop stops on its own break and on every exit that leaves it (return, an outer
    // statement's break or continue); its own continue only skips the rest of the body
    Set<Var> stop = new LinkedHashSet<>(body.exits);
    stop.remove(flagsHere.skip);
    if (stop.contains(flagsHere.broke)) {
      out.add(new Stmt.Assign(flagsHere.broke, Const.ofBoolean(false), true, null, Src.NONE));
    }
    flags.addAll(stop);
    List<Stmt> bodyStmts = new ArrayList<>(body.stmts);
    if (body.exits.contains(flagsHere.skip)) {
      flags.add(flagsHere.skip);
      bodyStmts.add(0, new Stmt.Assign(flagsHere.skip, Const.ofBoolean(false), true, null, Src.NONE));
    }
    Expr cond = stop.isEmpty() ? l.cond
        : new Apply(Op.AND, List.of(notAny(stop), l.cond), Type.BOOLEAN);
    List<Stmt> updateStmts = update.stmts;
    if (!stop.isEmpty() && !updateStmts.isEmpty()) {
      updateStmts = List.of(new Stmt.If(notAny(stop), new Block(updateStmts), new Block(), Src.NONE));
    }
    Stmt.Loop lowered = new Stmt.Loop(l.kind, l.index, l.start, l.step, cond, new Block(bodyStmts),
        new Block(updateStmts), l.src);
    out.add(lowered);
    Set<Var> leaving = new LinkedHashSet<>(stop);
    leaving.remove(flagsHere.broke);
    return new Out(out, leaving);
  }

  private static Expr notAny(Set<Var> flags) {
    Expr any = null;
    for (Var f : flags) {
      any = any == null ? new Ref(f) : new Apply(Op.OR, List.of(any, new Ref(f)), Type.BOOLEAN);
    }
    return new Apply(Op.NOT, List.of(any), Type.BOOLEAN);
  }

  private Stmt set(Var flag, Src src) {
    flags.add(flag);
    return new Stmt.Assign(flag, Const.ofBoolean(true), false, null, src);
  }

  private static long countAssignments(List<Stmt> stmts, Var v) {
    long n = 0;
    for (Stmt s : stmts) {
      if (s instanceof Stmt.Assign a && a.target == v) {
        n++;
      }
      for (Block b : Blocks.children(s)) {
        n += countAssignments(b.stmts, v);
      }
    }
    return n;
  }

  private static void collectReads(List<Stmt> stmts, Set<Var> read) {
    for (Stmt s : stmts) {
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Ref r) {
            read.add(r.var());
          }
        });
      }
      for (Block b : Blocks.children(s)) {
        collectReads(b.stmts, read);
      }
    }
  }

  /**
   * A flag set where nothing can read it any more (after its last reader in the source, and
   * in no loop that tests it) is dropped: {@code return} at the end of the method needs none.
   */
  private static void removeLateFlagSets(List<Stmt> body, Set<Var> flags) {
    Map<Stmt, Integer> position = new IdentityHashMap<>();
    Map<Var, Integer> lastRead = new HashMap<>();
    Map<Stmt, List<Stmt.Loop>> loops = new IdentityHashMap<>();
    number(body, position, lastRead, loops, new ArrayList<>());
    removeIf(body, s -> {
      if (!(s instanceof Stmt.Assign a) || a.declaration || !flags.contains(a.target)) {
        return false;
      }
      boolean readLater = lastRead.getOrDefault(a.target, -1) > position.get(s);
      boolean loopTests = loops.get(s).stream().anyMatch(l -> l.cond.reads(a.target));
      return !readLater && !loopTests;
    });
  }

  private static void number(List<Stmt> stmts, Map<Stmt, Integer> position, Map<Var, Integer> lastRead,
      Map<Stmt, List<Stmt.Loop>> loops, List<Stmt.Loop> around) {
    for (Stmt s : stmts) {
      int p = position.size();
      position.put(s, p);
      loops.put(s, List.copyOf(around));
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Ref r) {
            lastRead.put(r.var(), p);
          }
        });
      }
      List<Stmt.Loop> inner = around;
      if (s instanceof Stmt.Loop l) {
        inner = new ArrayList<>(around);
        inner.add(l);
      }
      for (Block b : Blocks.children(s)) {
        number(b.stmts, position, lastRead, loops, inner);
      }
    }
  }

  private static void removeIf(List<Stmt> stmts, java.util.function.Predicate<Stmt> drop) {
    stmts.removeIf(drop);
    for (Stmt s : stmts) {
      for (Block b : Blocks.children(s)) {
        removeIf(b.stmts, drop);
      }
    }
  }

  private static void removeUnreadFlags(List<Stmt> stmts, Set<Var> flags, Set<Var> read) {
    stmts.removeIf(s -> s instanceof Stmt.Assign a && flags.contains(a.target) && !read.contains(a.target));
    for (Stmt s : stmts) {
      for (Block b : Blocks.children(s)) {
        removeUnreadFlags(b.stmts, flags, read);
      }
    }
  }
}
