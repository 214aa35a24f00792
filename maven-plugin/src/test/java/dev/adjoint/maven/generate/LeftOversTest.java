package dev.adjoint.maven.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftOversTest {
  @Test
  void deletesOnlyTheProcessorsFiles(@TempDir Path dir) throws IOException {
    Path ours = dir.resolve("com/example/ModelGrad.java");
    Path autoValue = dir.resolve("com/example/AutoValue_Point.java");
    Files.createDirectories(ours.getParent());
    Files.writeString(ours, "@Generated(\"dev.adjoint.processor.AdjointProcessor\")\nfinal class ModelGrad {}");
    Files.writeString(autoValue, "@Generated(\"com.google.auto.value.processor.AutoValueProcessor\")\nclass AutoValue_Point {}");
    assertEquals(List.of("com/example/ModelGrad.java"), LeftOvers.delete(dir));
    assertTrue(Files.exists(autoValue));
    assertEquals(List.of(), LeftOvers.delete(dir.resolve("missing")));
  }
}
