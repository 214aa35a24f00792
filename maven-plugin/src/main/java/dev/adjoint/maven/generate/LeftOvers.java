package dev.adjoint.maven.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Classes the processor wrote into the compiler's own generated-sources folder when the project
 * still ran it from {@code annotationProcessorPaths}: the compile step would compile them beside
 * this plugin's and fail on duplicate classes, so the first run after the switch deletes them.
 */
public final class LeftOvers {
  /** What the processor writes on every class it generates. */
  static final String MARK = "@Generated(\"dev.adjoint.processor.AdjointProcessor\")";

  private LeftOvers() {}

  /** Deletes the processor's files under dir; returns them, relative to dir. */
  public static List<String> delete(Path dir) throws IOException {
    List<String> deleted = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return deleted;
    }
    List<Path> files;
    try (Stream<Path> all = Files.walk(dir)) {
      files = all.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).toList();
    }
    for (Path f : files) {
      if (new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains(MARK)) {
        Files.delete(f);
        deleted.add(dir.relativize(f).toString().replace('\\', '/'));
      }
    }
    return deleted;
  }
}
