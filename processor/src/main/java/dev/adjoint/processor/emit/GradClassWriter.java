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

  /** The record type a method's gradient method returns. */
  public ClassName recordName(MethodGraph g) {
    return name.nestedClass(g.recordName());
  }

  public void add(ExecutableElement method, MethodGraph g, CodeBlock body) {
    addRecord(method, g);
    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name())
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and its gradient with respect to $L in one call.\n",
            link(method), wrtList(g));
    for (Var p : g.params()) {
      m.addParameter(ParameterSpec.builder(javaType(p.type()), p.name()).build());
    }
    m.addCode(body);
    type.addMethod(m.build());
    type.addOriginatingElement(method);
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
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and the vector-Jacobian product with respect to $L: the\n"
            + "gradient of {@code sum(value * $N)}, for a caller that knows the result's adjoint.\n",
            link, wrtList(g), seed.name());
    for (Var p : g.params()) {
      vjp.addParameter(javaType(p.type()), p.name());
    }
    vjp.addParameter(TENSOR, seed.name());
    vjp.addCode(body);
    type.addMethod(vjp.build());

    MethodSpec.Builder ones = MethodSpec.methodBuilder(g.name())
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and the gradient of the sum of its elements with respect to $L.\n",
            link, wrtList(g));
    List<String> args = new java.util.ArrayList<>();
    for (Var p : g.params()) {
      ones.addParameter(javaType(p.type()), p.name());
      args.add(p.name());
    }
    String call = String.join(", ", args);
    ones.addStatement("$T value = $T.$N($L)", TENSOR, ClassName.get(source), g.name(), call);
    ones.addStatement("return $N($L, $T.ones(value.shape()))", g.name() + "Vjp",
        call.isEmpty() ? "" : call, TENSOR);
    type.addMethod(ones.build());
    type.addOriginatingElement(method);
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
      ctor.addParameter(javaType(p.type()), p.name());
      components.append("\n@param ").append(p.name()).append(" ∂value/∂").append(p.name());
    }
    TypeSpec record = TypeSpec.recordBuilder(g.recordName())
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("Value and gradient of {@link $L}.\n\n@param value the method's result$L\n",
            link, components)
        .recordConstructor(ctor.build())
        .build();
    type.addType(record);
  }

  public JavaFile file() {
    return JavaFile.builder(name.packageName(), type.build())
        .skipJavaLangImports(true)
        .indent("    ")
        .build();
  }

  private String link(ExecutableElement method) {
    List<String> params = method.getParameters().stream()
        .map(p -> p.asType().toString()).toList();
    return ClassName.get(source).canonicalName() + "#" + method.getSimpleName()
        + "(" + String.join(", ", params) + ")";
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
      case OBJECT -> ClassName.OBJECT;
    };
  }
}
