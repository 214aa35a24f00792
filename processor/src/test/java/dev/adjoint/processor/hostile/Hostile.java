package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Plumbing of the hostile-input tests (after {@code errors.Sources}, copied rather than shared so
 * the two catalogues evolve independently): compile in-process with the processor and the
 * harness's options ({@code -Xlint:all -parameters}), then decide between the two acceptable
 * outcomes of a hostile source — it works (compiles cleanly and the gradient matches finite
 * differences), or it fails with a precise Adjoint error on the marked line — and the
 * unacceptable ones: a crash, an {@code [AdjointInternal]} error, or generated code that javac
 * rejects.
 */
final class Hostile {
  /** End-of-line marker for "an error, if any, belongs on this line". */
  static final String HERE = "// <- here";
  /** End-of-line marker for "a follow-up error may be on this line too" (never required). */
  static final String MAY = "// <- may";

  private Hostile() {}

  /** {@code package p; import ...; public final class Model { members }}. */
  static String model(String members) {
    return """
        package p;

        import dev.adjoint.Derivative;
        import dev.adjoint.Differentiable;
        import dev.adjoint.tensor.Tensor;

        public final class Model {
        %s
        }
        """.formatted(indent(members));
  }

  static String indent(String text) {
    return text.lines().map(l -> l.isEmpty() ? l : "  " + l).collect(Collectors.joining("\n"));
  }

  /** 1-based numbers of the lines that carry the {@link #HERE} marker. */
  static List<Integer> markedLines(String source) {
    return linesWith(source, HERE);
  }

  static List<Integer> linesWith(String source, String marker) {
    List<Integer> lines = new ArrayList<>();
    List<String> all = source.lines().toList();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains(marker)) {
        lines.add(i + 1);
      }
    }
    return lines;
  }

  /**
   * The failure is clean and precise: an Adjoint error on every line marked {@link #HERE} of
   * {@code source} (compiled as {@code name}), and errors on no other lines than those and the
   * ones marked {@link #MAY}.
   */
  static void preciseErrors(String name, String source) {
    Compilation c = compile(name, source);
    List<Integer> required = markedLines(source);
    List<Integer> allowed = new ArrayList<>(required);
    allowed.addAll(linesWith(source, MAY));
    preciseErrorsOn(c, uri(name), allowed, uris(name, source), false);
    Set<Integer> hit = new HashSet<>();
    c.errors().forEach(d -> hit.add((int) d.getLineNumber()));
    assertWithMessage("lines with an error; diagnostics:\n%s", dump(c)).that(hit).containsAtLeastElementsIn(required);
  }

  /** Compiles with the processor and extra options; an exception escaping javac fails the test. */
  static Compilation compile(List<String> options, String... nameAndSource) {
    return assertDoesNotThrow(() -> Compiled.compileWith(options, nameAndSource),
        "javac or the processor crashed");
  }

  static Compilation compile(String... nameAndSource) {
    return compile(List.of(), nameAndSource);
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

  /** A generated source file (a {@code ...Grad.java} the processor wrote), not one of the test's. */
  static boolean inGeneratedFile(Diagnostic<? extends JavaFileObject> d, Set<String> testFiles) {
    return d.getSource() != null && !testFiles.contains(d.getSource().toUri().toString());
  }

  /**
   * The processor neither crashed nor reported an internal error, no diagnostic was reported
   * twice, and javac found no error in the generated code.
   */
  static void noCrashNoBrokenOutput(Compilation c, Set<String> testFiles) {
    Set<String> seen = new HashSet<>();
    for (Diagnostic<? extends JavaFileObject> d : c.diagnostics()) {
      String m = d.getMessage(Locale.ROOT);
      String key = (d.getSource() == null ? "-" : d.getSource().toUri()) + ":" + d.getPosition() + ":" + m;
      if (!seen.add(key)) {
        fail("the same diagnostic was reported twice:\n" + dump(c));
      }
      if (m.contains("[AdjointInternal]") || m.contains("uncaught exception")
          || m.matches("(?s).*\\bat [\\w.$]+\\(.*")) {
        fail("the processor crashed or reported an internal error:\n" + dump(c));
      }
      if (d.getKind() == Diagnostic.Kind.ERROR && inGeneratedFile(d, testFiles)) {
        fail("the processor wrote code that javac rejects:\n" + dump(c));
      }
    }
  }

  /**
   * The compilation failed with Adjoint errors only, each on one of {@code lines} of {@code file}
   * (a precise error at the right line), and at least one error on each of those lines.
   */
  static void preciseErrorsOn(Compilation c, String file, List<Integer> lines, Set<String> testFiles) {
    preciseErrorsOn(c, file, lines, testFiles, true);
  }

  /**
   * As above; with {@code everyLine} false, one error on any of the lines is enough (where either
   * of two colliding declarations may carry it).
   */
  static void preciseErrorsOn(Compilation c, String file, List<Integer> lines, Set<String> testFiles,
      boolean everyLine) {
    noCrashNoBrokenOutput(c, testFiles);
    assertWithMessage("compilation should fail; diagnostics:\n%s", dump(c))
        .that(c.status()).isEqualTo(Compilation.Status.FAILURE);
    Set<Integer> hit = new HashSet<>();
    for (Diagnostic<? extends JavaFileObject> d : c.errors()) {
      String m = d.getMessage(Locale.ROOT);
      if (!m.startsWith("[Adjoint")) {
        fail("an error without an Adjoint id (javac rejected the source or the output):\n" + dump(c));
      }
      if (d.getSource() == null || !d.getSource().toUri().toString().equals(file)
          || !lines.contains((int) d.getLineNumber())) {
        fail("an error outside the expected lines " + lines + ":\n" + dump(c));
      }
      hit.add((int) d.getLineNumber());
    }
    if (everyLine) {
      assertWithMessage("lines with an error; diagnostics:\n%s", dump(c)).that(hit).containsExactlyElementsIn(lines);
    } else {
      assertWithMessage("lines with an error; diagnostics:\n%s", dump(c)).that(hit).isNotEmpty();
    }
  }

  /** Warnings other than nothing: under {@code -Xlint:all} a clean source and its output give none. */
  static List<String> warnings(Compilation c) {
    List<String> out = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> w : c.diagnostics()) {
      if (w.getKind() == Diagnostic.Kind.WARNING || w.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
        out.add(w.getSource() == null ? w.getMessage(Locale.ROOT)
            : w.getSource().getName() + ":" + w.getLineNumber() + ": " + w.getMessage(Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * Compiles; the source must work: no crash, no broken output, success, and no warning. Returns
   * the loaded result for gradient checks.
   */
  static Compiled works(String... nameAndSource) {
    Compilation c = compile(nameAndSource);
    noCrashNoBrokenOutput(c, uris(nameAndSource));
    assertWithMessage("compilation should succeed; diagnostics:\n%s", dump(c))
        .that(c.status()).isEqualTo(Compilation.Status.SUCCESS);
    assertWithMessage("warnings under -Xlint:all").that(warnings(c)).isEmpty();
    return Compiled.of(nameAndSource);
  }

  /** The URIs compile-testing gives the test's own sources. */
  static Set<String> uris(String... nameAndSource) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < nameAndSource.length; i += 2) {
      out.add(uri(nameAndSource[i]));
    }
    return out;
  }

  static String uri(String qualifiedName) {
    return com.google.testing.compile.JavaFileObjects.forSourceString(qualifiedName, "").toUri().toString();
  }

  /**
   * The two acceptable outcomes of a hostile source: it works (and then {@code whenItWorks} checks
   * the gradients), or it fails with precise Adjoint errors, all on lines of the first source
   * marked {@link #HERE}.
   */
  static void worksOrPreciseError(java.util.function.Consumer<Compiled> whenItWorks, String... nameAndSource) {
    Compilation c = compile(nameAndSource);
    Set<String> files = uris(nameAndSource);
    noCrashNoBrokenOutput(c, files);
    if (c.status() == Compilation.Status.SUCCESS) {
      assertWithMessage("warnings under -Xlint:all").that(warnings(c)).isEmpty();
      whenItWorks.accept(Compiled.of(nameAndSource));
      return;
    }
    List<Integer> lines = markedLines(nameAndSource[1]);
    if (lines.isEmpty()) {
      fail("the source should work; diagnostics:\n" + dump(c));
    }
    preciseErrorsOn(c, uri(nameAndSource[0]), lines, files, false);
  }

  /** Gradient of {@code cls.method(args)} against finite differences, relative 1e-6. */
  static void gradientMatches(Compiled c, String cls, String method, Object... args) {
    Gradients.assertMatches(c, cls, method, 1e-6, args);
  }
}
