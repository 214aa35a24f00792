package dev.adjoint.processor.parse;

import com.sun.source.tree.MethodTree;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.ExecutableElement;

/**
 * Finds the source of a method: its declaration's parse tree and its compilation unit. The one
 * place that knows which compiler runs: under javac the compiler's own parse trees (read through
 * the Tree API, never attributed), under any other compiler (Eclipse's ECJ) the unit's text
 * re-parsed with the JDK's parser.
 */
public interface SourceAccess {
  /** A method declaration and the unit it is in. */
  record MethodSource(SourceUnit unit, MethodTree tree) {}

  /** The method's source, or null when the compiler has none for it (a class file). */
  MethodSource find(ExecutableElement method);

  /** Whether the type is compiled from source in this compilation (not read from a class file). */
  boolean isSource(javax.lang.model.element.TypeElement type);

  /** Forgets what was read: trees change between rounds. */
  void newRound();

  /** The access for this compiler. */
  static SourceAccess of(ProcessingEnvironment env) {
    if (JavacSource.supports(env)) {
      return new JavacSource(env);
    }
    return new ReparsedSource(env);
  }
}
