package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.AdjointProcessor;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The sources the processor generates, even when they do not compile: compile-testing hides
 * generated files of a failed compilation, so this runs javac with {@code -proc:only} (the
 * processor runs, nothing is compiled) and reads what the processor wrote.
 */
final class ProcessorOutput {
  private ProcessorOutput() {}

  /** Generated file name (e.g. {@code p/Fuzz3Grad.java}) to its text, plus javac's messages. */
  static Map<String, String> generate(String... namesAndSources) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path dir;
    try {
      dir = Files.createTempDirectory("adjoint-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null)) {
      List<JavaFileObject> files = new ArrayList<>();
      for (int i = 0; i < namesAndSources.length; i += 2) {
        String name = namesAndSources[i];
        String text = namesAndSources[i + 1];
        files.add(new SimpleJavaFileObject(
            URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
          }
        });
      }
      StringWriter messages = new StringWriter();
      JavaCompiler.CompilationTask task = javac.getTask(messages, fm, null,
          List.of("-proc:only", "-parameters", "-s", dir.toString(), "-d", dir.toString()), null, files);
      task.setProcessors(List.of(new AdjointProcessor()));
      task.call();
      Map<String, String> out = new LinkedHashMap<>();
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          out.put(dir.relativize(p).toString(), Files.readString(p));
        }
      }
      if (!messages.toString().isBlank()) {
        out.put("javac messages", messages.toString());
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return Map.of("error", String.valueOf(e));
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory left behind
      }
    }
  }
}
