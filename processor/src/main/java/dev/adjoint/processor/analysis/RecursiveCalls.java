package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.MethodGraph;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The methods of one generated class that call themselves, directly or through each other
 * (mutual recursion), by calls whose gradient the caller's reverse sweep adds through the
 * callee's accumulating overload ({@link CallTarget.Kind#ACCUMULATE}).
 *
 * <p>Such a call's joint gradient re-runs the callee's forward sweep inside its own reverse
 * sweep, so along a recursion of depth d every call's subtree is computed again at each of the
 * d levels above it: the gradient costs about d times the primal. Recording the callee's forward
 * sweep once, where the caller's forward sweep calls it, and consuming it in the caller's
 * reverse sweep ({@code diff.SplitRecursion}) costs one primal plus taping instead.
 */
public final class RecursiveCalls {
  private RecursiveCalls() {}

  /**
   * The graphs among {@code graphs} that lie on a cycle of calls; {@code callee} names the graph a
   * call target is (null for a method not among them).
   */
  public static Set<MethodGraph> onCycles(List<MethodGraph> graphs, Function<CallTarget, MethodGraph> callee) {
    Map<MethodGraph, Set<MethodGraph>> calls = new LinkedHashMap<>();
    for (MethodGraph g : graphs) {
      Set<MethodGraph> out = new LinkedHashSet<>();
      for (CallTarget t : accumulateCalls(g)) {
        MethodGraph c = callee.apply(t);
        if (c != null && graphs.contains(c)) {
          out.add(c);
        }
      }
      calls.put(g, out);
    }
    Set<MethodGraph> cyclic = new LinkedHashSet<>();
    for (MethodGraph g : graphs) {
      // g is on a cycle when it reaches itself
      Set<MethodGraph> seen = new HashSet<>();
      Deque<MethodGraph> todo = new ArrayDeque<>(calls.get(g));
      while (!todo.isEmpty()) {
        MethodGraph c = todo.pop();
        if (c == g) {
          cyclic.add(g);
          break;
        }
        if (seen.add(c)) {
          todo.addAll(calls.get(c));
        }
      }
    }
    return cyclic;
  }

  /** The targets of the accumulating calls in a graph's body. */
  public static Set<CallTarget> accumulateCalls(MethodGraph g) {
    Set<CallTarget> out = new LinkedHashSet<>();
    Blocks.walk(g.body(), s -> {
      for (Expr e : Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Expr.Call c && c.target().kind() == CallTarget.Kind.ACCUMULATE) {
            out.add(c.target());
          }
        });
      }
    });
    return out;
  }
}
