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

  /** How this class reaches the user's members; its handles are added by {@link #file()}. */
  public void access(Access access) {
    this.access = access;
  }

  /** {@code Model.f} for a wrapper that calls the source method (through a handle when it is private). */
  private CodeBlock sourceMethod(MethodGraph g) {
    String bridge = access == null ? null : access.method(ClassName.get(source), g.name(),
        g.params().stream().map(Var::type).toList(), g.params().size());
    return bridge != null ? CodeBlock.of("$N", bridge)
        : CodeBlock.of("$L.$N", qualifier(g, ClassName.get(source)), g.name());
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
      ones.addStatement("$T _value$$ = $L($L)", TENSOR, sourceMethod(g), call);
      ones.addStatement("return $N($L$L$L.ones(_value$$.shape()))", g.name() + "Vjp", call, sep, qualifier(g, TENSOR));
    } else if (seed.type().isNdDoubleArray()) {
      ones.addStatement("$L _value$$ = $L($L)", seed.type().javaName(), sourceMethod(g), call);
      ones.addStatement("return $N($L$L$L.onesLike(_value$$))", g.name() + "Vjp", call, sep,
          qualifier(g, dev.adjoint.processor.emit.Naming.ADJOINTS));
    } else {
      ones.addStatement("double[] _value$$ = $L($L)", sourceMethod(g), call);
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

  /**
   * Second derivatives: {@code fHvp(params..., directions...)} (value, gradient, Hessian-vector
   * product) by forward over reverse, and {@code fHessian(params)}, the full matrix from one
   * Hessian-vector product per parameter.
   */
  public void addHessian(ExecutableElement method, MethodGraph g, List<Var> directions, CodeBlock body) {
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
   * {@code fJacobian(params)} of a vector-valued method: ∂value[i]/∂input[j] over the
   * differentiated parameters flattened in order, by forward mode (a column per input) when
   * there are no more inputs than outputs, else by reverse mode (a row per output).
   */
  public void addJacobian(ExecutableElement method, MethodGraph g, List<Var> tangents) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name() + "Jacobian")
        .addModifiers(methodModifiers(method))
        .returns(ArrayTypeName.of(ArrayTypeName.of(TypeName.DOUBLE)))
        .addJavadoc("The Jacobian of {@link $L}: rows are outputs, columns the inputs ($L) flattened in\n"
            + "order. Forward mode (one sweep per input) when there are no more inputs than outputs,\n"
            + "else reverse mode (one sweep per output).\n", link(method), wrtList(g));
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
    m.addStatement("int _outputs$$ = $L($L).length", sourceMethod(g), call);
    m.addStatement("int _inputs$$ = $L", CodeBlock.join(sizes, " + "));
    m.addStatement("double[][] _jacobian$$ = new double[_outputs$$][_inputs$$]");
    m.beginControlFlow("if (_inputs$$ <= _outputs$$)");
    m.addComment("fewer inputs: one forward sweep per input gives a column");
    m.beginControlFlow("for (int _j$$ = 0; _j$$ < _inputs$$; _j$$++)");
    List<String> jvpArgs = new java.util.ArrayList<>(params);
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
      jvpArgs.add(t.name());
      offset = CodeBlock.of("$L + $L", offset, sizes.get(k));
    }
    m.addStatement("double[] _column$$ = $N($L).tangent()", g.name() + "Jvp", String.join(", ", jvpArgs));
    m.beginControlFlow("for (int _i$$ = 0; _i$$ < _outputs$$; _i$$++)");
    m.addStatement("_jacobian$$[_i$$][_j$$] = _column$$[_i$$]");
    m.endControlFlow();
    m.endControlFlow();
    m.nextControlFlow("else");
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
    m.endControlFlow();
    m.addStatement("return _jacobian$$");
    type.addMethod(m.build());
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
