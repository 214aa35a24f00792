package dev.adjoint.maven.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The inspection report: reads the processor's inspection files (one JSON file per class, from
 * {@code -Aadjoint.inspect=DIR}) and the {@code check} goal's results, and writes {@code
 * index.html} and one page per class.
 */
public final class InspectionReport {
  private final List<JsonNode> files;
  private final CheckResults checks;

  private InspectionReport(List<JsonNode> files, CheckResults checks) {
    this.files = files;
    this.checks = checks;
  }

  /** The inspection files in {@code inspectDir} (sorted by class), with the check results if the file exists. */
  public static InspectionReport read(Path inspectDir, Path checkResults) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> files = new ArrayList<>();
    if (Files.isDirectory(inspectDir)) {
      List<Path> paths;
      try (Stream<Path> s = Files.list(inspectDir)) {
        paths = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
      }
      for (Path p : paths) {
        JsonNode node = json.readTree(p.toFile());
        if (node != null && node.has("methods")) {
          files.add(node);
        }
      }
    }
    return new InspectionReport(files, CheckResults.read(checkResults));
  }

  public boolean isEmpty() {
    return files.isEmpty();
  }

  public List<JsonNode> classes() {
    return files;
  }

  public CheckResults checks() {
    return checks;
  }

  /** Writes index.html and the class pages into {@code out}; returns the index. */
  public Path write(Path out) throws IOException {
    Files.createDirectories(out);
    for (JsonNode f : files) {
      Files.writeString(out.resolve(Pages.pageName(f)), Pages.classPage(f, checks), StandardCharsets.UTF_8);
    }
    Path index = out.resolve("index.html");
    Files.writeString(index, Pages.index(files, checks), StandardCharsets.UTF_8);
    return index;
  }

  /** The file name of a class's page, relative to the index. */
  public static String pageName(JsonNode file) {
    return Pages.pageName(file);
  }
}
