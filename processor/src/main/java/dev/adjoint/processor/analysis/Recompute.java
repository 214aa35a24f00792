package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which locals of a loop's body the reverse sweep recomputes from their declaration instead of
 * taping them: a local assigned once, by a cheap expression ({@code + - *}, negation, casts,
 * element reads) of values that are the same in the reverse sweep as they were then: parameters
 * and top-level locals assigned once, arrays nothing writes, and the indices of the counted
 * loops around it (the reverse sweep recomputes those). {@code double diff = p[i][l] - c[j][l]}
 * then costs two reads in the reverse sweep instead of a push and a pop.
 */
final class Recompute {
  /** The largest expression recomputed, in nodes: past that, a pop is cheaper. */
  private static final int MAX_SIZE = 16;

  private final Map<Var, Integer> assignments = new HashMap<>();
  private final Set<Var> writtenArrays = new HashSet<>();
  private final Set<Var> topLevel = new HashSet<>();

  Recompute(MethodGraph graph) {
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Assign a) {
        assignments.merge(a.target, 1, Integer::sum);
      } else if (s instanceof Stmt.ArrayStore st) {
        writtenArrays.add(st.array);
      } else if (s instanceof Stmt.Loop l && l.counted()) {
        assignments.merge(l.index, 1, Integer::sum);
      }
    });
    for (Stmt s : graph.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration) {
        topLevel.add(a.target);
      }
    }
    // an array passed to a call may be written by it (a void helper inlined, say): not stable
    Blocks.walk(graph.body(), s -> {
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          List<Expr> args = x instanceof Expr.Call c ? c.args() : x instanceof Expr.Invoke i ? i.args() : List.of();
          for (Expr arg : args) {
            if (arg instanceof Expr.Ref r && r.var().type().isArray()) {
              writtenArrays.add(r.var());
            }
          }
        });
      }
    });
    for (Var p : graph.params()) {
      assignments.putIfAbsent(p, 0);
    }
  }

  /**
   * Whether the declaration {@code a}, at the top level of a block inside {@code loops} (outermost
   * first), can be evaluated again where the reverse sweep enters that block.
   */
  boolean recomputable(Stmt.Assign a, List<Stmt> loops) {
    if (!a.declaration || a.target.kind() != Var.Kind.LOCAL
        || a.target.type() != Type.DOUBLE && a.target.type() != Type.INT
        || assignments.getOrDefault(a.target, 0) != 1 || a.value.size() > MAX_SIZE) {
      return false;
    }
    Set<Var> indices = new HashSet<>();
    for (Stmt s : loops) {
      Stmt.Loop l = (Stmt.Loop) s;
      if (l.counted() && Math.abs(l.step) == 1 && assignments.getOrDefault(l.index, 0) == 1) {
        indices.add(l.index);
      }
    }
    return stable(a.value, indices);
  }

  private boolean stable(Expr e, Set<Var> indices) {
    if (e instanceof Expr.Const) {
      return true;
    }
    if (e instanceof Expr.Ref r) {
      Var v = r.var();
      if (v.kind() == Var.Kind.SYNTHETIC) {
        return false; // a trip counter, a temporary: not a value of the source
      }
      if (v.type().isArray()) {
        return !writtenArrays.contains(v) && (v.kind() == Var.Kind.PARAMETER || topLevel.contains(v))
            && assignments.getOrDefault(v, 0) <= 1;
      }
      return indices.contains(v)
          || (v.kind() == Var.Kind.PARAMETER || topLevel.contains(v)) && assignments.getOrDefault(v, 0) <= 1;
    }
    if (e instanceof Apply a) {
      boolean cheap = switch (a.op()) {
        case ADD, SUB, MUL, NEG, CAST, ARRAY_READ, ARRAY_LENGTH, INDICES -> true;
        default -> false;
      };
      if (!cheap || a.op() == Op.CAST && a.type() != Type.DOUBLE && a.type() != Type.INT) {
        return false;
      }
      for (Expr x : a.args()) {
        if (!stable(x, indices)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
