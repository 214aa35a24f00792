package dev.adjoint.processor.parse;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * Classes by name and the members of classes, as {@link Elements} gives them, remembered for one
 * round: every method of a class resolves the same names ({@code Math}, its own class's members),
 * and the compiler builds a class's member list anew on each {@code getAllMembers} call.
 */
public final class Declarations {
  private final Elements elements;
  private final Map<String, Optional<TypeElement>> types = new HashMap<>();
  private final Map<TypeElement, List<? extends Element>> members = new HashMap<>();

  public Declarations(Elements elements) {
    this.elements = elements;
  }

  /** Forgets everything: the compiler's classes change between rounds. */
  public void newRound() {
    types.clear();
    members.clear();
  }

  /** The class of that canonical name, or null. */
  TypeElement type(String name) {
    return types.computeIfAbsent(name, n -> Optional.ofNullable(elements.getTypeElement(n))).orElse(null);
  }

  /** The members of a class, inherited ones included. */
  List<? extends Element> members(TypeElement type) {
    return members.computeIfAbsent(type, elements::getAllMembers);
  }
}
