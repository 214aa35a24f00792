package dev.adjoint.processor.compilers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Sources every compiler must turn into the same generated code: the construct tests' classes
 * (branches, loops, early exits, calls across classes, tensors, forward mode and Hessians), the
 * golden tests' classes, and the samples' {@code @Differentiable} classes read from the samples
 * module, exactly as a user writes them.
 */
final class Corpus {
  private Corpus() {}

  static final List<String> RESOURCES = List.of("constructs/Flow.java.txt", "constructs/Other.java.txt",
      "constructs/Second.java.txt", "constructs/Tensors.java.txt", "constructs/NdCalls.java.txt",
      "constructs/NdResults.java.txt", "constructs/Losses.java.txt", "constructs/RowCopies.java.txt", "constructs/DataTables.java.txt", "constructs/NdParams.java.txt", "golden/Rosen.java.txt", "golden/Loop.java.txt",
      "golden/Branch.java.txt", "golden/Accumulate.java.txt");

  /** The samples module's sources, relative to this module (the tests run in {@code processor/}). */
  static final Path SAMPLES = Path.of("..", "samples", "src", "main", "java", "dev", "adjoint", "samples");

  /** The construct and golden test classes. */
  static Map<String, String> constructs() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String r : RESOURCES) {
      String text = resource(r);
      out.put(Compilers.className(text), text);
    }
    return out;
  }

  /** Every source of the samples (the programs use each other's classes). */
  static Map<String, String> samples() {
    if (!Files.isDirectory(SAMPLES)) {
      throw new AssertionError("the samples' sources are not at " + SAMPLES.toAbsolutePath()
          + "; these tests run in the processor module of the whole project");
    }
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(SAMPLES)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        out.put(Compilers.className(text), text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.values().stream().noneMatch(s -> s.contains("@Differentiable"))) {
      throw new AssertionError("no @Differentiable method in the samples at " + SAMPLES.toAbsolutePath());
    }
    return out;
  }

  /** Instance methods: fields read as data, calls among the instance's methods, generics beside them. */
  static final String INSTANCE = """
      package q;

      import dev.adjoint.Differentiable;
      import java.util.List;

      public class Scorer {
        final double scale;
        final double[] weights;
        protected int degree = 3;
        static final double[] TABLE = {0.5, 1.5, 2.5};

        public Scorer(double scale, double[] weights) {
          this.scale = scale;
          this.weights = weights;
        }

        double bias() {
          return scale / 2;
        }

        static <T> int count(List<T> items) {
          return items.size();
        }

        @Differentiable(forward = true, hessian = true)
        public double score(double x, double y) {
          return scale * x * x + this.scale * Math.sin(y) + bias();
        }

        @Differentiable
        public double weighted(double[] v, double t) {
          double s = 0;
          for (int i = 0; i < v.length; i++) {
            s += weights[i] * v[i] * t + TABLE[i % 3] * this.weights[i];
          }
          return s + Math.pow(t, degree);
        }

        @Differentiable(forward = true, hessian = true)
        public double composed(double x) {
          return score(x, 2 * x) * this.score(1.0, x) + scale * x;
        }
      }
      """;

  /** All of the above. */
  static Map<String, String> all() {
    Map<String, String> out = new LinkedHashMap<>(constructs());
    out.putAll(samples());
    out.put("q.Scorer", INSTANCE);
    return out;
  }

  static String resource(String name) {
    try (InputStream in = Corpus.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new AssertionError("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
