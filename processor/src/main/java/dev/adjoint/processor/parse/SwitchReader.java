package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import dev.adjoint.processor.diag.Diagnostics;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;

/** Reads {@code switch} statements and expressions: selectors on int, enum and String, case labels,
 * and the groups {@link SwitchLowering} turns into branches. */
abstract class SwitchReader extends CallReader {
  SwitchReader(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    super(env, diag, calls, sources);
  }

  /**
   * The selector of a switch: an int expression; a {@code static final} enum field (compared
   * with {@code ==}); a String constant (the switch is resolved now). Null after reporting.
   */
  Expr selector(ExpressionTree tree) {
    ExpressionTree e = unparenthesized(tree);
    if (e.getKind() == Tree.Kind.STRING_LITERAL) {
      return new Const(Type.OBJECT, ((LiteralTree) e).getValue());
    }
    VariableElement f = null;
    if (e instanceof IdentifierTree id && lookup(id.getName().toString()) == null) {
      f = resolver.field(id.getName().toString());
    } else if (e instanceof MemberSelectTree m && !(m.getExpression() instanceof IdentifierTree q
        && lookup(q.getName().toString()) != null)) {
      TypeElement owner = resolver.typeNamed(m.getExpression());
      f = owner == null ? null : resolver.field(owner, m.getIdentifier().toString());
    } else if (e instanceof IdentifierTree id && poisoned.contains(lookup(id.getName().toString()))) {
      return null; // a parameter of an unsupported type, reported with the signature
    } else if (e instanceof IdentifierTree id && lookup(id.getName().toString()) != null
        && lookup(id.getName().toString()).type() == Type.OBJECT
        && lookup(id.getName().toString()).objectType() instanceof ClassName enumClass) {
      Expr sel = new Ref(lookup(id.getName().toString())); // an enum or String parameter
      if (!enumClass.equals(STRING)) {
        enumTypes.put(sel, enumClass);
      }
      return sel;
    }
    if (f != null && f.asType().getKind() == TypeKind.DECLARED) {
      boolean constantField = f.getModifiers().contains(Modifier.STATIC) && f.getModifiers().contains(Modifier.FINAL);
      Element type = env.getTypeUtils().asElement(f.asType());
      if (constantField && f.getConstantValue() instanceof String str) {
        return new Const(Type.OBJECT, str);
      }
      if (!f.getModifiers().contains(Modifier.STATIC) && self != null && ownField(f)
          && type.getKind() == ElementKind.ENUM) {
        // an enum field of the instance: read from it like any field (a private one through a handle)
        Expr.Field sel = new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), new Ref(self),
            f.getSimpleName().toString(), Type.OBJECT);
        enumTypes.put(sel, ClassName.get((TypeElement) type));
        return sel;
      }
      if (constantField && type.getKind() == ElementKind.ENUM && accessible(f)) {
        Expr.Field sel = new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()),
            f.getSimpleName().toString(), Type.OBJECT);
        enumTypes.put(sel, ClassName.get((TypeElement) type));
        return sel;
      }
      return (Expr) unsupported(tree, "a switch on '" + sourceText(e) + "' of type " + f.asType(),
          "switch on an int, an enum parameter or field, a static final enum field the generated class can read, "
              + "a String parameter or a String constant");
    }
    Expr sel = expr(tree);
    if (sel != null && sel.type() != Type.INT) {
      return unsupported(tree, "a switch on a " + sel.type().javaName(),
          "switch on an int, an enum or a String (parameters, or static final constants)");
    }
    return sel;
  }

  /** A case label: a constant of the selector's kind. Null after reporting. */
  Expr caseLabel(ExpressionTree tree, Expr selector) {
    ExpressionTree e = unparenthesized(tree);
    if (isString(selector)) {
      if (e.getKind() == Tree.Kind.STRING_LITERAL) {
        return new Const(Type.OBJECT, ((LiteralTree) e).getValue());
      }
      VariableElement f = e instanceof IdentifierTree id ? resolver.field(id.getName().toString()) : null;
      if (f != null && f.getConstantValue() instanceof String str) {
        return new Const(Type.OBJECT, str);
      }
      return unsupported(tree, "the case label " + sourceText(e), "write a String literal or constant");
    }
    if (enumTypes.containsKey(selector)) {
      // an enum constant, written by its simple name as Java requires (a static final int
      // field such as K is an int selector: its labels are int constants)
      return new Expr.Field(enumTypes.get(selector), e.toString(), Type.OBJECT);
    }
    Expr l = expr(tree);
    if (l instanceof Apply a && a.op() == Op.NEG && a.arg(0) instanceof Const c && c.value() instanceof Integer v) {
      l = Const.ofInt(-v); // case -1:
    }
    if (l != null && !(l instanceof Const || l instanceof Expr.Field) || l != null && l.type() != Type.INT) {
      return unsupported(tree, "the case label " + sourceText(e), "write an int constant");
    }
    return l;
  }

  /**
   * A method of a String parameter: {@code s.equals(other)} with a String literal, constant or
   * parameter (what a switch on it compares); anything else is reported.
   */
  Expr stringCall(MethodInvocationTree t, Expr receiver, String name) {
    if (name.equals("equals") && t.getArguments().size() == 1) {
      ExpressionTree a = unparenthesized(t.getArguments().get(0));
      Expr other = null;
      if (a.getKind() == Tree.Kind.STRING_LITERAL) {
        other = new Const(Type.OBJECT, ((LiteralTree) a).getValue());
      } else if (a instanceof IdentifierTree id && lookup(id.getName().toString()) != null) {
        other = expr(a);
      } else if (a instanceof IdentifierTree id && resolver.field(id.getName().toString()) != null
          && resolver.field(id.getName().toString()).getConstantValue() instanceof String str) {
        other = new Const(Type.OBJECT, str);
      }
      if (other != null && isString(other)) {
        return new Expr.Invoke(null, receiver, "equals", List.of(other), Type.BOOLEAN);
      }
    }
    return unsupported(t, "the call " + sourceText(t) + " on a String",
        "compare a String parameter with equals (a String literal, constant or parameter), or switch on it");
  }

  /**
   * The case groups of a switch. Old-style cases with no statements join the next group
   * ({@code case 1: case 2: ...}); each group's statements have their own scope. Empty when
   * something was reported.
   */
  Optional<SwitchLowering.Group[]> cases(List<? extends com.sun.source.tree.CaseTree> cases,
      Expr selector, boolean expression) {
    List<SwitchLowering.Group> groups = new ArrayList<>();
    List<Expr> pendingLabels = new ArrayList<>();
    boolean pendingDefault = false;
    Src pendingSrc = null;
    int before = errors;
    for (int i = 0; i < cases.size(); i++) {
      com.sun.source.tree.CaseTree c = cases.get(i);
      List<? extends ExpressionTree> exprs = c.getExpressions();
      for (ExpressionTree l : exprs) {
        Expr label = caseLabel(l, selector);
        if (label != null) {
          pendingLabels.add(label);
        }
      }
      boolean isDefault = exprs.isEmpty();
      pendingDefault |= isDefault;
      String text = isDefault ? "default" : "case " + join(exprs);
      if (pendingSrc == null) {
        pendingSrc = src(c, text);
      } else {
        pendingSrc = new Src(pendingSrc.line(), pendingSrc.text() + ", " + text);
      }
      boolean rule = c.getCaseKind() == com.sun.source.tree.CaseTree.CaseKind.RULE;
      if (!rule && c.getStatements().isEmpty() && i < cases.size() - 1) {
        continue; // falls into the next case label at once
      }
      Block body;
      scopes.push(new HashMap<>());
      branchDepth++;
      if (rule && expression && c.getBody() instanceof ExpressionTree value) {
        List<Stmt> stmts = new ArrayList<>();
        statementOfYield(value, stmts);
        body = new Block(stmts);
      } else if (rule && c.getBody() instanceof BlockTree b) {
        body = block(b.getStatements());
      } else if (rule && c.getBody() instanceof ExpressionTree value) {
        // case L -> x = ...; of a switch statement
        List<Stmt> stmts = new ArrayList<>();
        List<Stmt> outerHoisted = hoisted;
        hoisted = new ArrayList<>();
        ExpressionTree outerHoistable = hoistable;
        hoistable = topExpression(value);
        expressionStatement(value, value, st -> {
          stmts.addAll(hoisted);
          hoisted.clear();
          stmts.add(st);
        });
        hoisted = outerHoisted;
        hoistable = outerHoistable;
        body = new Block(stmts);
      } else if (rule && c.getBody() instanceof StatementTree st) {
        List<Stmt> stmts = new ArrayList<>();
        statement(st, stmts::add);
        body = new Block(stmts);
      } else {
        List<Stmt> stmts = new ArrayList<>();
        for (StatementTree st : c.getStatements()) {
          statement(st, stmts::add);
        }
        body = new Block(stmts);
      }
      branchDepth--;
      scopes.pop();
      groups.add(new SwitchLowering.Group(pendingLabels, pendingDefault, body, rule, pendingSrc));
      pendingLabels = new ArrayList<>();
      pendingDefault = false;
      pendingSrc = null;
    }
    return errors > before ? Optional.empty() : Optional.of(groups.toArray(new SwitchLowering.Group[0]));
  }

  /** The arm {@code case L -> value} of a switch expression: {@code yield value}. */
  void statementOfYield(ExpressionTree value, List<Stmt> out) {
    SwitchValue sv = switchValues.peek();
    ExpressionTree outerHoistable = hoistable;
    hoistable = unparenthesized(value);
    Expr v = expr(value);
    hoistable = outerHoistable;
    out.addAll(hoisted); // a switch expression inside this arm's value
    hoisted.clear();
    if (v != null) {
      Stmt.Assign a = new Stmt.Assign(sv.placeholder(), v, false, null, src(value, "yield " + value));
      sv.yields().add(a);
      out.add(a);
      out.add(new Stmt.Break(sv.label(), Src.NONE));
    }
  }

  /**
   * A switch expression. With expression arms only it is a chain of {@code ?:} (evaluated where
   * it stands); otherwise it is desugared like a switch statement whose yields assign a local,
   * and those statements go before the statement that uses its value.
   */
  Expr switchExpression(com.sun.source.tree.SwitchExpressionTree t) {
    Src src = src(t, "switch (" + sourceText(unparenthesized(t.getExpression())) + ")");
    Expr selector = selector(t.getExpression());
    if (selector == null) {
      return null;
    }
    Stmt.Label label = new Stmt.Label(null);
    SwitchValue sv = new SwitchValue(label, new Var("switch", Type.DOUBLE, Var.Kind.SYNTHETIC), new ArrayList<>());
    switchValues.push(sv);
    List<Stmt> outerHoisted = hoisted;
    hoisted = new ArrayList<>();
    Optional<SwitchLowering.Group[]> read = cases(t.getCases(), selector, true);
    hoisted = outerHoisted;
    switchValues.pop();
    if (read.isEmpty() || sv.yields().isEmpty()) {
      return read.isEmpty() ? null : unsupported(t, "a switch expression without yield", "yield a value");
    }
    List<SwitchLowering.Group> groups = List.of(read.get());
    Type type = null;
    for (Stmt.Assign y : sv.yields()) {
      Type yt = y.value.type();
      type = type == null ? yt : type == yt ? type
          : type.isNumeric() && yt.isNumeric() ? promote(type, yt) : null;
      if (type == null) {
        return unsupported(t, "a switch expression yielding both " + y.value.type().javaName() + " and others",
            "yield values of one type");
      }
    }
    if (type == Type.DOUBLE_ARRAY || type == Type.INT_ARRAY || type == Type.OBJECT) {
      return unsupported(t, "a switch expression of type " + type.javaName(), "switch between the elements instead");
    }
    // arrow arms that are expressions only: selector == label ? value : ... (default last)
    boolean simple = groups.stream().allMatch(g -> g.rule() && g.body().stmts.size() == 2
        && g.body().stmts.get(0) instanceof Stmt.Assign a && sv.yields().contains(a));
    if (simple && selector instanceof Const c) { // a String constant: the arm is known now
      SwitchLowering.Group chosen = groups.stream()
          .filter(g -> g.labels().stream().anyMatch(l -> l instanceof Const lc && lc.value().equals(c.value())))
          .findFirst()
          .orElse(groups.stream().filter(SwitchLowering.Group::isDefault).findFirst().orElse(null));
      if (chosen != null) {
        return ((Stmt.Assign) chosen.body().stmts.get(0)).value;
      }
    }
    if (simple && !(selector instanceof Const)) {
      Expr chain = null;
      SwitchLowering.Group last = groups.stream().filter(SwitchLowering.Group::isDefault).findFirst()
          .orElse(groups.get(groups.size() - 1)); // no default: the cases are exhaustive (an enum)
      chain = ((Stmt.Assign) last.body().stmts.get(0)).value;
      for (int i = groups.size() - 1; i >= 0; i--) {
        SwitchLowering.Group g = groups.get(i);
        if (g == last) {
          continue;
        }
        Expr match = null;
        for (Expr l : g.labels()) {
          Expr eq = SwitchLowering.equal(selector, l);
          match = match == null ? eq : new Apply(Op.OR, List.of(match, eq), Type.BOOLEAN);
        }
        chain = new Apply(Op.COND, List.of(match, ((Stmt.Assign) g.body().stmts.get(0)).value, chain), type);
      }
      return chain;
    }
    // statements: a local assigned by every yield, declared before the switch
    if (t != hoistable) {
      return unsupported(t, "a switch expression with block arms in a loop header or inside a larger expression",
          "assign it to a local first (double w = switch ...;), or use arrow cases with expressions only");
    }
    Var result = new Var("switch", type, Var.Kind.SYNTHETIC);
    java.util.Map<Stmt, Stmt> retarget = new java.util.IdentityHashMap<>();
    for (Stmt.Assign y : sv.yields()) {
      retarget.put(y, new Stmt.Assign(result, y.value, false, null, y.src));
    }
    for (SwitchLowering.Group g : groups) {
      replace(g.body(), retarget);
    }
    hoisted.add(new Stmt.Assign(result, zero(type), true, null, src));
    hoisted.addAll(SwitchLowering.lower(selector, groups, label, src));
    return new Ref(result);
  }

  static void replace(Block b, java.util.Map<Stmt, Stmt> by) {
    b.stmts.replaceAll(s -> by.getOrDefault(s, s));
    for (Stmt s : b.stmts) {
      for (Block c : dev.adjoint.processor.analysis.Blocks.children(s)) {
        replace(c, by);
      }
    }
  }
}
