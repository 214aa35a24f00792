package dev.adjoint.processor.compilers;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Messages under ECJ. ECJ's {@code Messager} places a message at an element only, never inside
 * a method body, so the processor puts it on the method (or the member around the code) and ends
 * it with {@code (line N: code)}. Each test compiles the same source with javac too: the same
 * errors (by id) must come out, on the same lines.
 */
class EcjMessagesTest {
  /** End-of-line marker: an error belongs on this line. */
  static final String HERE = "// <- error";

  static final Pattern ID = Pattern.compile("\\[(Adjoint\\w+)]");
  /** The last "(line N: " of a message (the code after it may hold parentheses). */
  static final Pattern LINE = Pattern.compile("^.*\\(line (\\d+): ", Pattern.DOTALL);

  /** An error as a line and an id: javac's position, or the line ECJ's message names. */
  record Located(long line, String id) implements Comparable<Located> {
    @Override
    public int compareTo(Located o) {
      return line != o.line ? Long.compare(line, o.line) : id.compareTo(o.id);
    }
  }

  static List<Located> located(Compilers.Output out, boolean lineInMessage) {
    List<Located> result = new ArrayList<>();
    for (Compilers.Diag d : out.errors()) {
      Matcher id = ID.matcher(d.message());
      assertWithMessage("an error without an Adjoint id under %s: %s", out.compiler(), d).that(id.find()).isTrue();
      Matcher line = LINE.matcher(d.message());
      long at = lineInMessage && line.find() ? Long.parseLong(line.group(1)) : d.line();
      result.add(new Located(at, id.group(1)));
    }
    return result;
  }

  static List<Long> marked(String source) {
    List<Long> lines = new ArrayList<>();
    List<String> all = source.lines().toList();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains(HERE)) {
        lines.add(i + 1L);
      }
    }
    return lines;
  }

  /** Same errors under both compilers, on the marked lines; ECJ's name the method and the code. */
  static Compilers.Output sameErrors(String source, String... methodNames) {
    Map<String, String> sources = Map.of(Compilers.className(source), source);
    Compilers.Output javac = Compilers.javac(sources);
    Compilers.Output ecj = Compilers.ecj(sources);
    assertWithMessage("javac should fail:\n%s", javac).that(javac.success()).isFalse();
    assertWithMessage("ECJ should fail:\n%s", ecj).that(ecj.success()).isFalse();
    List<Located> underJavac = located(javac, false);
    List<Located> underEcj = located(ecj, true);
    assertWithMessage("errors under ECJ vs javac\n%s\n%s", javac, ecj)
        .that(new TreeSet<>(underEcj)).containsExactlyElementsIn(new TreeSet<>(underJavac));
    assertWithMessage("lines with errors under javac\n%s", javac)
        .that(new TreeSet<>(underJavac.stream().map(Located::line).toList()))
        .containsExactlyElementsIn(marked(source));
    for (Compilers.Diag d : ecj.errors()) {
      assertWithMessage("ECJ's error names a method: %s", d)
          .that(List.of(methodNames).stream().anyMatch(m -> d.message().contains(m))).isTrue();
      assertWithMessage("ECJ's error is in the user's file: %s", d).that(d.file()).endsWith(".java");
      assertWithMessage("ECJ's error has a line: %s", d).that(d.line()).isGreaterThan(0L);
    }
    assertWithMessage("nothing is generated after an error").that(ecj.generated()).isEmpty();
    return ecj;
  }

  @Test
  void errorsInsideMethodBodiesNameTheLineAndTheCode() {
    Compilers.Output ecj = sameErrors("""
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double f(double x) {
            double s = 0;
            try { // <- error
              s = x * x;
            } finally {
              s += 1;
            }
            return s + new java.util.Random().nextDouble(); // <- error
          }

          @Differentiable
          public static double g(double x, double[] w) {
            double t = Math.floor(x);
            return t * w[0] + java.util.Arrays.stream(w).sum(); // <- error
          }
        }
        """, "Model.f", "Model.g");
    // the message goes on the method, and says where in it
    Compilers.Diag call = ecj.errors().stream().filter(d -> d.message().contains("Model.g")).findFirst()
        .orElseThrow(() -> new AssertionError(ecj.toString()));
    assertThat(call.line()).isEqualTo(18L);
    assertThat(call.message()).endsWith("(line 20: java.util.Arrays.stream(w))");
  }

  @Test
  void errorsOnDeclarationsAndStatements() {
    sameErrors("""
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static <T> double generic(double x, T unused) { // <- error
            return x;
          }

          @Differentiable
          public static double varargs(double... xs) { // <- error
            return xs[0];
          }

          @Differentiable
          public static double statements(double x, int n) {
            double s = x;
            synchronized (Model.class) { // <- error
              s = 2 * x + n;
            }
            java.util.function.DoubleUnaryOperator op = v -> v * v; // <- error
            return s + op.applyAsDouble(x);
          }
        }
        """, "Model.generic", "Model.varargs", "Model.statements");
  }

  /** Methods the compiler never hands to a processor: ECJ does not even call it for this file. */
  @Test
  void methodsOfLocalAndAnonymousClassesAreErrorsUnderEcjToo() {
    sameErrors("""
        package p;

        import dev.adjoint.Differentiable;

        public enum Op {
          A {
            @Differentiable
            public static double f(double x) { // <- error
              return x * x;
            }
          };

          static final Object O = new Object() {
            @dev.adjoint.Differentiable
            public static double h(double x) { // <- error
              return x * x;
            }
          };

          static double use(double y) {
            record Local(double a) {
              @Differentiable
              public static double g(double x) { // <- error
                return x * x;
              }
            }
            return y + new Local(y).a();
          }
        }
        """, "Local.g", "method f", "method h");
  }

  @Test
  void theLocalClassMessageSaysWhatItIsAndWhatToDo() {
    Compilers.Output ecj = Compilers.ecj(Map.of("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double ok(double x) {
            return x * x;
          }

          static double use(double y) {
            class Local {
              @Differentiable
              public static double g(double x) {
                return x * x;
              }
            }
            return y;
          }
        }
        """));
    assertThat(ecj.errors()).hasSize(1);
    assertThat(ecj.errors().get(0).message()).isEqualTo("[AdjointLocalClass] @Differentiable method Local.g is"
        + " declared in a local class, which Adjoint cannot see or name a generated class for; move it to a"
        + " top-level or static nested class (line 14: @Differentiable public static double g(double x) {"
        + " return x * x; })");
    // on the member around it: the method use
    assertThat(ecj.errors().get(0).line()).isEqualTo(11L);
    // the class beside it was generated, as under javac
    assertThat(ecj.generated()).containsKey("p.ModelGrad");
  }

  /**
   * Eclipse or VS Code started on a bare Java runtime has no jdk.compiler, whose parser reads
   * method bodies under ECJ: each method gets an error that says so and what to do, never
   * silence. (A child JVM with {@code --limit-modules java.se} is such a runtime.)
   */
  @Test
  void withoutJdkCompilerEachMethodGetsAnErrorSayingWhatToDo() {
    Compilers.Output ecj = Compilers.forkedEcj(List.of("--limit-modules", "java.se"), Map.of("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double f(double x) {
            return x * x;
          }

          @Differentiable
          public static double g(double x, double y) {
            return x * y;
          }
        }
        """));
    assertWithMessage("%s", ecj).that(ecj.success()).isFalse();
    for (String method : List.of("Model.f", "Model.g")) {
      assertWithMessage("%s", ecj).that(ecj.log()).contains("[AdjointNoSource] Adjoint cannot read the body of"
          + " @Differentiable method " + method + ": the Java runtime running the compiler has no module"
          + " jdk.compiler");
    }
    assertThat(ecj.log()).contains("run the compiler on a JDK 17 or later");
    assertThat(ecj.log()).contains("2 errors");
    assertThat(ecj.generated()).isEmpty();
  }
}
