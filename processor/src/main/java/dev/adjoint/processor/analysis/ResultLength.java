package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The length of a {@code double[]}-valued method's result, read from the method instead of
 * running it: the result is allocated at the top level ({@code return new double[] {a, b}} or
 * {@code double[] err = new double[3 * n]; ... return err;}) with a length computed from
 * parameters, constants, array lengths, instance fields and top-level locals assigned once
 * before it. {@code fJacobian} then knows the number of outputs (and so the mode) before any
 * sweep runs.
 */
public final class ResultLength {
  private ResultLength() {}

  /**
   * The statements (declarations of the top-level locals the length reads, in body order) and
   * the length expression, or null when the length cannot be read without running the method.
   */
  public record Slice(List<Stmt> declarations, Expr length) {}

  public static Slice of(MethodGraph g) {
    Var result = g.result();
    List<Stmt> top = g.body().stmts;
    int at = -1;
    for (int i = 0; i < top.size(); i++) {
      if (top.get(i) instanceof Stmt.Assign a && a.target == result && a.declaration) {
        at = i;
      }
    }
    if (at < 0 || !(((Stmt.Assign) top.get(at)).value instanceof Expr.Apply alloc)
        || alloc.op() != Op.NEW_ARRAY || alloc.args().size() != 1) {
      return null;
    }
    Set<Var> assigned = assignedAnywhere(g.body());
    Set<Var> needed = new LinkedHashSet<>();
    if (!readable(alloc.arg(0), g, assigned, needed)) {
      return null;
    }
    // the declarations the length reads, transitively, each a top-level local assigned once
    List<Stmt> slice = new ArrayList<>();
    for (int i = at - 1; i >= 0; i--) {
      if (top.get(i) instanceof Stmt.Assign a && a.declaration && needed.contains(a.target)) {
        if (!readable(a.value, g, assigned, needed)) {
          return null;
        }
        slice.add(0, a);
        needed.remove(a.target);
      }
    }
    needed.removeIf(v -> v.kind() == Var.Kind.PARAMETER);
    return needed.isEmpty() ? new Slice(slice, alloc.arg(0)) : null;
  }

  /**
   * Whether e can be evaluated before the method runs: constants, int arithmetic, array lengths,
   * instance fields, parameters never assigned, and locals (collected in {@code needed}) assigned
   * only by their declaration.
   */
  private static boolean readable(Expr e, MethodGraph g, Set<Var> assigned, Set<Var> needed) {
    boolean[] ok = {true};
    e.forEach(x -> {
      if (x instanceof Expr.Ref r) {
        Var v = r.var();
        if (v.kind() == Var.Kind.PARAMETER ? assigned.contains(v) : countAssignments(g.body(), v) != 1) {
          ok[0] = false;
        }
        needed.add(v);
      } else if (x instanceof Expr.Apply a) {
        ok[0] &= a.op() == Op.ARRAY_LENGTH || a.type() == Type.INT && isIntArithmetic(a.op());
      } else if (!(x instanceof Expr.Const || x instanceof Expr.Field)) {
        ok[0] = false; // calls may cost or have effects
      }
    });
    return ok[0];
  }

  private static boolean isIntArithmetic(Op op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, REM, NEG -> true;
      default -> false;
    };
  }

  private static Set<Var> assignedAnywhere(Block body) {
    Set<Var> out = new HashSet<>();
    for (Stmt s : Blocks.all(body)) {
      if (s instanceof Stmt.Assign a && !a.declaration) {
        out.add(a.target);
      }
    }
    return out;
  }

  private static int countAssignments(Block body, Var v) {
    int n = 0;
    for (Stmt s : Blocks.all(body)) {
      if (s instanceof Stmt.Assign a && a.target == v) {
        n++;
      }
    }
    return n;
  }
}
