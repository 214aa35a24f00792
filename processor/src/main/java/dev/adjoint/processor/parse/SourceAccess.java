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

  /**
   * Under a compiler without the Tree API: the parsed unit of a top-level type compiled from
   * source whose text contains {@code word}, else null. Under javac, null (javac's own trees are
   * watched as it analyzes them instead: {@code diag.DeclarationSites}).
   */
  default SourceUnit unitMentioning(javax.lang.model.element.TypeElement top, String word) {
    return null;
  }

  /**
   * Why no method's source can be read in this JVM, or null when it can. Another compiler's
   * sources are re-parsed with the JDK's parser (module {@code jdk.compiler}), which a bare Java
   * runtime does not have. Asks without loading any class of that module, so that the processor
   * can say so instead of failing to load.
   */
  static String unavailable() {
    try {
      Class.forName("com.sun.source.util.JavacTask", false, SourceAccess.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return "the Java runtime running the compiler has no module jdk.compiler, whose parser Adjoint needs"
          + " to read method bodies (a JRE, not a JDK)";
    }
    if (javax.tools.ToolProvider.getSystemJavaCompiler() == null) {
      return "the Java runtime running the compiler offers no system Java compiler, whose parser Adjoint"
          + " needs to read method bodies (a JRE, not a JDK)";
    }
    return null;
  }

  /** The access for this compiler. */
  static SourceAccess of(ProcessingEnvironment env) {
    if (JavacSource.supports(env)) {
      return new JavacSource(env);
    }
    return new ReparsedSource(env);
  }
}
