package dev.adjoint.maven.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * {@code target/adjoint/check/results.tsv}, which the report goal reads: a header, then one line
 * per checked method (class by its canonical name) with its worst point (the failing one, if any):
 * {@code class method point expected actual maxRelError status}, tab-separated; point, expected
 * (finite differences) and actual (the derivative) as comma-separated doubles in
 * {@code Double.toString} form (a {@code double[]} argument contributes all its elements, an
 * int/long its value, a boolean 1.0 or 0.0); status PASS or FAIL.
 */
public final class ResultsFile {
  public static final String HEADER = "class\tmethod\tpoint\texpected\tactual\tmaxRelError\tstatus";

  private ResultsFile() {}

  public static void write(Path file, List<Checker.Outcome> outcomes) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    for (Checker.Outcome o : outcomes) {
      Checker.PointResult worst = o.worst();
      if (o.skipped() != null || worst == null) {
        continue;
      }
      lines.add(String.join("\t",
          className(o.target().checked().getDeclaringClass()),
          o.target().checked().getName(),
          doubles(worst.args()),
          doubles(worst.expected()),
          doubles(worst.actual()),
          Double.toString(worst.maxRelativeError()),
          o.passed() ? "PASS" : "FAIL"));
    }
    Files.createDirectories(file.getParent());
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** The canonical name (Outer.Inner for a nested class), as the report names classes. */
  static String className(Class<?> c) {
    return c.getCanonicalName() != null ? c.getCanonicalName() : c.getName();
  }

  /** Every number of the arguments or gradients, flattened, comma-separated. */
  public static String doubles(Object[] values) {
    StringJoiner out = new StringJoiner(",");
    if (values != null) {
      for (Object v : values) {
        if (v instanceof double[] a) {
          for (double d : a) {
            out.add(Double.toString(d));
          }
        } else if (v instanceof Boolean b) {
          out.add(b ? "1.0" : "0.0");
        } else if (v instanceof Number n) {
          out.add(Double.toString(n.doubleValue()));
        }
      }
    }
    return out.toString();
  }
}
