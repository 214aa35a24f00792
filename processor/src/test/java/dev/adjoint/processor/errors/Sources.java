package dev.adjoint.processor.errors;

import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.CompilationSubject;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.processor.AdjointProcessor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Shared plumbing of the error catalogue: builds test sources, compiles them with the processor
 * (with the {@code Compiled} harness's options, {@code -Xlint:all -parameters}), and checks that
 * an expected error is on the expected file and line.
 *
 * <p>Expected lines are marked in the source itself with the comment {@link #HERE} at the end of
 * the line, so a table entry never has to count lines by hand.
 */
final class Sources {
  /** End-of-line marker for "the error belongs on this line". */
  static final String HERE = "// <- error";

  private Sources() {}

  /** {@code package p; import ...; public final class Model { members }}. */
  static String model(String members) {
    return """
        package p;

        import dev.adjoint.Derivative;
        import dev.adjoint.Differentiable;

        public final class Model {
        %s
        }
        """.formatted(indent(members));
  }

  /**
   * A model whose one {@code @Differentiable} method {@code f(double x, int n, double[] xs)} has
   * the given body, plus a plain helper {@code apply(DoubleUnaryOperator, double)}.
   */
  static String body(String body) {
    return model("""
        @Differentiable
        public static double f(double x, int n, double[] xs) {
        %s
        }

        static double apply(java.util.function.DoubleUnaryOperator op, double v) {
          return op.applyAsDouble(v);
        }
        """.formatted(indent(body)));
  }

  private static String indent(String text) {
    return text.lines().map(l -> l.isEmpty() ? l : "  " + l).collect(Collectors.joining("\n"));
  }

  /** 1-based numbers of the lines that carry the {@link #HERE} marker. */
  static List<Integer> markedLines(String source) {
    List<Integer> lines = new ArrayList<>();
    List<String> all = source.lines().toList();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains(HERE)) {
        lines.add(i + 1);
      }
    }
    return lines;
  }

  static JavaFileObject file(String qualifiedName, String source) {
    return JavaFileObjects.forSourceString(qualifiedName, source);
  }

  /** Compiles with the processor; an exception escaping javac or the processor fails the test. */
  static Compilation compile(JavaFileObject... files) {
    return assertDoesNotThrow(
        () -> javac().withProcessors(new AdjointProcessor()).withOptions("-Xlint:all", "-parameters").compile(files),
        "javac or the processor crashed");
  }

  /** Every diagnostic, one per line, for failure messages. */
  static String dump(Compilation c) {
    StringBuilder sb = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> d : c.diagnostics()) {
      sb.append("  ").append(d.getKind()).append(" ")
          .append(d.getSource() == null ? "-" : d.getSource().getName()).append(":")
          .append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
    }
    return sb.length() == 0 ? "  (no diagnostics)\n" : sb.toString();
  }

  /**
   * The compilation failed, the processor did not crash or report an internal error, and no
   * diagnostic was reported twice.
   * (compile-testing hides generated files of a failed compilation; errors inside generated code
   * are caught by {@link #onlyAdjointErrorsOn}, since javac's own messages carry no Adjoint id.)
   */
  static void failedCleanly(Compilation c) {
    assertWithMessage("compilation should fail; diagnostics:\n%s", dump(c))
        .that(c.status()).isEqualTo(Compilation.Status.FAILURE);
    Set<String> seen = new HashSet<>();
    for (Diagnostic<? extends JavaFileObject> d : c.diagnostics()) {
      String m = d.getMessage(Locale.ROOT);
      String key = (d.getSource() == null ? "-" : d.getSource().toUri()) + ":" + d.getPosition() + ":" + m;
      if (!seen.add(key)) {
        fail("the same diagnostic was reported twice:\n" + dump(c));
      }
      if (m.contains("[AdjointInternal]") || m.contains("uncaught exception")
          || m.matches("(?s).*\\bat [\\w.$]+\\(.*")) {
        fail("processor crashed or reported an internal error:\n" + dump(c));
      }
    }
  }

  /**
   * An error on {@code line} of {@code file} whose text contains {@code id} and every fragment
   * (one and the same diagnostic must contain them all).
   */
  static void errorAt(Compilation c, JavaFileObject file, int line, String id, String... fragments) {
    CompilationSubject.assertThat(c).hadErrorContaining(id).inFile(file).onLine(line);
    for (Diagnostic<? extends JavaFileObject> d : c.errors()) {
      String m = d.getMessage(Locale.ROOT);
      if (d.getSource() != null && d.getSource().toUri().equals(file.toUri())
          && d.getLineNumber() == line && m.contains(id)) {
        boolean all = true;
        for (String f : fragments) {
          all &= m.contains(f);
        }
        if (all) {
          return;
        }
      }
    }
    fail("expected an error on line " + line + " containing " + id + " and " + List.of(fragments)
        + "; diagnostics:\n" + dump(c));
  }

  /**
   * Every error comes from Adjoint (javac itself accepted the source) and sits on one of the
   * expected lines: no cascade of follow-up errors elsewhere.
   */
  static void onlyAdjointErrorsOn(Compilation c, JavaFileObject file, List<Integer> lines) {
    for (Diagnostic<? extends JavaFileObject> d : c.errors()) {
      String m = d.getMessage(Locale.ROOT);
      if (!m.startsWith("[Adjoint")) {
        fail("javac rejected the test source itself, or an error has no id:\n" + dump(c));
      }
      if (d.getSource() == null || !d.getSource().toUri().equals(file.toUri())
          || !lines.contains((int) d.getLineNumber())) {
        fail("unexpected error outside the expected lines " + lines + ":\n" + dump(c));
      }
    }
  }
}
