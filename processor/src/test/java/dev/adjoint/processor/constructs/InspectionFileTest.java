package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.testing.Compiled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Aadjoint.inspect=DIR} writes one JSON file per class for the Maven plugin's report:
 * source and generated lines, what each loop tapes and the planner's decisions, the collapsed
 * graph and the time per method; without the option nothing is written.
 */
class InspectionFileTest {
  /** A loop that tapes (s is overwritten in a branch), a fused accumulation, a running maximum. */
  static final String SOURCE = """
      package p;
      import dev.adjoint.Differentiable;
      public final class Model {
        @Differentiable
        public static double f(double[] x, double y) {
          double s = 0;
          for (int i = 0; i < x.length; i++) {
            double a = Math.sin(x[i] * y);
            double b = Math.exp(a) * s;
            if (b > 1) {
              s = s * a;
            } else {
              s = s + Math.tanh(b);
            }
          }
          return s * y;
        }

        @Differentiable
        public static double g(double[] x) {
          double m = x[0];
          for (int i = 1; i < x.length; i++) {
            m = Math.max(m, x[i]);
          }
          double total = 0;
          for (int i = 0; i < x.length; i++) {
            total += x[i] < 0.5 ? x[i] * x[i] : Math.log(x[i]);
          }
          return total + m;
        }
      }
      """;

  @Test
  void theOptionWritesOneFilePerClassWithWhatWasDecided(@TempDir Path dir) throws IOException {
    Compilation c = Compiled.compileWith(List.of("-Aadjoint.inspect=" + dir), "p.Model", SOURCE);
    assertEquals(Compilation.Status.SUCCESS, c.status(), c.diagnostics().toString());
    Path file = dir.resolve("p.Model.json");
    assertTrue(Files.isRegularFile(file), "no " + file);
    String json = Files.readString(file);
    assertTrue(json.startsWith("{\"format\":1,\"class\":\"p.Model\""), json);
    assertTrue(json.contains("\"generatedClass\":\"p.ModelGrad\""), json);
    String f = method(json, "f");
    String g = method(json, "g");
    // the source lines as written, numbered from the method's first line (quotes escaped, < kept)
    assertTrue(f.contains("\"sourceStartLine\":4"), f);
    assertTrue(f.contains("\"      double a = Math.sin(x[i] * y);\""), f);
    assertTrue(g.contains("x[i] < 0.5 ? x[i] * x[i] : Math.log(x[i]);"), g);
    assertTrue(f.contains("\"compileMillis\":"), f);
    // the generated gradient method, with the comments that link it to the source lines
    assertTrue(f.contains("{\"name\":\"f\",\"startLine\":"), f);
    assertTrue(f.contains("// line 8: double a = Math.sin(x[i] * y)"), f);
    // the loop that tapes says what one iteration pushes, and why
    Matcher loop = Pattern.compile("\\{\"line\":7,\"depth\":0,\"header\":\"for \\(int i = 0; i < x.length; i\\+\\+\\)\","
        + "\"reverseWork\":true,\"tapedPerIteration\":(\\d+),\"taped\":\\[(.*?)\\]").matcher(f);
    assertTrue(loop.find(), f);
    assertTrue(Integer.parseInt(loop.group(1)) > 0, loop.group());
    assertTrue(loop.group(2).contains("\"name\":\"s\""), loop.group());
    assertTrue(f.contains("\"usesTape\":true"), f);
    assertFalse(f.contains("Fused:"), "the taping loop is not fused: " + f);
    // g: the running maximum and the fused sum are named, nothing taped
    assertTrue(g.contains("Running maximum/minimum of 'm'"), g);
    assertTrue(g.contains("Fused: each iteration's adjoint runs right after the iteration"), g);
    assertTrue(g.contains("\"usesTape\":false"), g);
    // the graph: inputs, a node per loop, the output, and edges between them
    assertTrue(f.contains("{\"id\":0,\"kind\":\"input\",\"label\":\"x : double[]\""), f);
    assertTrue(f.contains("\"kind\":\"loop\",\"label\":\"for (int i = 0; i < x.length; i++)\",\"line\":7"), f);
    assertTrue(f.contains("\"kind\":\"output\""), f);
    assertTrue(f.matches("(?s).*\"edges\":\\[\\[\\d+,\\d+\\].*"), f);
    assertTrue(f.contains("\"omitted\":0"), f);
  }

  @Test
  void withoutTheOptionNothingIsWritten(@TempDir Path dir) throws IOException {
    Compilation c = Compiled.compile("p.Model", SOURCE);
    assertEquals(Compilation.Status.SUCCESS, c.status(), c.diagnostics().toString());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
    assertTrue(c.warnings().isEmpty(), c.warnings().toString());
  }

  @Test
  void aClassWithAnErrorGetsNoInspectionFile(@TempDir Path dir) {
    Compilation c = Compiled.compileWith(List.of("-Aadjoint.inspect=" + dir), "p.Bad", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Bad {
          @Differentiable
          public static double f(double x) {
            return Double.toString(x).length() * x;
          }
        }
        """);
    assertEquals(Compilation.Status.FAILURE, c.status());
    assertFalse(Files.exists(dir.resolve("p.Bad.json")));
  }

  /** The method's object in the file: from its name to the next method's (or the end). */
  private static String method(String json, String name) {
    int start = json.indexOf("{\"name\":\"" + name + "\",\"signature\"");
    assertTrue(start >= 0, "no method " + name + " in " + json);
    Matcher next = Pattern.compile("\\{\"name\":\"[^\"]*\",\"signature\"").matcher(json);
    return next.find(start + 1) ? json.substring(start, next.start()) : json.substring(start);
  }
}
