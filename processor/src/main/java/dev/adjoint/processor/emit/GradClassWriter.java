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
    String link = link(method);
    MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
        .addParameter(TypeName.DOUBLE, "value");
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

    MethodSpec.Builder m = MethodSpec.methodBuilder(g.name())
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(recordName(g))
        .addJavadoc("Computes {@link $L} and its gradient with respect to $L in one call.\n",
            link, g.wrt().stream().map(Var::name).collect(Collectors.joining(", ")));
    for (Var p : g.params()) {
      m.addParameter(ParameterSpec.builder(javaType(p.type()), p.name()).build());
    }
    m.addCode(body);
    type.addMethod(m.build());
    type.addOriginatingElement(method);
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
