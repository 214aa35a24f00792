package dev.adjoint.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;

/**
 * Writes the generated class of one source class: for each differentiable method a record
 * ({@code value} and one component per differentiated parameter, named like it) and a static
 * method with the source method's parameters that returns it.
 */
public final class GradClassWriter {
  public static final ClassName TENSOR = ClassName.get("dev.adjoint.tensor", "Tensor");

  private final TypeElement source;
  private final ClassName name;
  private final TypeSpec.Builder type;

  public GradClassWriter(TypeElement source) {
    this.source = source;
    this.name = Naming.gradClass(source);
    this.type = TypeSpec.classBuilder(name)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addAnnotation(AnnotationSpec.builder(ClassName.get("javax.annotation.processing", "Generated"))
            .addMember("value", "$S", "dev.adjoint.processor.AdjointProcessor").build())
        .addJavadoc("Values and gradients of the {@code @Differentiable} methods of {@link $T},\n"
            + "generated at compile time by Adjoint. Every method is pure and safe to call from\n"
            + "many threads at once.\n", ClassName.get(source))
        .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
        .addOriginatingElement(source);
  }

  public ClassName name() {
    return name;
  }

  private Access access;

  /** Bytecode per generated method before {@link MethodSplitter} splits it: HotSpot's JIT limit. */
  private int methodLimit = MethodSplitter.HUGE_METHOD_LIMIT;
  /** Helpers written so far per method name, for unique helper names. */
  private final java.util.Map<String, Integer> parts = new java.util.HashMap<>();

  /** Another limit than HotSpot's 8,000 bytes (tests force splitting with a small one). */
  public void methodLimit(int bytes) {
    this.methodLimit = bytes;
  }

  /**
   * Prints the body of a generated method of {@code g}, split into helpers of this class when
   * HotSpot would not JIT-compile it whole ({@link MethodSplitter}).
   *
   * @throws dev.adjoint.processor.diag.TooLarge when a method would exceed the JVM's 64 KB
   */
  public CodeBlock print(MethodGraph g, dev.adjoint.processor.graph.Stmt.Block body) {
    MethodSplitter.Split split = MethodSplitter.print(body, methodLimit,
        () -> g.name() + "$part" + parts.merge(g.name(), 1, Integer::sum));
    split.helpers().forEach(type::addMethod);
    return split.code();
  }

  /** How this class reaches the user's members; its handles are added by {@link #file()}. */
  public void access(Access access) {
    this.access = access;
  }

  /** {@code Model.f} for a wrapper that calls the source method (through a handle when it is private). */
  /**
   * A call of the source method with the generated method's parameters: {@code Model.f(x)}, or
   * {@code self.f(x)} for an instance method (its receiver is the first parameter), or the
   * bridge that reaches a method generated code may not name.
   */
  private CodeBlock sourceCall(ExecutableElement method, MethodGraph g) {
    List<String> args = g.params().stream().map(Var::name).toList();
    String bridge = access == null ? null : access.method(ClassName.get(source), g.name(),
        g.params().stream().map(Var::type).toList(), g.params().size());
    if (bridge != null) {
      return CodeBlock.of("$N($L)", bridge, String.join(", ", args));
    }
    if (!method.getModifiers().contains(Modifier.STATIC)) {
      return CodeBlock.of("$N.$N($L)", args.get(0), g.name(), String.join(", ", args.subList(1, args.size())));
    }
    return CodeBlock.of("$L.$N($L)", qualifier(g, ClassName.get(source)), g.name(), String.join(", ", args));
  }

  /**
   * A generated method is public when its source method is public (or protected) and
   * {@code @Differentiable}; else package-private: a private or package-private method's gradient,
   * and a helper differentiated implicitly, are no part of the class's API.
   */
  public static boolean isPublic(ExecutableElement method) {
    return method.getAnnotation(dev.adjoint.Differentiable.class) != null && visible(method);
  }

  private static boolean visible(ExecutableElement method) {
    return method.getModifiers().contains(Modifier.PUBLIC) || method.getModifiers().contains(Modifier.PROTECTED);
  }

  private static Modifier[] methodModifiers(ExecutableElement method) {
    return isPublic(method) ? new Modifier[] {Modifier.PUBLIC, Modifier.STATIC} : new Modifier[] {Modifier.STATIC};
  }

  /** Records stay public for public helpers, whose gradients callers of other packages reach by handle. */
  private static Modifier[] recordModifiers(ExecutableElement method) {
    return visible(method) ? new Modifier[] {Modifier.PUBLIC} : new Modifier[0];
  }

  /** The record type a method's gradient method returns. */
  public ClassName recordName(MethodGraph g) {
    return name.nestedClass(g.recordName());
  }

  /** Records the differentiated parameter positions for callers compiled later. */
  private static AnnotationSpec differentiated(MethodGraph g) {
    // positions among the source method's parameters (an instance method's receiver is not one)
    int receiver = !g.params().isEmpty() && g.params().get(0).type() == Type.OBJECT ? 1 : 0;
    String positions = g.wrt().stream().map(p -> Integer.toString(g.params().indexOf(p) - receiver))
        .collect(Collectors.joining(", "));
    return AnnotationSpec.builder(ClassName.get("dev.adjoint.runtime", "Differentiated"))
        .addMember("value", "{$L}", positions).build();
  }

  public void add(ExecutableElement method, MethodGraph g, CodeBlock body) {
    addRecord(method, g);
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name())
        .addAnnotation(differentiated(g))
        .addModifiers(methodModifiers(method))
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and its gradient with respect to $L in one call.\n",
            link(method), wrtList(g));
    for (Var p : g.params()) {
      m.addParameter(ParameterSpec.builder(javaType(p), p.name()).build());
    }
    m.addCode(body);
    type.addMethod(m.build());
    type.addOriginatingElement(method);
  }

  /**
   * {@code f(params..., double[] gradient)}: the value, with the gradient written into the
   * caller's array in parameter order; for loops that must not allocate.
   */
  public void addInto(ExecutableElement method, MethodGraph g, Var out, CodeBlock body) {
    addWriting(method, g, List.of(out), body, CodeBlock.of(
        "Computes {@link $L}, writing its gradient with respect to ($L) into {@code $N}\n"
            + "(length at least $L) and returning the value: nothing is allocated.\n",
        link(method), wrtList(g), out.name(), g.wrt().size()));
  }

  /**
   * {@code f(params..., gradient)} for a method differentiated with respect to arrays only: the
   * gradient with respect to each array is written into the caller's array for it (one per
   * differentiated array, in parameter order, each as long as its parameter).
   */
  public void addIntoArrays(ExecutableElement method, MethodGraph g, List<Var> outs, CodeBlock body) {
    addWriting(method, g, outs, body, CodeBlock.of(
        "Computes {@link $L}, writing its gradient with respect to $L into $L (overwritten;\n"
            + "each as long as its parameter) and returning the value: no gradient array is allocated.\n",
        link(method), wrtList(g), outs.stream().map(o -> "{@code " + o.name() + "}")
            .collect(Collectors.joining(", "))));
  }

  /**
   * {@code double fAccumulate(params..., seed, adjoints...)}: the value, with seed × the gradient
   * added into the caller's adjoint arrays (a caller's reverse sweep calls it).
   */
  public void addAccumulate(ExecutableElement method, MethodGraph g, Var seed, List<Var> adjoints, CodeBlock body) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + CallTarget.ACCUMULATE_SUFFIX)
        .addModifiers(methodModifiers(method))
        .returns(TypeName.DOUBLE)
        .addJavadoc("Computes {@link $L} and adds $N times its gradient with respect to $L into $L\n"
            + "(added to as they are, not zeroed): a caller's reverse sweep passes its own adjoint arrays,\n"
            + "so a call that reads a few elements costs that, not a dense gradient.\n",
            link(method), seed.name(), wrtList(g), adjoints.stream().map(o -> "{@code " + o.name() + "}")
                .collect(Collectors.joining(", ")));
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
    }
    m.addParameter(TypeName.DOUBLE, seed.name());
    for (Var o : adjoints) {
      m.addParameter(javaType(o), o.name());
    }
    m.addCode(body);
    type.addMethod(m.build());
  }

  /**
   * The halves of a recursive method's split gradient ({@code diff.SplitRecursion}): {@code double
   * fRecord(params..., tape, limit)}, its forward sweep recorded on the caller's tape, and
   * {@code void fReverse(params..., seed, adjoints..., tape)}, its reverse sweep consuming it.
   */
  public void addSplitHalves(ExecutableElement method, MethodGraph g, Var tape, Var limit, Var seed,
      List<Var> adjoints, CodeBlock record, CodeBlock reverse) {
    MethodSpec.Builder r = MethodSpec.methodBuilder(g.name() + dev.adjoint.processor.diff.SplitRecursion.RECORD_SUFFIX)
        .addModifiers(methodModifiers(method))
        .returns(TypeName.DOUBLE)
        .addJavadoc("Computes {@link $L}, recording on $N what {@code $L} needs (while $N holds fewer\n"
            + "than $N entries; else only that it did not): the recursion's forward sweeps run once.\n",
            link(method), tape.name(), g.name() + dev.adjoint.processor.diff.SplitRecursion.REVERSE_SUFFIX,
            tape.name(), limit.name());
    for (Var p : g.params()) {
      r.addParameter(javaType(p), p.name());
    }
    r.addParameter(javaType(tape), tape.name());
    r.addParameter(TypeName.LONG, limit.name());
    r.addCode(record);
    type.addMethod(r.build());
    MethodSpec.Builder v = MethodSpec.methodBuilder(g.name() + dev.adjoint.processor.diff.SplitRecursion.REVERSE_SUFFIX)
        .addModifiers(methodModifiers(method))
        .returns(TypeName.VOID)
        .addJavadoc("Adds $N times the gradient of {@link $L} with respect to $L into $L, popping from\n"
            + "$N what the matching {@code $L} call recorded.\n",
            seed.name(), link(method), wrtList(g), adjoints.stream().map(o -> "{@code " + o.name() + "}")
                .collect(Collectors.joining(", ")), tape.name(),
            g.name() + dev.adjoint.processor.diff.SplitRecursion.RECORD_SUFFIX);
    for (Var p : g.params()) {
      v.addParameter(javaType(p), p.name());
    }
    v.addParameter(TypeName.DOUBLE, seed.name());
    for (Var o : adjoints) {
      v.addParameter(javaType(o), o.name());
    }
    v.addParameter(javaType(tape), tape.name());
    v.addCode(reverse);
    type.addMethod(v.build());
  }

  /** {@code double f(params..., outs...)} returning the value, the gradient written into outs. */
  private void addWriting(ExecutableElement method, MethodGraph g, List<Var> outs, CodeBlock body,
      CodeBlock javadoc) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name())
        .addModifiers(methodModifiers(method))
        .returns(TypeName.DOUBLE)
        .addJavadoc(javadoc);
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
    }
    for (Var o : outs) {
      m.addParameter(javaType(o), o.name());
    }
    m.addCode(body);
    type.addMethod(m.build());
  }

  /**
   * A layer (a method returning a Tensor): {@code fVjp(params, seed)} gives the value and the
   * vector-Jacobian product for the result's adjoint {@code seed}, which is what callers need;
   * {@code f(params)} uses a seed of ones, the gradient of the sum of the result.
   */
  public void addLayer(ExecutableElement method, MethodGraph g, Var seed, CodeBlock body) {
    addRecord(method, g);
    String link = link(method);
    MethodSpec.Builder vjp = MethodSpec.methodBuilder(g.name() + "Vjp")
        .addAnnotation(differentiated(g))
        .addModifiers(methodModifiers(method))
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and the vector-Jacobian product with respect to $L: the\n"
            + "gradient of {@code sum(value * $N)}, for a caller that knows the result's adjoint.\n",
            link, wrtList(g), seed.name());
    for (Var p : g.params()) {
      vjp.addParameter(javaType(p), p.name());
    }
    vjp.addParameter(javaType(seed), seed.name());
    vjp.addCode(body);
    type.addMethod(vjp.build());

    MethodSpec.Builder ones = MethodSpec.methodBuilder(g.name())
        .addModifiers(methodModifiers(method))
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and the gradient of the sum of its elements with respect to $L.\n",
            link, wrtList(g));
    List<String> args = new java.util.ArrayList<>();
    for (Var p : g.params()) {
      ones.addParameter(javaType(p), p.name());
      args.add(p.name());
    }
    String call = String.join(", ", args);
    String sep = call.isEmpty() ? "" : ", ";
    if (seed.type() == Type.TENSOR) {
      ones.addStatement("$T _value$$ = $L", TENSOR, sourceCall(method, g));
      ones.addStatement("return $N($L$L$L.ones(_value$$.shape()))", g.name() + "Vjp", call, sep, qualifier(g, TENSOR));
    } else if (seed.type().isNdDoubleArray()) {
      ones.addStatement("$L _value$$ = $L", seed.type().javaName(), sourceCall(method, g));
      ones.addStatement("return $N($L$L$L.onesLike(_value$$))", g.name() + "Vjp", call, sep,
          qualifier(g, dev.adjoint.processor.emit.Naming.ADJOINTS));
    } else {
      ones.addStatement("double[] _value$$ = $L", sourceCall(method, g));
      ones.addStatement("double[] _ones$$ = new double[_value$$.length]");
      ones.addStatement("$L.fill(_ones$$, 1)", qualifier(g, ClassName.get(java.util.Arrays.class)));
      ones.addStatement("return $N($L$L_ones$$)", g.name() + "Vjp", call, sep);
    }
    type.addMethod(ones.build());
    type.addOriginatingElement(method);
  }

  public ClassName jvpRecordName(MethodGraph g) {
    return name.nestedClass(g.recordName() + "Jvp");
  }

  public ClassName hvpRecordName(MethodGraph g) {
    return name.nestedClass(g.recordName() + "Hvp");
  }

  public ClassName hessianRecordName(MethodGraph g) {
    return name.nestedClass(g.recordName() + "Hessian");
  }

  /** Forward mode: {@code fJvp(params..., tangents...)} returning (value, tangent). */
  public void addJvp(ExecutableElement method, MethodGraph g, List<Var> tangents, CodeBlock body) {
    type.addType(TypeSpec.recordBuilder(jvpRecordName(g))
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value and directional derivative of {@link $L}.\n\n@param value the method's result\n"
            + "@param tangent the derivative of value along the tangents given\n", link(method))
        .recordConstructor(MethodSpec.constructorBuilder()
            .addParameter(javaType(g.result().type()), "value")
            .addParameter(javaType(g.result().type()), "tangent").build())
        .build());
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "Jvp")
        .addModifiers(methodModifiers(method))
        .returns(jvpRecordName(g))
        .addJavadoc("Computes {@link $L} and its derivative along ($L) in one forward sweep\n"
            + "(dual numbers written inline): the Jacobian-vector product.\n", link(method),
            tangents.stream().map(Var::name).collect(Collectors.joining(", ")));
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
    }
    for (Var t : tangents) {
      m.addParameter(javaType(t), t.name());
    }
    m.addCode(body);
    type.addMethod(m.build());
  }

  /** {@code fHvp(params..., directions...)}, whose record the caller has added. */
  private void addHvpMethod(ExecutableElement method, MethodGraph g, List<Var> directions, CodeBlock body) {
    MethodSpec.Builder hvp = MethodSpec.methodBuilder(g.name() + "Hvp")
        .addModifiers(methodModifiers(method))
        .returns(hvpRecordName(g))
        .addJavadoc("Computes {@link $L}, its gradient and the product of its Hessian with the\n"
            + "direction ($L), without forming the Hessian: forward mode over the reverse sweep.\n",
            link(method), directions.stream().map(Var::name).collect(Collectors.joining(", ")));
    for (Var p : g.params()) {
      hvp.addParameter(javaType(p), p.name());
    }
    for (Var d : directions) {
      hvp.addParameter(javaType(d), d.name());
    }
    hvp.addCode(body);
    type.addMethod(hvp.build());
  }

  /**
   * Second derivatives: {@code fHvp(params..., directions...)} (value, gradient, Hessian-vector
   * product) by forward over reverse, and {@code fHessian(params)}, the full matrix from one
   * Hessian-vector product per parameter.
   */
  public void addHessian(ExecutableElement method, MethodGraph g, List<Var> directions, CodeBlock body) {
    if (dev.adjoint.processor.diff.Modes.arrayParameters(g)) {
      addArrayHvp(method, g, directions, body);
      return;
    }
    TypeName doubles = ArrayTypeName.of(TypeName.DOUBLE);
    String order = wrtList(g);
    type.addType(TypeSpec.recordBuilder(hvpRecordName(g))
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value, gradient and Hessian-vector product of {@link $L}, over ($L).\n", link(method), order)
        .recordConstructor(MethodSpec.constructorBuilder().addParameter(TypeName.DOUBLE, "value")
            .addParameter(doubles, "gradient").addParameter(doubles, "hvp").build())
        .build());
    type.addType(TypeSpec.recordBuilder(hessianRecordName(g))
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value, gradient and Hessian of {@link $L}, over ($L) in that order.\n", link(method), order)
        .recordConstructor(MethodSpec.constructorBuilder().addParameter(TypeName.DOUBLE, "value")
            .addParameter(doubles, "gradient").addParameter(ArrayTypeName.of(doubles), "hessian").build())
        .build());
    addHvpMethod(method, g, directions, body);

    MethodSpec.Builder hessian = MethodSpec.methodBuilder(g.name() + "Hessian")
        .addModifiers(methodModifiers(method))
        .returns(hessianRecordName(g))
        .addJavadoc("Computes {@link $L}, its gradient and its Hessian over ($L): one\n"
            + "Hessian-vector product per parameter.\n", link(method), order);
    List<String> params = new java.util.ArrayList<>();
    for (Var p : g.params()) {
      hessian.addParameter(javaType(p), p.name());
      params.add(p.name());
    }
    List<CodeBlock> columns = new java.util.ArrayList<>();
    int n = directions.size();
    for (int i = 0; i < n; i++) {
      List<String> args = new java.util.ArrayList<>(params);
      for (int j = 0; j < n; j++) {
        args.add(i == j ? "1" : "0");
      }
      String column = "_column" + i + "$";
      hessian.addStatement("$T $N = $N($L)", hvpRecordName(g), column, g.name() + "Hvp", String.join(", ", args));
      columns.add(CodeBlock.of("$N.hvp()", column));
    }
    hessian.addStatement("return new $T(_column0$$.value(), _column0$$.gradient(), new double[][] {$L})",
        hessianRecordName(g), CodeBlock.join(columns, ", "));
    type.addMethod(hessian.build());
  }

  /**
   * {@code fJacobianRows(params..., jacobian)}: the Jacobian written into the caller's matrix (one
   * row per output, each as long as the inputs flattened), its rows by reverse sweeps that share
   * one forward sweep. Nothing is allocated but the adjoints of each sweep.
   */
  public void addJacobianRows(ExecutableElement method, MethodGraph g, Var jacobian, CodeBlock body) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "JacobianRows")
        .addModifiers(methodModifiers(method))
        .addJavadoc("Writes the Jacobian of {@link $L} into {@code $N}: one row per output, the columns the\n"
            + "inputs ($L) flattened in order. One forward sweep, then one reverse sweep per row over\n"
            + "it.\n", link(method), jacobian.name(), wrtList(g));
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
    }
    m.addParameter(javaType(jacobian), jacobian.name());
    m.addCode(body);
    type.addMethod(m.build());
  }

  /**
   * Second derivatives over array parameters: {@code fHvp(params..., directions...)} returning
   * (value, then per parameter {@code p} its gradient, then per parameter {@code pHvp} its part of
   * the Hessian-vector product), each shaped like its parameter. No full Hessian: it would take
   * one product per element.
   */
  private void addArrayHvp(ExecutableElement method, MethodGraph g, List<Var> directions, CodeBlock body) {
    MethodSpec.Builder ctor = MethodSpec.constructorBuilder().addParameter(TypeName.DOUBLE, "value");
    StringBuilder params = new StringBuilder("@param value the method's result\n");
    for (Var p : g.wrt()) {
      ctor.addParameter(javaType(p), p.name());
      params.append("@param ").append(p.name()).append(" ∂value/∂").append(p.name()).append("\n");
    }
    for (Var p : g.wrt()) {
      ctor.addParameter(javaType(p), hvpComponent(p));
      params.append("@param ").append(hvpComponent(p)).append(" the part of the Hessian-vector product for ")
          .append(p.name()).append("\n");
    }
    type.addType(TypeSpec.recordBuilder(hvpRecordName(g))
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value, gradient and Hessian-vector product of {@link $L}, over ($L).\n\n$L", link(method),
            wrtList(g), params.toString())
        .recordConstructor(ctor.build())
        .build());
    addHvpMethod(method, g, directions, body);
  }

  /**
   * {@code fHessianDiagonal(params)}: the value, the gradient and the Hessian's diagonal, each
   * shaped like its parameter ({@code p}, {@code pDiagonal}), from one Hessian-vector product
   * along ones. Generated only where {@code analysis.HessianStructure} proved the Hessian diagonal.
   */
  public void addHessianDiagonal(ExecutableElement method, MethodGraph g) {
    ClassName record = name.nestedClass(g.recordName() + "HessianDiagonal");
    MethodSpec.Builder ctor = MethodSpec.constructorBuilder().addParameter(TypeName.DOUBLE, "value");
    for (Var p : g.wrt()) {
      ctor.addParameter(javaType(p), p.name());
    }
    for (Var p : g.wrt()) {
      ctor.addParameter(javaType(p), p.name() + "Diagonal");
    }
    type.addType(TypeSpec.recordBuilder(record)
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value, gradient and Hessian diagonal of {@link $L}, over ($L); each diagonal\n"
            + "{@code pDiagonal} holds ∂²value/∂p[i]² shaped like {@code p}.\n", link(method), wrtList(g))
        .recordConstructor(ctor.build())
        .build());
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "HessianDiagonal")
        .addModifiers(methodModifiers(method))
        .returns(record)
        .addJavadoc("Computes {@link $L}, its gradient and its Hessian's diagonal. The Hessian is\n"
            + "diagonal (proved from the method's code: a sum of terms of one element each), so its\n"
            + "product with ones, one forward-over-reverse sweep, is the diagonal.\n", link(method));
    List<CodeBlock> args = new java.util.ArrayList<>();
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
      args.add(CodeBlock.of("$N", p.name()));
    }
    ClassName adjoints = ClassName.get("dev.adjoint.runtime", "Adjoints");
    for (Var p : g.wrt()) {
      args.add(p.type() == Type.DOUBLE ? CodeBlock.of("1") : CodeBlock.of("$T.onesLike($N)", adjoints, p.name()));
    }
    m.addStatement("$T _hvp$$ = $N($L)", hvpRecordName(g), g.name() + "Hvp", CodeBlock.join(args, ", "));
    List<CodeBlock> components = new java.util.ArrayList<>(List.of(CodeBlock.of("_hvp$$.value()")));
    for (Var p : g.wrt()) {
      components.add(CodeBlock.of("_hvp$$.$N()", p.name()));
    }
    for (Var p : g.wrt()) {
      components.add(CodeBlock.of("_hvp$$.$N()", hvpComponent(p)));
    }
    m.addStatement("return new $T($L)", record, CodeBlock.join(components, ", "));
    type.addMethod(m.build());
  }

  /** The component of an array Hessian-vector product record for parameter {@code p}: {@code pHvp}. */
  public static String hvpComponent(Var p) {
    return p.name() + "Hvp";
  }

  public ClassName jvpsRecordName(MethodGraph g) {
    return name.nestedClass(g.recordName() + "Jvps");
  }

  /**
   * Vector forward mode: {@code fJvps(params..., tangents...)} with one direction per row of each
   * tangent ({@code double[][]} for an array parameter, {@code double[]} for a double), returning
   * (value, tangents) with {@code tangents[k]} the derivative along direction k: one primal sweep
   * for all directions.
   */
  public void addJvps(ExecutableElement method, MethodGraph g, List<Var> tangents, CodeBlock body) {
    TypeName doubles = ArrayTypeName.of(TypeName.DOUBLE);
    type.addType(TypeSpec.recordBuilder(jvpsRecordName(g))
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value and derivatives of {@link $L} along several directions.\n\n@param value the method's result\n"
            + "@param tangents {@code tangents[k]}: the derivative of value along direction k\n", link(method))
        .recordConstructor(MethodSpec.constructorBuilder()
            .addParameter(doubles, "value")
            .addParameter(ArrayTypeName.of(doubles), "tangents").build())
        .build());
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "Jvps")
        .addModifiers(methodModifiers(method))
        .returns(jvpsRecordName(g))
        .addJavadoc("Computes {@link $L} and its derivatives along several directions ($L: row k of each is\n"
            + "direction k, all with as many rows) in one primal sweep: vector forward mode.\n", link(method),
            tangents.stream().map(Var::name).collect(Collectors.joining(", ")));
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
    }
    for (Var t : tangents) {
      m.addParameter(javaType(t), t.name());
    }
    m.addCode(body);
    type.addMethod(m.build());
  }

  /**
   * Vector forward mode into a caller's rows: {@code fJvpsRows(params..., tangents..., rows,
   * column)} writes the derivative of value[i] along direction k into {@code rows[i][column + k]}
   * and returns the value (a Jacobian's rows, or a block of columns of them, with nothing
   * allocated for the derivatives and nothing transposed).
   */
  public void addJvpsRows(ExecutableElement method, MethodGraph g, List<Var> tangents, Var rows, Var column,
      CodeBlock body) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "JvpsRows")
        .addModifiers(methodModifiers(method))
        .returns(ArrayTypeName.of(TypeName.DOUBLE))
        .addJavadoc("Computes {@link $L} and its derivatives along several directions ($L: row k of each is\n"
            + "direction k, all with as many rows) in one primal sweep, writing the derivative of value[i]\n"
            + "along direction k into {@code $N[i][$N + k]} (rows as long as the value, each with room from\n"
            + "$N for every direction) and returning the value: the rows of a Jacobian, or a block of\n"
            + "its columns, with nothing allocated for the derivatives.\n", link(method),
            tangents.stream().map(Var::name).collect(Collectors.joining(", ")), rows.name(), column.name(), column.name());
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
    }
    for (Var t : tangents) {
      m.addParameter(javaType(t), t.name());
    }
    m.addParameter(ArrayTypeName.of(ArrayTypeName.of(TypeName.DOUBLE)), rows.name());
    m.addParameter(TypeName.INT, column.name());
    m.addCode(body);
    type.addMethod(m.build());
  }

  /**
   * {@code fJacobian(params)} of a vector-valued method: ∂value[i]/∂input[j] over the
   * differentiated parameters flattened in order, by forward mode (a column per input) when
   * there are no more inputs than outputs, else by reverse mode (a row per output: through
   * {@code fJacobianRows} when {@code rows}, one forward sweep for all rows). The number of
   * outputs is {@code length} after {@code lengthDeclarations} when the method's code tells it
   * (null otherwise: then the first forward sweep counts the outputs and gives the first column).
   */
  public void addJacobian(ExecutableElement method, MethodGraph g, List<Var> tangents,
      CodeBlock lengthDeclarations, CodeBlock length, boolean rows, boolean jvps) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "Jacobian")
        .addModifiers(methodModifiers(method))
        .returns(ArrayTypeName.of(ArrayTypeName.of(TypeName.DOUBLE)))
        .addJavadoc("The Jacobian of {@link $L}: rows are outputs, columns the inputs ($L) flattened in\n"
            + "order. Forward mode (one sweep per input) when there are no more inputs than outputs,\n"
            + "else reverse mode (one reverse sweep per output$L).\n", link(method), wrtList(g),
            rows ? ", all over one forward sweep" : "");
    List<String> params = new java.util.ArrayList<>();
    for (Var p : g.params()) {
      m.addParameter(javaType(p), p.name());
      params.add(p.name());
    }
    String call = String.join(", ", params);
    List<CodeBlock> sizes = new java.util.ArrayList<>();
    for (Var p : g.wrt()) {
      sizes.add(p.type() == Type.DOUBLE ? CodeBlock.of("1") : CodeBlock.of("$N.length", p.name()));
    }
    m.addStatement("int _inputs$$ = $L", CodeBlock.join(sizes, " + "));
    if (length != null) {
      m.addComment("the number of outputs, from the method's code: nothing runs to count them");
      m.addCode(lengthDeclarations);
      m.addStatement("int _outputs$$ = $L", length);
    } else {
      m.addComment("the result's length is known only by running the method: the forward sweep of the");
      m.addComment("first column counts the outputs");
      m.addStatement("$T _first$$", jvpRecordName(g));
      m.addCode("{\n$>");
      m.addStatement("int _j$$ = 0");
      addUnitTangents(m, g, tangents, sizes);
      m.addStatement("_first$$ = $N($L)", g.name() + "Jvp", jvpArgs(params, tangents));
      m.addCode("$<}\n");
      m.addStatement("int _outputs$$ = _first$$.value().length");
    }
    m.addStatement("double[][] _jacobian$$ = new double[_outputs$$][_inputs$$]");
    m.beginControlFlow("if (_inputs$$ <= _outputs$$)");
    if (jvps) {
      addColumnsByVectorForward(m, g, tangents, sizes, params, length == null);
    } else {
      addColumnsByForward(m, g, tangents, sizes, params, length == null);
    }
    m.nextControlFlow("else");
    if (rows) {
      m.addComment("fewer outputs: reverse sweeps, one per row, over one forward sweep");
      m.addStatement("$N($L$L_jacobian$$)", g.name() + "JacobianRows", call, call.isEmpty() ? "" : ", ");
    } else {
      m.addComment("fewer outputs: one reverse sweep per output gives a row");
      m.beginControlFlow("for (int _i$$ = 0; _i$$ < _outputs$$; _i$$++)");
      m.addStatement("double[] _seed$$ = new double[_outputs$$]");
      m.addStatement("_seed$$[_i$$] = 1");
      m.addStatement("$T _row$$ = $N($L$L_seed$$)", recordName(g), g.name() + "Vjp", call, call.isEmpty() ? "" : ", ");
      m.addStatement("int _j$$ = 0");
      for (Var p : g.wrt()) {
        if (p.type() == Type.DOUBLE) {
          m.addStatement("_jacobian$$[_i$$][_j$$++] = _row$$.$N()", p.name());
        } else {
          m.addStatement("$L.arraycopy(_row$$.$N(), 0, _jacobian$$[_i$$], _j$$, $N.length)",
              qualifier(g, ClassName.get(System.class)), p.name(), p.name());
          m.addStatement("_j$$ += $N.length", p.name());
        }
      }
      m.endControlFlow();
    }
    m.endControlFlow();
    m.addStatement("return _jacobian$$");
    type.addMethod(m.build());
  }

  /** Forward mode, one sweep per input: column j from the tangent along eⱼ. */
  private void addColumnsByForward(MethodSpec.Builder m, MethodGraph g, List<Var> tangents, List<CodeBlock> sizes,
      List<String> params, boolean firstDone) {
    m.addComment("fewer inputs: one forward sweep per input gives a column");
    m.beginControlFlow("for (int _j$$ = 0; _j$$ < _inputs$$; _j$$++)");
    if (firstDone) {
      m.beginControlFlow("if (_j$$ == 0)");
      m.beginControlFlow("for (int _i$$ = 0; _i$$ < _outputs$$; _i$$++)");
      m.addStatement("_jacobian$$[_i$$][0] = _first$$.tangent()[_i$$]");
      m.endControlFlow();
      m.addStatement("continue");
      m.endControlFlow();
    }
    addUnitTangents(m, g, tangents, sizes);
    m.addStatement("double[] _column$$ = $N($L).tangent()", g.name() + "Jvp", jvpArgs(params, tangents));
    m.beginControlFlow("for (int _i$$ = 0; _i$$ < _outputs$$; _i$$++)");
    m.addStatement("_jacobian$$[_i$$][_j$$] = _column$$[_i$$]");
    m.endControlFlow();
    m.endControlFlow();
  }

  /**
   * Vector forward mode: the columns in chunks of up to 32 directions, each chunk over one primal
   * sweep ({@code fJvpsRows}, writing into the rows directly).
   */
  private void addColumnsByVectorForward(MethodSpec.Builder m, MethodGraph g, List<Var> tangents,
      List<CodeBlock> sizes, List<String> params, boolean firstDone) {
    m.addComment("fewer inputs: forward mode along up to 32 inputs at once, each chunk over one primal sweep");
    if (firstDone) {
      m.beginControlFlow("for (int _i$$ = 0; _i$$ < _outputs$$; _i$$++)");
      m.addStatement("_jacobian$$[_i$$][0] = _first$$.tangent()[_i$$]");
      m.endControlFlow();
    }
    m.beginControlFlow("for (int _j0$$ = $L; _j0$$ < _inputs$$; _j0$$ += 32)", firstDone ? 1 : 0);
    m.addStatement("int _nd$$ = $L.min(32, _inputs$$ - _j0$$)", qualifier(g, ClassName.get(Math.class)));
    CodeBlock offset = CodeBlock.of("0");
    List<String> args = new java.util.ArrayList<>(params);
    for (int k = 0; k < g.wrt().size(); k++) {
      Var p = g.wrt().get(k);
      Var t = tangents.get(k);
      if (p.type() == Type.DOUBLE) {
        m.addStatement("double[] $N = new double[_nd$$]", t.name());
      } else {
        m.addStatement("double[][] $N = new double[_nd$$][$N.length]", t.name(), p.name());
      }
      args.add(t.name());
    }
    m.beginControlFlow("for (int _k$$ = 0; _k$$ < _nd$$; _k$$++)");
    m.addStatement("int _j$$ = _j0$$ + _k$$");
    for (int k = 0; k < g.wrt().size(); k++) {
      Var p = g.wrt().get(k);
      Var t = tangents.get(k);
      if (p.type() == Type.DOUBLE) {
        m.addStatement("$N[_k$$] = _j$$ == $L ? 1 : 0", t.name(), offset);
      } else {
        m.beginControlFlow("if (_j$$ >= $L && _j$$ < $L + $N.length)", offset, offset, p.name());
        m.addStatement("$N[_k$$][_j$$ - ($L)] = 1", t.name(), offset);
        m.endControlFlow();
      }
      offset = CodeBlock.of("$L + $L", offset, sizes.get(k));
    }
    m.endControlFlow();
    // straight into the rows' block of columns _j0$ ...: each output's directions are side by side
    m.addStatement("$N($L, _jacobian$$, _j0$$)", g.name() + "JvpsRows", String.join(", ", args));
    m.endControlFlow();
  }

  /** The tangents of the unit direction {@code _j$} over the flattened inputs. */
  private void addUnitTangents(MethodSpec.Builder m, MethodGraph g, List<Var> tangents, List<CodeBlock> sizes) {
    CodeBlock offset = CodeBlock.of("0");
    for (int k = 0; k < g.wrt().size(); k++) {
      Var p = g.wrt().get(k);
      Var t = tangents.get(k);
      if (p.type() == Type.DOUBLE) {
        m.addStatement("double $N = _j$$ == $L ? 1 : 0", t.name(), offset);
      } else {
        m.addStatement("double[] $N = new double[$N.length]", t.name(), p.name());
        m.beginControlFlow("if (_j$$ >= $L && _j$$ < $L + $N.length)", offset, offset, p.name());
        m.addStatement("$N[_j$$ - ($L)] = 1", t.name(), offset);
        m.endControlFlow();
      }
      offset = CodeBlock.of("$L + $L", offset, sizes.get(k));
    }
  }

  private static String jvpArgs(List<String> params, List<Var> tangents) {
    List<String> args = new java.util.ArrayList<>(params);
    tangents.forEach(t -> args.add(t.name()));
    return String.join(", ", args);
  }

  /** A type before a dot in a wrapper ({@code Model.f(x)}): qualified where a parameter shadows it. */
  private static CodeBlock qualifier(MethodGraph g, ClassName type) {
    return ExprWriter.qualifier(type, g.params().stream().map(Var::name).collect(Collectors.toSet()));
  }

  private static String wrtList(MethodGraph g) {
    return g.wrt().stream().map(Var::name).collect(Collectors.joining(", "));
  }

  private void addRecord(ExecutableElement method, MethodGraph g) {
    String link = link(method);
    MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
        .addParameter(javaType(g.result().type()), "value");
    StringBuilder components = new StringBuilder();
    for (Var p : g.wrt()) {
      ctor.addParameter(javaType(p), p.name());
      components.append("\n@param ").append(p.name()).append(" ∂value/∂").append(p.name());
    }
    TypeSpec.Builder record = TypeSpec.recordBuilder(g.recordName())
        .addModifiers(recordModifiers(method))
        .addJavadoc("Value and gradient of {@link $L}.\n\n@param value the method's result$L\n",
            link, components)
        .recordConstructor(ctor.build());
    // training helpers take the gradients as one array, in parameter order
    java.util.Set<Type> types = g.wrt().stream().map(Var::type).collect(Collectors.toSet());
    if (types.size() == 1 && (types.contains(Type.TENSOR) || types.contains(Type.DOUBLE_ARRAY))) {
      TypeName element = javaType(types.iterator().next());
      record.addMethod(MethodSpec.methodBuilder("gradients")
          .addModifiers(Modifier.PUBLIC)
          .returns(ArrayTypeName.of(element))
          .addJavadoc("The gradients in parameter order ($L), for optimisers.\n", wrtList(g))
          .addStatement("return new $T[] {$L}", element,
              g.wrt().stream().map(Var::name).collect(Collectors.joining(", ")))
          .build());
    }
    type.addType(record.build());
  }

  public JavaFile file() {
    if (access != null) {
      access.addTo(type);
      access = null;
    }
    return JavaFile.builder(name.packageName(), type.build())
        .indent("    ")
        .build();
  }

  private String link(ExecutableElement method) {
    List<String> params = method.getParameters().stream()
        .map(p -> p.asType().toString()).toList();
    return ClassName.get(source).canonicalName() + "#" + method.getSimpleName()
        + "(" + String.join(", ", params) + ")";
  }

  /** A parameter's Java type: the model's class for an instance method's receiver. */
  public static TypeName javaType(Var v) {
    return v.type() == Type.OBJECT && v.objectType() != null ? v.objectType() : javaType(v.type());
  }

  public static TypeName javaType(Type t) {
    return switch (t) {
      case DOUBLE -> TypeName.DOUBLE;
      case INT -> TypeName.INT;
      case LONG -> TypeName.LONG;
      case BOOLEAN -> TypeName.BOOLEAN;
      case DOUBLE_ARRAY -> ArrayTypeName.of(TypeName.DOUBLE);
      case TENSOR -> TENSOR;
      case INT_ARRAY -> ArrayTypeName.of(TypeName.INT);
      case LONG_ARRAY -> ArrayTypeName.of(TypeName.LONG);
      case BOOLEAN_ARRAY -> ArrayTypeName.of(TypeName.BOOLEAN);
      case OBJECT -> ClassName.OBJECT;
      case DOUBLE_ARRAY_2D -> ArrayTypeName.of(ArrayTypeName.of(TypeName.DOUBLE));
      case DOUBLE_ARRAY_3D -> ArrayTypeName.of(ArrayTypeName.of(ArrayTypeName.of(TypeName.DOUBLE)));
      case INT_ARRAY_2D -> ArrayTypeName.of(ArrayTypeName.of(TypeName.INT));
    };
  }
}
