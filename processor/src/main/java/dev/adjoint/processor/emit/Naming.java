package dev.adjoint.processor.emit;

import com.palantir.javapoet.ClassName;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;

/**
 * The names of the user-facing contract, in one place: the generated class of a class, and the
 * record of a method. Callers compiled later compute the same names, so they must never depend
 * on anything but the declarations.
 */
public final class Naming {
  private Naming() {}

  /** The runtime classes generated code calls. */
  public static final ClassName TAPE = ClassName.get("dev.adjoint.runtime", "Tape");
  public static final ClassName ADJOINTS = ClassName.get("dev.adjoint.runtime", "Adjoints");
  public static final ClassName TENSOR_ADJOINTS = ClassName.get("dev.adjoint.runtime", "TensorAdjoints");

  /** {@code com.example.Model} → {@code com.example.ModelGrad}; {@code Outer.Inner} → {@code Outer_InnerGrad}. */
  public static ClassName gradClass(TypeElement type) {
    ClassName source = ClassName.get(type);
    String simple = String.join("_", source.simpleNames()) + "Grad";
    return ClassName.get(source.packageName(), simple);
  }

  /**
   * The record a method's gradient method returns: the method's name capitalised; overloads of
   * one name get 2, 3, ... in declaration order. Names are unique in the generated class:
   * records of earlier methods (and their Jvp, Hvp and Hessian records), the class's own name
   * and the names of the types its code refers to ({@link #TYPES_NAMED}, the source class) are
   * taken first, in declaration order, so callers compiled later compute the same.
   */
  public static String recordName(ExecutableElement method, Class<? extends java.lang.annotation.Annotation> marker) {
    // every method of a class asks: compute the class's names once (keys and values are
    // strings, so the weak key, the class, can be collected after the compilation)
    Map<String, String> names = RECORD_NAMES.computeIfAbsent(owner(method), k -> new java.util.HashMap<>())
        .computeIfAbsent(marker.getName(), k -> recordNames(owner(method), marker));
    String name = names.get(method.toString());
    if (name == null) {
      throw new IllegalStateException("not a marked method: " + method);
    }
    return name;
  }

  private static final Map<TypeElement, Map<String, Map<String, String>>> RECORD_NAMES =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /** Record names of the marked methods of a class, by the method's signature ({@code f(double)}). */
  private static Map<String, String> recordNames(TypeElement owner,
      Class<? extends java.lang.annotation.Annotation> marker) {
    Map<String, String> names = new java.util.HashMap<>();
    java.util.Set<String> used = new java.util.HashSet<>();
    // lower case, as free() compares: a method modelGrad must not give ModelGrad a record ModelGrad
    used.add(gradClass(owner).simpleName().toLowerCase(java.util.Locale.ROOT));
    // nor a method tensor a record Tensor: it would force the types generated code names to be
    // written qualified (dev.adjoint.tensor.Tensor), which a parameter named dev then shadows
    used.add(ClassName.get(owner).topLevelClassName().simpleName().toLowerCase(java.util.Locale.ROOT));
    for (String type : TYPES_NAMED) {
      used.add(type.toLowerCase(java.util.Locale.ROOT));
    }
    List<ExecutableElement> marked = new java.util.ArrayList<>();
    List<ExecutableElement> helpers = new java.util.ArrayList<>();
    for (ExecutableElement m : ElementFilter.methodsIn(owner.getEnclosedElements())) {
      if (m.getAnnotation(marker) != null) {
        marked.add(m);
      } else {
        helpers.add(m);
      }
    }
    // then the other methods, which may be differentiated implicitly as helpers: after
    // every marked one, so that the names callers compiled later compute never depend on them
    marked.addAll(helpers);
    for (ExecutableElement m : marked) {
      String base = Character.toUpperCase(m.getSimpleName().charAt(0)) + m.getSimpleName().toString().substring(1);
      String name = base;
      for (int k = 2; !free(used, name); k++) {
        name = base + k;
      }
      for (String variant : VARIANTS) {
        used.add((name + variant).toLowerCase(java.util.Locale.ROOT));
      }
      names.put(m.toString(), name);
    }
    return names;
  }

  /** Simple names of the types generated code refers to, besides the source class. */
  private static final List<String> TYPES_NAMED = List.of("Tensor", TAPE.simpleName(), ADJOINTS.simpleName(),
      TENSOR_ADJOINTS.simpleName(), "Differentiated", "Generated", "Math", "StrictMath", "Double", "Object",
      "Arrays", "System");

  /** The record suffixes of the other modes; "" is the gradient record itself. */
  private static final List<String> VARIANTS = List.of("", "Jvp", "Hvp", "Hessian", "HessianDiagonal");

  /** Record names must differ in more than case: class files live on case-insensitive disks too. */
  private static boolean free(java.util.Set<String> used, String name) {
    return VARIANTS.stream().noneMatch(v -> used.contains((name + v).toLowerCase(java.util.Locale.ROOT)));
  }

  /** The class a method belongs to. */
  public static TypeElement owner(Element method) {
    Element e = method.getEnclosingElement();
    while (e.getKind() != ElementKind.CLASS && e.getKind() != ElementKind.INTERFACE
        && e.getKind() != ElementKind.ENUM && e.getKind() != ElementKind.RECORD) {
      e = e.getEnclosingElement();
    }
    return (TypeElement) e;
  }
}
