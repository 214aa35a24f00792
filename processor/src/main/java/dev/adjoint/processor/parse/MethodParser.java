package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import dev.adjoint.Differentiable;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.emit.Naming;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Reads a {@code @Differentiable} method's body with the javac Tree API and builds its
 * computation graph. Types come from javac ({@code Trees.getTypeMirror}), calls are resolved to
 * their declarations ({@code Trees.getElement}). Every construct outside the supported subset is
 * reported at its own line, and parsing goes on so that one compile shows all of them.
 */
public final class MethodParser {
  private final Trees trees;
  private final Diagnostics diag;
  private final CallResolver calls;
  private final SourcePaths paths;

  private ExecutableElement method;
  private TreePath methodPath;
  private CompilationUnitTree unit;
  private String methodName;
  private final Deque<Map<String, Var>> scopes = new ArrayDeque<>();
  private int loopDepth;
  private int labels;
  private int branchDepth;
  private int errors;
  private final List<Expr.Call> differentiableCalls = new ArrayList<>();
  private final Map<Expr, Tree> callSites = new HashMap<>();

  public MethodParser(Trees trees, Diagnostics diag, CallResolver calls, SourcePaths paths) {
    this.trees = trees;
    this.diag = diag;
    this.calls = calls;
    this.paths = paths;
  }

  /** The parsed method, or empty after reporting why it cannot be differentiated. */
  public Optional<MethodGraph> parse(ExecutableElement method) {
    this.method = method;
    this.methodName = Naming.owner(method).getSimpleName() + "." + method.getSimpleName();
    this.errors = 0;
    scopes.clear();
    loopDepth = 0;
    branchDepth = 0;

    boolean signatureOk = checkSignature(method);
    methodPath = paths.of(method);
    if (methodPath == null) {
      // no source (cannot happen for elements of this compilation); nothing to differentiate
      return Optional.empty();
    }
    unit = methodPath.getCompilationUnit();
    MethodTree tree = (MethodTree) methodPath.getLeaf();
    if (tree.getBody() == null) {
      diag.report(method, Message.UNSUPPORTED, "a method without a body (native or abstract)", methodName,
          "write the method in Java, or give it a @Derivative and leave it out of @Differentiable");
      return Optional.empty();
    }
    boolean paramsOk = method.getParameters().stream()
        .allMatch(p -> CallResolver.typeOf(p.asType()).filter(MethodParser::parameterType).isPresent());
    boolean returnOk = CallResolver.typeOf(method.getReturnType())
        .filter(t -> t == Type.DOUBLE || t == Type.TENSOR || t == Type.DOUBLE_ARRAY).isPresent();
    boolean isStatic = method.getModifiers().contains(Modifier.STATIC);
    if (!signatureOk && !(paramsOk && returnOk && isStatic)) {
      // an instance method's body reads instance state: its errors would only repeat this one
      return Optional.empty();
    }
    // Trees.getTypeMirror does not attribute the class by itself; asking for an element does,
    // so every expression of the body has its type before we read one
    trees.getElement(new TreePath(methodPath, tree.getBody()));

    Map<String, Var> paramScope = new HashMap<>();
    List<Var> params = new ArrayList<>();
    for (VariableElement p : method.getParameters()) {
      Var v = new Var(p.getSimpleName().toString(),
          CallResolver.typeOf(p.asType()).orElseThrow(), Var.Kind.PARAMETER);
      params.add(v);
      paramScope.put(v.name(), v);
    }
    List<Var> wrt = new ArrayList<>();
    for (int i : CallResolver.wrtIndexes(method)) {
      wrt.add(params.get(i));
    }
    scopes.push(paramScope);
    Block body = block(tree.getBody().getStatements(), new TreePath(methodPath, tree.getBody()));
    scopes.pop();
    if (errors > 0 || !signatureOk) {
      return Optional.empty();
    }
    Var result = new Var("value", CallResolver.typeOf(method.getReturnType()).orElseThrow(),
        Var.Kind.SYNTHETIC);
    if (result.type() == Type.DOUBLE_ARRAY) {
      // a vector-valued function: its result is the local array it fills and returns at the end
      Stmt last = body.stmts.isEmpty() ? null : body.stmts.get(body.stmts.size() - 1);
      boolean[] otherReturns = {false};
      dev.adjoint.processor.analysis.Blocks.walk(body, x -> otherReturns[0] |= x instanceof Stmt.Return && x != last);
      if (!(last instanceof Stmt.Return r && r.value instanceof Ref ref && ref.var().kind() == Var.Kind.LOCAL)
          || otherReturns[0]) {
        diag.report(method, Message.UNSUPPORTED, "this way of returning a double[]", methodName,
            "fill a local array (double[] out = new double[m];) and end the method with 'return out;' "
                + "as its only return");
        return Optional.empty();
      }
      body.stmts.remove(body.stmts.size() - 1);
      result = ((Ref) ((Stmt.Return) last).value).var();
    }
    return Optional.of(new MethodGraph(method.getSimpleName().toString(), params, wrt, body, result,
        Naming.recordName(method, Differentiable.class)));
  }

  /** Calls to differentiable methods found while parsing, for the recursion check. */
  public Map<Expr, Tree> callSites() {
    return callSites;
  }

  public TreePath methodPath() {
    return methodPath;
  }

  // ---------------------------------------------------------------- signature

  private boolean checkSignature(ExecutableElement m) {
    boolean ok = true;
    String name = methodName;
    if (!m.getModifiers().contains(Modifier.STATIC)) {
      diag.report(m, Message.NOT_STATIC, name);
      ok = false;
    }
    Optional<Type> ret = CallResolver.typeOf(m.getReturnType());
    if (ret.isEmpty() || ret.get() != Type.DOUBLE && ret.get() != Type.TENSOR && ret.get() != Type.DOUBLE_ARRAY) {
      diag.report(m, Message.BAD_RETURN, name, m.getReturnType());
      ok = false;
    }
    if (!m.getTypeParameters().isEmpty()) {
      diag.report(m, Message.GENERIC, name);
      ok = false;
    }
    if (m.isVarArgs()) {
      diag.report(m, Message.VARARGS, name);
      ok = false;
    }
    if (!m.getThrownTypes().isEmpty()) {
      diag.report(m, Message.THROWS, name);
      ok = false;
    }
    TypeElement owner = Naming.owner(m);
    if (owner.getNestingKind() == NestingKind.MEMBER && !owner.getModifiers().contains(Modifier.STATIC)
        && owner.getKind() == ElementKind.CLASS) {
      diag.report(m, Message.NESTED_NOT_STATIC, name);
      ok = false;
    }
    if (owner.getNestingKind() == NestingKind.LOCAL || owner.getNestingKind() == NestingKind.ANONYMOUS) {
      diag.report(m, Message.NESTED_NOT_STATIC, name);
      ok = false;
    }
    List<String> paramNames = new ArrayList<>();
    for (VariableElement p : m.getParameters()) {
      paramNames.add(p.getSimpleName().toString());
      if (CallResolver.typeOf(p.asType()).filter(MethodParser::parameterType).isEmpty()) {
        diag.report(p, Message.BAD_PARAM, p.getSimpleName(), name, p.asType());
        ok = false;
      }
      if (RESERVED.contains(p.getSimpleName().toString())) {
        diag.report(p, Message.RESERVED_PARAM, p.getSimpleName(), name);
        ok = false;
      }
    }
    String[] wrt = CallResolver.annotation(m).wrt();
    Set<String> seen = new LinkedHashSet<>();
    for (String w : wrt) {
      int i = paramNames.indexOf(w);
      if (i < 0) {
        diag.report(m, DIFFERENTIABLE, "wrt", Message.WRT_UNKNOWN, w, name, String.join(", ", paramNames));
        ok = false;
      } else {
        Optional<Type> t = CallResolver.typeOf(m.getParameters().get(i).asType());
        if (t.isPresent() && !t.get().differentiable()) {
          diag.report(m, DIFFERENTIABLE, "wrt", Message.WRT_NOT_DIFFERENTIABLE, w, t.get().javaName(), name);
          ok = false;
        }
      }
      if (!seen.add(w)) {
        diag.report(m, DIFFERENTIABLE, "wrt", Message.WRT_DUPLICATE, w, name);
        ok = false;
      }
    }
    Differentiable ann = CallResolver.annotation(m);
    if (ok && ann.hessian() && ret.get() != Type.DOUBLE) {
      diag.report(m, Message.MODE_UNSUPPORTED, name, "second derivatives need a double result");
      ok = false;
    }

    if (ok && (ann.forward() || ann.hessian())) {
      for (int i : CallResolver.wrtIndexes(m)) {
        Type t = CallResolver.typeOf(m.getParameters().get(i).asType()).orElseThrow();
        boolean allowed = t == Type.DOUBLE
            || ann.forward() && !ann.hessian() && (t == Type.DOUBLE_ARRAY || t == Type.TENSOR);
        if (!allowed) {
          diag.report(m.getParameters().get(i), Message.MODE_UNSUPPORTED, name,
              "parameter '" + m.getParameters().get(i).getSimpleName() + "' is a " + t.javaName()
                  + (ann.hessian() ? "; hessian = true differentiates double parameters"
                      : "; forward mode differentiates double, double[] and Tensor parameters"));
          ok = false;
        }
      }
    }
    if (ok && CallResolver.wrtIndexes(m).isEmpty()) {
      diag.report(m, Message.NOTHING_TO_DIFFERENTIATE, name);
      ok = false;
    }
    return ok;
  }

  private static final String DIFFERENTIABLE = "dev.adjoint.Differentiable";

  /** Names a record component cannot have: {@code value}, and the methods of Object and of the record. */
  private static final Set<String> RESERVED = Set.of("value", "gradients", "toString", "hashCode",
      "equals", "getClass", "notify", "notifyAll", "wait", "clone", "finalize");

  private static boolean parameterType(Type t) {
    return t != Type.INT_ARRAY && t != Type.OBJECT;
  }

  // ---------------------------------------------------------------- statements

  private Block block(List<? extends StatementTree> statements, TreePath path) {
    scopes.push(new HashMap<>());
    List<Stmt> out = new ArrayList<>();
    for (StatementTree s : statements) {
      statement(s, new TreePath(path, s), out::add);
    }
    scopes.pop();
    return new Block(out);
  }

  /** A branch or loop body: a block statement, or a single statement without braces. */
  private Block body(StatementTree s, TreePath parent) {
    TreePath path = new TreePath(parent, s);
    if (s instanceof BlockTree b) {
      return block(b.getStatements(), path);
    }
    scopes.push(new HashMap<>());
    List<Stmt> out = new ArrayList<>();
    statement(s, path, out::add);
    scopes.pop();
    return new Block(out);
  }

  private void statement(StatementTree s, TreePath path, Consumer<Stmt> out) {
    Src src = src(s, s.toString());
    switch (s.getKind()) {
      case VARIABLE -> declaration((VariableTree) s, path, out);
      case EXPRESSION_STATEMENT -> expressionStatement((ExpressionStatementTree) s, path, out);
      case RETURN -> {
        ReturnTree r = (ReturnTree) s;
        out.accept(new Stmt.Return(expr(r.getExpression(), path), src(s, "return " + r.getExpression())));
      }
      case BLOCK -> out.accept(new Stmt.Nested(block(((BlockTree) s).getStatements(), path), Src.NONE));
      case EMPTY_STATEMENT -> { }
      case IF -> {
        IfTree t = (IfTree) s;
        Expr cond = condition(t.getCondition(), path);
        branchDepth++;
        Block then = body(t.getThenStatement(), path);
        Block otherwise = t.getElseStatement() == null ? new Block()
            : body(t.getElseStatement(), path);
        branchDepth--;
        out.accept(new Stmt.If(cond, then, otherwise, src(s, "if " + t.getCondition())));
      }
      case WHILE_LOOP -> {
        WhileLoopTree t = (WhileLoopTree) s;
        Expr cond = condition(t.getCondition(), path);
        loopDepth++;
        Block body = body(t.getStatement(), path);
        loopDepth--;
        out.accept(new Stmt.Loop(Stmt.Loop.Kind.WHILE, null, null, 0, cond, body, new Block(),
            src(s, "while " + t.getCondition())));
      }
      case DO_WHILE_LOOP -> {
        DoWhileLoopTree t = (DoWhileLoopTree) s;
        loopDepth++;
        Block body = body(t.getStatement(), path);
        loopDepth--;
        Expr cond = condition(t.getCondition(), path);
        out.accept(new Stmt.Loop(Stmt.Loop.Kind.DO_WHILE, null, null, 0, cond, body, new Block(),
            src(s, "do ... while " + t.getCondition())));
      }
      case FOR_LOOP -> forLoop((ForLoopTree) s, path, out);
      case ENHANCED_FOR_LOOP -> forEach((EnhancedForLoopTree) s, path, out);
      case BREAK -> {
        if (((com.sun.source.tree.BreakTree) s).getLabel() != null) {
          if (labels == 0) { // inside a labelled statement, the label was reported already
            unsupported(s, "a labelled break", "restructure the loops, or use a boolean flag in the loop condition");
          }
        } else {
          out.accept(new Stmt.Break(src(s, "break")));
        }
      }
      case CONTINUE -> {
        if (((com.sun.source.tree.ContinueTree) s).getLabel() != null) {
          if (labels == 0) {
            unsupported(s, "a labelled continue", "restructure the loops, or use a boolean flag");
          }
        } else {
          out.accept(new Stmt.Continue(src(s, "continue")));
        }
      }
      case SWITCH -> unsupported(s, "a switch statement", "write it as an if / else if chain");
      case TRY -> {
        unsupported(s, "try/catch", "move the code that can throw out of the differentiable method");
        com.sun.source.tree.TryTree tt = (com.sun.source.tree.TryTree) s;
        block(tt.getBlock().getStatements(), new TreePath(path, tt.getBlock()));
      }
      case THROW -> unsupported(s, "throw", "validate inputs in the caller, before calling the method");
      case SYNCHRONIZED -> {
        unsupported(s, "synchronized", "generated code is already thread-safe; remove it");
        com.sun.source.tree.SynchronizedTree st = (com.sun.source.tree.SynchronizedTree) s;
        block(st.getBlock().getStatements(), new TreePath(path, st.getBlock()));
      }
      case LABELED_STATEMENT -> {
        unsupported(s, "a labelled statement", "restructure the loops without labels");
        // still check what it labels, so one compile shows every problem
        List<Stmt> ignored = new ArrayList<>();
        StatementTree inner = ((com.sun.source.tree.LabeledStatementTree) s).getStatement();
        labels++;
        statement(inner, new TreePath(path, inner), ignored::add);
        labels--;
      }
      case CLASS, INTERFACE, ENUM, RECORD -> unsupported(s, "a local type declaration", "declare the type outside the method");
      case ASSERT -> unsupported(s, "assert", "check the condition in the caller");
      default -> unsupported(s, "this statement (" + s.getKind().toString().toLowerCase().replace('_', ' ') + ")",
          "use assignments, if/else, loops and return");
    }
  }

  private void declaration(VariableTree v, TreePath path, Consumer<Stmt> out) {
    Element declared = trees.getElement(path);
    TypeMirror tm = declared == null ? trees.getTypeMirror(path) : declared.asType();
    Optional<Type> type = tm == null ? Optional.empty() : CallResolver.typeOf(tm);
    String name = v.getName().toString();
    if (type.isEmpty() || type.get() == Type.OBJECT) {
      unsupported(v, "a local of type " + v.getType(),
          "use double, int, long, boolean, double[] or Tensor locals");
      scopes.peek().put(name, new Var(name, Type.OBJECT, Var.Kind.LOCAL)); // no knock-on errors
      return;
    }
    Var var = new Var(name, type.get(), Var.Kind.LOCAL);
    Src src = src(v, v.toString());
    if (type.get() == Type.DOUBLE_ARRAY) {
      if (loopDepth > 0 || branchDepth > 0) {
        unsupported(v, "declaring an array inside a branch or loop",
            "declare '" + name + "' before the loop (double[] " + name + " = new double[n];) and reuse it");
        scopes.peek().put(name, var);
        return;
      }
      if (!(v.getInitializer() instanceof NewArrayTree na) || na.getDimensions().size() != 1
          || na.getInitializers() != null) {
        unsupported(v, "this array initializer",
            "create local arrays with 'new double[n]' and fill them element by element");
        scopes.peek().put(name, var);
        return;
      }
      TreePath init = new TreePath(path, na);
      Expr length = expr(na.getDimensions().get(0), init);
      scopes.peek().put(name, var);
      out.accept(new Stmt.Assign(var,
          new Apply(Op.NEW_ARRAY, List.of(length), Type.DOUBLE_ARRAY), true, null, src));
      return;
    }
    Expr init;
    if (v.getInitializer() == null) {
      // Java's definite assignment guarantees a write before any read
      init = zero(type.get());
    } else {
      init = expr(v.getInitializer(), new TreePath(path, v.getInitializer()));
    }
    scopes.peek().put(name, var);
    out.accept(new Stmt.Assign(var, init, true, null, src));
  }

  private static Expr zero(Type t) {
    return switch (t) {
      case BOOLEAN -> Const.ofBoolean(false);
      case INT -> Const.ofInt(0);
      case LONG -> new Const(Type.LONG, 0L);
      default -> Const.ZERO;
    };
  }

  private void expressionStatement(ExpressionStatementTree s, TreePath stmtPath, Consumer<Stmt> out) {
    ExpressionTree e = s.getExpression();
    TreePath path = new TreePath(stmtPath, e);
    Src src = src(s, e.toString());
    switch (e.getKind()) {
      case ASSIGNMENT -> {
        AssignmentTree a = (AssignmentTree) e;
        Expr value = expr(a.getExpression(), path);
        assign(a.getVariable(), path, value, null, src, out);
      }
      case PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT, REMAINDER_ASSIGNMENT -> {
        CompoundAssignmentTree a = (CompoundAssignmentTree) e;
        Op op = switch (e.getKind()) {
          case PLUS_ASSIGNMENT -> Op.ADD;
          case MINUS_ASSIGNMENT -> Op.SUB;
          case MULTIPLY_ASSIGNMENT -> Op.MUL;
          case DIVIDE_ASSIGNMENT -> Op.DIV;
          default -> Op.REM;
        };
        Expr target = expr(a.getVariable(), path);
        Expr rhs = expr(a.getExpression(), path);
        if (target == null || rhs == null) {
          return;
        }
        if (target.type() != rhs.type() && !(target.type() == Type.DOUBLE && rhs.type().isNumeric())) {
          unsupported(e, "a compound assignment that narrows " + rhs.type().javaName() + " to "
              + target.type().javaName(), "write the cast explicitly: x = (int) (x + y)");
          return;
        }
        assign(a.getVariable(), path, new Apply(op, List.of(target, rhs), target.type()), op, src, out);
      }
      case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT -> {
        UnaryTree u = (UnaryTree) e;
        Expr target = expr(u.getExpression(), path);
        if (target == null) {
          return;
        }
        boolean inc = e.getKind() == Tree.Kind.POSTFIX_INCREMENT || e.getKind() == Tree.Kind.PREFIX_INCREMENT;
        Expr one = target.type() == Type.DOUBLE ? Const.ONE
            : target.type() == Type.LONG ? new Const(Type.LONG, 1L) : Const.ofInt(1);
        assign(u.getExpression(), path, new Apply(inc ? Op.ADD : Op.SUB, List.of(target, one), target.type()),
            inc ? Op.ADD : Op.SUB, src, out);
      }
      case METHOD_INVOCATION -> unsupported(e, "a call whose result is discarded",
          "differentiable code has no side effects: use the call's value, or remove the call");
      default -> unsupported(e, "this expression statement", "write an assignment");
    }
  }

  private void assign(ExpressionTree target, TreePath path, Expr value, Op compound, Src src,
      Consumer<Stmt> out) {
    if (value == null) {
      return;
    }
    if (target instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v == null) {
        unsupported(target, "assigning to field '" + id.getName() + "'",
            "differentiable methods cannot write fields: return the value or use a local");
        return;
      }
      if (v.type() == Type.DOUBLE_ARRAY) {
        unsupported(target, "reassigning array variable '" + v.name() + "'",
            "arrays cannot be aliased or replaced: write its elements, or use another array");
        return;
      }
      out.accept(new Stmt.Assign(v, value, false, compound, src));
    } else if (target instanceof ArrayAccessTree aa) {
      Var array = arrayVar(aa.getExpression());
      if (array == null) {
        return;
      }
      if (array.isParameter()) {
        unsupported(target, "writing to parameter array '" + array.name() + "'",
            "parameters are inputs: copy into a local array (double[] y = new double[" + array.name()
                + ".length]) and write that");
        return;
      }
      Expr index = expr(aa.getIndex(), new TreePath(path, aa.getIndex()));
      if (index == null) {
        return;
      }
      out.accept(new Stmt.ArrayStore(array, index, value, compound, src));
    } else {
      unsupported(target, "assigning to " + target, "differentiable methods cannot write fields: use a local");
    }
  }

  private void forLoop(ForLoopTree t, TreePath path, Consumer<Stmt> out) {
    Src src = src(t, "for (" + join(t.getInitializer()) + "; " + t.getCondition() + "; "
        + join(t.getUpdate()) + ")");
    scopes.push(new HashMap<>());
    Optional<Counted> counted = counted(t);
    if (counted.isPresent()) {
      Counted c = counted.get();
      TreePath initPath = new TreePath(path, c.init);
      Expr start = expr(c.init.getInitializer(), new TreePath(initPath, c.init.getInitializer()));
      Var index = new Var(c.init.getName().toString(), Type.INT, Var.Kind.LOCAL);
      scopes.peek().put(index.name(), index);
      Expr cond = t.getCondition() == null ? Const.ofBoolean(true) : condition(t.getCondition(), path);
      loopDepth++;
      Block body = body(t.getStatement(), path);
      loopDepth--;
      scopes.pop();
      out.accept(new Stmt.Loop(Stmt.Loop.Kind.FOR, index, start, c.step, cond, body, new Block(), src));
      return;
    }
    // general for: { init; while (cond) { body; update } }
    List<Stmt> init = new ArrayList<>();
    for (StatementTree s : t.getInitializer()) {
      statement(s, new TreePath(path, s), init::add);
    }
    Expr cond = t.getCondition() == null ? Const.ofBoolean(true) : condition(t.getCondition(), path);
    loopDepth++;
    Block body = body(t.getStatement(), path);
    List<Stmt> update = new ArrayList<>();
    for (ExpressionStatementTree s : t.getUpdate()) {
      statement(s, new TreePath(path, s), update::add);
    }
    loopDepth--;
    scopes.pop();
    init.add(new Stmt.Loop(Stmt.Loop.Kind.FOR, null, null, 0, cond, body, new Block(update), src));
    out.accept(new Stmt.Nested(new Block(init), Src.NONE));
  }

  private record Counted(VariableTree init, int step) {}

  /** {@code for (int i = a; cond; i++ | i-- | i += c | i -= c)} with no other write to i. */
  private Optional<Counted> counted(ForLoopTree t) {
    if (t.getInitializer().size() != 1 || !(t.getInitializer().get(0) instanceof VariableTree v)
        || v.getInitializer() == null || !v.getType().toString().equals("int")
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

  private static boolean writes(Tree body, String name) {
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void p) {
        check(node.getVariable());
        return super.visitAssignment(node, p);
      }

      @Override
      public Void visitCompoundAssignment(CompoundAssignmentTree node, Void p) {
        check(node.getVariable());
        return super.visitCompoundAssignment(node, p);
      }

      @Override
      public Void visitUnary(UnaryTree node, Void p) {
        check(node.getExpression());
        return super.visitUnary(node, p);
      }

      private void check(ExpressionTree target) {
        if (target instanceof IdentifierTree id && id.getName().contentEquals(name)) {
          found[0] = true;
        }
      }
    }.scan(body, null);
    return found[0];
  }

  private void forEach(EnhancedForLoopTree t, TreePath path, Consumer<Stmt> out) {
    Src src = src(t, "for (" + t.getVariable() + " : " + t.getExpression() + ")");
    TypeMirror elem = trees.getTypeMirror(new TreePath(path, t.getVariable()));
    Var array = arrayVar(t.getExpression());
    if (array == null) {
      return;
    }
    if (elem == null || elem.getKind() != TypeKind.DOUBLE) {
      unsupported(t.getVariable(), "a loop variable of type " + t.getVariable().getType(),
          "iterate over a double[] with a double loop variable");
      return;
    }
    scopes.push(new HashMap<>());
    Var index = new Var("i", Type.INT, Var.Kind.SYNTHETIC);
    Var element = new Var(t.getVariable().getName().toString(), Type.DOUBLE, Var.Kind.LOCAL);
    loopDepth++;
    scopes.push(new HashMap<>(Map.of(element.name(), element)));
    Block body = body(t.getStatement(), path);
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

  // ---------------------------------------------------------------- expressions

  private Expr condition(ExpressionTree e, TreePath parent) {
    Expr c = expr(e, new TreePath(parent, e));
    return c == null ? Const.ofBoolean(true) : c;
  }

  /** The graph of an expression, or null after reporting what is unsupported in it. */
  private Expr expr(ExpressionTree e, TreePath parentOrSelf) {
    TreePath path = parentOrSelf.getLeaf() == e ? parentOrSelf : new TreePath(parentOrSelf, e);
    switch (e.getKind()) {
      case PARENTHESIZED:
        return expr(((ParenthesizedTree) e).getExpression(), path);
      case INT_LITERAL:
        return new Const(Type.INT, ((LiteralTree) e).getValue());
      case LONG_LITERAL:
        return new Const(Type.LONG, ((LiteralTree) e).getValue());
      case DOUBLE_LITERAL:
        return new Const(Type.DOUBLE, ((LiteralTree) e).getValue());
      case BOOLEAN_LITERAL:
        return new Const(Type.BOOLEAN, ((LiteralTree) e).getValue());
      case FLOAT_LITERAL:
        return unsupported(e, "the float literal " + sourceText(e), "write a double literal (drop the 'f')");
      case IDENTIFIER: {
        String name = ((IdentifierTree) e).getName().toString();
        Var v = lookup(name);
        if (v != null) {
          return new Ref(v);
        }
        return field(e, path);
      }
      case MEMBER_SELECT: {
        MemberSelectTree m = (MemberSelectTree) e;
        if (m.getIdentifier().contentEquals("length")) {
          TypeMirror t = trees.getTypeMirror(new TreePath(path, m.getExpression()));
          if (t != null && t.getKind() == TypeKind.ARRAY && table(m.getExpression(), path) instanceof Expr.Field f) {
            return new Apply(Op.ARRAY_LENGTH, List.of(f), Type.INT);
          } else if (t != null && t.getKind() == TypeKind.ARRAY) {
            Var a = arrayVar(m.getExpression());
            return a == null ? null : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT);
          }
        }
        return field(e, path);
      }
      case ARRAY_ACCESS: {
        ArrayAccessTree a = (ArrayAccessTree) e;
        Expr table = table(a.getExpression(), path);
        Var array = table == null ? arrayVar(a.getExpression()) : null;
        Expr index = expr(a.getIndex(), path);
        if (table == null && array == null || index == null) {
          return null;
        }
        return new Apply(Op.ARRAY_READ, List.of(table != null ? table : new Ref(array), index), Type.DOUBLE);
      }
      case UNARY_MINUS: {
        Expr x = expr(((UnaryTree) e).getExpression(), path);
        return x == null ? null : new Apply(Op.NEG, List.of(x), type(e, path));
      }
      case UNARY_PLUS:
        return expr(((UnaryTree) e).getExpression(), path);
      case LOGICAL_COMPLEMENT: {
        Expr x = expr(((UnaryTree) e).getExpression(), path);
        return x == null ? null : new Apply(Op.NOT, List.of(x), Type.BOOLEAN);
      }
      case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT:
        return unsupported(e, "'" + e + "' inside an expression",
            "increment in a statement of its own (i++;) and use the variable after it");
      case PLUS, MINUS, MULTIPLY, DIVIDE, REMAINDER, LESS_THAN, LESS_THAN_EQUAL, GREATER_THAN,
          GREATER_THAN_EQUAL, EQUAL_TO, NOT_EQUAL_TO, CONDITIONAL_AND, CONDITIONAL_OR: {
        BinaryTree b = (BinaryTree) e;
        Expr l = expr(b.getLeftOperand(), path);
        Expr r = expr(b.getRightOperand(), path);
        Type t = type(e, path);
        if (l == null || r == null || t == null) {
          return null;
        }
        Op op = switch (e.getKind()) {
          case PLUS -> Op.ADD;
          case MINUS -> Op.SUB;
          case MULTIPLY -> Op.MUL;
          case DIVIDE -> Op.DIV;
          case REMAINDER -> Op.REM;
          case LESS_THAN -> Op.LT;
          case LESS_THAN_EQUAL -> Op.LE;
          case GREATER_THAN -> Op.GT;
          case GREATER_THAN_EQUAL -> Op.GE;
          case EQUAL_TO -> Op.EQ;
          case NOT_EQUAL_TO -> Op.NE;
          case CONDITIONAL_AND -> Op.AND;
          default -> Op.OR;
        };

        return new Apply(op, List.of(l, r), t);
      }
      case CONDITIONAL_EXPRESSION: {
        ConditionalExpressionTree c = (ConditionalExpressionTree) e;
        Expr cond = expr(c.getCondition(), path);
        Expr a = expr(c.getTrueExpression(), path);
        Expr b = expr(c.getFalseExpression(), path);
        Type t = type(e, path);
        if (cond == null || a == null || b == null || t == null) {
          return null;
        }
        if (t == Type.DOUBLE_ARRAY) {
          return unsupported(e, "choosing between arrays with ?:", "choose between their elements instead");
        }
        return new Apply(Op.COND, List.of(cond, a, b), t);
      }
      case TYPE_CAST: {
        TypeCastTree c = (TypeCastTree) e;
        Type t = type(e, path);
        Expr x = expr(c.getExpression(), path);
        if (t == null || x == null) {
          return null;
        }
        if (!t.isNumeric() || !x.type().isNumeric()) {
          return unsupported(e, "the cast " + e, "only casts between double, int and long are supported");
        }
        return t == x.type() ? x : new Apply(Op.CAST, List.of(x), t);
      }
      case METHOD_INVOCATION:
        return call((MethodInvocationTree) e, path);
      case NEW_ARRAY:
        return unsupported(e, "creating an array here",
            "create arrays only in a local declaration at the top of the method: double[] a = new double[n];");
      case NEW_CLASS:
        return unsupported(e, "creating objects (new " + ((com.sun.source.tree.NewClassTree) e).getIdentifier() + ")",
            "differentiable code computes with double, int, long, boolean and double[] only");
      case LAMBDA_EXPRESSION, MEMBER_REFERENCE:
        return unsupported(e, "a lambda or method reference", "call a static method directly");
      case SWITCH_EXPRESSION:
        return unsupported(e, "a switch expression", "write it as an if / else if chain or with ?:");
      case LEFT_SHIFT, RIGHT_SHIFT, UNSIGNED_RIGHT_SHIFT, AND, OR, XOR, BITWISE_COMPLEMENT:
        return unsupported(e, "the bit operation '" + sourceText(e) + "'",
            "use integer arithmetic (* / %) or boolean && || !");
      case ASSIGNMENT, PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT:
        return unsupported(e, "an assignment inside an expression", "assign in a statement of its own");
      case STRING_LITERAL, CHAR_LITERAL, NULL_LITERAL:
        return unsupported(e, "the literal " + e, "use numbers and booleans only");
      default:
        return unsupported(e, "'" + sourceText(e) + "'",
            "use arithmetic, comparisons, Math functions, array reads and calls of static methods");
    }
  }

  private Type type(ExpressionTree e, TreePath path) {
    TypeMirror t = trees.getTypeMirror(path.getLeaf() == e ? path : new TreePath(path, e));
    Optional<Type> type = t == null ? Optional.empty() : CallResolver.typeOf(t);
    if (type.isEmpty()) {
      unsupported(e, "a value of type " + t + " (" + e + ")", "compute with double, int, long or boolean");
      return null;
    }
    return type.get();
  }

  /** A {@code static final} field of a primitive type, read as a constant. */
  private Expr field(ExpressionTree e, TreePath path) {
    Element el = trees.getElement(path);
    if (el instanceof VariableElement f && el.getKind() == ElementKind.FIELD) {
      Optional<Type> t = CallResolver.typeOf(f.asType());
      if (!f.getModifiers().contains(Modifier.STATIC) || !f.getModifiers().contains(Modifier.FINAL)
          || t.isEmpty() || t.get() == Type.TENSOR || t.get() == Type.INT_ARRAY) {
        return unsupported(e, "reading field '" + f.getSimpleName() + "'",
            "only static final constants of primitive type or double[] can be read; pass other values as parameters");
      }
      return new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()),
          f.getSimpleName().toString(), t.get());
    }
    return unsupported(e, "'" + e + "'", "only parameters, locals and static final constants can be read");
  }

  /** A static final double[] (a table of constants), read in place; null for a variable. */
  private Expr table(ExpressionTree e, TreePath parent) {
    return e instanceof MemberSelectTree || e instanceof IdentifierTree id && lookup(id.getName().toString()) == null
        ? field(e, new TreePath(parent, e)) : null;
  }

  private Var arrayVar(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    if (e instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v != null && v.type() == Type.DOUBLE_ARRAY) {
        return v;
      }
    }
    unsupported(e, "the array expression '" + e + "'", "index double[] parameters and locals by name");
    return null;
  }

  private Expr call(MethodInvocationTree t, TreePath path) {
    Element el = trees.getElement(path);
    if (!(el instanceof ExecutableElement m)) {
      return unsupported(t, "the call " + t, "call static methods only");
    }
    List<Expr> args = new ArrayList<>();
    boolean failed = false;
    for (ExpressionTree a : t.getArguments()) {
      Expr x = expr(a, path);
      failed |= x == null;
      args.add(x);
    }
    if (failed) {
      return null;
    }
    String owner = ((TypeElement) m.getEnclosingElement()).getQualifiedName().toString();
    String name = m.getSimpleName().toString();
    if (owner.equals("java.lang.Math") || owner.equals("java.lang.StrictMath")) {
      Type result = type(t, path);
      if (result == null) {
        return null;
      }
      Optional<Op> op = Op.math(name, args.size());
      boolean doubles = m.getParameters().stream().allMatch(p -> p.asType().getKind() == TypeKind.DOUBLE);
      if (op.isPresent() && (doubles || result != Type.DOUBLE)) {
        return new Apply(op.get(), args, result, owner.equals("java.lang.StrictMath"));
      }
      if (result != Type.DOUBLE && args.stream().noneMatch(a -> a.type() == Type.DOUBLE)) {
        // an integer function such as Math.floorMod: no derivative involved, call it as written
        CallTarget plain = new CallTarget(ClassName.get((TypeElement) m.getEnclosingElement()), name,
            args.stream().map(Expr::type).toList(), result, CallTarget.Kind.PLAIN, null, null, null, null, false, false);
        return new Expr.Call(plain, args, null);
      }
      return unsupported(t, "Math." + name + " of these arguments",
          "supported: sin cos tan asin acos atan atan2 sinh cosh tanh exp expm1 log log1p log10 sqrt "
              + "cbrt pow hypot abs max min floor ceil rint signum toRadians toDegrees on doubles");
    }
    if (owner.equals(CallResolver.TENSOR)) {
      return tensorCall(t, path, m, args);
    }
    if (!m.getModifiers().contains(Modifier.STATIC)) {
      return unsupported(t, "calling instance method " + name,
          "differentiable code calls static methods only");
    }
    Optional<CallTarget> target = calls.resolve(m);
    if (target.isEmpty()) {
      return unsupported(t, "calling " + name + ", whose parameters or result are not double, int, long, "
          + "boolean or double[]", "call methods of those types only");
    }
    Expr.Call call = new Expr.Call(target.get(), args, null);
    callSites.put(call, t);
    return call;
  }

  /**
   * A method of {@code Tensor}: a differentiable operation of the rule table, or a query or
   * factory that the graph keeps as an opaque call (checked later: it must not receive values
   * that carry derivatives).
   */
  private Expr tensorCall(MethodInvocationTree t, TreePath path, ExecutableElement m, List<Expr> args) {
    Type result = type(t, path);
    if (result == null) {
      return null;
    }
    String name = m.getSimpleName().toString();
    boolean isStatic = m.getModifiers().contains(Modifier.STATIC);
    List<Expr> operands = new ArrayList<>();
    if (!isStatic) {
      ExpressionTree select = t.getMethodSelect();
      if (!(select instanceof MemberSelectTree ms)) {
        return unsupported(t, "the call " + t, "call tensor methods on a tensor: x." + name + "(...)");
      }
      Expr receiver = expr(ms.getExpression(), path);
      if (receiver == null) {
        return null;
      }
      operands.add(receiver);
    }
    operands.addAll(args);
    Optional<Op> op = tensorOp(name, isStatic, args, result);
    if (op.isPresent()) {
      Expr apply = new Apply(op.get(), operands, result);
      callSites.put(apply, t);
      return apply;
    }
    TypeMirror resultType = m.getReturnType();
    if (CallResolver.typeOf(resultType).isEmpty() && resultType.getKind() != TypeKind.VOID) {
      return unsupported(t, "Tensor." + name + ", whose result is a " + resultType,
          "use tensor operations that return Tensor, double or int");
    }
    Expr invoke = isStatic
        ? new Expr.Invoke(ClassName.get((TypeElement) m.getEnclosingElement()), null, name, args, result)
        : new Expr.Invoke(null, operands.get(0), name, args, result);
    callSites.put(invoke, t);
    return invoke;
  }

  private static Optional<Op> tensorOp(String name, boolean isStatic, List<Expr> args, Type result) {
    int n = args.size();
    if (isStatic) {
      return switch (name) {
        case "softmaxCrossEntropy" -> Optional.of(Op.T_SOFTMAX_CROSS_ENTROPY);
        case "mse" -> Optional.of(Op.T_MSE);
        default -> Optional.empty();
      };
    }
    Op op = switch (name + "/" + n) {
      case "add/1" -> Op.T_ADD;
      case "sub/1" -> Op.T_SUB;
      case "mul/1" -> Op.T_MUL;
      case "div/1" -> Op.T_DIV;
      case "pow/1" -> Op.T_POW;
      case "matmul/1" -> Op.T_MATMUL;
      case "neg/0" -> Op.T_NEG;
      case "exp/0" -> Op.T_EXP;
      case "log/0" -> Op.T_LOG;
      case "sqrt/0" -> Op.T_SQRT;
      case "abs/0" -> Op.T_ABS;
      case "tanh/0" -> Op.T_TANH;
      case "sigmoid/0" -> Op.T_SIGMOID;
      case "relu/0" -> Op.T_RELU;
      case "square/0" -> Op.T_SQUARE;
      case "transpose/0" -> Op.T_TRANSPOSE;
      case "sum/0" -> Op.T_SUM;
      case "mean/0" -> Op.T_MEAN;
      case "max/0" -> Op.T_MAX;
      case "sum/2" -> Op.T_SUM_AXIS;
      case "mean/2" -> Op.T_MEAN_AXIS;
      case "max/2" -> Op.T_MAX_AXIS;
      case "softmax/1" -> Op.T_SOFTMAX;
      case "logSumExp/2" -> Op.T_LOGSUMEXP;
      default -> name.equals("reshape") ? Op.T_RESHAPE : null;
    };
    return Optional.ofNullable(op);
  }

  // ---------------------------------------------------------------- helpers

  private Var lookup(String name) {
    for (Map<String, Var> scope : scopes) {
      Var v = scope.get(name);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private Expr unsupported(Tree at, String what, String instead) {
    errors++;
    diag.report(methodPath, at, Message.UNSUPPORTED, what, methodName, instead);
    return null;
  }

  /** The tree as the user wrote it. */
  private String sourceText(Tree t) {
    try {
      long start = trees.getSourcePositions().getStartPosition(unit, t);
      long end = trees.getSourcePositions().getEndPosition(unit, t);
      if (start >= 0 && end > start) {
        return unit.getSourceFile().getCharContent(true).subSequence((int) start, (int) end).toString();
      }
    } catch (java.io.IOException e) {
      // fall back to javac's rendering
    }
    return t.toString();
  }

  private Src src(Tree t, String text) {
    long pos = trees.getSourcePositions().getStartPosition(unit, t);
    // javac -g:none keeps no line map
    long line = pos < 0 || unit.getLineMap() == null ? -1 : unit.getLineMap().getLineNumber(pos);
    return new Src(line, text.replaceAll("\\s+", " ").trim());
  }

  private static String join(List<? extends Tree> trees) {
    List<String> parts = new ArrayList<>();
    for (Tree t : trees) {
      String s = t.toString();
      parts.add(s.endsWith(";") ? s.substring(0, s.length() - 1) : s);
    }
    return String.join(", ", parts);
  }

  /** Methods reported on so far (errors). */
  public int errors() {
    return errors;
  }

  /** The element being parsed, for messages from later stages. */
  public ExecutableElement method() {
    return method;
  }
}
