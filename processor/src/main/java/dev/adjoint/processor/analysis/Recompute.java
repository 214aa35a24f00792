package dev.adjoint.processor.analysis;

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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Integer values the reverse sweep can compute again instead of reading them from the tape:
 * <ul>
 *   <li>a counted loop's start and trip count, when they are integer expressions of values that
 *       are the same wherever the reverse sweep is (parameters and top-level locals never
 *       reassigned, indexes of the loops around it, which the reverse sweep recomputes too);
 *   <li>the old value of an integer stepped by such an amount ({@code idx++}, {@code k += b}):
 *       the reverse sweep steps it back ({@code idx--}) instead of popping it.
 * </ul>
 */
public final class Recompute {
  /** Variables whose value never changes once set: never the target of a reassignment. */
  private final Set<Var> invariant = new HashSet<>();
  /** Arrays something writes: an element store, or a call that may (an array passed to it). */
  private final Set<Var> writtenArrays = new HashSet<>();
  /** Locals assigned once, by their declaration. */
  private final Set<Var> assignedOnce = new HashSet<>();

  public Recompute(MethodGraph graph) {
    Map<Var, Integer> assignments = new HashMap<>();
    Blocks.walk(graph.body(), s -> {
      if (s instanceof Stmt.Assign a) {
        assignments.merge(a.target, a.declaration ? 0 : 1, Integer::sum);
      } else if (s instanceof Stmt.ArrayStore st) {
        writtenArrays.add(st.array);
      }
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          List<Expr> args = x instanceof Expr.Call c ? c.args() : x instanceof Expr.Invoke i ? i.args() : List.of();
          for (Expr arg : args) {
            if (arg instanceof Ref r && r.var().type().isArray()) {
              writtenArrays.add(r.var());
            }
          }
        });
      }
    });
    assignments.forEach((v, reassigned) -> {
      if (reassigned == 0) {
        assignedOnce.add(v);
      }
    });
    for (Var p : graph.params()) {
      if (!assignments.containsKey(p)) {
        invariant.add(p);
      }
    }
    // locals declared at the top level stay in scope in the whole reverse sweep
    for (Stmt s : graph.body().stmts) {
      if (s instanceof Stmt.Assign a && a.declaration && assignments.get(a.target) == 0
          && a.target.kind() != Var.Kind.SYNTHETIC) { // a loop's counter is counted in generated code
        invariant.add(a.target);
      }
    }
  }

  /**
   * Whether {@code e} has the same value wherever the reverse sweep evaluates it inside the
   * loops {@code around} (outer first): integer arithmetic on constants, invariant variables,
   * array lengths and the indexes of those loops.
   */
  public boolean recomputable(Expr e, List<Stmt> around) {
    if (e instanceof Const c) {
      return c.type() == Type.INT || c.type() == Type.LONG;
    }
    if (e instanceof Ref r) {
      Var v = r.var();
      if (v.type() != Type.INT && v.type() != Type.LONG) {
        return false;
      }
      if (invariant.contains(v)) {
        return true;
      }
      for (Stmt s : around) {
        if (s instanceof Stmt.Loop l && l.counted() && l.index == v) {
          return true;
        }
      }
      return false;
    }
    if (e instanceof Apply a) {
      if (a.op() == Op.ARRAY_LENGTH) {
        return a.arg(0) instanceof Ref r && (invariant.contains(r.var()) || r.var().isParameter());
      }
      boolean integer = a.type() == Type.INT || a.type() == Type.LONG;
      boolean arithmetic = switch (a.op()) {
        case ADD, SUB, MUL, DIV, REM, NEG, SHL, SHR, USHR, BIT_AND, BIT_OR, BIT_XOR, BIT_NOT -> true;
        default -> false;
      };
      if (!integer || !arithmetic) {
        return false;
      }
      for (Expr x : a.args()) {
        if (!recomputable(x, around)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** The largest double expression recomputed, in nodes: past that, a pop is cheaper. */
  private static final int MAX_LOCAL_SIZE = 16;

  /**
   * Whether the declaration {@code a} of a local at the top level of a block inside the loops
   * {@code around} (outer first) can be evaluated again where the reverse sweep enters that
   * block, instead of taping it: a local of the source assigned once, by a cheap expression
   * ({@code + - *}, negation, casts, element reads) of invariant values, the indexes of the
   * counted loops around it and elements of arrays nothing writes. {@code double diff =
   * points[i][l] - centroids[j][l]} then costs two reads in the reverse sweep, not a push and a pop.
   */
  public boolean recomputable(Stmt.Assign a, List<Stmt> around) {
    return a.declaration && a.target.kind() == Var.Kind.LOCAL && assignedOnce.contains(a.target)
        && (a.target.type() == Type.DOUBLE || a.target.type() == Type.INT)
        && a.value.size() <= MAX_LOCAL_SIZE && cheap(a.value, around);
  }

  /**
   * For the declaration {@code a} of a local copy of one element of an array, {@code double xj =
   * xc[j]} (a local of the source assigned once, the array never reassigned, the index
   * recomputable inside the loops {@code around}): the array; else null. Such a copy can be read
   * again where the reverse sweep enters its block, when the reverse sweep has the array as it was
   * there (the array is needed at the declaration, and its block writes it no more after it):
   * see {@link ElementCopies}.
   */
  public Var elementCopied(Stmt.Assign a, List<Stmt> around) {
    if (!a.declaration || a.target.kind() != Var.Kind.LOCAL || !assignedOnce.contains(a.target)
        || a.target.type() != Type.DOUBLE || !(a.value instanceof Apply read) || read.op() != Op.ARRAY_READ
        || read.args().size() != 2 || !(read.arg(0) instanceof Ref array)
        || array.var().type() != Type.DOUBLE_ARRAY || !invariant.contains(array.var())
        || !recomputable(read.arg(1), around)) {
      return null;
    }
    return array.var();
  }

  /**
   * Whether the double expression {@code e}, evaluated inside the loops {@code around} (outer
   * first), can be evaluated again anywhere the reverse sweep is inside them, with the same
   * value: the same cheap expressions as for a local above.
   */
  public boolean recomputableValue(Expr e, List<Stmt> around) {
    return e.size() <= MAX_LOCAL_SIZE && cheap(e, around);
  }

  private boolean cheap(Expr e, List<Stmt> around) {
    if (e instanceof Const) {
      return true;
    }
    if (e instanceof Ref r) {
      Var v = r.var();
      if (v.type().isArray()) {
        return !writtenArrays.contains(v) && invariant.contains(v);
      }
      return v.kind() != Var.Kind.SYNTHETIC && (invariant.contains(v) || recomputable(e, around));
    }
    if (e instanceof Apply a) {
      boolean cheap = switch (a.op()) {
        case ADD, SUB, MUL, NEG, ARRAY_READ, ARRAY_LENGTH, INDICES -> true;
        case CAST -> a.type() == Type.DOUBLE || a.type() == Type.INT;
        default -> false;
      };
      return cheap && a.args().stream().allMatch(x -> cheap(x, around));
    }
    return false;
  }

  /**
   * For {@code v = v + e} or {@code v = v - e} on an int or long v, with e recomputable where the
   * statement is: the statement that undoes it ({@code v = v - e}, {@code v = v + e}); for
   * {@code v = -v}, itself; else null.
   * Integer addition wraps, so the inverse is exact even on overflow.
   */
  public Stmt.Assign inverse(Stmt.Assign a, List<Stmt> around) {
    Var v = a.target;
    if (!a.declaration && isNegation(a)) {
      // v = -v is its own inverse, exactly: negation only flips the sign bit (ints wrap alike)
      return new Stmt.Assign(v, a.value, false, null, a.src);
    }
    if (a.declaration || v.type() != Type.INT && v.type() != Type.LONG
        || !(a.value instanceof Apply step) || step.op() != Op.ADD && step.op() != Op.SUB
        || !(step.arg(0) instanceof Ref r && r.var() == v) || step.arg(1).reads(v)
        || !recomputable(step.arg(1), around)) {
      return null;
    }
    Op back = step.op() == Op.ADD ? Op.SUB : Op.ADD;
    return new Stmt.Assign(v, new Apply(back, List.of(new Ref(v), step.arg(1)), v.type()), false, back,
        a.src);
  }

  /** Whether a is {@code v = -v} on a double, int or long v (a sign flipped in a loop). */
  public static boolean isNegation(Stmt.Assign a) {
    Type t = a.target.type();
    return (t == Type.DOUBLE || t == Type.INT || t == Type.LONG) && a.value instanceof Apply neg
        && neg.op() == Op.NEG && neg.arg(0) instanceof Ref r && r.var() == a.target;
  }

  /**
   * The trip count of a counted loop of step ±1 over {@code i < n}, {@code i + k <= n}, {@code
   * i >= n} and the like, with a bound the loop does not change; null otherwise. It may be
   * negative for a loop that does not run.
   */
  public static Expr tripCount(Stmt.Loop l) {
    if (!l.counted() || Math.abs(l.step) != 1 || !(l.cond instanceof Apply c) || c.args().size() != 2) {
      return null;
    }
    Expr left = c.arg(0);
    int offset = 0; // the condition compares i + offset with the bound
    if (left instanceof Apply add && (add.op() == Op.ADD || add.op() == Op.SUB)
        && add.arg(1) instanceof Const k && k.type() == Type.INT) {
      offset = (add.op() == Op.ADD ? 1 : -1) * ((Number) k.value()).intValue();
      left = add.arg(0);
    }
    if (!(left instanceof Ref r && r.var() == l.index)) {
      return null;
    }
    Expr bound = c.arg(1);
    if (bound.type() != Type.INT && bound.type() != Type.LONG) {
      return null; // i < d with a double d: a count, but not a long to reserve
    }
    Set<Var> written = new HashSet<>();
    written.add(l.index);
    for (Block b : Blocks.children(l)) {
      Blocks.walk(b, x -> {
        if (x instanceof Stmt.Assign a) {
          written.add(a.target);
        }
      });
    }
    if (written.stream().anyMatch(bound::reads)) {
      return null;
    }
    Expr start = l.startCopy != null ? new Ref(l.startCopy) : l.start;
    boolean startsAtZero = start instanceof Const z && ((Number) z.value()).intValue() == 0;
    // up: i runs from start while i + offset < bound (<= adds one); down: while i + offset > bound
    Op op = c.op();
    int extra;
    Expr trips;
    if (l.step == 1 && (op == Op.LT || op == Op.LE)) {
      extra = (op == Op.LE ? 1 : 0) - offset;
      trips = startsAtZero ? bound : intOp(Op.SUB, bound, start);
    } else if (l.step == -1 && (op == Op.GT || op == Op.GE)) {
      extra = (op == Op.GE ? 1 : 0) + offset;
      trips = intOp(Op.SUB, start, bound);
    } else {
      return null;
    }
    return extra == 0 ? trips : intOp(extra > 0 ? Op.ADD : Op.SUB, trips, Const.ofInt(Math.abs(extra)));
  }

  private static Expr intOp(Op op, Expr a, Expr b) {
    return new Apply(op, List.of(a, b), Type.INT);
  }
}
