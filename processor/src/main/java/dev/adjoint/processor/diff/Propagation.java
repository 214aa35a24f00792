package dev.adjoint.processor.diff;

import dev.adjoint.processor.diff.rules.Rules;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Pushes the adjoint of an expression's value down its tree with the chain rule, and says what
 * each active leaf receives. Used by the planner (to learn which values the reverse sweep reads)
 * and by the reverse sweep (to write the updates).
 */
public final class Propagation {
  private Propagation() {}

  /** Where a contribution goes. */
  public sealed interface Target {}

  /** The adjoint of a scalar variable. */
  public record ToVar(Var var) implements Target {}

  /** One element of an array's adjoint. */
  public record ToElement(Var array, Expr index) implements Target {}

  /** A whole array's adjoint: {@code amount} times the array {@code vector} (a callee's gradient). */
  public record ToArray(Var array, Expr vector) implements Target {}

  /**
   * {@code amount} flows into {@code target}; when the value was chosen by {@code c ? a : b},
   * {@code guard} is the condition under which it was (null: always). An array element's
   * update is made only under its guard, since its index may be valid only there
   * ({@code n > 1 ? w[1] : 0}).
   */
  public record Contribution(Target target, Expr amount, Expr guard) {
    public Contribution(Target target, Expr amount) {
      this(target, amount, null);
    }
  }

  /**
   * The contributions of {@code adj}, the adjoint of {@code e}'s value, to the active leaves of
   * {@code e}. {@code result}, when not null, is an expression that already holds e's value.
   * {@code bind} may turn an adjoint that several operands share into a temporary.
   */
  public static List<Contribution> of(Expr e, Expr adj, Expr result, Predicate<Var> active,
      UnaryOperator<Expr> bind) {
    List<Contribution> out = new ArrayList<>();
    push(e, adj, result, active, bind, out, null);
    return out;
  }

  private static void push(Expr e, Expr adj, Expr result, Predicate<Var> active,
      UnaryOperator<Expr> bind, List<Contribution> out, Expr guard) {
    if (Sym.isZero(adj) || !isActive(e, active)) {
      return;
    }
    if (e instanceof Ref r) {
      out.add(new Contribution(new ToVar(r.var()), guard == null ? adj : Sym.cond(guard, adj, Const.ZERO)));
    } else if (e instanceof Apply a && a.op() == Op.ARRAY_READ) {
      out.add(new Contribution(new ToElement(((Ref) a.arg(0)).var(), a.arg(1)), adj, guard));
    } else if (e instanceof Apply a && a.op() == Op.COND) {
      // the adjoint follows the branch taken, and stays under its condition
      Expr c = a.arg(0);
      Expr notC = new Apply(Op.NOT, List.of(c), Type.BOOLEAN);
      Expr shared = isActive(a.arg(1), active) && isActive(a.arg(2), active) ? bind.apply(adj) : adj;
      push(a.arg(1), shared, null, active, bind, out, both(guard, c));
      push(a.arg(2), shared, null, active, bind, out, both(guard, notC));
    } else if (e instanceof Apply a && Rules.hasVjp(a.op())) {
      Expr shared = shareable(a.args(), a.args().stream().map(x -> (Expr) x).toList(), active)
          ? bind.apply(adj) : adj;
      List<Expr> shares = Rules.vjp(a, result != null ? result : a, shared);
      for (int i = 0; i < a.args().size(); i++) {
        if (shares.get(i) != null) {
          push(a.arg(i), shares.get(i), null, active, bind, out, guard);
        }
      }
    } else if (e instanceof Apply a) {
      List<Expr> partials = Rules.partials(a, result != null ? result : a);
      Expr shared = shareable(a.args(), partials, active) ? bind.apply(adj) : adj;
      for (int i = 0; i < a.args().size(); i++) {
        if (partials.get(i) != null) {
          push(a.arg(i), Sym.mul(shared, partials.get(i)), null, active, bind, out, guard);
        }
      }
    } else if (e instanceof Expr.Call c && c.type() == Type.TENSOR) {
      // a layer: its generated vector-Jacobian product, called once with this adjoint
      CallTarget t = c.target();
      List<Expr> vjpArgs = new java.util.ArrayList<>(c.args());
      vjpArgs.add(adj);
      Expr vjp = bind.apply(new Expr.Invoke(t.derivativeOwner(), null, t.derivativeName(), vjpArgs, Type.OBJECT));
      for (int i = 0; i < c.args().size(); i++) {
        if (!t.hasPartial(i) || !isActive(c.args().get(i), active)) {
          continue;
        }
        Expr share = new Expr.Invoke(null, vjp, t.partials().get(i), List.of(), t.paramTypes().get(i));
        Expr arg = c.args().get(i);
        if (arg.type() == Type.DOUBLE_ARRAY) {
          out.add(new Contribution(new ToArray(((Ref) arg).var(), share), Const.ONE, guard));
        } else {
          push(arg, share, null, active, bind, out, guard);
        }
      }
    } else if (e instanceof Expr.Call c) {
      List<Expr> partials = Rules.partials(c);
      Expr shared = shareable(c.args(), partials, active) ? bind.apply(adj) : adj;
      for (int i = 0; i < c.args().size(); i++) {
        Expr p = partials.get(i);
        if (p == null) {
          continue;
        }
        Expr arg = c.args().get(i);
        if (arg.type() == Type.DOUBLE_ARRAY) {
          if (isActive(arg, active)) {
            out.add(new Contribution(new ToArray(((Ref) arg).var(), p), shared, guard));
          }
        } else {
          push(arg, Sym.mul(shared, p), null, active, bind, out, guard);
        }
      }
    }
  }

  private static Expr both(Expr guard, Expr c) {
    return guard == null ? c : new Apply(Op.AND, List.of(guard, c), Type.BOOLEAN);
  }

  private static boolean shareable(List<Expr> args, List<Expr> partials, Predicate<Var> active) {
    int users = 0;
    for (int i = 0; i < args.size(); i++) {
      if (partials.get(i) != null && !Sym.isZero(partials.get(i)) && isActive(args.get(i), active)) {
        users++;
      }
    }
    return users > 1;
  }

  /**
   * Whether the expression's value depends on an active variable. An integer, boolean or index
   * (such as {@code w.length}) never does, whatever it reads.
   */
  public static boolean isActive(Expr e, Predicate<Var> active) {
    if (!e.type().differentiable()) {
      return false;
    }
    if (e instanceof Ref r) {
      return active.test(r.var());
    }
    if (e instanceof Apply a) {
      return a.args().stream().anyMatch(x -> isActive(x, active));
    }
    if (e instanceof Expr.Call c) {
      return c.args().stream().anyMatch(x -> isActive(x, active));
    }
    if (e instanceof Expr.Invoke i) {
      return i.receiver() != null && isActive(i.receiver(), active)
          || i.args().stream().anyMatch(x -> isActive(x, active));
    }
    return false;
  }
}
