package dev.adjoint.processor.parse;

import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
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
import java.util.function.Consumer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.type.TypeKind;

/** Reads statements: blocks, declarations, assignments, loops, branches, labelled jumps and
 * returns. */
abstract class StatementReader extends SwitchReader {
  StatementReader(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    super(env, diag, calls, sources);
  }

  // ---------------------------------------------------------------- statements
  Block block(List<? extends StatementTree> statements) {
    scopes.push(new HashMap<>());
    List<Stmt> out = new ArrayList<>();
    for (int i = 0; i < statements.size(); i++) {
      restOfBlock = statements.subList(i + 1, statements.size()); // n-D arrays: for row aliases
      statement(statements.get(i), out::add);
    }
    restOfBlock = null;
    scopes.pop();
    return new Block(out);
  }

  /** A branch or loop body: a block statement, or a single statement without braces. */
  Block body(StatementTree s) {
    if (s instanceof BlockTree b) {
      return block(b.getStatements());
    }
    scopes.push(new HashMap<>());
    List<Stmt> out = new ArrayList<>();
    restOfBlock = List.of();
    statement(s, out::add);
    restOfBlock = null;
    scopes.pop();
    return new Block(out);
  }

  void statement(StatementTree s, Consumer<Stmt> sink) {
    // every loop is a target of break and continue, named by its label when it has one
    Stmt.Label loopLabel = null;
    if (s instanceof WhileLoopTree || s instanceof DoWhileLoopTree || s instanceof ForLoopTree
        || s instanceof EnhancedForLoopTree) {
      loopLabel = new Stmt.Label(pendingLabel);
      targets.push(new Target(pendingLabel, loopLabel, true, true));
    }
    pendingLabel = null;
    List<Stmt> outerHoisted = hoisted;
    hoisted = new ArrayList<>();
    ExpressionTree outerHoistable = hoistable;
    hoistable = topExpression(s);
    Stmt.Label attach = loopLabel;
    Consumer<Stmt> out = st -> {
      if (attach != null) {
        labelLoop(st, attach);
      }
      if (!hoisted.isEmpty()) {
        if (attach != null) {
          unsupported(s, "a switch expression with block arms in a loop header",
              "compute it in a local inside the loop body, or use arrow cases with expressions only");
        } else {
          hoisted.forEach(sink);
        }
        hoisted.clear();
      }
      sink.accept(st);
    };
    switch (s.getKind()) {
      case VARIABLE -> declaration((VariableTree) s, out);
      case EXPRESSION_STATEMENT -> expressionStatement((ExpressionStatementTree) s, out);
      case RETURN -> {
        ReturnTree r = (ReturnTree) s;
        if (r.getExpression() == null) {
          unsupported(s, inlining.isEmpty() ? "return without a value"
              : "return inside void helper " + inlining.peek().getSimpleName() + ", which is inlined",
              "let the helper run to its end (use if / else)");
        } else if (!inlining.isEmpty()) {
          unsupported(s, "a return value in an inlined helper", "return nothing");
        } else if (returnOk && method.getReturnType().getKind() == TypeKind.ARRAY
            && !(unparenthesized(r.getExpression()) instanceof IdentifierTree)) {
          // return new double[] {a, b}, return x.clone(), return f(x): the result is a new local array
          Type type = CallResolver.typeOf(method.getReturnType()).orElseThrow();
          Var made = new Var("result", type, Var.Kind.LOCAL);
          Src at = src(s, "return " + r.getExpression());
          int before = errors;
          if (type.isNdDoubleArray() && unparenthesized(r.getExpression()) instanceof NewArrayTree na
              && na.getInitializers() != null && na.getDimensions().isEmpty()) {
            ndInitializer(made, na, at, out); // return new double[][] {{a, b}, {c}}
          } else if (type.isNdDoubleArray()) {
            unsupported(r.getExpression(), "returning " + sourceText(r.getExpression()),
                "return a local " + type.javaName() + " (or new double[][] {{a, b}, {c}})");
          } else {
            arrayInit(made, r.getExpression(), at, out);
          }
          if (errors == before) {
            out.accept(new Stmt.Return(new Ref(made), at));
          }
        } else if (returnOk) { // else what it returns was reported with the method's return type
          out.accept(new Stmt.Return(expr(r.getExpression()), src(s, "return " + r.getExpression())));
        }
      }
      case BLOCK -> out.accept(new Stmt.Nested(block(((BlockTree) s).getStatements()), Src.NONE));
      case EMPTY_STATEMENT -> { }
      case IF -> {
        IfTree t = (IfTree) s;
        Expr cond = condition(t.getCondition());
        branchDepth++;
        Block then = body(t.getThenStatement());
        Block otherwise = t.getElseStatement() == null ? new Block() : body(t.getElseStatement());
        branchDepth--;
        out.accept(new Stmt.If(cond, then, otherwise, src(s, "if " + t.getCondition())));
      }
      case WHILE_LOOP -> {
        WhileLoopTree t = (WhileLoopTree) s;
        Expr cond = condition(t.getCondition());
        loopDepth++;
        Block body = body(t.getStatement());
        loopDepth--;
        out.accept(new Stmt.Loop(Stmt.Loop.Kind.WHILE, null, null, 0, cond, body, new Block(),
            src(s, "while " + t.getCondition())));
      }
      case DO_WHILE_LOOP -> {
        DoWhileLoopTree t = (DoWhileLoopTree) s;
        loopDepth++;
        Block body = body(t.getStatement());
        loopDepth--;
        Expr cond = condition(t.getCondition());
        out.accept(new Stmt.Loop(Stmt.Loop.Kind.DO_WHILE, null, null, 0, cond, body, new Block(),
            src(s, "do ... while " + t.getCondition())));
      }
      case FOR_LOOP -> forLoop((ForLoopTree) s, out);
      case ENHANCED_FOR_LOOP -> forEach((EnhancedForLoopTree) s, out);
      case BREAK -> {
        javax.lang.model.element.Name name = ((com.sun.source.tree.BreakTree) s).getLabel();
        Target t = target(name, false);
        if (t == null) {
          unsupported(s, "'" + s.toString().replace(";", "") + "' here", "break out of a loop, a switch or a labelled block");
        } else {
          out.accept(new Stmt.Break(t.label(), src(s, name == null ? "break" : "break " + name)));
        }
      }
      case CONTINUE -> {
        javax.lang.model.element.Name name = ((com.sun.source.tree.ContinueTree) s).getLabel();
        Target t = target(name, true);
        if (t == null) {
          unsupported(s, "'" + s.toString().replace(";", "") + "' here", "continue a loop that encloses it");
        } else {
          out.accept(new Stmt.Continue(t.label(), src(s, name == null ? "continue" : "continue " + name)));
        }
      }
      case SWITCH -> {
        com.sun.source.tree.SwitchTree t = (com.sun.source.tree.SwitchTree) s;
        Src src = src(s, "switch (" + sourceText(unparenthesized(t.getExpression())) + ")");
        Stmt.Label label = new Stmt.Label(null);
        targets.push(new Target(null, label, false, true));
        Optional<SwitchLowering.Group[]> groups = Optional.empty();
        Expr selector = selector(t.getExpression());
        if (selector != null) {
          groups = cases(t.getCases(), selector, false);
        }
        targets.pop();
        if (groups.isPresent()) {
          SwitchLowering.lower(selector, List.of(groups.get()), label, src).forEach(out);
        }
      }
      case YIELD -> {
        com.sun.source.tree.YieldTree y = (com.sun.source.tree.YieldTree) s;
        SwitchValue sv = switchValues.peek();
        Expr v = expr(y.getValue());
        if (sv != null && v != null) {
          Stmt.Assign a = new Stmt.Assign(sv.placeholder(), v, false, null, src(s, "yield " + y.getValue()));
          sv.yields().add(a);
          out.accept(a);
          out.accept(new Stmt.Break(sv.label(), Src.NONE));
        }
      }
      case TRY -> {
        unsupported(s, "try/catch", "move the code that can throw out of the differentiable method");
        block(((com.sun.source.tree.TryTree) s).getBlock().getStatements());
      }
      case THROW -> unsupported(s, "throw", "validate inputs in the caller, before calling the method");
      case SYNCHRONIZED -> {
        unsupported(s, "synchronized", "generated code is already thread-safe; remove it");
        block(((com.sun.source.tree.SynchronizedTree) s).getBlock().getStatements());
      }
      case LABELED_STATEMENT -> {
        com.sun.source.tree.LabeledStatementTree t = (com.sun.source.tree.LabeledStatementTree) s;
        String name = t.getLabel().toString();
        StatementTree inner = t.getStatement();
        if (inner instanceof WhileLoopTree || inner instanceof DoWhileLoopTree || inner instanceof ForLoopTree
            || inner instanceof EnhancedForLoopTree) {
          pendingLabel = name; // the loop itself is the target: continue name; needs it
          statement(inner, out);
        } else {
          // a labelled block (or switch, or any statement): break name; leaves it
          Stmt.Label label = new Stmt.Label(name);
          targets.push(new Target(name, label, false, false));
          List<Stmt> stmts = new ArrayList<>();
          if (inner instanceof BlockTree b) {
            stmts.addAll(block(b.getStatements()).stmts);
          } else {
            statement(inner, stmts::add);
          }
          targets.pop();
          Stmt.Nested n = new Stmt.Nested(new Block(stmts), src(s, name + ":"));
          n.label = label;
          out.accept(n);
        }
      }
      case CLASS, INTERFACE, ENUM, RECORD -> unsupported(s, "a local type declaration", "declare the type outside the method");
      case ASSERT -> unsupported(s, "assert", "check the condition in the caller");
      default -> unsupported(s, "this statement (" + s.getKind().toString().toLowerCase().replace('_', ' ') + ")",
          "use assignments, if/else, loops and return");
    }
    if (loopLabel != null) {
      targets.pop();
    }
    hoisted = outerHoisted;
    hoistable = outerHoistable;
  }

  /** What {@code break name} / {@code continue name} (name null: the innermost one) refers to. */
  Target target(javax.lang.model.element.Name name, boolean isContinue) {
    for (Target t : targets) {
      if (name == null ? isContinue ? t.loop() : t.plain() : name.contentEquals(String.valueOf(t.name()))) {
        return isContinue && !t.loop() ? null : t;
      }
    }
    return null;
  }

  /** Gives the loop a statement became (a for loop is a block holding its init and the loop) its label. */
  static void labelLoop(Stmt st, Stmt.Label label) {
    if (st instanceof Stmt.Loop l) {
      l.label = label;
    } else if (st instanceof Stmt.Nested n && !n.block.stmts.isEmpty()
        && n.block.stmts.get(n.block.stmts.size() - 1) instanceof Stmt.Loop l) {
      l.label = label;
    }
  }

  void declaration(VariableTree v, Consumer<Stmt> out) {
    List<? extends StatementTree> rest = restOfBlock;
    if (ndDeclaration(v, rest, out)) { // n-D arrays: locals and row aliases
      return;
    }
    String name = v.getName().toString();
    Type type = declaredType(v.getType());
    Expr init = null;
    boolean initFailed = false;
    boolean arrayCreation = v.getInitializer() instanceof NewArrayTree;
    if (type != null && type.isArray()) {
      // handled below with the array's initializer
    } else if (v.getInitializer() != null && !arrayCreation && type != Type.OBJECT) {
      init = expr(v.getInitializer());
      initFailed = init == null;
      if (type == null && init != null) {
        type = init.type(); // var: the initializer's type
      }
    }
    if (type == null) {
      type = arrayCreation ? resolvedArrayType((NewArrayTree) v.getInitializer()) : Type.OBJECT;
    }
    if (type == Type.OBJECT) {
      if (!initFailed) {
        unsupported(v, "a local of type " + (v.getType() == null ? "var" : v.getType()),
            "use double, int, long, boolean, double[] or Tensor locals");
      }
      Var bad = new Var(name, Type.OBJECT, Var.Kind.LOCAL);
      poisoned.add(bad);
      scopes.peek().put(name, bad); // no knock-on errors
      return;
    }
    Var var = new Var(name, type, Var.Kind.LOCAL);
    Src src = src(v, v.toString());
    if (type.isArray()) {
      // an array of its own, declared anywhere: a fresh array each time the declaration runs
      scopes.peek().put(name, var);
      if (v.getInitializer() == null) {
        unsupported(v, "an array declared without an initializer",
            "create it where it is declared: " + type.javaName() + " " + name + " = new "
                + type.element().javaName() + "[n]; (arrays cannot be reassigned)");
        return;
      }
      arrayInit(var, v.getInitializer(), src, out);
      return;
    }
    if (arrayCreation) {
      expr(v.getInitializer()); // reports it
      scopes.peek().put(name, var);
      return;
    }
    if (v.getInitializer() == null) {
      // Java's definite assignment guarantees a write before any read
      init = zero(type);
    } else if (init != null && !assignable(init.type(), type)) {
      unsupported(v.getInitializer(), "initialising a " + type.javaName() + " with a " + init.type().javaName(),
          "write the conversion explicitly, e.g. (" + type.javaName() + ") (...)");
      init = null;
    }
    scopes.peek().put(name, var);
    if (init != null) {
      out.accept(new Stmt.Assign(var, init, true, null, src));
    }
  }

  void expressionStatement(ExpressionStatementTree s, Consumer<Stmt> out) {
    expressionStatement(s.getExpression(), s, out);
  }

  /** An expression used as a statement, at {@code s} (a statement, or an arrow case's body). */
  void expressionStatement(ExpressionTree e, Tree s, Consumer<Stmt> out) {
    Src src = src(s, e.toString());
    switch (e.getKind()) {
      case ASSIGNMENT -> {
        AssignmentTree a = (AssignmentTree) e;
        if (rowStore(a.getVariable(), a.getExpression(), src, out)) {
          return;
        }
        Expr value = expr(a.getExpression());
        assign(a.getVariable(), value, null, src, out);
      }
      case PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT, REMAINDER_ASSIGNMENT,
          LEFT_SHIFT_ASSIGNMENT, RIGHT_SHIFT_ASSIGNMENT, UNSIGNED_RIGHT_SHIFT_ASSIGNMENT, AND_ASSIGNMENT,
          OR_ASSIGNMENT, XOR_ASSIGNMENT -> {
        CompoundAssignmentTree a = (CompoundAssignmentTree) e;
        Op op = switch (e.getKind()) {
          case PLUS_ASSIGNMENT -> Op.ADD;
          case MINUS_ASSIGNMENT -> Op.SUB;
          case MULTIPLY_ASSIGNMENT -> Op.MUL;
          case DIVIDE_ASSIGNMENT -> Op.DIV;
          case REMAINDER_ASSIGNMENT -> Op.REM;
          case LEFT_SHIFT_ASSIGNMENT -> Op.SHL;
          case RIGHT_SHIFT_ASSIGNMENT -> Op.SHR;
          case UNSIGNED_RIGHT_SHIFT_ASSIGNMENT -> Op.USHR;
          case AND_ASSIGNMENT -> Op.BIT_AND;
          case OR_ASSIGNMENT -> Op.BIT_OR;
          default -> Op.BIT_XOR;
        };
        Expr target = expr(a.getVariable());
        Expr rhs = expr(a.getExpression());
        if (target == null || rhs == null) {
          return;
        }
        boolean shift = op == Op.SHL || op == Op.SHR || op == Op.USHR;
        boolean bits = shift || op == Op.BIT_AND || op == Op.BIT_OR || op == Op.BIT_XOR;
        if (bits && bitType(op, target.type(), rhs.type()) == null) {
          unsupported(e, "'" + op.symbol() + "=' on a " + target.type().javaName() + " with a "
              + rhs.type().javaName(), "bit operations take int or long operands (&, |, ^ also two booleans)");
          return;
        }
        if (shift) { // the shift's type is its left operand's: i <<= 2L stays an int
          assign(a.getVariable(), new Apply(op, List.of(target, rhs), target.type()), op, src, out);
          return;
        }
        if (target.type() != rhs.type() && !(target.type() == Type.DOUBLE && rhs.type().isNumeric())
            && !(target.type() == Type.LONG && rhs.type() == Type.INT)) {
          unsupported(e, "a compound assignment that narrows " + rhs.type().javaName() + " to "
              + target.type().javaName(), "write the cast explicitly: x = (int) (x + y)");
          return;
        }
        Expr widened = target.type() == Type.LONG && rhs.type() == Type.INT
            ? new Apply(Op.CAST, List.of(rhs), Type.LONG) : rhs;
        assign(a.getVariable(), new Apply(op, List.of(target, widened), target.type()), op, src, out);
      }
      case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT -> {
        UnaryTree u = (UnaryTree) e;
        Expr target = expr(u.getExpression());
        if (target == null) {
          return;
        }
        boolean inc = e.getKind() == Tree.Kind.POSTFIX_INCREMENT || e.getKind() == Tree.Kind.PREFIX_INCREMENT;
        Expr one = target.type() == Type.DOUBLE ? Const.ONE
            : target.type() == Type.LONG ? new Const(Type.LONG, 1L) : Const.ofInt(1);
        assign(u.getExpression(), new Apply(inc ? Op.ADD : Op.SUB, List.of(target, one), target.type()),
            inc ? Op.ADD : Op.SUB, src, out);
      }
      case METHOD_INVOCATION -> callStatement((MethodInvocationTree) e, src, out);
      default -> unsupported(e, "this expression statement", "write an assignment");
    }
  }

  void assign(ExpressionTree target, Expr value, Op compound, Src src, Consumer<Stmt> out) {
    if (value == null) {
      return;
    }
    while (target instanceof ParenthesizedTree p) {
      target = p.getExpression();
    }
    if (target instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v == null) {
        unsupported(target, "assigning to field '" + id.getName() + "'",
            "differentiable methods cannot write fields: return the value or use a local");
        return;
      }
      if (poisoned.contains(v)) {
        return;
      }
      if (v.type().isArray() || v.type().rank() >= 2) {
        unsupported(target, "reassigning array variable '" + v.name() + "'",
            "arrays cannot be aliased or replaced: write its elements, or use another array");
        return;
      }
      if (!assignable(value.type(), v.type())) {
        unsupported(target, "assigning a " + value.type().javaName() + " to " + v.type().javaName() + " '"
            + v.name() + "'", "write the conversion explicitly, e.g. (" + v.type().javaName() + ") (...)");
        return;
      }
      out.accept(new Stmt.Assign(v, value, false, compound, src));
    } else if (target instanceof ArrayAccessTree aa && isNdAccess(aa)) {
      ndStore(aa, value, compound, src, out); // n-D arrays: m[i][j] = ..., row[j] = ...
    } else if (target instanceof ArrayAccessTree aa) {
      Var array = arrayVar(aa.getExpression());
      if (array == null) {
        return;
      }
      if (readOnly(target, array)) {
        return;
      }
      Expr index = expr(aa.getIndex());
      if (index == null) {
        return;
      }
      Type element = array.type().element();
      if (!assignable(value.type(), element)) {
        unsupported(target, "storing a " + value.type().javaName() + " in " + array.type().javaName() + " '"
            + array.name() + "'", "write the conversion explicitly, e.g. (" + element.javaName() + ") (...)");
        return;
      }
      if (value.type() != element) {
        value = new Apply(Op.CAST, List.of(value), element);
      }
      out.accept(new Stmt.ArrayStore(array, index, value, compound, src));
    } else {
      unsupported(target, "assigning to " + target, "differentiable methods cannot write fields: use a local");
    }
  }

  void forLoop(ForLoopTree t, Consumer<Stmt> out) {
    Src src = src(t, "for (" + join(t.getInitializer()) + "; " + t.getCondition() + "; "
        + join(t.getUpdate()) + ")");
    scopes.push(new HashMap<>());
    Optional<Counted> counted = counted(t);
    if (counted.isPresent()) {
      Counted c = counted.get();
      Expr start = expr(c.init.getInitializer());
      Var index = new Var(c.init.getName().toString(), Type.INT, Var.Kind.LOCAL);
      scopes.peek().put(index.name(), index);
      Expr cond = t.getCondition() == null ? Const.ofBoolean(true) : condition(t.getCondition());
      loopDepth++;
      Block body = body(t.getStatement());
      loopDepth--;
      scopes.pop();
      if (start != null) {
        out.accept(new Stmt.Loop(Stmt.Loop.Kind.FOR, index, start, c.step, cond, body, new Block(), src));
      }
      return;
    }
    // general for: { init; while (cond) { body; update } }
    List<Stmt> init = new ArrayList<>();
    for (StatementTree s : t.getInitializer()) {
      restOfBlock = null; // n-D arrays: no row alias in a for's initializer
      statement(s, init::add);
    }
    Expr cond = t.getCondition() == null ? Const.ofBoolean(true) : condition(t.getCondition());
    loopDepth++;
    Block body = body(t.getStatement());
    List<Stmt> update = new ArrayList<>();
    for (ExpressionStatementTree s : t.getUpdate()) {
      statement(s, update::add);
    }
    loopDepth--;
    scopes.pop();
    init.add(new Stmt.Loop(Stmt.Loop.Kind.FOR, null, null, 0, cond, body, new Block(update), src));
    out.accept(new Stmt.Nested(new Block(init), Src.NONE));
  }

  record Counted(VariableTree init, int step) {}

  /** {@code for (int i = a; cond; i++ | i-- | i += c | i -= c)} with no other write to i. */
  Optional<Counted> counted(ForLoopTree t) {
    if (t.getInitializer().size() != 1 || !(t.getInitializer().get(0) instanceof VariableTree v)
        || v.getInitializer() == null || v.getType() == null || !v.getType().toString().equals("int")
        || t.getUpdate().size() != 1) {
      return Optional.empty();
    }
    String i = v.getName().toString();
    ExpressionTree u = t.getUpdate().get(0).getExpression();
    Integer step = null;
    if (u instanceof UnaryTree un && un.getExpression() instanceof IdentifierTree id
        && id.getName().contentEquals(i)) {
      step = switch (u.getKind()) {
        case POSTFIX_INCREMENT, PREFIX_INCREMENT -> 1;
        case POSTFIX_DECREMENT, PREFIX_DECREMENT -> -1;
        default -> null;
      };
    } else if (u instanceof CompoundAssignmentTree ca && ca.getVariable() instanceof IdentifierTree id
        && id.getName().contentEquals(i) && ca.getExpression() instanceof LiteralTree lit
        && lit.getValue() instanceof Integer c && c != 0) {
      step = u.getKind() == Tree.Kind.PLUS_ASSIGNMENT ? c
          : u.getKind() == Tree.Kind.MINUS_ASSIGNMENT ? -c : null;
    }
    if (step == null || writes(t.getStatement(), i)) {
      return Optional.empty();
    }
    return Optional.of(new Counted(v, step));
  }

  void forEach(EnhancedForLoopTree t, Consumer<Stmt> out) {
    if (isNdIterable(t.getExpression())) {
      ndForEach(t, out); // n-D arrays: over rows, or over the elements of a row
      return;
    }
    Src src = src(t, "for (" + t.getVariable() + " : " + t.getExpression() + ")");
    Var array = arrayVar(t.getExpression());
    if (array == null) {
      return;
    }
    Type elem = declaredType(t.getVariable().getType());
    if (elem != null && elem != Type.DOUBLE) {
      unsupported(t.getVariable(), "a loop variable of type " + t.getVariable().getType(),
          "iterate over a double[] with a double loop variable");
      return;
    }
    scopes.push(new HashMap<>());
    Var index = new Var("i", Type.INT, Var.Kind.SYNTHETIC);
    Var element = new Var(t.getVariable().getName().toString(), Type.DOUBLE, Var.Kind.LOCAL);
    loopDepth++;
    scopes.push(new HashMap<>(Map.of(element.name(), element)));
    Block body = body(t.getStatement());
    scopes.pop();
    loopDepth--;
    scopes.pop();
    body.stmts.add(0, new Stmt.Assign(element,
        new Apply(Op.ARRAY_READ, List.of(new Ref(array), new Ref(index)), Type.DOUBLE), true, null,
        src(t, t.getVariable() + " = " + t.getExpression() + "[i]")));
    Expr cond = new Apply(Op.LT, List.of(new Ref(index),
        new Apply(Op.ARRAY_LENGTH, List.of(new Ref(array)), Type.INT)), Type.BOOLEAN);
    out.accept(new Stmt.Loop(Stmt.Loop.Kind.FOR, index, Const.ofInt(0), 1, cond, body, new Block(), src));
  }
}
