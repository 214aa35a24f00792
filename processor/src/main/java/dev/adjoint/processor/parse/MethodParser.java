package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreeScanner;
import dev.adjoint.Differentiable;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.emit.Naming;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/**
 * Reads a {@code @Differentiable} method's body from its parse tree and builds its computation
 * graph. Nothing is attributed by the compiler: locals and parameters have declared types,
 * literals and operators are typed by the JLS's rules, and every name declared outside the method
 * (classes, constants, called methods) is resolved through {@code javax.lang.model} by the
 * {@link Resolver}. So the same graph comes out under javac and under Eclipse's compiler. Every
 * construct outside the supported subset is reported at its own line, and parsing goes on so that
 * one compile shows all of them.
 */
public final class MethodParser extends StatementReader {
  public MethodParser(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    super(env, diag, calls, sources);
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
    rowCopies.clear();
    rowFills.clear();
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
    checkRowCopies(body);
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

  /** Calls to differentiable methods found while parsing, for the recursion check. */
  public Map<Expr, Tree> callSites() {
    return callSites;
  }

  /** Where the method's source is, for messages from later stages. */
  public SourceAccess.MethodSource source() {
    return source;
  }

  // ---------------------------------------------------------------- signature
  boolean checkSignature(ExecutableElement m) {
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

  static boolean parameterType(Type t) {
    return t != Type.OBJECT;
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
