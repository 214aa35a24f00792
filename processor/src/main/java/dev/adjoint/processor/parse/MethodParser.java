package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
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
import com.sun.source.util.TreeScanner;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.annotation.processing.ProcessingEnvironment;
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
 * Reads a {@code @Differentiable} method's body from its parse tree and builds its computation
 * graph. Nothing is attributed by the compiler: locals and parameters have declared types,
 * literals and operators are typed by the JLS's rules, and every name declared outside the method
 * (classes, constants, called methods) is resolved through {@code javax.lang.model} by the
 * {@link Resolver}. So the same graph comes out under javac and under Eclipse's compiler. Every
 * construct outside the supported subset is reported at its own line, and parsing goes on so that
 * one compile shows all of them.
 */
public final class MethodParser {
  private final ProcessingEnvironment env;
  private final Diagnostics diag;
  private final CallResolver calls;
  private final SourceAccess sources;

  private ExecutableElement method;
  private SourceAccess.MethodSource source;
  private SourceUnit unit;
  private Resolver resolver;
  private String methodName;
  private final Deque<Map<String, Var>> scopes = new ArrayDeque<>();
  /** Variables whose declaration was reported: their uses are not reported again. */
  private final Set<Var> poisoned = new HashSet<>();
  private int loopDepth;
  private int labels;
  private int branchDepth;
  private int errors;
  /** The receiver of an instance method ({@code ModelGrad.f(Model self, ...)}), else null. */
  private Var self;
  /** Array fields the body reads, each copied once into a local at the start of the method. */
  private final Map<VariableElement, Var> arrayFields = new LinkedHashMap<>();
  private final List<Stmt> prologue = new ArrayList<>();
  /** Every identifier the method's source uses: names the parser introduces avoid them. */
  private final Set<String> identifiers = new HashSet<>();
  /** The parameters and locals the method declares. */
  private final Set<String> declared = new HashSet<>();
  /** Whether the method's return type is supported (else its return statements are not read). */
  private boolean returnOk;
  private final Map<Expr, Tree> callSites = new HashMap<>();
  /** n-D arrays: the locals that name a row of an array ({@code double[] row = a[i];}). */
  private final Map<Var, Row> rows = new HashMap<>();
  /** n-D arrays: the statements after the one being read in its block (null: not in a block). */
  private List<? extends StatementTree> restOfBlock;

  public MethodParser(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    this.env = env;
    this.diag = diag;
    this.calls = calls;
    this.sources = sources;
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
    source = sources.find(method);
    if (source == null) {
      // the compiler has no source text for an element of this compilation: never silently
      diag.report(method, Message.NO_SOURCE, methodName, "the compiler gave no source text for it; please"
          + " report this with the compiler and IDE you use");
      return Optional.empty();
    }
    unit = source.unit();
    resolver = new Resolver(env.getElementUtils(), env.getTypeUtils(), unit.tree(), Naming.owner(method));
    MethodTree tree = source.tree();
    if (tree.getBody() == null) {
      diag.report(method, Message.UNSUPPORTED, "a method without a body (native or abstract)", methodName,
          "write the method in Java, or give it a @Derivative and leave it out of @Differentiable");
      return Optional.empty();
    }
    poisoned.clear();
    callSites.clear();
    rows.clear();
    returnOk = CallResolver.typeOf(method.getReturnType())
        .filter(t -> t == Type.DOUBLE || t == Type.TENSOR || t == Type.DOUBLE_ARRAY).isPresent();

    Map<String, Var> paramScope = new HashMap<>();
    List<Var> params = new ArrayList<>();
    for (VariableElement p : method.getParameters()) {
      Optional<Type> t = CallResolver.typeOf(p.asType()).filter(MethodParser::parameterType);
      Var v = new Var(p.getSimpleName().toString(), t.orElse(Type.OBJECT), Var.Kind.PARAMETER);
      if (t.isEmpty()) {
        poisoned.add(v); // reported by checkSignature; its uses are not errors of their own
      }
      params.add(v);
      paramScope.put(v.name(), v);
    }
    List<Var> wrt = new ArrayList<>();
    if (signatureOk) {
      for (int i : CallResolver.wrtIndexes(method)) {
        wrt.add(params.get(i));
      }
    }
    identifiers.clear();
    declared.clear();
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void unused) {
        identifiers.add(node.getName().toString());
        return null;
      }

      @Override
      public Void visitVariable(VariableTree node, Void unused) {
        identifiers.add(node.getName().toString());
        declared.add(node.getName().toString());
        return super.visitVariable(node, unused);
      }
    }.scan(tree, null);
    self = null;
    if (!method.getModifiers().contains(Modifier.STATIC)) {
      // fields are data: the generated method takes the instance first and reads them from it
      TypeElement owner = Naming.owner(method);
      self = new Var(unused("self"), Type.OBJECT, Var.Kind.PARAMETER,
          env.getTypeUtils().erasure(owner.asType()) instanceof javax.lang.model.type.DeclaredType
              ? ClassName.get(owner) : null);
      params.add(0, self);
    }
    arrayFields.clear();
    prologue.clear();
    scopes.push(paramScope);
    Block body = block(tree.getBody().getStatements());
    body.stmts.addAll(0, prologue);
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

  /** {@code name}, or {@code name_}, ... : the first that the method's source does not use. */
  private String unused(String name) {
    while (identifiers.contains(name)) {
      name = name + "_";
    }
    identifiers.add(name);
    return name;
  }

  /** Calls to differentiable methods found while parsing, for the recursion check. */
  public Map<Expr, Tree> callSites() {
    return callSites;
  }

  /** Where the method's source is, for messages from later stages. */
  public SourceAccess.MethodSource source() {
    return source;
  }

  // ---------------------------------------------------------------- signature

  private boolean checkSignature(ExecutableElement m) {
    boolean ok = true;
    String name = methodName;
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
            || ann.forward() && !ann.hessian() && (t.isDoubleArray() || t == Type.TENSOR);
        if (!allowed) {
          diag.report(m.getParameters().get(i), Message.MODE_UNSUPPORTED, name,
              "parameter '" + m.getParameters().get(i).getSimpleName() + "' is a " + t.javaName()
                  + (ann.hessian() ? "; hessian = true differentiates double parameters"
                      : "; forward mode differentiates double, double[] and Tensor parameters"));
          ok = false;
        }
      }
    }
    if (ok && ret.get() != Type.DOUBLE) { // n-D arrays: differentiated for double results only
      for (int i : CallResolver.wrtIndexes(m)) {
        VariableElement p = m.getParameters().get(i);
        if (CallResolver.typeOf(p.asType()).orElseThrow().isNdDoubleArray()) {
          diag.report(p, Message.UNSUPPORTED, "differentiating the " + p.asType() + " parameter '"
              + p.getSimpleName() + "' of a method returning " + m.getReturnType(), name,
              "n-D array parameters are differentiated in methods returning double: leave '"
                  + p.getSimpleName() + "' out with wrt, or return a double");
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
    return t != Type.INT_ARRAY && t != Type.OBJECT && t != Type.INT_ARRAY_2D;
  }


  // ---------------------------------------------------------------- statements

  private Block block(List<? extends StatementTree> statements) {
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
  private Block body(StatementTree s) {
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

  private void statement(StatementTree s, Consumer<Stmt> out) {
    switch (s.getKind()) {
      case VARIABLE -> declaration((VariableTree) s, out);
      case EXPRESSION_STATEMENT -> expressionStatement((ExpressionStatementTree) s, out);
      case RETURN -> {
        ReturnTree r = (ReturnTree) s;
        if (returnOk) { // else what it returns was reported with the method's return type
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
        block(((com.sun.source.tree.TryTree) s).getBlock().getStatements());
      }
      case THROW -> unsupported(s, "throw", "validate inputs in the caller, before calling the method");
      case SYNCHRONIZED -> {
        unsupported(s, "synchronized", "generated code is already thread-safe; remove it");
        block(((com.sun.source.tree.SynchronizedTree) s).getBlock().getStatements());
      }
      case LABELED_STATEMENT -> {
        unsupported(s, "a labelled statement", "restructure the loops without labels");
        // still check what it labels, so one compile shows every problem
        List<Stmt> ignored = new ArrayList<>();
        labels++;
        statement(((com.sun.source.tree.LabeledStatementTree) s).getStatement(), ignored::add);
        labels--;
      }
      case CLASS, INTERFACE, ENUM, RECORD -> unsupported(s, "a local type declaration", "declare the type outside the method");
      case ASSERT -> unsupported(s, "assert", "check the condition in the caller");
      default -> unsupported(s, "this statement (" + s.getKind().toString().toLowerCase().replace('_', ' ') + ")",
          "use assignments, if/else, loops and return");
    }
  }

  /** The graph type of a declaration's type tree; null for {@code var}; OBJECT when unsupported. */
  private Type declaredType(Tree typeTree) {
    if (typeTree == null || typeTree instanceof IdentifierTree id && id.getName().contentEquals("var")
        && resolver.type("var") == null) {
      return null;
    }
    TypeMirror t = resolver.typeOf(typeTree);
    return t == null ? Type.OBJECT : CallResolver.typeOf(t).orElse(Type.OBJECT);
  }

  private void declaration(VariableTree v, Consumer<Stmt> out) {
    List<? extends StatementTree> rest = restOfBlock;
    if (ndDeclaration(v, rest, out)) { // n-D arrays: locals and row aliases
      return;
    }
    String name = v.getName().toString();
    Type type = declaredType(v.getType());
    Expr init = null;
    boolean initFailed = false;
    boolean arrayCreation = v.getInitializer() instanceof NewArrayTree;
    if (v.getInitializer() != null && !arrayCreation && type != Type.OBJECT) {
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
    if (type == Type.DOUBLE_ARRAY) {
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
      Expr length = expr(na.getDimensions().get(0));
      scopes.peek().put(name, var);
      if (length != null) {
        out.accept(new Stmt.Assign(var,
            new Apply(Op.NEW_ARRAY, List.of(length), Type.DOUBLE_ARRAY), true, null, src));
      }
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

  private Type resolvedArrayType(NewArrayTree na) {
    if (na.getType() == null) {
      return Type.OBJECT;
    }
    TypeMirror elem = resolver.typeOf(na.getType());
    if (elem == null) {
      return Type.OBJECT;
    }
    TypeMirror t = elem;
    for (int i = 0; i < Math.max(1, na.getDimensions().size()); i++) {
      t = env.getTypeUtils().getArrayType(t);
    }
    return CallResolver.typeOf(t).orElse(Type.OBJECT);
  }

  /** Assignment conversion between graph types (JLS 5.2: identity and widening). */
  private static boolean assignable(Type from, Type to) {
    return from == to || to == Type.DOUBLE && (from == Type.INT || from == Type.LONG)
        || to == Type.LONG && from == Type.INT;
  }

  private static Expr zero(Type t) {
    return switch (t) {
      case BOOLEAN -> Const.ofBoolean(false);
      case INT -> Const.ofInt(0);
      case LONG -> new Const(Type.LONG, 0L);
      default -> Const.ZERO;
    };
  }

  private void expressionStatement(ExpressionStatementTree s, Consumer<Stmt> out) {
    ExpressionTree e = s.getExpression();
    Src src = src(s, e.toString());
    switch (e.getKind()) {
      case ASSIGNMENT -> {
        AssignmentTree a = (AssignmentTree) e;
        Expr value = expr(a.getExpression());
        assign(a.getVariable(), value, null, src, out);
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
        Expr target = expr(a.getVariable());
        Expr rhs = expr(a.getExpression());
        if (target == null || rhs == null) {
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
      case METHOD_INVOCATION -> unsupported(e, "a call whose result is discarded",
          "differentiable code has no side effects: use the call's value, or remove the call");
      default -> unsupported(e, "this expression statement", "write an assignment");
    }
  }

  private void assign(ExpressionTree target, Expr value, Op compound, Src src, Consumer<Stmt> out) {
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
      if (v.type() == Type.DOUBLE_ARRAY || v.type().rank() >= 2) {
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
      if (array.isParameter()) {
        unsupported(target, "writing to parameter array '" + array.name() + "'",
            "parameters are inputs: copy into a local array (double[] y = new double[" + array.name()
                + ".length]) and write that");
        return;
      }
      Expr index = expr(aa.getIndex());
      if (index == null) {
        return;
      }
      out.accept(new Stmt.ArrayStore(array, index, value, compound, src));
    } else {
      unsupported(target, "assigning to " + target, "differentiable methods cannot write fields: use a local");
    }
  }

  private void forLoop(ForLoopTree t, Consumer<Stmt> out) {
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

  private record Counted(VariableTree init, int step) {}

  /** {@code for (int i = a; cond; i++ | i-- | i += c | i -= c)} with no other write to i. */
  private Optional<Counted> counted(ForLoopTree t) {
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

  private void forEach(EnhancedForLoopTree t, Consumer<Stmt> out) {
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

  // ---------------------------------------------------------------- expressions

  private Expr condition(ExpressionTree e) {
    Expr c = expr(e);
    if (c != null && c.type() != Type.BOOLEAN) {
      unsupported(e, "the condition " + sourceText(e) + " of type " + c.type().javaName(), "write a boolean condition");
      return Const.ofBoolean(true);
    }
    return c == null ? Const.ofBoolean(true) : c;
  }

  /** The graph of an expression, or null after reporting what is unsupported in it. */
  private Expr expr(ExpressionTree e) {
    switch (e.getKind()) {
      case PARENTHESIZED:
        return expr(((ParenthesizedTree) e).getExpression());
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
        if (v != null && rows.containsKey(v)) { // n-D arrays: a row alias used as a whole
          return unsupported(e, "using row '" + name + "' as a whole", "read its elements ("
              + name + "[j]) and its length (" + name + ".length) only");
        }
        if (v != null) {
          return poisoned.contains(v) ? null : new Ref(v);
        }
        if (name.equals("this")) {
          return unsupported(e, "'this' as a value", "read the instance's fields (this.w) and call its methods");
        }
        VariableElement f = resolver.field(name);
        return f != null ? field(e, f) : unsupported(e, "'" + name + "'",
            "only parameters, locals, fields and static final constants can be read");
      }
      case MEMBER_SELECT: {
        MemberSelectTree m = (MemberSelectTree) e;
        String member = m.getIdentifier().toString();
        if (member.equals("length") && isNdIterable(m.getExpression())) {
          return ndLength(m); // n-D arrays: a[i].length, row.length
        }
        Var local = m.getExpression() instanceof IdentifierTree id ? lookup(id.getName().toString()) : null;
        if (local != null) {
          if (poisoned.contains(local)) {
            return null;
          }
          if (member.equals("length") && local.type() != Type.TENSOR && local.type() != Type.OBJECT
              && !local.type().isNumeric() && local.type() != Type.BOOLEAN) {
            return new Apply(Op.ARRAY_LENGTH, List.of(new Ref(local)), Type.INT);
          }
          return unsupported(e, "'" + sourceText(e) + "'", "read array lengths (a.length) and elements only");
        }
        if (member.equals("length") && arrayField(m.getExpression()) != null) {
          Var a = arrayVar(m.getExpression());
          return a == null ? null : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT);
        }
        if (isThis(m.getExpression())) {
          VariableElement f = resolver.field(resolver.owner(), member);
          return f != null ? field(e, f) : unsupported(e, "'" + sourceText(e) + "'",
              "no field '" + member + "' in " + resolver.owner().getSimpleName());
        }
        TypeElement owner = resolver.typeNamed(m.getExpression());
        if (owner == null) {
          owner = staticType(m.getExpression()); // an object's field: reported as such below
        }
        VariableElement f = owner == null ? null : resolver.field(owner, member);
        if (f != null && !f.getModifiers().contains(Modifier.STATIC)) {
          return unsupported(e, "reading field '" + member + "' of another object",
              "pass the values the method needs as parameters");
        }
        return f != null ? field(e, f) : unsupported(e, "'" + sourceText(e) + "'",
            "only parameters, locals and static final constants can be read");
      }
      case ARRAY_ACCESS: {
        ArrayAccessTree a = (ArrayAccessTree) e;
        if (isNdAccess(a)) {
          return ndRead(a); // n-D arrays: m[i][j], row[j]
        }
        Var array = arrayVar(a.getExpression());
        Expr index = expr(a.getIndex());
        if (array == null || index == null) {
          return null;
        }
        if (index.type() != Type.INT) {
          return unsupported(a.getIndex(), "an array index of type " + index.type().javaName(),
              "index arrays with an int (cast with (int) where needed)");
        }
        return new Apply(Op.ARRAY_READ, List.of(new Ref(array), index), elementType(array.type()));
      }
      case UNARY_MINUS: {
        Expr x = expr(((UnaryTree) e).getExpression());
        if (x == null) {
          return null;
        }
        if (!x.type().isNumeric()) {
          return unsupported(e, "'-' on a " + x.type().javaName(), "negate numbers only");
        }
        return new Apply(Op.NEG, List.of(x), x.type());
      }
      case UNARY_PLUS:
        return expr(((UnaryTree) e).getExpression());
      case LOGICAL_COMPLEMENT: {
        Expr x = expr(((UnaryTree) e).getExpression());
        return x == null ? null : new Apply(Op.NOT, List.of(x), Type.BOOLEAN);
      }
      case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT:
        return unsupported(e, "'" + e + "' inside an expression",
            "increment in a statement of its own (i++;) and use the variable after it");
      case PLUS, MINUS, MULTIPLY, DIVIDE, REMAINDER, LESS_THAN, LESS_THAN_EQUAL, GREATER_THAN,
          GREATER_THAN_EQUAL, EQUAL_TO, NOT_EQUAL_TO, CONDITIONAL_AND, CONDITIONAL_OR: {
        BinaryTree b = (BinaryTree) e;
        Expr l = expr(b.getLeftOperand());
        Expr r = expr(b.getRightOperand());
        if (l == null || r == null) {
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
        Type t = binaryType(op, l.type(), r.type());
        if (t == null) {
          return unsupported(e, "'" + op.symbol() + "' between " + l.type().javaName() + " and "
              + r.type().javaName() + " (" + sourceText(e) + ")",
              op == Op.AND || op == Op.OR ? "combine boolean conditions" : "compute with numbers");
        }
        return new Apply(op, List.of(l, r), t);
      }
      case CONDITIONAL_EXPRESSION: {
        ConditionalExpressionTree c = (ConditionalExpressionTree) e;
        Expr cond = condition(c.getCondition());
        Expr a = expr(c.getTrueExpression());
        Expr b = expr(c.getFalseExpression());
        if (a == null || b == null) {
          return null;
        }
        Type t = a.type() == b.type() ? a.type()
            : a.type().isNumeric() && b.type().isNumeric() ? promote(a.type(), b.type()) : null;
        if (t == null) {
          return unsupported(e, "?: choosing between a " + a.type().javaName() + " and a " + b.type().javaName(),
              "make both branches the same type");
        }
        if (t == Type.DOUBLE_ARRAY || t.rank() >= 2) {
          return unsupported(e, "choosing between arrays with ?:", "choose between their elements instead");
        }
        return new Apply(Op.COND, List.of(cond, a, b), t);
      }
      case TYPE_CAST: {
        TypeCastTree c = (TypeCastTree) e;
        Type t = declaredType(c.getType());
        Expr x = expr(c.getExpression());
        if (x == null) {
          return null;
        }
        if (t == null || !t.isNumeric() || !x.type().isNumeric()) {
          return unsupported(e, "the cast " + e, "only casts between double, int and long are supported");
        }
        return t == x.type() ? x : new Apply(Op.CAST, List.of(x), t);
      }
      case METHOD_INVOCATION:
        return call((MethodInvocationTree) e);
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

  /** Binary numeric promotion (JLS 5.6.2). */
  private static Type promote(Type a, Type b) {
    return a == Type.DOUBLE || b == Type.DOUBLE ? Type.DOUBLE
        : a == Type.LONG || b == Type.LONG ? Type.LONG : Type.INT;
  }

  /** The type of {@code l op r}, or null when Java or the graph has no such operation. */
  private static Type binaryType(Op op, Type l, Type r) {
    boolean numeric = l.isNumeric() && r.isNumeric();
    return switch (op) {
      case ADD, SUB, MUL, DIV, REM -> numeric ? promote(l, r) : null;
      case LT, LE, GT, GE -> numeric ? Type.BOOLEAN : null;
      case EQ, NE -> numeric || l == Type.BOOLEAN && r == Type.BOOLEAN ? Type.BOOLEAN : null;
      case AND, OR -> l == Type.BOOLEAN && r == Type.BOOLEAN ? Type.BOOLEAN : null;
      default -> null;
    };
  }

  private static Type elementType(Type array) {
    return switch (array) {
      case INT_ARRAY -> Type.INT;
      default -> Type.DOUBLE;
    };
  }

  /**
   * A field read: a {@code static final} field of primitive type, read where it is declared; a
   * compile-time constant the generated class may not access (private, or package-private in
   * another package) becomes its value.
   */
  private Expr field(ExpressionTree e, VariableElement f) {
    Optional<Type> t = CallResolver.typeOf(f.asType());
    boolean isStatic = f.getModifiers().contains(Modifier.STATIC);
    if (!isStatic && (self == null || !ownField(f))) {
      return unsupported(e, "reading field '" + f.getSimpleName() + "'" + (self == null
          ? " of an instance from a static method" : " of another object"),
          self == null ? "make the method an instance method, or pass the value as a parameter"
              : "pass other objects' values as parameters");
    }
    if (t.isEmpty() || t.get() == Type.OBJECT || isStatic && !f.getModifiers().contains(Modifier.FINAL)
        || t.get().rank() >= 2) { // n-D arrays: not read from fields (yet)
      return unsupported(e, "reading field '" + f.getSimpleName() + "'",
          isStatic ? "only static final constants can be read; pass other values as parameters"
              : "fields of type double, int, long, boolean, double[], int[] or Tensor can be read; "
                  + "pass other values as parameters");
    }
    Object constant = f.getConstantValue();
    if (constant != null && !accessible(f)) {
      Object value = switch (t.get()) {
        case DOUBLE -> ((Number) constant).doubleValue();
        case INT -> ((Number) constant).intValue();
        case LONG -> ((Number) constant).longValue();
        default -> constant;
      };
      if (!(value instanceof Double d) || Double.isFinite(d)) {
        return new Const(t.get(), value);
      }
    }
    Expr read = isStatic
        ? new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), f.getSimpleName().toString(), t.get())
        : new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), new Ref(self),
            f.getSimpleName().toString(), t.get());
    if (t.get() == Type.DOUBLE_ARRAY || t.get() == Type.INT_ARRAY) {
      // an array field is data: copied into a local once, at the start, and indexed there
      return new Ref(arrayFields.computeIfAbsent(f, k -> {
        String name = f.getSimpleName().toString();
        while (declared.contains(name) || name.equals(self == null ? null : self.name())) {
          name = name + "_";
        }
        declared.add(name);
        Var local = new Var(name, t.get(), Var.Kind.LOCAL);
        prologue.add(new Stmt.Assign(local, read, true, null, new Src(unit.line(e),
            "field " + f.getSimpleName() + ", read once: " + (isStatic ? f.getEnclosingElement().getSimpleName() + "." : "this.")
                + f.getSimpleName())));
        return local;
      }));
    }
    return read;
  }

  /** Whether a field belongs to the method's own instance (declared in its class or inherited). */
  private boolean ownField(VariableElement f) {
    // equals, not ==: ECJ makes a new element object on every lookup
    return f.equals(resolver.field(resolver.owner(), f.getSimpleName().toString()));
  }

  /** The array-typed field an expression names ({@code W}, {@code this.w}, {@code Table.W}), or null. */
  private VariableElement arrayField(ExpressionTree e) {
    VariableElement f = null;
    if (e instanceof IdentifierTree id && lookup(id.getName().toString()) == null) {
      f = resolver.field(id.getName().toString());
    } else if (e instanceof MemberSelectTree m) {
      TypeElement owner = isThis(m.getExpression()) ? resolver.owner() : resolver.typeNamed(m.getExpression());
      f = owner == null ? null : resolver.field(owner, m.getIdentifier().toString());
    }
    return f != null && f.asType().getKind() == TypeKind.ARRAY ? f : null;
  }

  private static boolean isThis(ExpressionTree e) {
    return e instanceof IdentifierTree id && id.getName().contentEquals("this");
  }

  /** Whether the generated class, in the method's package, may name {@code member}. */
  private boolean accessible(Element member) {
    String here = env.getElementUtils().getPackageOf(method).getQualifiedName().toString();
    for (Element e = member; e instanceof VariableElement || e instanceof ExecutableElement
        || e instanceof TypeElement; e = e.getEnclosingElement()) {
      Set<Modifier> mods = e.getModifiers();
      if (mods.contains(Modifier.PRIVATE)) {
        return false;
      }
      if (!mods.contains(Modifier.PUBLIC)
          && !env.getElementUtils().getPackageOf(e).getQualifiedName().contentEquals(here)) {
        return false;
      }
    }
    return true;
  }

  private Var arrayVar(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    if (e instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v != null && poisoned.contains(v)) {
        return null;
      }
      if (v != null && (v.type() == Type.DOUBLE_ARRAY || v.type() == Type.INT_ARRAY)) {
        return v;
      }
    }
    if (e instanceof IdentifierTree && lookup(e.toString()) == null
        || e instanceof MemberSelectTree m && (isThis(m.getExpression()) || resolver.typeNamed(m.getExpression()) != null)) {
      // an array field
      Expr read = expr(e);
      if (read == null) {
        return null;
      }
      if (read instanceof Ref r && (r.type() == Type.DOUBLE_ARRAY || r.type() == Type.INT_ARRAY)) {
        return r.var();
      }
    }
    unsupported(e, "the array expression '" + e + "'", "index double[] parameters and locals by name");
    return null;
  }

  // ---------------------------------------------------------------- calls

  private Expr call(MethodInvocationTree t) {
    ExpressionTree select = t.getMethodSelect();
    String name;
    Expr receiver = null;
    List<ExecutableElement> candidates;
    if (select instanceof IdentifierTree id) {
      name = id.getName().toString();
      candidates = resolver.methods(name);
    } else if (select instanceof MemberSelectTree ms) {
      name = ms.getIdentifier().toString();
      ExpressionTree qualifier = ms.getExpression();
      Var local = qualifier instanceof IdentifierTree q ? lookup(q.getName().toString()) : null;
      TypeElement owner = local != null || isThis(qualifier) ? null : resolver.typeNamed(qualifier);
      TypeElement objectType = local != null || owner != null ? null : staticType(qualifier);
      if (isThis(qualifier)) {
        candidates = resolver.methods(resolver.owner(), name);
      } else if (owner != null) {
        candidates = resolver.methods(owner, name).stream()
            .filter(m -> m.getModifiers().contains(Modifier.STATIC)).toList();
      } else if (objectType != null && !objectType.getQualifiedName().contentEquals(CallResolver.TENSOR)) {
        candidates = resolver.methods(objectType, name); // an object's method: reported below
      } else {
        receiver = expr(qualifier);
        if (receiver == null) {
          return null;
        }
        if (receiver.type() != Type.TENSOR) {
          return unsupported(t, "calling '" + name + "' on a " + receiver.type().javaName(),
              "call static methods, and methods of Tensor values");
        }
        TypeElement tensor = env.getElementUtils().getTypeElement(CallResolver.TENSOR);
        candidates = resolver.methods(tensor, name).stream()
            .filter(m -> !m.getModifiers().contains(Modifier.STATIC)).toList();
      }
    } else {
      return unsupported(t, "the call " + sourceText(t), "call static methods by name");
    }
    List<Expr> args = new ArrayList<>();
    boolean failed = false;
    for (ExpressionTree a : t.getArguments()) {
      Expr x = expr(a);
      failed |= x == null;
      args.add(x);
    }
    if (failed) {
      return null;
    }
    if (candidates.isEmpty()) {
      return unsupported(t, "the call " + sourceText(t), "no method '" + name + "' is visible here; "
          + "call static methods of this class, of imported classes, or Math");
    }
    ExecutableElement m = choose(candidates, args);
    if (m == null) {
      String types = args.stream().map(a -> a.type().javaName()).collect(java.util.stream.Collectors.joining(", "));
      return unsupported(t, "the call " + sourceText(t) + " with arguments (" + types + ")",
          "no single method '" + name + "' takes these argument types; pass double, int, long, boolean, "
              + "double[] or Tensor values that match one of its overloads");
    }
    String owner = ((TypeElement) m.getEnclosingElement()).getQualifiedName().toString();
    Optional<Type> resultType = CallResolver.typeOf(m.getReturnType());
    if (resultType.map(r -> r.rank() >= 2).orElse(false)
        || m.getParameters().stream().anyMatch(p -> CallResolver.typeOf(p.asType()).map(r -> r.rank() >= 2).orElse(false))) {
      // n-D arrays: not passed to or returned by calls (yet)
      return unsupported(t, "the call " + sourceText(t) + ", which passes or returns an n-D array",
          "inline the callee, or pass it the elements or rows' elements it needs as doubles");
    }
    if (owner.equals("java.lang.Math") || owner.equals("java.lang.StrictMath")) {
      if (resultType.isEmpty()) {
        return unsupported(t, "Math." + name + ", whose result is a " + m.getReturnType(),
            "use Math functions of double, int and long");
      }
      Type result = resultType.get();
      Optional<Op> op = Op.math(name, args.size());
      boolean doubles = m.getParameters().stream().allMatch(p -> p.asType().getKind() == TypeKind.DOUBLE);
      if (op.isPresent() && (doubles || result != Type.DOUBLE)) {
        return new Apply(op.get(), widen(args, m), result, owner.equals("java.lang.StrictMath"));
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
      return tensorCall(t, m, receiver, args);
    }
    boolean instance = !m.getModifiers().contains(Modifier.STATIC);
    boolean onSelf = select instanceof IdentifierTree || isThis(((MemberSelectTree) select).getExpression());
    if (instance && (self == null || !onSelf || !env.getTypeUtils().isSubtype(
        env.getTypeUtils().erasure(resolver.owner().asType()),
        env.getTypeUtils().erasure(m.getEnclosingElement().asType())))) {
      return unsupported(t, "calling instance method " + name + (self == null ? " from a static method" : " of another object"),
          self == null ? "make the calling method an instance method too, or call static methods"
              : "call static methods, or methods of this instance");
    }
    Optional<CallTarget> target = calls.resolve(m);
    if (target.isEmpty()) {
      return unsupported(t, "calling " + name + ", whose parameters or result are not double, int, long, "
          + "boolean or double[]", "call methods of those types only");
    }
    List<Expr> callArgs = widen(args, m);
    if (instance) {
      callArgs = new ArrayList<>(callArgs);
      callArgs.add(0, new Ref(self));
    }
    Expr.Call call = new Expr.Call(instance ? target.get().onReceiver() : target.get(), callArgs, null);
    callSites.put(call, t);
    return call;
  }

  /**
   * The class of an object-valued qualifier that is not a local ({@code new Model()}, a field
   * {@code INSTANCE}), so that what is selected from it can be named in a message; else null.
   */
  private TypeElement staticType(ExpressionTree e) {
    TypeMirror t = null;
    if (e instanceof com.sun.source.tree.NewClassTree n) {
      t = resolver.typeOf(n.getIdentifier());
    } else if (e instanceof IdentifierTree id && lookup(id.getName().toString()) == null) {
      VariableElement f = resolver.field(id.getName().toString());
      t = f == null ? null : f.asType();
    } else if (e instanceof MemberSelectTree m) {
      TypeElement outer = resolver.typeNamed(m.getExpression());
      if (outer == null) {
        outer = staticType(m.getExpression());
      }
      VariableElement f = outer == null ? null : resolver.field(outer, m.getIdentifier().toString());
      t = f == null ? null : f.asType();
    }
    return t != null && t.getKind() == TypeKind.DECLARED
        ? (TypeElement) env.getTypeUtils().asElement(t) : null;
  }

  /** Arguments converted to the parameter types where Java widens them (an int passed as double). */
  private static List<Expr> widen(List<Expr> args, ExecutableElement m) {
    List<Expr> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      Expr a = args.get(i);
      Type p = i < m.getParameters().size() && !(m.isVarArgs() && i >= m.getParameters().size() - 1)
          ? CallResolver.typeOf(m.getParameters().get(i).asType()).orElse(null) : null;
      out.add(p != null && p != a.type() && p.isNumeric() && a.type().isNumeric()
          ? new Apply(Op.CAST, List.of(a), p) : a);
    }
    return out;
  }

  /**
   * The method a call means (JLS 15.12.2, for the types the graph has): the applicable ones by
   * identity or widening, then by varargs; of those the most specific. Null when none or several.
   */
  private ExecutableElement choose(List<ExecutableElement> candidates, List<Expr> args) {
    for (boolean varargs : new boolean[] {false, true}) {
      List<ExecutableElement> applicable = new ArrayList<>();
      for (ExecutableElement m : candidates) {
        if (applicable(m, args, varargs)) {
          applicable.add(m);
        }
      }
      if (applicable.isEmpty()) {
        continue;
      }
      List<ExecutableElement> best = new ArrayList<>();
      for (ExecutableElement m : applicable) {
        if (applicable.stream().allMatch(o -> o == m || moreSpecific(m, o))) {
          best.add(m);
        }
      }
      return best.size() == 1 ? best.get(0) : null;
    }
    return null;
  }

  private boolean applicable(ExecutableElement m, List<Expr> args, boolean varargs) {
    List<? extends VariableElement> ps = m.getParameters();
    if (!varargs) {
      if (ps.size() != args.size()) {
        return false;
      }
      for (int i = 0; i < ps.size(); i++) {
        if (!accepts(ps.get(i).asType(), args.get(i).type())) {
          return false;
        }
      }
      return true;
    }
    if (!m.isVarArgs() || args.size() < ps.size() - 1) {
      return false;
    }
    for (int i = 0; i < args.size(); i++) {
      TypeMirror p = i < ps.size() - 1 ? ps.get(i).asType()
          : ((javax.lang.model.type.ArrayType) ps.get(ps.size() - 1).asType()).getComponentType();
      if (!accepts(p, args.get(i).type())) {
        return false;
      }
    }
    return true;
  }

  /** Whether a parameter of type {@code p} takes an argument of graph type {@code a}. */
  private static boolean accepts(TypeMirror p, Type a) {
    return switch (p.getKind()) {
      case DOUBLE -> a.isNumeric();
      case LONG -> a == Type.LONG || a == Type.INT;
      case INT -> a == Type.INT;
      case BOOLEAN -> a == Type.BOOLEAN;
      default -> CallResolver.typeOf(p).map(t -> t == a).orElse(false);
    };
  }

  private boolean moreSpecific(ExecutableElement m, ExecutableElement o) {
    if (m.getParameters().size() != o.getParameters().size()) {
      return m.getParameters().size() > o.getParameters().size();
    }
    for (int i = 0; i < m.getParameters().size(); i++) {
      if (!env.getTypeUtils().isAssignable(m.getParameters().get(i).asType(), o.getParameters().get(i).asType())) {
        return false;
      }
    }
    return true;
  }

  /**
   * A method of {@code Tensor}: a differentiable operation of the rule table, or a query or
   * factory that the graph keeps as an opaque call (checked later: it must not receive values
   * that carry derivatives).
   */
  private Expr tensorCall(MethodInvocationTree t, ExecutableElement m, Expr receiver, List<Expr> args) {
    String name = m.getSimpleName().toString();
    TypeMirror resultType = m.getReturnType();
    Optional<Type> result = CallResolver.typeOf(resultType);
    boolean isStatic = m.getModifiers().contains(Modifier.STATIC);
    List<Expr> operands = new ArrayList<>();
    if (!isStatic) {
      if (receiver == null) {
        return unsupported(t, "the call " + t, "call tensor methods on a tensor: x." + name + "(...)");
      }
      operands.add(receiver);
    }
    operands.addAll(args);
    Optional<Op> op = result.isEmpty() ? Optional.empty() : tensorOp(name, isStatic, args, result.get());
    if (op.isPresent()) {
      Expr apply = new Apply(op.get(), operands, result.get());
      callSites.put(apply, t);
      return apply;
    }
    if (result.isEmpty()) {
      return unsupported(t, "Tensor." + name + ", whose result is a " + resultType,
          "use tensor operations that return Tensor, double or int");
    }
    Expr invoke = isStatic
        ? new Expr.Invoke(ClassName.get((TypeElement) m.getEnclosingElement()), null, name, args, result.get())
        : new Expr.Invoke(null, operands.get(0), name, args, result.get());
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

  // ---------------------------------------------------------------- n-D arrays
  // (branch arraysnd) double[][] and double[][][] locals and parameters: an element is read and
  // written through Op.INDICES, a row through a row alias that stands for the array with its
  // leading indexes (double[] row = a[i]; row[j] is a[i][j]), so no array is ever aliased.

  /** A local that names a row: reads, writes and lengths through it go to {@code array[prefix...]}. */
  private record Row(Var array, List<Expr> prefix) {}

  /** An array with the indexes applied so far: {@code a[i]} is (a, [i]). */
  private record Access(Var array, List<Expr> indexes) {
    Type type() {
      return array.type().indexed(indexes.size());
    }

    /** The index operand of a read or store: the index itself, or INDICES of all of them. */
    Expr index() {
      return indexes.size() == 1 ? indexes.get(0) : new Apply(Op.INDICES, indexes, Type.INT);
    }
  }

  private static ExpressionTree unparen(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    return e;
  }

  /** Dimensions left after the indexes of {@code e} on an n-D array or row alias; -1 otherwise. */
  private int ndRank(ExpressionTree e) {
    e = unparen(e);
    int brackets = 0;
    while (e instanceof ArrayAccessTree a) {
      brackets++;
      e = unparen(a.getExpression());
    }
    if (!(e instanceof IdentifierTree id)) {
      return -1;
    }
    Var v = lookup(id.getName().toString());
    if (v == null || !(v.type().rank() >= 2 || rows.containsKey(v))) {
      return -1;
    }
    return v.type().rank() - brackets;
  }

  /** Whether an element access goes through an n-D array or a row alias. */
  private boolean isNdAccess(ArrayAccessTree a) {
    return ndRank(a) >= 0;
  }

  /** Whether {@code e} names an n-D array, one of its rows, or a row alias. */
  private boolean isNdIterable(ExpressionTree e) {
    return ndRank(e) >= 1;
  }

  /** The array and indexes {@code e} denotes, or null after reporting why not. */
  private Access access(ExpressionTree e) {
    e = unparen(e);
    if (e instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v != null && poisoned.contains(v)) {
        return null;
      }
      if (v != null && rows.containsKey(v)) {
        Row r = rows.get(v);
        return new Access(r.array(), r.prefix());
      }
      if (v != null && v.type().rank() >= 1) {
        return new Access(v, List.of());
      }
    } else if (e instanceof ArrayAccessTree a) {
      Access inner = access(a.getExpression());
      Expr index = expr(a.getIndex());
      if (inner == null || index == null) {
        return null;
      }
      if (index.type() != Type.INT) {
        unsupported(a.getIndex(), "an array index of type " + index.type().javaName(),
            "index arrays with an int (cast with (int) where needed)");
        return null;
      }
      List<Expr> indexes = new ArrayList<>(inner.indexes());
      indexes.add(index);
      return new Access(inner.array(), indexes);
    }
    unsupported(e, "the array expression '" + e + "'", "index array parameters and locals by name: a[i][j]");
    return null;
  }

  private Expr element(Access a) {
    return new Apply(Op.ARRAY_READ, List.of(new Ref(a.array()), a.index()), a.type());
  }

  /** {@code m[i][j]} read; a row used as a value is reported. */
  private Expr ndRead(ArrayAccessTree t) {
    Access a = access(t);
    if (a == null) {
      return null;
    }
    if (a.type().rank() > 0) {
      return unsupported(t, "the row " + sourceText(t) + " used as a value", "index it fully ("
          + sourceText(t) + "[j]), read its length (" + sourceText(t) + ".length), or name it: "
          + a.type().javaName() + " row = " + sourceText(t) + ";");
    }
    return element(a);
  }

  /** {@code m[i][j] = value} or {@code row[j] = value} (row naming a row of m). */
  private void ndStore(ArrayAccessTree t, Expr value, Op compound, Src src, Consumer<Stmt> out) {
    Access a = access(t);
    if (a == null) {
      return;
    }
    if (a.type().rank() > 0) {
      unsupported(t, "assigning a whole row (" + sourceText(t) + ")",
          "rows cannot be aliased or replaced: write their elements");
      return;
    }
    if (a.array().isParameter()) {
      unsupported(t, "writing to parameter array '" + a.array().name() + "'",
          "parameters are inputs: copy into a local array (" + a.array().type().javaName() + " y = new double"
              + "[n]".repeat(a.array().type().rank()) + ";) and write that");
      return;
    }
    out.accept(new Stmt.ArrayStore(a.array(), a.index(), value, compound, src));
  }

  /** {@code a[i].length}, {@code row.length}, {@code m.length}. */
  private Expr ndLength(MemberSelectTree m) {
    Access a = access(m.getExpression());
    if (a == null) {
      return null;
    }
    return a.indexes().isEmpty()
        ? new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array())), Type.INT)
        : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array()), a.index()), Type.INT);
  }

  /**
   * Whether the indexes naming a row stay what they were while the row is used: they read int
   * variables that {@code scope} never assigns, and no array element.
   */
  private boolean stable(Tree at, String row, List<Expr> indexes, List<? extends Tree> scope) {
    for (Expr index : indexes) {
      boolean[] readsElement = {false};
      index.forEach(x -> readsElement[0] |= x instanceof Apply ap && ap.op() == Op.ARRAY_READ);
      if (readsElement[0]) {
        unsupported(at, "naming a row by an index read from an array (" + row + ")",
            "copy the index into an int local first: int k = idx[i];");
        return false;
      }
      for (Var v : vars(index)) {
        if (v.kind() == Var.Kind.SYNTHETIC) {
          continue; // an enhanced for's own index
        }
        boolean changes = scope == null || scope.stream().anyMatch(s -> writes(s, v.name()));
        if (changes) {
          unsupported(at, "naming row " + row + " while '" + v.name() + "' changes in its scope",
              "index the array directly (a[" + v.name() + "][j]) where '" + v.name() + "' changes");
          return false;
        }
      }
    }
    return true;
  }

  private static Set<Var> vars(Expr e) {
    Set<Var> out = new LinkedHashSet<>();
    e.forEach(x -> {
      if (x instanceof Ref r) {
        out.add(r.var());
      }
    });
    return out;
  }

  /**
   * An n-D local ({@code double[][] m = new double[r][c];}) or a row alias ({@code double[] row =
   * a[i];}); false when the declaration is neither (the 1-D path reads it).
   */
  private boolean ndDeclaration(VariableTree v, List<? extends StatementTree> rest, Consumer<Stmt> out) {
    String name = v.getName().toString();
    ExpressionTree init = v.getInitializer() == null ? null : unparen(v.getInitializer());
    boolean isVar = v.getType() == null || v.getType() instanceof IdentifierTree id
        && id.getName().contentEquals("var") && resolver.type("var") == null;
    if (init != null && ndRank(init) >= 1 && init instanceof ArrayAccessTree) {
      // a row alias
      Type type = isVar ? null : declaredType(v.getType());
      Access a = access(init);
      if (a == null) {
        Var bad = new Var(name, Type.OBJECT, Var.Kind.LOCAL);
        poisoned.add(bad);
        scopes.peek().put(name, bad);
        return true;
      }
      Var row = new Var(name, a.type(), Var.Kind.LOCAL);
      scopes.peek().put(name, row);
      if (type != null && type != a.type()) {
        unsupported(v, "a " + type.javaName() + " naming a " + a.type().javaName(),
            "declare it as " + a.type().javaName() + " " + name);
        poisoned.add(row);
        return true;
      }
      if (!stable(v, name + " = " + sourceText(init), a.indexes(), rest)) {
        poisoned.add(row);
        return true;
      }
      rows.put(row, new Row(a.array(), a.indexes()));
      return true;
    }
    Type type = isVar ? (init instanceof NewArrayTree na ? resolvedArrayType(na) : null)
        : declaredType(v.getType());
    if (type == null || type.rank() < 2) {
      return false;
    }
    Var var = new Var(name, type, Var.Kind.LOCAL);
    scopes.peek().put(name, var);
    if (!type.isNdDoubleArray()) {
      unsupported(v, "a local of type " + type.javaName(), "use double[][] and double[][][] locals");
      poisoned.add(var);
      return true;
    }
    if (loopDepth > 0 || branchDepth > 0) {
      unsupported(v, "declaring an array inside a branch or loop", "declare '" + name
          + "' before the loop (" + type.javaName() + " " + name + " = new double" + "[n]".repeat(type.rank())
          + ";) and reuse it");
      poisoned.add(var);
      return true;
    }
    if (!(init instanceof NewArrayTree na) || na.getInitializers() != null
        || na.getDimensions().size() != type.rank()) {
      unsupported(v, "this array initializer", "create " + type.javaName() + " locals with all their "
          + "dimensions (new double" + "[n]".repeat(type.rank()) + ") and fill them element by element");
      poisoned.add(var);
      return true;
    }
    List<Expr> dims = new ArrayList<>();
    for (ExpressionTree d : na.getDimensions()) {
      Expr x = expr(d);
      if (x == null) {
        poisoned.add(var);
        return true;
      }
      if (x.type() != Type.INT) {
        unsupported(d, "an array dimension of type " + x.type().javaName(), "give dimensions as int");
        poisoned.add(var);
        return true;
      }
      dims.add(x);
    }
    out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, dims, type), true, null, src(v, v.toString())));
    return true;
  }

  /** {@code for (double[] row : a)}, {@code for (double x : a[i])}, {@code for (double x : row)}. */
  private void ndForEach(EnhancedForLoopTree t, Consumer<Stmt> out) {
    Src src = src(t, "for (" + t.getVariable() + " : " + t.getExpression() + ")");
    Access a = access(t.getExpression());
    if (a == null || !stable(t.getExpression(), sourceText(t.getExpression()), a.indexes(),
        List.of(t.getStatement()))) {
      return;
    }
    Type elemType = a.type().indexed(1);
    VariableTree vt = t.getVariable();
    boolean isVar = vt.getType() == null || vt.getType() instanceof IdentifierTree id
        && id.getName().contentEquals("var") && resolver.type("var") == null;
    Type declared = isVar ? null : declaredType(vt.getType());
    if (declared != null && declared != elemType) {
      unsupported(vt, "a loop variable of type " + vt.getType(),
          "iterate over a " + a.type().javaName() + " with a " + elemType.javaName() + " loop variable");
      return;
    }
    scopes.push(new HashMap<>());
    Var index = new Var("i", Type.INT, Var.Kind.SYNTHETIC);
    List<Expr> indexes = new ArrayList<>(a.indexes());
    indexes.add(new Ref(index));
    Access each = new Access(a.array(), indexes);
    Var element = new Var(vt.getName().toString(), elemType, Var.Kind.LOCAL);
    if (elemType.rank() > 0) {
      rows.put(element, new Row(a.array(), indexes)); // the loop variable names row i
    }
    loopDepth++;
    scopes.push(new HashMap<>(Map.of(element.name(), element)));
    Block body = body(t.getStatement());
    scopes.pop();
    loopDepth--;
    scopes.pop();
    if (elemType.rank() == 0) {
      body.stmts.add(0, new Stmt.Assign(element, element(each), true, null,
          src(t, vt.getName() + " = " + t.getExpression() + "[i]")));
    }
    Expr length = a.indexes().isEmpty()
        ? new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array())), Type.INT)
        : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array()), a.index()), Type.INT);
    Expr cond = new Apply(Op.LT, List.of(new Ref(index), length), Type.BOOLEAN);
    out.accept(new Stmt.Loop(Stmt.Loop.Kind.FOR, index, Const.ofInt(0), 1, cond, body, new Block(), src));
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
    diag.report(unit, at, Message.UNSUPPORTED, what, methodName, instead);
    return null;
  }

  /** The tree as the user wrote it. */
  private String sourceText(Tree t) {
    return unit.text(t);
  }

  private Src src(Tree t, String text) {
    return new Src(unit.line(t), text.replaceAll("\\s+", " ").trim());
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
