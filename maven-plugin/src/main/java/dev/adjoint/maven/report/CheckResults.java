package dev.adjoint.maven.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code check} goal's results, {@code target/adjoint/check/results.tsv}: a header {@code
 * class method point expected actual maxRelError status}, then one tab-separated line per checked
 * method (point, expected and actual are comma-separated doubles; status PASS or FAIL).
 */
public record CheckResults(List<Row> rows) {
  public record Row(String className, String method, String point, String expected, String actual,
      String maxRelError, String status) {
    public boolean passed() {
      return "PASS".equalsIgnoreCase(status);
    }

    /** Whether the row is about the class (named fully or by its simple name). */
    boolean of(String qualifiedName, String simpleName) {
      return className.equals(qualifiedName) || className.equals(simpleName);
    }
  }

  /** The results in the file, or none when it does not exist. */
  public static CheckResults read(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    if (file == null || !Files.isRegularFile(file)) {
      return new CheckResults(rows);
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || i == 0 && line.startsWith("class\t")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 7) {
        continue;
      }
      rows.add(new Row(f[0], f[1], f[2], f[3], f[4], f[5], f[6]));
    }
    return new CheckResults(rows);
  }

  public boolean present() {
    return !rows.isEmpty();
  }

  List<Row> of(String qualifiedName, String simpleName) {
    return rows.stream().filter(r -> r.of(qualifiedName, simpleName)).toList();
  }
}
