package dev.adjoint.processor.emit;

import com.palantir.javapoet.ClassName;
import java.util.ArrayList;
import java.util.List;
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

  /** {@code com.example.Model} → {@code com.example.ModelGrad}; {@code Outer.Inner} → {@code Outer_InnerGrad}. */
  public static ClassName gradClass(TypeElement type) {
    ClassName source = ClassName.get(type);
    String simple = String.join("_", source.simpleNames()) + "Grad";
    return ClassName.get(source.packageName(), simple);
  }

  /**
   * The record a method's gradient method returns: the method's name capitalised; overloads of
   * one name get 2, 3, ... in declaration order.
   */
  public static String recordName(ExecutableElement method, Class<? extends java.lang.annotation.Annotation> marker) {
    String base = Character.toUpperCase(method.getSimpleName().charAt(0))
        + method.getSimpleName().toString().substring(1);
    List<ExecutableElement> sameName = new ArrayList<>();
    for (ExecutableElement m : ElementFilter.methodsIn(method.getEnclosingElement().getEnclosedElements())) {
      if (m.getSimpleName().contentEquals(method.getSimpleName()) && m.getAnnotation(marker) != null) {
        sameName.add(m);
      }
    }
    int index = sameName.indexOf(method);
    return index <= 0 ? base : base + (index + 1);
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
