package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.processor.emit.Naming;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Decides how a called method is differentiated: through its generated gradient method (it is
 * {@code @Differentiable}), through a user's {@code @Derivative}, or not at all. Works the same
 * for callees in this compilation and in jars compiled earlier, because it only reads
 * declarations and annotations.
 */
public final class CallResolver {
  private final Elements elements;
  private final Types types;

  private final Declarations declarations;

  public CallResolver(Elements elements, Types types) {
    this.elements = elements;
    this.types = types;
    this.declarations = new Declarations(elements);
  }

  private java.util.function.Predicate<ExecutableElement> helpers = m -> false;

  /**
   * Which static methods that are neither {@code @Differentiable} nor have a {@code @Derivative}
   * are differentiated all the same, as if annotated with the defaults: the helpers whose source
   * is in this compilation and that can be differentiated.
   */
  public void implicitHelpers(java.util.function.Predicate<ExecutableElement> helpers) {
    this.helpers = helpers;
  }

  private java.util.function.Predicate<ExecutableElement> compiledHere = m -> false;

  /**
   * Which methods' classes are compiled from source now: their generated classes are written in
   * this compilation, with the accumulating overload wherever it applies (see {@link
   * #hasAccumulating}).
   */
  public void compiledHere(java.util.function.Predicate<ExecutableElement> compiledHere) {
    this.compiledHere = compiledHere;
  }

  /** The method's {@code @Differentiable}, or the defaults for a helper differentiated without one. */
  public static Differentiable annotation(ExecutableElement method) {
    Differentiable d = method.getAnnotation(Differentiable.class);
    return d != null ? d : DEFAULTS;
  }

  private static final Differentiable DEFAULTS = new Differentiable() {
    @Override
    public Class<? extends java.lang.annotation.Annotation> annotationType() {
      return Differentiable.class;
    }

    @Override
    public String[] wrt() {
      return new String[0];
    }

    @Override
    public boolean forward() {
      return false;
    }

    @Override
    public boolean hessian() {
      return false;
    }
  };

  /** Classes and members by name, remembered for the round. */
  public Declarations declarations() {
    return declarations;
  }

  /** The parameters a {@code @Differentiable} method differentiates, as indexes. */
  public static List<Integer> wrtIndexes(ExecutableElement method) {
    List<String> wrt = Arrays.asList(annotation(method).wrt());
    List<Integer> result = new ArrayList<>();
    List<? extends VariableElement> params = method.getParameters();
    for (int i = 0; i < params.size(); i++) {
      Optional<Type> t = typeOf(params.get(i).asType());
      boolean named = wrt.isEmpty() ? t.isPresent() && t.get().differentiable()
          : wrt.contains(params.get(i).getSimpleName().toString());
      if (named) {
        result.add(i);
      }
    }
    return result;
  }

  public static final String TENSOR = "dev.adjoint.tensor.Tensor";

  public static Optional<Type> typeOf(TypeMirror t) {
    return switch (t.getKind()) {
      case DOUBLE -> Optional.of(Type.DOUBLE);
      case INT -> Optional.of(Type.INT);
      case LONG -> Optional.of(Type.LONG);
      case BOOLEAN -> Optional.of(Type.BOOLEAN);
      case ARRAY -> switch (((javax.lang.model.type.ArrayType) t).getComponentType().getKind()) {
        case DOUBLE -> Optional.of(Type.DOUBLE_ARRAY);
        case INT -> Optional.of(Type.INT_ARRAY);
        case LONG -> Optional.of(Type.LONG_ARRAY);
        case BOOLEAN -> Optional.of(Type.BOOLEAN_ARRAY);
        // n-D arrays: double[][], double[][][] and int[][], long[][], boolean[][]
        case ARRAY -> typeOf(((javax.lang.model.type.ArrayType) t).getComponentType()).map(Type::rowsOf);
        default -> Optional.empty();
      };
      case DECLARED -> t.toString().equals(TENSOR) ? Optional.of(Type.TENSOR) : Optional.empty();
      default -> Optional.empty();
    };
  }

  /** Empty when a parameter or the result has a type the graph cannot hold. */
  public Optional<CallTarget> resolve(ExecutableElement callee) {
    List<Type> paramTypes = new ArrayList<>();
    for (VariableElement p : callee.getParameters()) {
      Optional<Type> t = typeOf(p.asType());
      if (t.isEmpty()) {
        return Optional.empty();
      }
      paramTypes.add(t.get());
    }
    Optional<Type> ret = typeOf(callee.getReturnType());
    if (ret.isEmpty()) {
      return Optional.empty();
    }
    TypeElement owner = Naming.owner(callee);
    ClassName ownerName = ClassName.get(owner);
    String name = callee.getSimpleName().toString();

    Optional<ExecutableElement> custom = customDerivative(callee);
    if (custom.isPresent()) {
      List<String> partials = new ArrayList<>();
      int k = 0;
      int doubles = (int) paramTypes.stream().filter(t -> t == Type.DOUBLE).count();
      for (Type t : paramTypes) {
        partials.add(t == Type.DOUBLE ? (doubles == 1 ? "" : Integer.toString(k++)) : null);
      }
      return Optional.of(new CallTarget(ownerName, name, paramTypes, ret.get(),
          CallTarget.Kind.CUSTOM, ownerName, custom.get().getSimpleName().toString(),
          TypeName.get(custom.get().getReturnType()), partials, false, false));
    }
    Differentiable annotated = callee.getAnnotation(Differentiable.class);
    if ((ret.get() == Type.DOUBLE || ret.get() == Type.TENSOR) && (annotated != null || helpers.test(callee))
        || ret.get().isDoubleArray() && (annotated != null || helpers.test(callee))) {
      ClassName grad = Naming.gradClass(owner);
      String record = Naming.recordName(callee, Differentiable.class);
      List<String> names = accessorNames(callee, grad, record);
      List<Integer> wrt = compiledWrt(callee, grad).orElseGet(() -> wrtIndexes(callee));
      List<String> partials = new ArrayList<>();
      int k = 0;
      for (int i = 0; i < paramTypes.size(); i++) {
        partials.add(wrt.contains(i) ? names.get(k++) : null);
      }
      // a layer (Tensor result) is differentiated by its vector-Jacobian product, called in
      // the caller's reverse sweep with the result's adjoint
      String derivative = ret.get() == Type.TENSOR || ret.get().isDoubleArray() ? name + "Vjp" : name;
      boolean instance = !callee.getModifiers().contains(Modifier.STATIC);
      return Optional.of(new CallTarget(ownerName, name, paramTypes, ret.get(),
          CallTarget.Kind.GENERATED, grad, derivative, grad.nestedClass(record), partials,
          // a helper differentiated implicitly gets the modes its callers need
          annotated == null || annotated.hessian(),
          annotated == null || annotated.forward() || ret.get().isDoubleArray(), false, null,
          hasAccumulating(callee, grad, ret.get(), paramTypes, wrt, instance)));
    }
    return Optional.of(new CallTarget(ownerName, name, paramTypes, ret.get(), CallTarget.Kind.PLAIN,
        null, null, null, null, false, false));
  }

  /**
   * Whether a caller may call the callee's accumulating overload {@code fAccumulate(params...,
   * double seed, adjoint arrays...)}: written for a callee returning double whose differentiated
   * parameters are all arrays, so its class either is compiled from source now (its generated
   * class is written in this compilation, with the overload), or was compiled earlier and its
   * generated class must declare the overload itself: a library compiled before the overload
   * existed has only the gradient record, which the caller then calls instead.
   */
  private boolean hasAccumulating(ExecutableElement callee, ClassName grad, Type ret, List<Type> paramTypes,
      List<Integer> wrt, boolean instance) {
    if (ret != Type.DOUBLE || wrt.isEmpty() || !wrt.stream().allMatch(i -> paramTypes.get(i).isDoubleArray())) {
      return false;
    }
    if (compiledHere.test(callee)) {
      return true;
    }
    TypeElement gradType = elements.getTypeElement(grad.canonicalName());
    if (gradType == null) {
      return false;
    }
    List<? extends VariableElement> params = callee.getParameters();
    int self = instance ? 1 : 0;
    String expected = callee.getSimpleName() + CallTarget.ACCUMULATE_SUFFIX;
    for (ExecutableElement m : ElementFilter.methodsIn(gradType.getEnclosedElements())) {
      List<? extends VariableElement> ps = m.getParameters();
      if (!m.getSimpleName().contentEquals(expected) || ps.size() != self + params.size() + 1 + wrt.size()
          || m.getReturnType().getKind() != javax.lang.model.type.TypeKind.DOUBLE
          || !m.getModifiers().contains(Modifier.STATIC)
          || ps.get(self + params.size()).asType().getKind() != javax.lang.model.type.TypeKind.DOUBLE) {
        continue;
      }
      boolean same = true; // the receiver, for an instance method, is checked by the compiler
      for (int i = 0; i < params.size() && same; i++) {
        same = types.isSameType(types.erasure(ps.get(self + i).asType()), types.erasure(params.get(i).asType()));
      }
      for (int k = 0; k < wrt.size() && same; k++) {
        same = types.isSameType(ps.get(self + params.size() + 1 + k).asType(), params.get(wrt.get(k)).asType());
      }
      if (same) {
        return true;
      }
    }
    return false;
  }

  /**
   * The record components after {@code value}: read from the generated class when it already
   * exists (a library compiled earlier, whose parameter names may be lost), else the callee's
   * parameter names.
   */
  private List<String> accessorNames(ExecutableElement callee, ClassName grad, String record) {
    TypeElement recordType = elements.getTypeElement(grad.canonicalName() + "." + record);
    List<String> names = new ArrayList<>();
    if (recordType != null) {
      for (RecordComponentElement c : recordType.getRecordComponents()) {
        names.add(c.getSimpleName().toString());
      }
      if (!names.isEmpty() && names.get(0).equals("value")) {
        return names.subList(1, names.size());
      }
      names.clear();
    }
    for (int i : wrtIndexes(callee)) {
      names.add(callee.getParameters().get(i).getSimpleName().toString());
    }
    return names;
  }

  /**
   * The differentiated positions recorded on the generated method of a callee compiled earlier
   * ({@code @Differentiated}): a jar compiled without parameter names cannot be matched by name.
   */
  private Optional<List<Integer>> compiledWrt(ExecutableElement callee, ClassName grad) {
    TypeElement gradType = elements.getTypeElement(grad.canonicalName());
    if (gradType == null) {
      return Optional.empty();
    }
    String method = callee.getSimpleName().toString();
    boolean layer = typeOf(callee.getReturnType()).map(t -> t == Type.TENSOR || t.isDoubleArray()).orElse(false);
    for (ExecutableElement m : ElementFilter.methodsIn(gradType.getEnclosedElements())) {
      String expected = layer ? method + "Vjp" : method;
      int params = callee.getParameters().size() + (layer ? 1 : 0);
      if (!m.getSimpleName().contentEquals(expected) || m.getParameters().size() != params) {
        continue;
      }
      for (int i = 0; i < callee.getParameters().size(); i++) {
        if (!types.isSameType(types.erasure(m.getParameters().get(i).asType()),
            types.erasure(callee.getParameters().get(i).asType()))) {
          params = -1;
        }
      }
      if (params < 0) {
        continue;
      }
      for (javax.lang.model.element.AnnotationMirror a : m.getAnnotationMirrors()) {
        if (a.getAnnotationType().toString().equals("dev.adjoint.runtime.Differentiated")) {
          for (var e : a.getElementValues().entrySet()) {
            List<Integer> out = new ArrayList<>();
            for (Object v : (List<?>) e.getValue().getValue()) {
              out.add((Integer) ((javax.lang.model.element.AnnotationValue) v).getValue());
            }
            return Optional.of(out);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A static {@code @Derivative(of = name)} method with the same parameter types. */
  public Optional<ExecutableElement> customDerivative(ExecutableElement callee) {
    for (ExecutableElement m : ElementFilter.methodsIn(callee.getEnclosingElement().getEnclosedElements())) {
      Derivative d = m.getAnnotation(Derivative.class);
      if (d != null && d.of().equals(callee.getSimpleName().toString())
          && m.getModifiers().contains(Modifier.STATIC) && sameParameters(m, callee)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  public boolean sameParameters(ExecutableElement a, ExecutableElement b) {
    if (a.getParameters().size() != b.getParameters().size()) {
      return false;
    }
    for (int i = 0; i < a.getParameters().size(); i++) {
      if (!types.isSameType(a.getParameters().get(i).asType(), b.getParameters().get(i).asType())) {
        return false;
      }
    }
    return true;
  }
}
