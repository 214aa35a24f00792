package dev.adjoint.processor.diag;

import com.sun.source.tree.Tree;
import dev.adjoint.processor.parse.SourceUnit;
import javax.annotation.processing.Messager;
import javax.lang.model.element.Element;

/**
 * The one channel for messages: each is tied to an element or to a tree inside a method body,
 * so javac prints it at the exact source line. Counts errors so the processor writes nothing
 * for a method that had one.
 */
public final class Diagnostics {
  private final Messager messager;
  private int errors;

  public Diagnostics(Messager messager) {
    this.messager = messager;
  }

  /** Counts errors and prints nothing: for trying whether a method could be differentiated. */
  public static Diagnostics silent() {
    return new Diagnostics(null);
  }

  /** Reports at an element (a method, a parameter, a class). */
  public void report(Element element, Message message, Object... args) {
    count(message);
    if (messager != null) {
      messager.printMessage(message.kind(), message.format(args), element);
    }
  }

  /**
   * Reports at an annotation's element value (such as {@code wrt = {...}}), where the mistake
   * is; falls back to the element when the annotation is not found.
   */
  public void report(Element element, String annotation, String member, Message message, Object... args) {
    count(message);
    if (messager == null) {
      return;
    }
    for (javax.lang.model.element.AnnotationMirror m : element.getAnnotationMirrors()) {
      if (m.getAnnotationType().toString().equals(annotation)) {
        for (var e : m.getElementValues().entrySet()) {
          if (e.getKey().getSimpleName().contentEquals(member)) {
            messager.printMessage(message.kind(), message.format(args), element, m, e.getValue());
            return;
          }
        }
        messager.printMessage(message.kind(), message.format(args), element, m);
        return;
      }
    }
    messager.printMessage(message.kind(), message.format(args), element);
  }

  /** Reports at a tree inside a method body: javac shows its line and column. */
  public void report(SourceUnit unit, Tree at, Message message, Object... args) {
    count(message);
    if (messager != null) {
      unit.report(message.kind(), message.format(args), at);
    }
  }

  private void count(Message message) {
    if (message.kind() == javax.tools.Diagnostic.Kind.ERROR) {
      errors++;
    }
  }

  public int errorCount() {
    return errors;
  }
}
