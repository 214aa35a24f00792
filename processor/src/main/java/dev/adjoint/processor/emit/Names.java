package dev.adjoint.processor.emit;

import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All naming of generated code in one place. Source variables keep their names; the adjoint of
 * {@code x} is {@code _d_x}; temporaries are {@code _t0, _t1, ...}, branch flags {@code _c0},
 * trip counters {@code _n0}, callee gradients {@code _r0}; the tape is {@code _tape}. No name
 * ever clashes with an identifier of the method: a local declared inside a block whose name is
 * also declared at method level gets a suffix, since the reverse sweep sees both. Creating the
 * names of a method opens its scope in {@link ExprWriter#inScope}: types its identifiers shadow
 * ({@code double Math}) are written qualified in its code.
 */
public final class Names {
  private final Set<String> taken = new HashSet<>();
  private final Map<String, Integer> counters = new HashMap<>();
  private final Map<Var, String> adjoints = new HashMap<>();
  public final String tape;
  private Set<String> initialTaken;
  private Map<String, Integer> initialCounters;

  public Names(MethodGraph g, List<Var> synthetic) {
    Set<String> topLevel = new HashSet<>();
    for (Var p : g.params()) {
      topLevel.add(p.name());
    }
    for (Stmt s : g.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && a.target.kind() == Var.Kind.LOCAL) {
        topLevel.add(a.target.name());
      }
    }
    taken.addAll(topLevel);
    // nested locals and loop indexes: keep their names unless the method level has them too
    for (Block b : nestedBlocks(g.body())) {
      for (Stmt s : b.stmts) {
        if (s instanceof Stmt.Assign a && a.declaration && a.target.kind() == Var.Kind.LOCAL) {
          rename(a.target, topLevel);
        }
      }
    }
    Blocks.walk(g.body(), s -> {
      if (s instanceof Stmt.Loop l && l.index != null && l.index.kind() == Var.Kind.LOCAL) {
        rename(l.index, topLevel);
      }
    });
    Blocks.walk(g.body(), s -> {
      if (s instanceof Stmt.Loop l && l.index != null && l.index.kind() == Var.Kind.SYNTHETIC) {
        l.index.rename(fresh("_i"));
      }
    });
    g.result().rename(fresh("_value", false));
    tape = fresh("_tape", false);
    for (Var v : synthetic) {
      v.rename(fresh("_" + v.name()));
    }
    for (Var v : flagsAndOthers(g)) {
      v.rename(fresh("_" + v.name(), false));
    }
    initialTaken = Set.copyOf(taken);
    initialCounters = Map.copyOf(counters);
    // every identifier of the method, so that a type it shadows (a parameter Math) is written qualified
    ExprWriter.inScope(initialTaken);
  }

  /**
   * Opens this method's scope in {@link ExprWriter#inScope} again: for a method whose names were
   * made before another method's (a recursive method's split gradient is built first).
   */
  public Names enter() {
    ExprWriter.inScope(initialTaken);
    return this;
  }

  private Names(Names base) {
    this.tape = base.tape;
    this.taken.addAll(base.initialTaken);
    this.counters.putAll(base.initialCounters);
    this.initialTaken = base.initialTaken;
    this.initialCounters = base.initialCounters;
  }

  /**
   * Names for another generated method of the same source method: the method's own variables
   * keep their names, everything generated starts afresh.
   */
  public Names fork() {
    return new Names(this);
  }

  private void rename(Var v, Set<String> topLevel) {
    if (topLevel.contains(v.name())) {
      v.rename(fresh(v.name() + "_"));
    } else {
      taken.add(v.name());
    }
  }

  /** Synthetic variables the lowering made (flags), not yet named. */
  private static Set<Var> flagsAndOthers(MethodGraph g) {
    Set<Var> out = new java.util.LinkedHashSet<>();
    Blocks.walk(g.body(), s -> {
      if (s instanceof Stmt.Assign a && a.target.kind() == Var.Kind.SYNTHETIC
          && !a.target.name().startsWith("_")) {
        out.add(a.target);
      }
    });
    return out;
  }

  private static List<Block> nestedBlocks(Block top) {
    List<Block> out = new java.util.ArrayList<>();
    Blocks.walk(top, s -> out.addAll(Blocks.children(s)));
    return out;
  }

  /** A new name: prefix plus a counter ({@code _t0}), never one in use. */
  public String fresh(String prefix) {
    return fresh(prefix, true);
  }

  /** A new name: {@code prefix} itself if free, else numbered. */
  public String fresh(String prefix, boolean numbered) {
    if (!numbered && taken.add(prefix)) {
      return prefix;
    }
    while (true) {
      int n = counters.merge(prefix, 1, Integer::sum) - 1;
      String name = prefix + n;
      if (taken.add(name)) {
        return name;
      }
    }
  }

  /** The adjoint's name: {@code _d_x} for {@code x}, {@code _d_t0} for {@code _t0}. */
  public String adjoint(Var v) {
    return adjoints.computeIfAbsent(v, x -> {
      String base = x.name().startsWith("_") ? "_d" + x.name() : "_d_" + x.name();
      return fresh(base, false);
    });
  }
}
