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
  /** The statements break and continue can name, innermost first (see {@link #statement}). */
  private final Deque<Target> targets = new ArrayDeque<>();
  /** The label of the labelled statement being read, for the loop it labels. */
  private String pendingLabel;
  /** Statements a switch expression needs before the statement that uses its value. */
  private List<Stmt> hoisted = new ArrayList<>();
  /**
   * The expression a switch expression with block arms may be: the whole initializer, assigned
   * value, returned value, if condition or yielded value of the statement being read. Its
   * statements run before that statement, which is only right when nothing else of the
   * statement could skip it (the right of && or ||, an arm of ?:).
   */
  private ExpressionTree hoistable;
  /** The switch expressions being read, innermost first: where their yields go. */
  private final Deque<SwitchValue> switchValues = new ArrayDeque<>();
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
    resolver = new Resolver(env.getElementUtils(), env.getTypeUtils(), calls.declarations(), unit.tree(), Naming.owner(method));
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
        .filter(t -> t == Type.DOUBLE || t == Type.TENSOR || t.isDoubleArray()).isPresent();

    Map<String, Var> paramScope = new HashMap<>();
    List<Var> params = new ArrayList<>();
    for (VariableElement p : method.getParameters()) {
      Optional<Type> t = CallResolver.typeOf(p.asType()).filter(MethodParser::parameterType);
      ClassName enumType = enumType(p.asType());
      Var v = new Var(p.getSimpleName().toString(), t.orElse(Type.OBJECT), Var.Kind.PARAMETER, enumType);
      if (t.isEmpty() && enumType == null) {
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
    if (result.type().isDoubleArray()) {
      // a vector-valued function: its result is a local array declared at the method's top
      // level, which every return statement returns
      Stmt last = body.stmts.isEmpty() ? null : body.stmts.get(body.stmts.size() - 1);
      Set<Var> returned = new LinkedHashSet<>();
      boolean[] otherForms = {false};
      dev.adjoint.processor.analysis.Blocks.walk(body, x -> {
        if (x instanceof Stmt.Return r) {
          if (r.value instanceof Ref ref && ref.var().kind() == Var.Kind.LOCAL) {
            returned.add(ref.var());
          } else {
            otherForms[0] = true;
          }
        }
      });
      boolean topLevel = returned.size() == 1 && body.stmts.stream().anyMatch(x -> x instanceof Stmt.Assign a
          && a.declaration && a.target == returned.iterator().next());
      if (otherForms[0] || !topLevel || !(last instanceof Stmt.Return)) {
        String t = result.type().javaName();
        diag.report(method, Message.UNSUPPORTED, "this way of returning a " + t, methodName,
            "return one local array declared at the method's top level (" + t + " out = new double"
                + "[m]".repeat(result.type().rank()) + "; ... return out;) from every return statement"
                + (result.type() == Type.DOUBLE_ARRAY ? ", or end with return new double[] {a, b}" : ""));
        return Optional.empty();
      }
      boolean single = dev.adjoint.processor.analysis.Blocks.all(body).stream()
          .filter(x -> x instanceof Stmt.Return).count() == 1;
      if (single) {
        body.stmts.remove(body.stmts.size() - 1);
      }
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
    if (ret.isEmpty() || ret.get() != Type.DOUBLE && ret.get() != Type.TENSOR && !ret.get().isDoubleArray()) {
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
      if (CallResolver.typeOf(p.asType()).filter(MethodParser::parameterType).isEmpty()
          && enumType(p.asType()) == null) {
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
        boolean allowed = t == Type.DOUBLE || t.isDoubleArray()
            || ann.forward() && !ann.hessian() && t == Type.TENSOR;
        if (!allowed) {
          diag.report(m.getParameters().get(i), Message.MODE_UNSUPPORTED, name,
              "parameter '" + m.getParameters().get(i).getSimpleName() + "' is a " + t.javaName()
                  + (ann.hessian() ? "; hessian = true differentiates double and double[] (n-D too) parameters"
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

  /**
   * The enum class of a parameter of enum type (data, like an int: it selects a {@code switch}
   * case and is compared with {@code ==}), else null.
   */
  private ClassName enumType(TypeMirror t) {
    Element e = t.getKind() == TypeKind.DECLARED ? env.getTypeUtils().asElement(t) : null;
    if (e instanceof TypeElement te && te.getQualifiedName().contentEquals("java.lang.String")) {
      return STRING; // a String parameter: data too, it selects a switch case
    }
    return e != null && e.getKind() == ElementKind.ENUM ? ClassName.get((TypeElement) e) : null;
  }

  private static final ClassName STRING = ClassName.get(String.class);

  /** Whether {@code e} is a String: a String constant, or a String parameter. */
  private static boolean isString(Expr e) {
    return e instanceof Const c && c.value() instanceof String
        || e instanceof Ref r && STRING.equals(r.var().objectType());
  }

  private static boolean parameterType(Type t) {
    return t != Type.OBJECT;
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

  private void statement(StatementTree s, Consumer<Stmt> sink) {
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
          Stmt.Assign a = new Stmt.Assign(sv.placeholder, v, false, null, src(s, "yield " + y.getValue()));
          sv.yields.add(a);
          out.accept(a);
          out.accept(new Stmt.Break(sv.label, Src.NONE));
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

  /** The expression of a statement a switch expression with block arms may be (see {@link #hoistable}). */
  private static ExpressionTree topExpression(Tree s) {
    ExpressionTree e = null;
    if (s instanceof VariableTree v) {
      e = v.getInitializer();
    } else if (s instanceof ExpressionStatementTree es) {
      return topExpression(es.getExpression());
    } else if (s instanceof AssignmentTree a && unparenthesized(a.getVariable()) instanceof IdentifierTree) {
      // not x += switch ... (x is read first) nor a[i] = switch ... (i is read first): the arms could change them
      e = a.getExpression();
    } else if (s instanceof ReturnTree r) {
      e = r.getExpression();
    } else if (s instanceof IfTree i) {
      e = i.getCondition();
    } else if (s instanceof com.sun.source.tree.YieldTree y) {
      e = y.getValue();
    } else if (s instanceof WhileLoopTree || s instanceof DoWhileLoopTree || s instanceof ForLoopTree) {
      return null; // the header is evaluated again and again: reported as such
    }
    return e == null ? null : unparenthesized(e);
  }

  // ---------------------------------------------------------------- break, continue, switch

  /**
   * A statement that break (and, for a loop, continue) can name; a labelled block only by its
   * name ({@code plain}: a loop or switch, the target of an unlabelled break).
   */
  private record Target(String name, Stmt.Label label, boolean loop, boolean plain) {}

  /** What {@code break name} / {@code continue name} (name null: the innermost one) refers to. */
  private Target target(javax.lang.model.element.Name name, boolean isContinue) {
    for (Target t : targets) {
      if (name == null ? isContinue ? t.loop() : t.plain() : name.contentEquals(String.valueOf(t.name()))) {
        return isContinue && !t.loop() ? null : t;
      }
    }
    return null;
  }

  /** Gives the loop a statement became (a for loop is a block holding its init and the loop) its label. */
  private static void labelLoop(Stmt st, Stmt.Label label) {
    if (st instanceof Stmt.Loop l) {
      l.label = label;
    } else if (st instanceof Stmt.Nested n && !n.block.stmts.isEmpty()
        && n.block.stmts.get(n.block.stmts.size() - 1) instanceof Stmt.Loop l) {
      l.label = label;
    }
  }

  /** A switch expression being read: its yields assign a placeholder, retyped when all are read. */
  private record SwitchValue(Stmt.Label label, Var placeholder, List<Stmt.Assign> yields) {}

  private static ExpressionTree unparenthesized(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    return e;
  }

  /**
   * The selector of a switch: an int expression; a {@code static final} enum field (compared
   * with {@code ==}); a String constant (the switch is resolved now). Null after reporting.
   */
  private Expr selector(ExpressionTree tree) {
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
  private Expr caseLabel(ExpressionTree tree, Expr selector) {
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
  private Expr stringCall(MethodInvocationTree t, Expr receiver, String name) {
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

  /** The enum type of each enum selector read (by identity), for its case labels. */
  private final Map<Expr, ClassName> enumTypes = new java.util.IdentityHashMap<>();


  /**
   * The case groups of a switch. Old-style cases with no statements join the next group
   * ({@code case 1: case 2: ...}); each group's statements have their own scope. Empty when
   * something was reported.
   */
  private Optional<SwitchLowering.Group[]> cases(List<? extends com.sun.source.tree.CaseTree> cases,
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
  private void statementOfYield(ExpressionTree value, List<Stmt> out) {
    SwitchValue sv = switchValues.peek();
    ExpressionTree outerHoistable = hoistable;
    hoistable = unparenthesized(value);
    Expr v = expr(value);
    hoistable = outerHoistable;
    out.addAll(hoisted); // a switch expression inside this arm's value
    hoisted.clear();
    if (v != null) {
      Stmt.Assign a = new Stmt.Assign(sv.placeholder, v, false, null, src(value, "yield " + value));
      sv.yields.add(a);
      out.add(a);
      out.add(new Stmt.Break(sv.label, Src.NONE));
    }
  }

  /**
   * A switch expression. With expression arms only it is a chain of {@code ?:} (evaluated where
   * it stands); otherwise it is desugared like a switch statement whose yields assign a local,
   * and those statements go before the statement that uses its value.
   */
  private Expr switchExpression(com.sun.source.tree.SwitchExpressionTree t) {
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
    if (read.isEmpty() || sv.yields.isEmpty()) {
      return read.isEmpty() ? null : unsupported(t, "a switch expression without yield", "yield a value");
    }
    List<SwitchLowering.Group> groups = List.of(read.get());
    Type type = null;
    for (Stmt.Assign y : sv.yields) {
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
        && g.body().stmts.get(0) instanceof Stmt.Assign a && sv.yields.contains(a));
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
    for (Stmt.Assign y : sv.yields) {
      retarget.put(y, new Stmt.Assign(result, y.value, false, null, y.src));
    }
    for (SwitchLowering.Group g : groups) {
      replace(g.body(), retarget);
    }
    hoisted.add(new Stmt.Assign(result, zero(type), true, null, src));
    hoisted.addAll(SwitchLowering.lower(selector, groups, label, src));
    return new Ref(result);
  }

  private static void replace(Block b, java.util.Map<Stmt, Stmt> by) {
    b.stmts.replaceAll(s -> by.getOrDefault(s, s));
    for (Stmt s : b.stmts) {
      for (Block c : dev.adjoint.processor.analysis.Blocks.children(s)) {
        replace(c, by);
      }
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

  /**
   * The statements that create array {@code var} from its initializer: {@code new T[n]},
   * {@code {a, b}} or {@code new T[] {a, b}} (a new array, then one store per element),
   * {@code x.clone()} (a new array and a copy loop), or a call of a method that returns a
   * {@code double[]}.
   */
  private void arrayInit(Var var, ExpressionTree init, Src src, Consumer<Stmt> out) {
    while (init instanceof ParenthesizedTree p) {
      init = p.getExpression();
    }
    Type type = var.type();
    if (init instanceof NewArrayTree na) {
      Type made = na.getType() == null ? type : resolvedArrayType(na);
      if (made != type || na.getDimensions().size() > 1) {
        unsupported(init, "initialising a " + type.javaName() + " with " + sourceText(init),
            "create a one-dimensional array of the declared type");
        return;
      }
      if (na.getInitializers() == null) {
        Expr length = expr(na.getDimensions().get(0));
        if (length == null) {
          return;
        }
        if (length.type() != Type.INT) {
          unsupported(na.getDimensions().get(0), "an array length of type " + length.type().javaName(),
              "give the length as an int");
          return;
        }
        out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, List.of(length), type), true, null, src));
        return;
      }
      List<Expr> elements = new ArrayList<>();
      boolean failed = false;
      for (ExpressionTree e : na.getInitializers()) {
        Expr x = expr(e);
        if (x != null && !assignable(x.type(), type.element())) {
          unsupported(e, "a " + x.type().javaName() + " element in a " + type.javaName() + " initializer",
              "write the conversion explicitly");
          x = null;
        }
        failed |= x == null;
        elements.add(x);
      }
      if (failed) {
        return;
      }
      out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, List.of(Const.ofInt(elements.size())), type),
          true, null, src));
      for (int i = 0; i < elements.size(); i++) {
        Expr x = elements.get(i);
        if (x.type() != type.element()) {
          x = new Apply(Op.CAST, List.of(x), type.element());
        }
        out.accept(new Stmt.ArrayStore(var, Const.ofInt(i), x, null,
            src(na.getInitializers().get(i), var.name() + "[" + i + "] = " + na.getInitializers().get(i))));
      }
      return;
    }
    if (init instanceof MethodInvocationTree mi && mi.getArguments().isEmpty()
        && mi.getMethodSelect() instanceof MemberSelectTree ms && ms.getIdentifier().contentEquals("clone")) {
      Var from = arrayVar(ms.getExpression());
      if (from == null) {
        return;
      }
      if (from.type() != type) {
        unsupported(init, "initialising a " + type.javaName() + " with a clone of a " + from.type().javaName(),
            "clone an array of the declared type");
        return;
      }
      out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, List.of(length(from)), type), true, null, src));
      out.accept(copyLoop(from, Const.ofInt(0), var, Const.ofInt(0), length(from), src));
      return;
    }
    if (init instanceof MethodInvocationTree mi) {
      Expr call = call(mi);
      if (call == null) {
        return;
      }
      if (call.type() != type) {
        unsupported(init, "initialising a " + type.javaName() + " with a " + call.type().javaName(),
            "call a method that returns a " + type.javaName());
        return;
      }
      out.accept(new Stmt.Assign(var, call, true, null, src));
      return;
    }
    unsupported(init, "initialising array '" + var.name() + "' with " + sourceText(init),
        "create a new array (new " + type.element().javaName() + "[n], {a, b}, x.clone()) or call a method "
            + "that returns one; arrays cannot alias each other");
  }

  private static Expr length(Var array) {
    return new Apply(Op.ARRAY_LENGTH, List.of(new Ref(array)), Type.INT);
  }

  private static Expr plus(Expr a, Expr b) {
    if (a instanceof Const c && c.is(0)) {
      return b;
    }
    return new Apply(Op.ADD, List.of(a, b), Type.INT);
  }

  /**
   * {@code for (k = 0; k < n; k++) to[toPos + k] = from[fromPos + k]}: an element copy, which
   * differentiates like any store (the destination's adjoint moves to the source's).
   */
  private Stmt copyLoop(Var from, Expr fromPos, Var to, Expr toPos, Expr n, Src src) {
    Var k = new Var("k", Type.INT, Var.Kind.SYNTHETIC);
    Expr read = new Apply(Op.ARRAY_READ, List.of(new Ref(from), plus(fromPos, new Ref(k))), from.type().element());
    Stmt store = new Stmt.ArrayStore(to, plus(toPos, new Ref(k)), read, null, src);
    Expr cond = new Apply(Op.LT, List.of(new Ref(k), n), Type.BOOLEAN);
    return new Stmt.Loop(Stmt.Loop.Kind.FOR, k, Const.ofInt(0), 1, cond, new Block(List.of(store)), new Block(), src);
  }

  /** The same copy run from the last element down, for an overlapping copy within one array. */
  private Stmt copyLoopDown(Var from, Expr fromPos, Var to, Expr toPos, Expr n, Src src) {
    Var k = new Var("k", Type.INT, Var.Kind.SYNTHETIC);
    Expr read = new Apply(Op.ARRAY_READ, List.of(new Ref(from), plus(fromPos, new Ref(k))), from.type().element());
    Stmt store = new Stmt.ArrayStore(to, plus(toPos, new Ref(k)), read, null, src);
    Expr cond = new Apply(Op.GE, List.of(new Ref(k), Const.ofInt(0)), Type.BOOLEAN);
    return new Stmt.Loop(Stmt.Loop.Kind.FOR, k, new Apply(Op.SUB, List.of(n, Const.ofInt(1)), Type.INT), -1, cond,
        new Block(List.of(store)), new Block(), src);
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
    expressionStatement(s.getExpression(), s, out);
  }

  /** An expression used as a statement, at {@code s} (a statement, or an arrow case's body). */
  private void expressionStatement(ExpressionTree e, Tree s, Consumer<Stmt> out) {
    Src src = src(s, e.toString());
    switch (e.getKind()) {
      case ASSIGNMENT -> {
        AssignmentTree a = (AssignmentTree) e;
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

  /**
   * A call made for its effect: {@code System.arraycopy}, {@code Arrays.fill} (both become
   * element loops, which differentiate like any store), or a void helper that writes into
   * arrays passed to it.
   */
  private void callStatement(MethodInvocationTree t, Src src, Consumer<Stmt> out) {
    if (generatedOwner(t) != null) {
      gradientInto(t, src, out);
      return;
    }
    String name = t.getMethodSelect() instanceof MemberSelectTree ms ? ms.getIdentifier().toString()
        : t.getMethodSelect() instanceof IdentifierTree id ? id.getName().toString() : "";
    TypeElement owner = t.getMethodSelect() instanceof MemberSelectTree ms
        && !(ms.getExpression() instanceof IdentifierTree q && lookup(q.getName().toString()) != null)
        ? resolver.typeNamed(ms.getExpression()) : null;
    String ownerName = owner == null ? "" : owner.getQualifiedName().toString();
    List<? extends ExpressionTree> args = t.getArguments();
    if (ownerName.equals("java.lang.System") && name.equals("arraycopy") && args.size() == 5) {
      Var from = arrayVar(args.get(0));
      Expr fromPos = expr(args.get(1));
      Var to = arrayVar(args.get(2));
      Expr toPos = expr(args.get(3));
      Expr n = expr(args.get(4));
      if (from == null || to == null || fromPos == null || toPos == null || n == null) {
        return;
      }
      if (!intArgs(t, fromPos, toPos, n)) {
        return;
      }
      if (from.type() != to.type()) {
        unsupported(t, "System.arraycopy from a " + from.type().javaName() + " to a " + to.type().javaName(),
            "copy between arrays of the same type");
        return;
      }
      if (readOnly(args.get(2), to)) {
        return;
      }
      List<Stmt> body = new ArrayList<>();
      fromPos = once(fromPos, body, src);
      toPos = once(toPos, body, src);
      n = once(n, body, src);
      if (from == to) {
        // overlapping ranges copy as if through a temporary array: run down when moving up
        body.add(new Stmt.If(new Apply(Op.GT, List.of(toPos, fromPos), Type.BOOLEAN),
            new Block(List.of(copyLoopDown(from, fromPos, to, toPos, n, src))),
            new Block(List.of(copyLoop(from, fromPos, to, toPos, n, src))), src));
      } else {
        body.add(copyLoop(from, fromPos, to, toPos, n, src));
      }
      out.accept(new Stmt.Nested(new Block(body), Src.NONE));
      return;
    }
    if (ownerName.equals("java.util.Arrays") && name.equals("fill") && (args.size() == 2 || args.size() == 4)) {
      Var array = arrayVar(args.get(0));
      Expr fromIndex = args.size() == 4 ? expr(args.get(1)) : Const.ofInt(0);
      Expr toIndex = args.size() == 4 ? expr(args.get(2)) : null;
      Expr value = expr(args.get(args.size() - 1));
      if (array == null || fromIndex == null || value == null || args.size() == 4 && toIndex == null) {
        return;
      }
      if (toIndex == null) {
        toIndex = length(array);
      }
      if (!intArgs(t, fromIndex, toIndex)) {
        return;
      }
      if (readOnly(args.get(0), array)) {
        return;
      }
      Type element = array.type().element();
      if (!assignable(value.type(), element)) {
        unsupported(args.get(args.size() - 1), "filling a " + array.type().javaName() + " with a "
            + value.type().javaName(), "write the conversion explicitly");
        return;
      }
      if (value.type() != element) {
        value = new Apply(Op.CAST, List.of(value), element);
      }
      List<Stmt> body = new ArrayList<>();
      fromIndex = once(fromIndex, body, src);
      toIndex = once(toIndex, body, src);
      value = once(value, body, src);
      Var k = new Var("k", Type.INT, Var.Kind.SYNTHETIC);
      Stmt store = new Stmt.ArrayStore(array, new Ref(k), value, null, src);
      body.add(new Stmt.Loop(Stmt.Loop.Kind.FOR, k, fromIndex, 1,
          new Apply(Op.LT, List.of(new Ref(k), toIndex), Type.BOOLEAN), new Block(List.of(store)), new Block(), src));
      out.accept(new Stmt.Nested(new Block(body), Src.NONE));
      return;
    }
    voidCall(t, src, out);
  }

  private boolean intArgs(Tree at, Expr... args) {
    for (Expr a : args) {
      if (a.type() != Type.INT) {
        unsupported(at, "a position or length of type " + a.type().javaName(), "pass int positions and lengths");
        return false;
      }
    }
    return true;
  }

  /** An expression evaluated once: a constant or variable as it is, else a new local holding it. */
  private static Expr once(Expr e, List<Stmt> before, Src src) {
    if (e instanceof Const || e instanceof Ref r && !r.var().type().isArray()) {
      return e;
    }
    Var t = new Var(e.type() == Type.INT ? "p" : "v", e.type(), Var.Kind.SYNTHETIC);
    before.add(new Stmt.Assign(t, e, true, null, src));
    return new Ref(t);
  }

  /** Helpers being inlined, innermost last (for the recursion check). */
  private final Deque<ExecutableElement> inlining = new ArrayDeque<>();

  /**
   * A call of a {@code void} static helper as a statement, such as {@code rhs(y, dydt)}: its
   * body is inlined here, its array parameters standing for the caller's arrays (so what it
   * writes into them is written, and differentiated, as if the caller had written it) and its
   * other parameters becoming locals that hold the arguments. Its source must be in this
   * compilation.
   */
  private void voidCall(MethodInvocationTree t, Src src, Consumer<Stmt> out) {
    ExpressionTree select = t.getMethodSelect();
    List<ExecutableElement> candidates = List.of();
    String name = "";
    if (select instanceof IdentifierTree id) {
      name = id.getName().toString();
      candidates = resolver.methods(name);
    } else if (select instanceof MemberSelectTree ms) {
      name = ms.getIdentifier().toString();
      TypeElement owner = ms.getExpression() instanceof IdentifierTree q && lookup(q.getName().toString()) != null
          ? null : resolver.typeNamed(ms.getExpression());
      candidates = owner == null ? List.of() : resolver.methods(owner, name);
    }
    candidates = candidates.stream().filter(m -> m.getReturnType().getKind() == TypeKind.VOID).toList();
    if (candidates.isEmpty()) {
      unsupported(t, "a call whose result is discarded",
          "differentiable code has no side effects: use the call's value, or call a static void helper "
              + "of this compilation that writes its results into arrays passed to it");
      return;
    }
    List<Expr> args = new ArrayList<>();
    for (ExpressionTree a : t.getArguments()) {
      Expr x = isRowArgument(a) ? ndRowArgument(a) : expr(a);
      if (x == null) {
        return;
      }
      args.add(x);
    }
    ExecutableElement m = choose(candidates, args);
    if (m == null) {
      unsupported(t, "the call " + sourceText(t), "no single void method '" + name + "' takes these argument types");
      return;
    }
    SourceAccess.MethodSource callee = sources.find(m);
    if (!m.getModifiers().contains(Modifier.STATIC) || callee == null || callee.tree().getBody() == null) {
      unsupported(t, "calling void method " + name + ", whose source is not in this compilation (or which is "
          + "not static)", "write it as a static void method of a class compiled together with this one, or "
          + "return its result");
      return;
    }
    if (inlining.contains(m) || m.equals(method)) {
      unsupported(t, "a recursive call of void helper " + name, "write the recursion as a loop");
      return;
    }
    List<Stmt> body = new ArrayList<>();
    Map<String, Var> params = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      VariableElement p = m.getParameters().get(i);
      Type pt = CallResolver.typeOf(p.asType()).orElse(Type.OBJECT);
      Expr a = args.get(i);
      if (pt.rank() >= 1 && isRowArgument(t.getArguments().get(i))) {
        // a row (m[i], or a row alias): the parameter names that row of the caller's array
        Apply read = (Apply) a;
        Access row = new Access(((Ref) read.arg(0)).var(), read.arg(1) instanceof Apply ix && ix.op() == Op.INDICES
            ? ix.args() : List.of(read.arg(1)));
        String pname = p.getSimpleName().toString();
        if (!stable(t.getArguments().get(i), pname + " = " + sourceText(t.getArguments().get(i)),
            row.indexes(), List.of())) {
          return;
        }
        Var alias = new Var(pname, pt, Var.Kind.LOCAL);
        rows.put(alias, new Row(row.array(), row.indexes()));
        params.put(pname, alias);
      } else if (pt.rank() >= 1) {
        if (!(a instanceof Ref ref)) {
          unsupported(t.getArguments().get(i), "passing " + sourceText(t.getArguments().get(i)) + " to array "
              + "parameter '" + p.getSimpleName() + "' of " + name, "pass an array variable");
          return;
        }
        params.put(p.getSimpleName().toString(), ref.var());
      } else {
        Var local = new Var(p.getSimpleName().toString(), pt, Var.Kind.LOCAL);
        params.put(local.name(), local);
        body.add(new Stmt.Assign(local, a.type() != pt ? new Apply(Op.CAST, List.of(a), pt) : a, true, null, src));
      }
    }
    // parse the helper's body in its own unit and scope
    SourceUnit savedUnit = unit;
    Resolver savedResolver = resolver;
    List<Map<String, Var>> savedScopes = new ArrayList<>(scopes);
    int savedLoops = loopDepth;
    int savedBranches = branchDepth;
    unit = callee.unit();
    resolver = new Resolver(env.getElementUtils(), env.getTypeUtils(), calls.declarations(), unit.tree(), Naming.owner(m));
    scopes.clear();
    scopes.push(params);
    inlining.push(m);
    List<? extends StatementTree> stmts = callee.tree().getBody().getStatements();
    if (!stmts.isEmpty() && stmts.get(stmts.size() - 1) instanceof ReturnTree r && r.getExpression() == null) {
      stmts = stmts.subList(0, stmts.size() - 1); // return; at the end
    }
    Block inlined = block(stmts);
    inlining.pop();
    scopes.clear();
    for (int i = savedScopes.size() - 1; i >= 0; i--) {
      scopes.push(savedScopes.get(i));
    }
    unit = savedUnit;
    resolver = savedResolver;
    loopDepth = savedLoops;
    branchDepth = savedBranches;
    // the helper's locals get its name as a suffix, so that they shadow nothing of the caller
    String suffix = "$" + m.getSimpleName();
    for (Stmt x : body) {
      ((Stmt.Assign) x).target.rename(((Stmt.Assign) x).target.name() + suffix);
    }
    dev.adjoint.processor.analysis.Blocks.walk(inlined, x -> {
      if (x instanceof Stmt.Assign a && a.declaration && a.target.kind() == Var.Kind.LOCAL) {
        a.target.rename(a.target.name() + suffix);
      } else if (x instanceof Stmt.Loop l && l.index != null && l.index.kind() == Var.Kind.LOCAL) {
        l.index.rename(l.index.name() + suffix);
      }
    });
    body.add(new Stmt.Nested(inlined, src));
    out.accept(new Stmt.Nested(new Block(body), Src.NONE));
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
        switch (node.getKind()) { // -i and ~i read i; only ++ and -- write it
          case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT -> check(node.getExpression());
          default -> { }
        }
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
        return unsupported(e, "creating an array inside an expression",
            "create it in a local declaration (double[] a = new double[n]; or double[] a = {x, y};) and use the local");
      case NEW_CLASS:
        return unsupported(e, "creating objects (new " + ((com.sun.source.tree.NewClassTree) e).getIdentifier() + ")",
            "differentiable code computes with double, int, long, boolean and double[] only");
      case LAMBDA_EXPRESSION, MEMBER_REFERENCE:
        return unsupported(e, "a lambda or method reference", "call a static method directly");
      case SWITCH_EXPRESSION:
        return switchExpression((com.sun.source.tree.SwitchExpressionTree) e);
      case LEFT_SHIFT, RIGHT_SHIFT, UNSIGNED_RIGHT_SHIFT, AND, OR, XOR: {
        BinaryTree b = (BinaryTree) e;
        Expr l = expr(b.getLeftOperand());
        Expr r = expr(b.getRightOperand());
        if (l == null || r == null) {
          return null;
        }
        Op op = bitOp(e.getKind());
        Type t = bitType(op, l.type(), r.type());
        if (t == null) {
          return unsupported(e, "'" + op.symbol() + "' between " + l.type().javaName() + " and "
              + r.type().javaName() + " (" + sourceText(e) + ")",
              "bit operations take int or long operands (&, |, ^ also two booleans)");
        }
        return new Apply(op, List.of(l, r), t);
      }
      case BITWISE_COMPLEMENT: {
        Expr x = expr(((UnaryTree) e).getExpression());
        if (x == null) {
          return null;
        }
        if (x.type() != Type.INT && x.type() != Type.LONG) {
          return unsupported(e, "'~' on a " + x.type().javaName(), "complement int or long values");
        }
        return new Apply(Op.BIT_NOT, List.of(x), x.type());
      }
      case ASSIGNMENT, PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT:
        return unsupported(e, "an assignment inside an expression", "assign in a statement of its own");
      case STRING_LITERAL, CHAR_LITERAL, NULL_LITERAL:
        return unsupported(e, "the literal " + e, "use numbers and booleans only");
      default:
        return unsupported(e, "'" + sourceText(e) + "'",
            "use arithmetic, comparisons, Math functions, array reads and calls of static methods");
    }
  }

  private static Op bitOp(Tree.Kind kind) {
    return switch (kind) {
      case LEFT_SHIFT -> Op.SHL;
      case RIGHT_SHIFT -> Op.SHR;
      case UNSIGNED_RIGHT_SHIFT -> Op.USHR;
      case AND -> Op.BIT_AND;
      case OR -> Op.BIT_OR;
      default -> Op.BIT_XOR;
    };
  }

  /**
   * The type of a bit operation (JLS 15.19, 15.22), or null: a shift has its left operand's
   * type; &amp;, | and ^ promote two integers, or take two booleans.
   */
  private static Type bitType(Op op, Type l, Type r) {
    boolean integral = (l == Type.INT || l == Type.LONG) && (r == Type.INT || r == Type.LONG);
    if (op == Op.SHL || op == Op.SHR || op == Op.USHR) {
      return integral ? l : null;
    }
    return integral ? promote(l, r) : l == Type.BOOLEAN && r == Type.BOOLEAN ? Type.BOOLEAN : null;
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
      case EQ, NE -> numeric || l == Type.BOOLEAN && r == Type.BOOLEAN
          || l == Type.OBJECT && r == Type.OBJECT ? Type.BOOLEAN : null; // enum constants
      case AND, OR -> l == Type.BOOLEAN && r == Type.BOOLEAN ? Type.BOOLEAN : null;
      default -> null;
    };
  }

  private static Type elementType(Type array) {
    return array.element();
  }

  /**
   * A field read: a {@code static final} field of primitive type, read where it is declared; a
   * compile-time constant the generated class may not access (private, or package-private in
   * another package) becomes its value.
   */
  private Expr field(ExpressionTree e, VariableElement f) {
    if (f.getKind() == ElementKind.ENUM_CONSTANT) {
      // compared with == to an enum parameter
      return new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), f.getSimpleName().toString(),
          Type.OBJECT);
    }
    Optional<Type> t = CallResolver.typeOf(f.asType());
    boolean isStatic = f.getModifiers().contains(Modifier.STATIC);
    if (!isStatic && (self == null || !ownField(f))) {
      return unsupported(e, "reading field '" + f.getSimpleName() + "'" + (self == null
          ? " of an instance from a static method" : " of another object"),
          self == null ? "make the method an instance method, or pass the value as a parameter"
              : "pass other objects' values as parameters");
    }
    if (t.isEmpty() || t.get() == Type.OBJECT || isStatic && !f.getModifiers().contains(Modifier.FINAL)) {
      return unsupported(e, "reading field '" + f.getSimpleName() + "'",
          isStatic ? "only static final constants can be read; pass other values as parameters"
              : "fields of type double, int, long, boolean, arrays of those, or Tensor can be read; "
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
    if (t.get().rank() >= 1) {
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
      if (v != null && v.type().isArray()) {
        return v;
      }
    }
    if (e instanceof NewArrayTree) {
      expr(e); // reported as an array made inside an expression
      return null;
    }
    if (e instanceof IdentifierTree && lookup(e.toString()) == null
        || e instanceof MemberSelectTree m && (isThis(m.getExpression()) || resolver.typeNamed(m.getExpression()) != null)) {
      // an array field
      Expr read = expr(e);
      if (read == null) {
        return null;
      }
      if (read instanceof Ref r && r.type().isArray()) {
        return r.var();
      }
    }
    unsupported(e, "the array expression '" + e + "'", "index array parameters and locals by name");
    return null;
  }

  // ---------------------------------------------------------------- calls

  private Expr call(MethodInvocationTree t) {
    ExpressionTree select = t.getMethodSelect();
    if (select instanceof MemberSelectTree outer && outer.getExpression() instanceof MethodInvocationTree inner
        && generatedOwner(inner) != null) {
      return derivativeCall(t, outer.getIdentifier().toString(), inner);
    }
    if (generatedOwner(t) != null) {
      if (t != hoistable) {
        return unsupported(t, "the call " + sourceText(t) + " inside an expression",
            "call it as a statement, or as the whole value of a declaration or assignment");
      }
      return gradientInto(t, src(t, sourceText(t)), hoisted::add);
    }
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
        receiver = unparenthesized(qualifier).getKind() == Tree.Kind.STRING_LITERAL // "m".equals(unit)
            ? new Const(Type.OBJECT, ((LiteralTree) unparenthesized(qualifier)).getValue()) : expr(qualifier);
        if (receiver == null) {
          return null;
        }
        if (isString(receiver)) {
          return stringCall(t, receiver, name);
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
      Expr x = isRowArgument(a) ? ndRowArgument(a) : expr(a);
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
   * For a call {@code XGrad.g(...)} of a method of the class generated for a class {@code X} of
   * this compilation or a jar (which need not exist yet: it is generated in this round), X; else null.
   */
  private TypeElement generatedOwner(MethodInvocationTree call) {
    if (!(call.getMethodSelect() instanceof MemberSelectTree ms)) {
      return null;
    }
    ExpressionTree q = ms.getExpression();
    // a class name: an identifier or a qualified name (never printed otherwise: a long chain of
    // calls would be printed once per link)
    String simple = q instanceof IdentifierTree id ? id.getName().toString()
        : q instanceof MemberSelectTree qs ? qs.getIdentifier().toString() : "";
    if (!simple.endsWith("Grad") || simple.length() == 4
        || q instanceof IdentifierTree id && lookup(id.getName().toString()) != null) {
      return null;
    }
    String text = q.toString();
    String stem = simple.substring(0, simple.length() - 4);
    String prefix = text.contains(".") ? text.substring(0, text.lastIndexOf('.') + 1) : "";
    // a nested class Outer.Inner generates Outer_InnerGrad
    String[] parts = stem.split("_");
    TypeElement x = prefix.isEmpty() ? resolver.type(parts[0]) : resolver.qualified(prefix + parts[0]);
    for (int i = 1; x != null && i < parts.length; i++) {
      x = resolver.qualified(x.getQualifiedName() + "." + parts[i]);
    }
    return x != null && Naming.gradClass(x).simpleName().equals(simple) ? x : null;
  }

  /**
   * Nested AD: {@code XGrad.f(args).p()} (a component of f's generated gradient),
   * {@code XGrad.fJvp(args, tangents).tangent()} (its forward mode), or {@code .value()} of
   * either (f itself), called in a differentiable method. Differentiated through f's
   * Hessian-vector product, so f must be {@code hessian = true} with double parameters.
   */
  private Expr derivativeCall(MethodInvocationTree t, String accessor, MethodInvocationTree inner) {
    TypeElement x = generatedOwner(inner);
    String called = ((MemberSelectTree) inner.getMethodSelect()).getIdentifier().toString();
    boolean jvp = called.endsWith("Jvp") && !called.equals("Jvp");
    String f = jvp ? called.substring(0, called.length() - 3) : called;
    List<Expr> args = new ArrayList<>();
    for (ExpressionTree a : inner.getArguments()) {
      Expr e = expr(a);
      if (e == null) {
        return null;
      }
      args.add(e);
    }
    String what = "the call " + sourceText(t);
    List<ExecutableElement> candidates = resolver.methods(x, f).stream()
        .filter(m -> m.getAnnotation(dev.adjoint.Differentiable.class) != null
            && m.getModifiers().contains(Modifier.STATIC) && m.getReturnType().getKind() == TypeKind.DOUBLE)
        .toList();
    ExecutableElement m = null;
    for (ExecutableElement c : candidates) {
      int n = c.getParameters().size();
      int w = CallResolver.wrtIndexes(c).size();
      if (args.size() == n + (jvp ? w : 0) && applicable(c, args.subList(0, n), false)
          && (m == null || moreSpecific(c, m))) {
        m = c;
      }
    }
    if (m == null) {
      return unsupported(t, what, "call the generated gradient or forward mode of a static @Differentiable method "
          + "of doubles, " + x.getSimpleName() + "Grad." + f + "(...).x() or ." + f + "Jvp(...).tangent(), "
          + "with the arguments of one of its overloads");
    }
    ExecutableElement chosen = m;
    if (CallResolver.wrtIndexes(m).stream().anyMatch(
        i -> CallResolver.typeOf(chosen.getParameters().get(i).asType()).orElse(null) != Type.DOUBLE)) {
      return unsupported(t, what, "nested AD differentiates the generated derivatives of methods of doubles: "
          + "pass the array's elements as double parameters, or give " + x.getSimpleName() + "." + f
          + " a wrt of double parameters");
    }
    dev.adjoint.Differentiable annotation = m.getAnnotation(dev.adjoint.Differentiable.class);
    String callee = x.getSimpleName() + "." + f;
    int n = m.getParameters().size();
    List<Expr> callArgs = new ArrayList<>(widen(args.subList(0, n), m));
    for (Expr a : args.subList(n, args.size())) {
      callArgs.add(a.type() == Type.DOUBLE ? a : a instanceof Const c ? Const.of(c.asDouble())
          : new Apply(Op.CAST, List.of(a), Type.DOUBLE));
    }
    CallTarget first = calls.resolve(m).orElse(null);
    if (first == null || first.kind() != CallTarget.Kind.GENERATED) {
      return unsupported(t, what, "call the generated methods of a @Differentiable method of doubles");
    }
    if (accessor.equals("value")) {
      Expr.Call call = new Expr.Call(first, callArgs.subList(0, n), null);
      callSites.put(call, t);
      return call;
    }
    List<Integer> wrt = CallResolver.wrtIndexes(m);
    int component = -2;
    if (jvp && accessor.equals("tangent")) {
      component = -1;
    } else if (!jvp) {
      for (int i = 0; i < n; i++) {
        if (accessor.equals(first.partials().get(i))) {
          component = wrt.indexOf(i);
        }
      }
    }
    if (component == -2) {
      return unsupported(t, what, "read value(), " + (jvp ? "tangent()" : "a component named like a differentiated parameter")
          + " of the record " + x.getSimpleName() + "Grad." + called + " returns");
    }
    if (!annotation.hessian()) {
      return unsupported(t, what + ", a derivative of " + callee + " differentiated again (nested AD),",
          "its second derivatives are needed: mark " + callee + " @Differentiable(hessian = true)");
    }
    Expr.Call call = new Expr.Call(secondOrder(first, m, called, accessor, component), callArgs, null);
    callSites.put(call, t);
    return call;
  }

  /**
   * The call of a generated derivative of m ({@code first}: the call of m itself): gradient
   * component {@code component} (the record's {@code accessor}), or for -1 the tangent of
   * {@code called} = mJvp, whose arguments end with the tangents.
   */
  private static CallTarget secondOrder(CallTarget first, ExecutableElement m, String called, String accessor,
      int component) {
    List<Integer> wrt = CallResolver.wrtIndexes(m);
    List<Type> types = new ArrayList<>(first.paramTypes());
    List<String> partials = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      partials.add(wrt.contains(i) ? "hvp " + wrt.indexOf(i) : null);
    }
    if (component < 0) {
      for (int j = 0; j < wrt.size(); j++) {
        types.add(Type.DOUBLE);
        partials.add("gradient " + j);
      }
    }
    com.palantir.javapoet.ClassName record = (com.palantir.javapoet.ClassName) first.derivativeType();
    String f = m.getSimpleName().toString();
    return new CallTarget(first.owner(), f, types, Type.DOUBLE, CallTarget.Kind.SECOND_ORDER,
        first.derivativeOwner(), f + "Hvp", record.peerClass(record.simpleName() + "Hvp"), partials,
        false, false, false, new CallTarget.Nested(called, accessor, component, wrt.size()));
  }

  /**
   * Nested AD through the overload that writes the gradient into an array,
   * {@code XGrad.f(args..., gradient)}: as many stores as components, each a call of the
   * generated gradient's component (see {@link #derivativeCall}), then f's value. The arguments
   * are evaluated first, as in the call. Null after an error.
   */
  private Expr gradientInto(MethodInvocationTree t, Src src, Consumer<Stmt> out) {
    TypeElement x = generatedOwner(t);
    String f = ((MemberSelectTree) t.getMethodSelect()).getIdentifier().toString();
    List<? extends ExpressionTree> trees = t.getArguments();
    String what = "the call " + sourceText(t);
    Var into = trees.isEmpty() ? null : arrayVar(trees.get(trees.size() - 1));
    if (into == null || into.type() != Type.DOUBLE_ARRAY || into.isParameter() || arrayFields.containsValue(into)) {
      return unsupported(t, what, "pass a local double[] for the gradient to " + x.getSimpleName() + "Grad." + f
          + ", or read a component of the record: " + x.getSimpleName() + "Grad." + f + "(...).x()");
    }
    List<Expr> args = new ArrayList<>();
    for (ExpressionTree a : trees.subList(0, trees.size() - 1)) {
      Expr e = expr(a);
      if (e == null) {
        return null;
      }
      args.add(e);
    }
    ExecutableElement m = null;
    for (ExecutableElement c : resolver.methods(x, f)) {
      if (c.getAnnotation(dev.adjoint.Differentiable.class) != null && c.getModifiers().contains(Modifier.STATIC)
          && c.getReturnType().getKind() == TypeKind.DOUBLE && applicable(c, args, false)
          && (m == null || moreSpecific(c, m))) {
        m = c;
      }
    }
    CallTarget first = m == null ? null : calls.resolve(m).orElse(null);
    if (first == null || first.kind() != CallTarget.Kind.GENERATED
        || CallResolver.wrtIndexes(m).stream().anyMatch(i -> first.paramTypes().get(i) != Type.DOUBLE)) {
      return unsupported(t, what, "call the generated gradient of a static @Differentiable method of doubles");
    }
    String callee = x.getSimpleName() + "." + f;
    if (!m.getAnnotation(dev.adjoint.Differentiable.class).hessian()) {
      return unsupported(t, what + ", a derivative of " + callee + " differentiated again (nested AD),",
          "its second derivatives are needed: mark " + callee + " @Differentiable(hessian = true)");
    }
    List<Stmt> before = new ArrayList<>();
    List<Expr> callArgs = new ArrayList<>();
    for (Expr a : widen(args, m)) {
      callArgs.add(a.type() == Type.DOUBLE ? once(a, before, src) : a);
    }
    before.forEach(out);
    List<Integer> wrt = CallResolver.wrtIndexes(m);
    for (int j = 0; j < wrt.size(); j++) {
      CallTarget component = secondOrder(first, m, f, first.partials().get(wrt.get(j)), j);
      Expr.Call call = new Expr.Call(component, callArgs, null);
      callSites.put(call, t);
      out.accept(new Stmt.ArrayStore(into, Const.ofInt(j), call, null, src));
    }
    Expr.Call value = new Expr.Call(first, callArgs, null);
    callSites.put(value, t);
    return value;
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
    if (e instanceof IdentifierTree || e instanceof MemberSelectTree) {
      VariableElement f = e instanceof IdentifierTree id && lookup(id.getName().toString()) != null ? null : arrayField(e);
      if (f != null) { // an n-D array field
        int rank = CallResolver.typeOf(f.asType()).map(Type::rank).orElse(0);
        return rank >= 2 ? rank - brackets : -1;
      }
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
    }
    if ((e instanceof IdentifierTree id ? lookup(id.getName().toString()) == null : e instanceof MemberSelectTree)
        && arrayField(e) != null) {
      // an n-D array field: read once into a local at the start, indexed there
      Expr read = expr(e);
      return read instanceof Ref r ? new Access(r.var(), List.of()) : null;
    }
    if (e instanceof ArrayAccessTree a) {
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

  /** Whether a call argument is a row of an n-D array ({@code a[i]}, {@code t[i][j]}, a row alias). */
  private boolean isRowArgument(ExpressionTree a) {
    ExpressionTree e = unparen(a);
    return ndRank(e) >= 1 && (e instanceof ArrayAccessTree
        || e instanceof IdentifierTree id && rows.containsKey(lookup(id.getName().toString())));
  }

  /**
   * A row passed to a method ({@code f(a[i])}, {@code f(row)} for a row alias, {@code f(t[i])}
   * of a 3-D array): read where the call is, its adjoint is the same row of the array's adjoint.
   */
  private Expr ndRowArgument(ExpressionTree t) {
    Access a = access(t);
    return a == null ? null : element(a);
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
    if (readOnly(t, a.array())) {
      return;
    }
    out.accept(new Stmt.ArrayStore(a.array(), a.index(), value, compound, src));
  }

  /**
   * Whether {@code array} may not be written, after reporting it: a parameter (an input) or an
   * array field (data the method reads; a write would outlive the call).
   */
  private boolean readOnly(Tree at, Var array) {
    boolean field = arrayFields.containsValue(array);
    if (!field && !array.isParameter()) {
      return false;
    }
    Type type = array.type();
    String copy = type.javaName() + " y = new " + (type == Type.INT_ARRAY_2D ? "int" : type.element().javaName())
        + (type.rank() == 1 ? "[" + array.name() + ".length]" : "[n]".repeat(type.rank()));
    unsupported(at, (field ? "writing into field array '" : "writing to parameter array '") + array.name() + "'",
        (field ? "fields are data the method reads" : "parameters are inputs") + ": copy into a local array ("
            + copy + ";) and write that");
    return true;
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
    // declared anywhere, in loops and branches too: a fresh array (and adjoint) each time the
    // declaration runs, as for 1-D arrays
    if (init instanceof NewArrayTree na && na.getInitializers() != null && na.getDimensions().isEmpty()) {
      ndInitializer(var, na, src(v, v.toString()), out); // {{a, b}, {c}}, new double[][] {...}
      return true;
    }
    if (init instanceof MethodInvocationTree) {
      // a call returning an n-D array: a fresh array, differentiated through the callee's VJP
      Expr call = expr(init);
      if (call == null) {
        poisoned.add(var);
      } else if (call.type() != type) {
        unsupported(v, "a " + type.javaName() + " holding a " + call.type().javaName(), "declare it as "
            + call.type().javaName() + " " + name);
        poisoned.add(var);
      } else {
        out.accept(new Stmt.Assign(var, call, true, null, src(v, v.toString())));
      }
      return true;
    }
    if (!(init instanceof NewArrayTree na) || na.getInitializers() != null
        || na.getDimensions().size() != type.rank()) {
      unsupported(v, "this array initializer", "create " + type.javaName() + " locals with all their "
          + "dimensions (new double" + "[n]".repeat(type.rank()) + ") or an initializer ({{a, b}, {c, d}}) "
          + "and fill them element by element");
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

  /**
   * {@code double[][] m = {{a, b}, {c}};} or {@code new double[][] {...}}: the array, shaped by
   * the initializer (ragged rows included), then one store per element, as for 1-D initializers.
   */
  private void ndInitializer(Var var, NewArrayTree na, Src src, Consumer<Stmt> out) {
    if (na.getType() != null && resolvedArrayType(na) != var.type()) {
      unsupported(na, "initialising a " + var.type().javaName() + " with " + sourceText(na),
          "write an initializer of the declared type");
      poisoned.add(var);
      return;
    }
    List<Stmt> stores = new ArrayList<>();
    Expr shape = ndShape(var, na, var.type(), new ArrayList<>(), stores);
    if (shape == null) {
      poisoned.add(var);
      return;
    }
    out.accept(new Stmt.Assign(var, shape, true, null, src));
    stores.forEach(out);
  }

  /**
   * The array an initializer of type {@code type} (at {@code indexes} in {@code var}) makes,
   * zero-filled: {@code new double[n]} for a row, {@code new double[r][c]} when every row below
   * has the same length, otherwise NEW_ARRAY of its rows; the element stores go to {@code stores}.
   */
  private Expr ndShape(Var var, NewArrayTree na, Type type, List<Expr> indexes, List<Stmt> stores) {
    List<? extends ExpressionTree> items = na.getInitializers();
    if (type.rank() == 1) {
      boolean failed = false;
      for (int i = 0; i < items.size(); i++) {
        ExpressionTree e = items.get(i);
        Expr x = expr(e);
        if (x != null && !assignable(x.type(), Type.DOUBLE)) {
          unsupported(e, "a " + x.type().javaName() + " element in a " + var.type().javaName() + " initializer",
              "write the conversion explicitly");
          x = null;
        }
        if (x == null) {
          failed = true;
          continue;
        }
        if (x.type() != Type.DOUBLE) {
          x = new Apply(Op.CAST, List.of(x), Type.DOUBLE);
        }
        List<Expr> at = new ArrayList<>(indexes);
        at.add(Const.ofInt(i));
        String where = var.name() + at.stream().map(k -> "[" + ((Const) k).value() + "]").reduce("", String::concat);
        stores.add(new Stmt.ArrayStore(var, new Access(var, at).index(), x, null, src(e, where + " = " + e)));
      }
      return failed ? null : new Apply(Op.NEW_ARRAY, List.of(Const.ofInt(items.size())), type);
    }
    List<Expr> rows = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < items.size(); i++) {
      ExpressionTree e = unparen(items.get(i));
      Type rowType = type.indexed(1);
      if (!(e instanceof NewArrayTree row) || row.getInitializers() == null || !row.getDimensions().isEmpty()
          || row.getType() != null && resolvedArrayType(row) != rowType) {
        unsupported(e, "the row " + sourceText(e) + " in a " + var.type().javaName() + " initializer",
            "write each row as an initializer of its own ({a, b}): rows cannot be aliased");
        failed = true;
        continue;
      }
      List<Expr> at = new ArrayList<>(indexes);
      at.add(Const.ofInt(i));
      Expr made = ndShape(var, row, rowType, at, stores);
      failed |= made == null;
      rows.add(made);
    }
    if (failed) {
      return null;
    }
    // rectangular below: new double[r][c](...) as the n-D locals are made
    List<Expr> dims = rows.isEmpty() ? null : rectangular(rows);
    if (dims != null) {
      List<Expr> all = new ArrayList<>();
      all.add(Const.ofInt(rows.size()));
      all.addAll(dims);
      return new Apply(Op.NEW_ARRAY, all, type);
    }
    return new Apply(Op.NEW_ARRAY, rows, type); // its rows, as given: new double[][] {row0, row1}
  }

  /** The common dimensions of same-shaped rectangular rows, or null. */
  private static List<Expr> rectangular(List<Expr> rows) {
    List<Expr> first = ((Apply) rows.get(0)).args();
    if (first.isEmpty() || first.get(0).type() != Type.INT) {
      return null;
    }
    for (Expr r : rows) {
      List<Expr> dims = ((Apply) r).args();
      if (dims.size() != first.size() || dims.get(0).type() != Type.INT) {
        return null;
      }
      for (int k = 0; k < dims.size(); k++) {
        if (!((Const) dims.get(k)).value().equals(((Const) first.get(k)).value())) {
          return null;
        }
      }
    }
    return first;
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
