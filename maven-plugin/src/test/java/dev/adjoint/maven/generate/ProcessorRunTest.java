package dev.adjoint.maven.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Differentiable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorRunTest {
  private static ProcessorRun.Result run(Path dir, String source) throws Exception {
    Path file = dir.resolve("src/p/Model.java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, source);
    String runtime = Path.of(Differentiable.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    Files.createDirectories(dir.resolve("out"));
    Files.createDirectories(dir.resolve("classes"));
    return ProcessorRun.run(List.of(file), List.of(runtime), List.of("--release", "17"),
        dir.resolve("out"), dir.resolve("classes"), StandardCharsets.UTF_8);
  }

  @Test
  void generatesTheGradientClassAlone(@TempDir Path dir) throws Exception {
    ProcessorRun.Result r = run(dir, """
        package p;
        import dev.adjoint.Differentiable;
        public class Model {
          @Differentiable
          public static double f(double x) { return x * x; }
          static Object other() { return new Generated_ByAnotherProcessor(); }
        }
        """);
    assertTrue(Files.readString(dir.resolve("out/p/ModelGrad.java")).contains("class ModelGrad"));
    assertTrue(r.messages().stream().noneMatch(m -> m.fromProcessor() && m.isError()), r.toString());
    // nothing compiled: -proc:only
    assertEquals(0, OutputSync.files(dir.resolve("classes")).size());
  }

  /**
   * javac never analyzes bodies under -proc:only, so the processor's own check cannot run: the
   * run checks the parse trees (the error is at the method's first line, its annotation).
   */
  @Test
  void reportsDifferentiableMethodsInLocalAndAnonymousClasses(@TempDir Path dir) throws Exception {
    ProcessorRun.Result r = run(dir, """
        package p;
        import dev.adjoint.Differentiable;
        public class Model {
          static double g(double v) {
            class Local {
              @Differentiable
              double f(double x) { return x * x; }
            }
            Object o = new Object() {
              @Differentiable
              double h(double x) { return x; }
            };
            return new Local().f(v);
          }
        }
        """);
    List<String> errors = r.messages().stream().filter(m -> m.fromProcessor() && m.isError())
        .map(ProcessorRun.Message::text).toList();
    assertEquals(2, errors.size(), errors::toString);
    assertTrue(errors.get(0).contains("Model.java:[6,"), errors.get(0));
    assertTrue(errors.get(0).contains("[AdjointLocalClass] @Differentiable method Local.f is declared in a local class"), errors.get(0));
    assertTrue(errors.get(1).contains("Model.java:[10,"), errors.get(1));
    assertTrue(errors.get(1).contains("an anonymous class"), errors.get(1));
  }
}
