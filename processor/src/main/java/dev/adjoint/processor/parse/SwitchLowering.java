package dev.adjoint.processor.parse;

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
import java.util.List;

/**
 * Desugars a {@code switch} (already read into case groups) into the graph's structured forms,
 * so that no later stage knows about switches:
 * <ul>
 *   <li>no group falls into the next (each ends in break, return, continue, or is an arrow
 *       case): an {@code if / else if} chain on {@code selector == label}, {@code default} as
 *       the final else wherever it stood;
 *   <li>some group falls through: one {@code if} per group in source order, a flag
 *       {@code fall} set at the end of a group that falls into the next, and the next group's
 *       condition {@code fall || selector == label} (the selector is copied first when the
 *       switch could change it);
 *   <li>a constant selector ({@code static final}, such as a String constant): the groups it
 *       selects, with no test at all.
 * </ul>
 * A break that ends a group is dropped; any other break that leaves the switch stays, aimed at
 * the switch's label, and the result is a labelled block that the lowering turns into a flag.
 */
final class SwitchLowering {
  private SwitchLowering() {}

  /**
   * One group of cases as read: its labels, whether {@code default} is among them, its body
   * (with its own scope), whether it is an arrow case, and where it starts.
   */
  record Group(List<Expr> labels, boolean isDefault, Block body, boolean rule, Src src) {}

  static List<Stmt> lower(Expr selector, List<Group> groups, Stmt.Label label, Src src) {
    int n = groups.size();
    boolean[] falls = new boolean[n];
    for (int i = 0; i < n; i++) {
      Group g = groups.get(i);
      falls[i] = !g.rule() && i < n - 1 && !Blocks.alwaysExits(g.body().stmts);
      List<Stmt> body = g.body().stmts;
      if (!body.isEmpty() && body.get(body.size() - 1) instanceof Stmt.Break b && b.target == label) {
        body.remove(body.size() - 1); // the break that ends the group: control leaves the if anyway
      }
    }
    List<Stmt> out = new ArrayList<>();
    if (constant(selector) && groups.stream().allMatch(g -> g.labels().stream().allMatch(SwitchLowering::constant))) {
      int chosen = -1;
      for (int i = 0; i < n && chosen < 0; i++) {
        for (Expr l : groups.get(i).labels()) {
          if (same(selector, l)) {
            chosen = i;
          }
        }
      }
      for (int i = 0; i < n && chosen < 0; i++) {
        if (groups.get(i).isDefault()) {
          chosen = i;
        }
      }
      if (chosen >= 0) {
        for (int i = chosen; i < n; i++) {
          out.addAll(groups.get(i).body().stmts);
          if (!falls[i]) {
            break;
          }
        }
      }
      return wrap(out, label, src);
    }
    boolean anyFalls = false;
    for (boolean f : falls) {
      anyFalls |= f;
    }
    if (!anyFalls) {
      // an if / else if chain, default last
      Block otherwise = new Block();
      for (Group g : groups) {
        if (g.isDefault()) {
          otherwise = g.body();
        }
      }
      for (int i = n - 1; i >= 0; i--) {
        Group g = groups.get(i);
        if (g.isDefault()) {
          continue;
        }
        Stmt.If f = new Stmt.If(matches(selector, g.labels()), g.body(), otherwise, g.src());
        otherwise = new Block(List.of(f));
      }
      out.addAll(otherwise.stmts);
      return wrap(out, label, src);
    }
    // fall-through: the selector is read by every group's test, so it must not change meanwhile
    Expr sel = selector;
    if (!(selector instanceof Const || selector instanceof Expr.Field
        || selector instanceof Ref r && !writtenIn(r.var(), groups))) {
      Var copy = new Var("selector", selector.type(), Var.Kind.SYNTHETIC);
      out.add(new Stmt.Assign(copy, selector, true, null, src));
      sel = new Ref(copy);
    }
    Var fall = new Var("fall", Type.BOOLEAN, Var.Kind.SYNTHETIC);
    out.add(new Stmt.Assign(fall, Const.ofBoolean(false), true, null, Src.NONE));
    for (int i = 0; i < n; i++) {
      Group g = groups.get(i);
      Expr match;
      if (g.isDefault()) {
        List<Expr> others = new ArrayList<>();
        for (Group o : groups) {
          if (o != g) {
            others.addAll(o.labels());
          }
        }
        match = others.isEmpty() ? Const.ofBoolean(true)
            : new Apply(Op.NOT, List.of(matches(sel, others)), Type.BOOLEAN);
      } else {
        match = matches(sel, g.labels());
      }
      boolean entered = i > 0 && falls[i - 1];
      Expr cond = match;
      if (entered && g.isDefault()) {
        cond = new Apply(Op.OR, List.of(new Ref(fall), match), Type.BOOLEAN);
      } else if (entered) { // fall || k == 1 || k == 2
        cond = new Ref(fall);
        for (Expr l : g.labels()) {
          cond = new Apply(Op.OR, List.of(cond, equal(sel, l)), Type.BOOLEAN);
        }
      }
      List<Stmt> body = new ArrayList<>(g.body().stmts);
      boolean laterEntered = false;
      for (int j = i + 1; j < n; j++) {
        laterEntered |= falls[j - 1];
      }
      if (falls[i]) {
        body.add(new Stmt.Assign(fall, Const.ofBoolean(true), false, null, Src.NONE));
      } else if (entered && laterEntered) {
        body.add(new Stmt.Assign(fall, Const.ofBoolean(false), false, null, Src.NONE));
      }
      if (!body.isEmpty()) { // an empty group (default: with nothing to do) needs no test
        out.add(new Stmt.If(cond, new Block(body), new Block(), g.src()));
      }
    }
    return wrap(out, label, src);
  }

  /** A labelled block when a break still leaves the switch from inside a group, else the statements. */
  private static List<Stmt> wrap(List<Stmt> stmts, Stmt.Label label, Src src) {
    boolean[] breaks = {false};
    Blocks.walk(new Block(stmts), s -> breaks[0] |= s instanceof Stmt.Break b && b.target == label);
    if (!breaks[0]) {
      return stmts;
    }
    Stmt.Nested n = new Stmt.Nested(new Block(stmts), src);
    n.label = label;
    return List.of(n);
  }

  private static Expr matches(Expr selector, List<Expr> labels) {
    Expr any = null;
    for (Expr l : labels) {
      Expr eq = equal(selector, l);
      any = any == null ? eq : new Apply(Op.OR, List.of(any, eq), Type.BOOLEAN);
    }
    return any == null ? Const.ofBoolean(false) : any;
  }

  /** {@code selector == label}; for a String label, {@code selector.equals("label")} as Java's switch compares. */
  static Expr equal(Expr selector, Expr label) {
    return label instanceof Const c && c.value() instanceof String
        ? new Expr.Invoke(null, selector, "equals", List.of(label), Type.BOOLEAN)
        : new Apply(Op.EQ, List.of(selector, label), Type.BOOLEAN);
  }

  private static boolean constant(Expr e) {
    return e instanceof Const;
  }

  private static boolean same(Expr a, Expr b) {
    return ((Const) a).value().equals(((Const) b).value());
  }

  private static boolean writtenIn(Var v, List<Group> groups) {
    boolean[] found = {false};
    for (Group g : groups) {
      Blocks.walk(g.body(), s -> found[0] |= s instanceof Stmt.Assign a && a.target == v);
    }
    return found[0];
  }
}
