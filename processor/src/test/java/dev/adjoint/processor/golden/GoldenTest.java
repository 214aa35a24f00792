package dev.adjoint.processor.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The full generated source of three representative methods — straight-line, a loop with a
 * tape, a branch with an early return — compared with the text a reviewer approved. A change
 * in output shows here as a diff to read; if it is an improvement, regenerate with
 * {@code mvn test -pl processor -Dtest=GoldenTest -Dadjoint.updateGoldens=true} (from the root,
 * with {@code -am}) and review the new files in {@code src/test/resources/golden}.
 */
class GoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"Rosen", "Loop", "Branch", "Accumulate"})
  void generatedSourceIsExactlyTheApprovedOne(String name) throws IOException {
    Compiled c = Compiled.of("p." + name, resource(name + ".java.txt"));
    String generated = c.generatedSource("p." + name + "Grad");
    Path golden = Path.of("src/test/resources/golden/" + name + "Grad.java.txt");
    if (Boolean.getBoolean("adjoint.updateGoldens")) {
      Files.writeString(golden, generated);
    }
    assertEquals(resource(name + "Grad.java.txt"), generated,
        "generated source of p." + name + "Grad changed");
  }

  private static String resource(String name) {
    try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        return "(missing golden file " + name + ")";
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
