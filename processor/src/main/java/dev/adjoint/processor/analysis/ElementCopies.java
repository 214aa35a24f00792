package dev.adjoint.processor.analysis;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Local copies of array elements read again instead of taped: {@code double xj = xc[j];} before
 * an inner loop (a plain way to keep an element in a register) declared in a loop's body would
 * be pushed once per iteration for the reverse sweep, which reads it in that iteration's adjoint.
 * The reverse sweep restores every array it needs to its state at each point it goes back
 * through; so when the copy's array is needed at the declaration (the planner then saves or
 * refills what later code overwrites), and the rest of the declaration's block writes the array
 * no more, the element where the reverse sweep enters the block is the one copied: it is read
 * there again ({@link Recompute#elementCopied} for what the copy may be).
 *
 * <p>Not for copies at the top level of the method (they stay in scope), not when anything after
 * the declaration in its block may write the array (a store into it, or a call it is given to),
 * and, decided by the planner, not when nothing else in the reverse sweep needs the array: then
 * restoring it would cost more than taping the copy.
 */
public final class ElementCopies {
  private ElementCopies() {}

  /** The declarations to read again, with the array each one copies from. */
  static Map<Stmt.Assign, Var> find(MethodGraph graph, Recompute recompute, Function<Stmt, List<Stmt>> loopsAround) {
    Map<Stmt.Assign, Var> out = new IdentityHashMap<>();
    Blocks.walk(graph.body(), s -> {
      for (Block b : Blocks.children(s)) {
        for (int i = 0; i < b.stmts.size(); i++) {
          if (b.stmts.get(i) instanceof Stmt.Assign a) {
            Var array = recompute.elementCopied(a, loopsAround.apply(a));
            if (array != null && !writtenAfter(b.stmts.subList(i + 1, b.stmts.size()), array)) {
              out.put(a, array);
            }
          }
        }
      }
    });
    return out;
  }

  private static boolean writtenAfter(List<Stmt> rest, Var array) {
    boolean[] written = {false};
    Blocks.walk(new Block(List.copyOf(rest)), s -> {
      written[0] |= s instanceof Stmt.ArrayStore st && st.array == array
          || s instanceof Stmt.Assign a && a.target == array;
      List<Expr> exprs = s instanceof Stmt.Eval e ? List.of(e.call) : Blocks.exprs(s);
      for (Expr e : exprs) {
        e.forEach(x -> {
          List<Expr> args = x instanceof Expr.Call c ? c.args() : x instanceof Expr.Invoke inv ? inv.args()
              : x instanceof Expr.New n ? n.args() : List.of();
          for (Expr arg : args) {
            written[0] |= arg instanceof Ref r && r.var() == array;
          }
        });
      }
    });
    return written[0];
  }
}
