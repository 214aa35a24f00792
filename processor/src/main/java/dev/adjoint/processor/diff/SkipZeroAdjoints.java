package dev.adjoint.processor.diff;

import dev.adjoint.processor.analysis.Blocks;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loop of the reverse sweep that only adds to adjoints ({@code _d_c[j][l] -= 2 * _d_dist *
 * diff}) does nothing when the adjoints its contributions are multiples of are zero: it is run
 * only when one of them is not, {@code if (_d_dist != 0) for (...) ...}. The minimum over
 * k-means' centroids passes its adjoint to one distance; the other k - 1 distances' loops are
 * skipped instead of adding k·d zeros. Applied to the finished sweep (after forward mode, for a
 * Hessian-vector product, so that the tangents' adjoints are asked too).
 *
 * <p>A loop qualifies when its body declares locals, adds to adjoints declared outside it
 * ({@code v = v + e}, {@code a[i] = a[i] - e}, {@code Adjoints.addScaled(a, e, ...)}) or sets one
 * ({@code v = e}, v then in the set below), and runs branches and loops of the same kind; every
 * such {@code e} must vanish when a set of doubles read from outside vanishes (a product with one
 * of them, sums and branches of such products): zero at the loop's start, they stay zero.
 * It never pops the tape or writes anything else, so skipping it changes nothing else. Where a
 * partial is infinite or NaN, 0 · ∞ would have added a NaN that the skip leaves out: the skip
 * follows the convention that a zero adjoint contributes nothing.
 */
public final class SkipZeroAdjoints {
  private final Map<Var, Set<Var>> locals = new HashMap<>();
  private final Set<Var> inside = new java.util.HashSet<>();

  private SkipZeroAdjoints() {}

  /** Guards every qualifying reverse-sweep loop in {@code b}. */
  public static void apply(Block b) {
    for (int i = 0; i < b.stmts.size(); i++) {
      Stmt s = b.stmts.get(i);
      for (Block c : Blocks.children(s)) {
        apply(c);
      }
      if (s instanceof Stmt.Loop l && l.adjoint) {
        Set<Var> cover = new SkipZeroAdjoints().cover(l);
        if (cover != null && !cover.isEmpty()) {
          Expr cond = null;
          for (Var v : cover) {
            Expr ne = new Apply(Op.NE, List.of(new Ref(v), Const.ZERO), Type.BOOLEAN);
            cond = cond == null ? ne : new Apply(Op.OR, List.of(cond, ne), Type.BOOLEAN);
          }
          b.stmts.set(i, new Stmt.If(cond, new Block(List.of(l)), new Block(), Src.NONE));
        }
      }
    }
  }

  /** The doubles whose being zero makes the loop a no-op, or null when there is no such set. */
  private Set<Var> cover(Stmt.Loop l) {
    if (l.index != null) {
      inside.add(l.index);
    }
    Set<Var> out = new LinkedHashSet<>();
    return block(l.body, out) && block(l.update, out) ? out : null;
  }

  private boolean block(Block b, Set<Var> out) {
    for (Stmt s : b.stmts) {
      if (!stmt(s, out)) {
        return false;
      }
    }
    return true;
  }

  private boolean stmt(Stmt s, Set<Var> out) {
    if (s instanceof Stmt.Comment) {
      return true;
    }
    if (s instanceof Stmt.Assign a) {
      if (!pure(a.value)) {
        return false;
      }
      if (a.declaration || inside.contains(a.target)) {
        inside.add(a.target);
        locals.put(a.target, a.target.type() == Type.DOUBLE ? zeroWhen(a.value) : null);
        return true;
      }
      Set<Var> z = added(a.value, x -> x instanceof Ref r && r.var() == a.target);
      if (z == null && a.target.type() == Type.DOUBLE) {
        // v = e (an adjoint scaled, _d_s = 0.5 * _d_s): zero stays zero when v and e's cover are
        z = zeroWhen(a.value);
        if (z != null) {
          z.add(a.target);
        }
      }
      return z != null && out.addAll(z) | true;
    }
    if (s instanceof Stmt.ArrayStore st) {
      if (inside.contains(st.array) || !pure(st.value) || !pure(st.index)) {
        return false;
      }
      Set<Var> z = added(st.value, x -> x instanceof Apply r && r.op() == Op.ARRAY_READ
          && r.arg(0) instanceof Ref ra && ra.var() == st.array && r.arg(1).equals(st.index));
      return z != null && out.addAll(z) | true;
    }
    if (s instanceof Stmt.Eval e && e.call instanceof Expr.Invoke inv && inv.method().equals("addScaled")
        && inv.args().size() == 3 && inv.args().get(0) instanceof Ref target && !inside.contains(target.var())
        && inv.args().stream().allMatch(SkipZeroAdjoints::pure)) {
      Set<Var> z = zeroWhen(inv.args().get(1));
      return z != null && out.addAll(z) | true;
    }
    if (s instanceof Stmt.If f) {
      return pure(f.cond) && block(f.then, out) && block(f.otherwise, out);
    }
    if (s instanceof Stmt.Loop l) {
      if (l.index != null) {
        inside.add(l.index);
      }
      return (l.start == null || pure(l.start)) && pure(l.cond) && block(l.body, out) && block(l.update, out);
    }
    if (s instanceof Stmt.Nested n) {
      return block(n.block, out);
    }
    return false;
  }

  /** For {@code x + e}, {@code e + x} or {@code x - e} with {@code isSelf(x)}: when e vanishes. */
  private Set<Var> added(Expr value, java.util.function.Predicate<Expr> isSelf) {
    if (value instanceof Apply a && (a.op() == Op.ADD || a.op() == Op.SUB) && a.args().size() == 2) {
      if (isSelf.test(a.arg(0))) {
        return zeroWhen(a.arg(1));
      }
      if (a.op() == Op.ADD && isSelf.test(a.arg(1))) {
        return zeroWhen(a.arg(0));
      }
      // (x + e1) + e2, (x - e1) - e2, ...: x somewhere down the left of a chain of sums
      Set<Var> left = added(a.arg(0), isSelf);
      Set<Var> right = left == null ? null : zeroWhen(a.arg(1));
      if (right != null) {
        left.addAll(right);
        return left;
      }
    }
    return null;
  }

  /** Doubles read from outside the loop whose being zero makes {@code e} zero; null if none do. */
  private Set<Var> zeroWhen(Expr e) {
    if (e instanceof Const c) {
      return c.is(0) ? new LinkedHashSet<>() : null;
    }
    if (e instanceof Ref r) {
      if (inside.contains(r.var())) {
        Set<Var> z = locals.get(r.var());
        return z == null ? null : new LinkedHashSet<>(z);
      }
      return r.var().type() == Type.DOUBLE ? new LinkedHashSet<>(Set.of(r.var())) : null;
    }
    if (!(e instanceof Apply a)) {
      return null;
    }
    switch (a.op()) {
      case MUL -> {
        Set<Var> x = zeroWhen(a.arg(0));
        Set<Var> y = zeroWhen(a.arg(1));
        if (x == null || y == null) {
          return x == null ? y : x;
        }
        return adjoints(y) > adjoints(x) || adjoints(y) == adjoints(x) && y.size() < x.size() ? y : x;
      }
      case DIV, NEG -> {
        return zeroWhen(a.arg(0));
      }
      case CAST -> {
        return a.type() == Type.DOUBLE ? zeroWhen(a.arg(0)) : null;
      }
      case ADD, SUB, COND -> {
        Set<Var> out = new LinkedHashSet<>();
        for (Expr x : a.op() == Op.COND ? a.args().subList(1, 3) : a.args()) {
          Set<Var> z = zeroWhen(x);
          if (z == null) {
            return null;
          }
          out.addAll(z);
        }
        return out;
      }
      default -> {
        return null;
      }
    }
  }

  /** How many of the variables are adjoints (their tangents too): the better guard. */
  private static long adjoints(Set<Var> vars) {
    return vars.stream().filter(v -> v.name().startsWith("_d_") || v.name().startsWith("_dot_d_")).count();
  }

  /** No tape traffic and no calls that could change anything: reads and arithmetic only. */
  private static boolean pure(Expr e) {
    boolean[] ok = {true};
    e.forEach(x -> {
      if (x instanceof Expr.Invoke i && (i.receiver() != null || i.type() == Type.OBJECT)
          || x instanceof Expr.Call || x instanceof Expr.New) {
        ok[0] &= x instanceof Expr.Invoke i2 && i2.receiver() != null && i2.method().equals("value")
            || x instanceof Expr.Invoke i3 && i3.receiver() != null && i3.args().isEmpty()
                && !i3.method().startsWith("pop");
      }
    });
    return ok[0];
  }
}
