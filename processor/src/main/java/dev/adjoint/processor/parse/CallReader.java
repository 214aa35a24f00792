package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import dev.adjoint.Differentiable;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.emit.Naming;
import dev.adjoint.processor.graph.CallTarget;
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
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/** Reads calls: to differentiable methods and helpers (chosen among overloads as Java does), to
 * generated derivatives, to {@code Tensor} operations, and calls used as statements
 * ({@code System.arraycopy}, {@code Arrays.fill}, {@code void} helpers inlined at the call). */
abstract class CallReader extends ArrayReader {
  CallReader(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    super(env, diag, calls, sources);
  }

  /**
   * A call made for its effect: {@code System.arraycopy}, {@code Arrays.fill} (both become
   * element loops, which differentiate like any store), or a void helper that writes into
   * arrays passed to it.
   */
  void callStatement(MethodInvocationTree t, Src src, Consumer<Stmt> out) {
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
      Access from = copied(args.get(0));
      Expr fromPos = expr(args.get(1));
      Access to = copied(args.get(2));
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
      if (readOnly(args.get(2), to.array())) {
        return;
      }
      List<Stmt> body = new ArrayList<>();
      fromPos = once(fromPos, body, src);
      toPos = once(toPos, body, src);
      n = once(n, body, src);
      from = new Access(from.array(), onceEach(from.indexes(), body, src));
      to = new Access(to.array(), onceEach(to.indexes(), body, src));
      if (from.array() == to.array() && fromPos instanceof Const f && toPos instanceof Const d) {
        // overlapping ranges at known positions: the direction is known now
        body.add((Integer) d.value() > (Integer) f.value() ? copyLoopDown(from, fromPos, to, toPos, n, src)
            : copyLoop(from, fromPos, to, toPos, n, src));
      } else if (from.array() == to.array()) {
        // overlapping ranges (one array, or two rows that may be the same one) copy as if through
        // a temporary array: run down when moving up
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
      Access array = copied(args.get(0));
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
      if (readOnly(args.get(0), array.array())) {
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
      array = new Access(array.array(), onceEach(array.indexes(), body, src));
      fromIndex = once(fromIndex, body, src);
      toIndex = once(toIndex, body, src);
      value = once(value, body, src);
      Var k = new Var("k", Type.INT, Var.Kind.SYNTHETIC);
      Stmt store = new Stmt.ArrayStore(array.array(), array.at(new Ref(k)).index(), value, null, src);
      body.add(new Stmt.Loop(Stmt.Loop.Kind.FOR, k, fromIndex, 1,
          new Apply(Op.LT, List.of(new Ref(k), toIndex), Type.BOOLEAN), new Block(List.of(store)), new Block(), src));
      out.accept(new Stmt.Nested(new Block(body), Src.NONE));
      return;
    }
    voidCall(t, src, out);
  }

  boolean intArgs(Tree at, Expr... args) {
    for (Expr a : args) {
      if (a.type() != Type.INT) {
        unsupported(at, "a position or length of type " + a.type().javaName(), "pass int positions and lengths");
        return false;
      }
    }
    return true;
  }

  /** The row indexes of a copy's array, each evaluated once (see {@link #once}). */
  static List<Expr> onceEach(List<Expr> indexes, List<Stmt> before, Src src) {
    List<Expr> out = new ArrayList<>();
    for (Expr i : indexes) {
      out.add(once(i, before, src));
    }
    return out;
  }

  /** An expression evaluated once: a constant or variable as it is, else a new local holding it. */
  static Expr once(Expr e, List<Stmt> before, Src src) {
    if (e instanceof Const || e instanceof Ref r && !r.var().type().isArray()) {
      return e;
    }
    Var t = new Var(e.type() == Type.INT ? "p" : "v", e.type(), Var.Kind.SYNTHETIC);
    before.add(new Stmt.Assign(t, e, true, null, src));
    return new Ref(t);
  }

  /**
   * A call of a {@code void} static helper as a statement, such as {@code rhs(y, dydt)}: its
   * body is inlined here, its array parameters standing for the caller's arrays (so what it
   * writes into them is written, and differentiated, as if the caller had written it) and its
   * other parameters becoming locals that hold the arguments. Its source must be in this
   * compilation.
   */
  void voidCall(MethodInvocationTree t, Src src, Consumer<Stmt> out) {
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

  // ---------------------------------------------------------------- calls
  Expr call(MethodInvocationTree t) {
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
  TypeElement generatedOwner(MethodInvocationTree call) {
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
  Expr derivativeCall(MethodInvocationTree t, String accessor, MethodInvocationTree inner) {
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
  static CallTarget secondOrder(CallTarget first, ExecutableElement m, String called, String accessor,
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
  Expr gradientInto(MethodInvocationTree t, Src src, Consumer<Stmt> out) {
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

  /** Arguments converted to the parameter types where Java widens them (an int passed as double). */
  static List<Expr> widen(List<Expr> args, ExecutableElement m) {
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
  ExecutableElement choose(List<ExecutableElement> candidates, List<Expr> args) {
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

  boolean applicable(ExecutableElement m, List<Expr> args, boolean varargs) {
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
  static boolean accepts(TypeMirror p, Type a) {
    return switch (p.getKind()) {
      case DOUBLE -> a.isNumeric();
      case LONG -> a == Type.LONG || a == Type.INT;
      case INT -> a == Type.INT;
      case BOOLEAN -> a == Type.BOOLEAN;
      default -> CallResolver.typeOf(p).map(t -> t == a).orElse(false);
    };
  }

  boolean moreSpecific(ExecutableElement m, ExecutableElement o) {
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
  Expr tensorCall(MethodInvocationTree t, ExecutableElement m, Expr receiver, List<Expr> args) {
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

  static Optional<Op> tensorOp(String name, boolean isStatic, List<Expr> args, Type result) {
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
}
