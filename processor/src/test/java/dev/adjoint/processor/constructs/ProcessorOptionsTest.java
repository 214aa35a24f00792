package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.testing.Compiled;
import java.io.IOException;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/** {@code -Aadjoint.graphs=true} writes DOT graphs; a loop that tapes a lot gets a note naming the options. */
class ProcessorOptionsTest {
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
      }
      """;

  @Test
  void graphsOptionWritesDotBesideTheGeneratedSources() throws IOException {
    Compilation c = Compiled.compileWith(List.of("-Aadjoint.graphs=true"), "p.Model", SOURCE);
    assertEquals(Compilation.Status.SUCCESS, c.status(), c.diagnostics().toString());
    JavaFileObject dot = c.generatedFile(StandardLocation.SOURCE_OUTPUT, "p", "ModelGrad.f.dot")
        .orElseThrow(() -> new AssertionError("no ModelGrad.f.dot"));
    String text = dot.getCharContent(true).toString();
    assertTrue(text.startsWith("digraph \"Model.f\""), text);
    assertTrue(text.contains("line 8: double a = Math.sin(x[i] * y)"), text);
    assertTrue(text.contains("subgraph cluster_"), text);
    assertTrue(text.contains("->"), text);
  }

  @Test
  void timingOptionNotesTheTimeSpentPerMethod() {
    Compilation c = Compiled.compileWith(List.of("-Aadjoint.timing=true"), "p.Model", SOURCE);
    assertEquals(Compilation.Status.SUCCESS, c.status(), c.diagnostics().toString());
    List<String> notes = c.notes().stream().map(d -> d.getMessage(null))
        .filter(m -> m.startsWith("[AdjointTiming]")).toList();
    assertEquals(1, notes.size(), c.diagnostics().toString());
    assertTrue(notes.get(0).matches("\\[AdjointTiming\\] 1 @Differentiable methods in \\d+ ms: [0-9.]+ ms per method"),
        notes.get(0));
    assertTrue(Compiled.compile("p.Model", SOURCE).notes().stream()
        .noneMatch(d -> d.getMessage(null).startsWith("[AdjointTiming]")));
  }

  @Test
  void withoutTheOptionNoGraph() {
    Compilation c = Compiled.compile("p.Model", SOURCE);
    assertTrue(c.generatedFile(StandardLocation.SOURCE_OUTPUT, "p", "ModelGrad.f.dot").isEmpty());
  }

  @Test
  void aLoopThatTapesMoreThanTheThresholdGetsANoteNamingTheOptions() {
    Compilation c = Compiled.compileWith(List.of("-Aadjoint.tapeNote=2"), "p.Model", SOURCE);
    assertEquals(Compilation.Status.SUCCESS, c.status());
    String notes = c.diagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.NOTE)
        .map(d -> d.getMessage(null)).reduce("", String::concat);
    assertTrue(notes.contains("[AdjointTapeNote]"), notes);
    assertTrue(notes.contains("line 7"), notes);
    assertTrue(notes.contains("-Aadjoint.graphs=true") && notes.contains("-Aadjoint.tapeNote=N"), notes);
    Compilation quiet = Compiled.compile("p.Model", SOURCE);
    assertTrue(quiet.diagnostics().stream().noneMatch(d -> d.getKind() == Diagnostic.Kind.NOTE
        && d.getMessage(null).contains("AdjointTapeNote")));
  }
}
