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
import dev.adjoint.processor.diag.TooLarge;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Pushes the adjoint of an expression's value down its tree with the chain rule, and says what
 * each active leaf receives. Used by the planner (to learn which values the reverse sweep reads)
 * and by the reverse sweep (to write the updates).
 *
 * <p>One call is linear in the size of the expression (activity is memoised per node) plus the
 * size of what it returns; that size is bounded ({@link #MAX_NODES}), since a result beyond it
 * (a Horner polynomial thousands of levels deep has a gradient of quadratic size) could neither
 * be built in reasonable time nor compile.
 */
public final class Propagation {
  private Propagation() {}

  /**
   * Most expression nodes the contributions of one expression may hold, counted as written
   * out (shared subtrees once per use): a million nodes are far beyond the 64 KB of bytecode a
   * method may hold.
   */
  static final long MAX_NODES = 1_000_000;

  /** Where a contribution goes. */
  public sealed interface Target {}

  /** The adjoint of a scalar variable. */
  public record ToVar(Var var) implements Target {}

  /** One element of an array's adjoint. */
  public record ToElement(Var array, Expr index) implements Target {}

  /** A whole array's adjoint: {@code amount} times the array {@code vector} (a callee's gradient). */
  /**
   * {@code array} (or its row {@code array[index]}, index null for the whole array) gets
   * {@code amount · vector}, element by element: a callee's array gradient.
   */
  public record ToArray(Var array, Expr index, Expr vector) implements Target {
    /** The whole array an argument names, or the row of one it reads ({@code a[i]}). */
    static ToArray of(Expr arg, Expr vector) {
      return arg instanceof Apply row && row.op() == Op.ARRAY_READ
          ? new ToArray(((Ref) row.arg(0)).var(), row.arg(1), vector)
          : new ToArray(((Ref) arg).var(), null, vector);
    }
  }

  /**
   * The adjoints of the arrays passed to {@code call} ({@link CallTarget.Kind#ACCUMULATE}):
   * {@code amount} times the callee's gradient, added in place by its accumulating overload.
   */
  public record ToCallersArrays(Expr.Call call) implements Target {}

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
    Walk w = new Walk(active, bind);
    w.push(e, adj, result, null);
    return w.out;
  }

  /** One propagation: activity memoised per node, and the size of what it returns so far. */
  private static final class Walk {
    final Predicate<Var> active;
    final UnaryOperator<Expr> bind;
    final List<Contribution> out = new ArrayList<>();
    final Map<Expr, Boolean> activeMemo = new IdentityHashMap<>();
    final Map<Expr, Long> sizeMemo = new IdentityHashMap<>();
    long nodes;

    Walk(Predicate<Var> active, UnaryOperator<Expr> bind) {
      this.active = active;
      this.bind = bind;
    }

    boolean isActive(Expr e) {
      if (!e.type().differentiable()) {
        return false;
      }
      if (e instanceof Ref r) {
        return active.test(r.var());
      }
      if (!(e instanceof Apply || e instanceof Expr.Call || e instanceof Expr.Invoke)) {
        return false;
      }
      Boolean known = activeMemo.get(e);
      if (known == null) {
        known = anyActive(e);
        activeMemo.put(e, known);
      }
      return known;
    }

    private boolean anyActive(Expr e) {
      if (e instanceof Expr.Invoke i && i.receiver() != null && isActive(i.receiver())) {
        return true;
      }
      List<Expr> args = e instanceof Apply a ? a.args() : e instanceof Expr.Call c ? c.args()
          : ((Expr.Invoke) e).args();
      for (Expr x : args) {
        if (isActive(x)) {
          return true;
        }
      }
      return false;
    }

    void add(Contribution c) {
      nodes += size(c.amount()) + (c.guard() == null ? 0 : size(c.guard()));
      if (c.target() instanceof ToElement el) {
        nodes += size(el.index());
      }
      if (nodes > MAX_NODES) {
        throw new TooLarge("the adjoint of one expression alone has over " + MAX_NODES / 1_000_000
            + " million terms and factors");
      }
      out.add(c);
    }

    /** Nodes of the tree written out, shared subtrees counted at each use (saturating). */
    private long size(Expr e) {
      int[] budget = {1 << 16};
      long n = smallSize(e, budget);
      return budget[0] >= 0 ? n : memoSize(e);
    }

    /** Counts without a memo while the tree is small (the usual case); budget below 0: too big. */
    private static long smallSize(Expr e, int[] budget) {
      if (--budget[0] < 0) {
        return 0;
      }
      List<Expr> args = e instanceof Apply a ? a.args() : e instanceof Expr.Call c ? c.args()
          : e instanceof Expr.Invoke i ? i.args() : e instanceof Expr.New n ? n.args() : List.of();
      long n = 1;
      if (e instanceof Expr.Invoke i && i.receiver() != null) {
        n += smallSize(i.receiver(), budget);
      }
      for (Expr x : args) {
        n += smallSize(x, budget);
      }
      return n;
    }

    private long memoSize(Expr e) {
      List<Expr> args = e instanceof Apply a ? a.args() : e instanceof Expr.Call c ? c.args()
          : e instanceof Expr.Invoke i ? i.args() : e instanceof Expr.New n ? n.args() : List.of();
      if (args.isEmpty() && !(e instanceof Expr.Invoke)) {
        return 1;
      }
      Long known = sizeMemo.get(e);
      if (known != null) {
        return known;
      }
      long n = 1;
      if (e instanceof Expr.Invoke i && i.receiver() != null) {
        n += memoSize(i.receiver());
      }
      for (Expr x : args) {
        n = Math.min(n + memoSize(x), Long.MAX_VALUE / 4);
      }
      sizeMemo.put(e, n);
      return n;
    }

    private void push(Expr e, Expr adj, Expr result, Expr guard) {
      if (Sym.isZero(adj) || !isActive(e)) {
        return;
      }
      if (e instanceof Ref r) {
        add(new Contribution(new ToVar(r.var()), guard == null ? adj : Sym.cond(guard, adj, Const.ZERO)));
      } else if (e instanceof Apply a && a.op() == Op.ARRAY_READ) {
        add(new Contribution(new ToElement(((Ref) a.arg(0)).var(), a.arg(1)), adj, guard));
      } else if (e instanceof Apply a && a.op() == Op.COND) {
        // the adjoint follows the branch taken, and stays under its condition
        Expr c = a.arg(0);
        Expr notC = new Apply(Op.NOT, List.of(c), Type.BOOLEAN);
        Expr shared = isActive(a.arg(1)) && isActive(a.arg(2)) ? bind.apply(adj) : adj;
        push(a.arg(1), shared, null, both(guard, c));
        push(a.arg(2), shared, null, both(guard, notC));
      } else if (e instanceof Apply a && Rules.hasVjp(a.op())) {
        Expr shared = shareable(a.args(), a.args()) ? bind.apply(adj) : adj;
        List<Expr> shares = Rules.vjp(a, result != null ? result : a, shared);
        for (int i = 0; i < a.args().size(); i++) {
          if (shares.get(i) != null) {
            push(a.arg(i), shares.get(i), null, guard);
          }
        }
      } else if (e instanceof Apply a) {
        List<Expr> partials = Rules.partials(a, result != null ? result : a);
        Expr shared = shareable(a.args(), partials) ? bind.apply(adj) : adj;
        for (int i = 0; i < a.args().size(); i++) {
          if (partials.get(i) != null) {
            push(a.arg(i), Sym.mul(shared, partials.get(i)), null, guard);
          }
        }
      } else if (e instanceof Expr.Call c && (c.type() == Type.TENSOR || c.type().isDoubleArray())) {
        // a layer or a vector-valued method: its generated vector-Jacobian product, called
        // once with this adjoint (a tensor, or the double[] adjoint of the array it made)
        CallTarget t = c.target();
        List<Expr> vjpArgs = new java.util.ArrayList<>(c.args());
        vjpArgs.add(adj);
        Expr vjp = bind.apply(new Expr.Invoke(t.derivativeOwner(), null, t.derivativeName(), vjpArgs, Type.OBJECT));
        for (int i = 0; i < c.args().size(); i++) {
          if (!t.hasPartial(i) || !isActive(c.args().get(i))) {
            continue;
          }
          Expr share = new Expr.Invoke(null, vjp, t.partials().get(i), List.of(), t.paramTypes().get(i));
          Expr arg = c.args().get(i);
          if (arg.type().isDoubleArray()) {
            add(new Contribution(ToArray.of(arg, share), Const.ONE, guard));
          } else {
            push(arg, share, null, guard);
          }
        }
      } else if (e instanceof Expr.Call c && c.target().kind() == CallTarget.Kind.ACCUMULATE) {
        add(new Contribution(new ToCallersArrays(c), adj, guard));
      } else if (e instanceof Expr.Call c) {
        List<Expr> partials = Rules.partials(c);
        Expr shared = shareable(c.args(), partials) ? bind.apply(adj) : adj;
        for (int i = 0; i < c.args().size(); i++) {
          Expr p = partials.get(i);
          if (p == null) {
            continue;
          }
          Expr arg = c.args().get(i);
          if (arg.type().isDoubleArray()) {
            if (isActive(arg)) {
              add(new Contribution(ToArray.of(arg, p), shared, guard));
            }
          } else {
            push(arg, Sym.mul(shared, p), null, guard);
          }
        }
      }
    }

    private boolean shareable(List<Expr> args, List<Expr> partials) {
      int users = 0;
      for (int i = 0; i < args.size(); i++) {
        if (partials.get(i) != null && !Sym.isZero(partials.get(i)) && isActive(args.get(i))) {
          users++;
        }
      }
      return users > 1;
    }
  }

  private static Expr both(Expr guard, Expr c) {
    return guard == null ? c : new Apply(Op.AND, List.of(guard, c), Type.BOOLEAN);
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
