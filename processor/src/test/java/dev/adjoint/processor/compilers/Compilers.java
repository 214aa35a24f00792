package dev.adjoint.processor.compilers;

import dev.adjoint.processor.AdjointProcessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;

/**
 * Compiles the same sources with the Adjoint processor under different compilers, each writing
 * to its own directories on disk: javac in-process (the JDK running the tests, 17), Eclipse's
 * compiler ECJ in-process (through its {@code javax.tools.JavaCompiler}, as Eclipse's own
 * build does), and a JDK's javac or ECJ's batch compiler in a child process. Sources are
 * (qualified class name → text); the result has the diagnostics and the generated sources.
 */
final class Compilers {
  /** Where a JDK 25 is installed on the machines this project is built on. */
  static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  private Compilers() {}

  /** A diagnostic, compiler-neutral. */
  record Diag(Diagnostic.Kind kind, String file, long line, String message) {
    boolean isError() {
      return kind == Diagnostic.Kind.ERROR;
    }

    @Override
    public String toString() {
      return kind + " " + file + ":" + line + ": " + message;
    }
  }

  /** What a compilation produced. */
  record Output(String compiler, boolean success, List<Diag> diagnostics, Path classes, Map<String, String> generated,
      String log) {
    List<Diag> errors() {
      return diagnostics.stream().filter(Diag::isError).toList();
    }

    /** The generated source of a class, e.g. {@code p.ModelGrad}. */
    String generated(String className) {
      String s = generated.get(className);
      if (s == null) {
        throw new AssertionError(compiler + " generated no " + className + "; it generated " + generated.keySet()
            + "\n" + this);
      }
      return s;
    }

    /** A class loader over the compiled classes, the test class path behind it. */
    ClassLoader loader() {
      try {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, Compilers.class.getClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      }
    }

    Class<?> load(String name) {
      try {
        return Class.forName(name, true, loader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(compiler + " compiled no " + name, e);
      }
    }

    /** Requires success, showing the diagnostics otherwise. */
    Output succeeded() {
      if (!success) {
        throw new AssertionError(compiler + " failed:\n" + this);
      }
      return this;
    }

    @Override
    public String toString() {
      return compiler + (success ? " succeeded" : " failed") + diagnostics.stream().map(d -> "\n  " + d)
          .collect(Collectors.joining()) + (log.isBlank() ? "" : "\n" + log);
    }
  }

  /** javac of the JDK running the tests, in-process. */
  static Output javac(Map<String, String> sources) {
    return inProcess("javac " + Runtime.version().feature(), ToolProvider.getSystemJavaCompiler(), sources,
        List.of("-Xlint:all"));
  }

  /** ECJ in-process, through its JavaCompiler implementation. */
  static Output ecj(Map<String, String> sources) {
    return inProcess("ecj", new EclipseCompiler(), sources, List.of());
  }

  private static Output inProcess(String name, JavaCompiler compiler, Map<String, String> sources,
      List<String> extra) {
    Path root = write(sources);
    Path classes = root.resolve("classes");
    Path gen = root.resolve("gen");
    DiagnosticCollector<JavaFileObject> collected = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    boolean ok;
    try (StandardJavaFileManager fm = compiler.getStandardFileManager(collected, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = new ArrayList<>(List.of("--release", "17", "-parameters", "-encoding", "UTF-8",
          "-classpath", classPath(), "-d", classes.toString(), "-s", gen.toString()));
      options.addAll(extra);
      JavaCompiler.CompilationTask task = compiler.getTask(new PrintWriter(log), fm, collected, options, null,
          fm.getJavaFileObjectsFromPaths(sourceFiles(root.resolve("src"))));
      task.setProcessors(List.of(new AdjointProcessor()));
      ok = task.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Diag> diags = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : collected.getDiagnostics()) {
      String file = d.getSource() == null ? "-" : Path.of(d.getSource().toUri()).getFileName().toString();
      diags.add(new Diag(d.getKind(), file, d.getLineNumber(), d.getMessage(Locale.ROOT)));
    }
    return new Output(name, ok, diags, classes, generatedSources(gen), log.toString());
  }

  /**
   * javac of another JDK in a child process, {@code --release 17}, with the processor (the
   * classes under test) on {@code -processorpath}.
   */
  static Output forkedJavac(Path jdk, Map<String, String> sources) {
    Path root = write(sources);
    List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/javac").toString(), "--release", "17",
        "-parameters", "-encoding", "UTF-8", "-Xlint:all", "-XDrawDiagnostics",
        "-classpath", classPath(), "-processorpath", processorPath(),
        "-processor", AdjointProcessor.class.getName(),
        "-d", root.resolve("classes").toString(), "-s", root.resolve("gen").toString()));
    sourceFiles(root.resolve("src")).forEach(p -> command.add(p.toString()));
    return forked("javac " + jdk.getFileName(), command, root);
  }

  /**
   * ECJ's batch compiler ({@code Main}, what {@code java -jar ecj.jar} runs) in a child JVM
   * started with {@code jvmOptions} (such as {@code --limit-modules java.se}, a Java runtime
   * without jdk.compiler). {@code -classpath} comes before {@code -processorpath}: ECJ ignores
   * the processor path when it comes first (Eclipse bug 573833).
   */
  static Output forkedEcj(List<String> jvmOptions, Map<String, String> sources) {
    Path root = write(sources);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", jarOf(EclipseCompiler.class).toString(),
        "org.eclipse.jdt.internal.compiler.batch.Main", "-17", "-parameters", "-encoding", "UTF-8",
        "-classpath", jarOf(dev.adjoint.Differentiable.class).toString(), "-processorpath", processorPath(),
        "-d", root.resolve("classes").toString(), "-s", root.resolve("gen").toString()));
    sourceFiles(root.resolve("src")).forEach(p -> command.add(p.toString()));
    return forked("ecj (batch)", command, root);
  }

  private static Output forked(String name, List<String> command, Path root) {
    try {
      Files.createDirectories(root.resolve("classes"));
      Files.createDirectories(root.resolve("gen"));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(name + " did not finish:\n" + log);
      }
      return new Output(name, p.exitValue() == 0, List.of(), root.resolve("classes"),
          generatedSources(root.resolve("gen")), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The test class path: the processor's classes, the runtime, JavaPoet, ... */
  static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /** Exactly what a user puts on the processor path: the processor, JavaPoet, the runtime. */
  static String processorPath() {
    return Stream.of(AdjointProcessor.class, com.palantir.javapoet.ClassName.class, dev.adjoint.Differentiable.class)
        .map(Compilers::jarOf).map(Path::toString).distinct().collect(Collectors.joining(java.io.File.pathSeparator));
  }

  /** The jar or class directory a class was loaded from. */
  static Path jarOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path write(Map<String, String> sources) {
    try {
      Path root = Files.createTempDirectory("adjoint-compilers");
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path file = root.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      }
      Files.createDirectories(root.resolve("classes"));
      Files.createDirectories(root.resolve("gen"));
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> sourceFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Generated sources by class name. */
  private static Map<String, String> generatedSources(Path gen) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(gen)) {
      for (Path f : walk.filter(f -> f.toString().endsWith(".java")).toList()) {
        String name = gen.relativize(f).toString().replace(java.io.File.separatorChar, '.');
        out.put(name.substring(0, name.length() - ".java".length()), Files.readString(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The class name a source declares (its package and first top-level type's name). */
  static String className(String source) {
    java.util.regex.Matcher pkg = java.util.regex.Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;").matcher(source);
    java.util.regex.Matcher type = java.util.regex.Pattern
        .compile("(?m)^(?:public\\s+)?(?:final\\s+|abstract\\s+)*(?:class|interface|enum|record)\\s+(\\w+)").matcher(source);
    if (!type.find()) {
      throw new IllegalArgumentException("no top-level type in:\n" + source);
    }
    return (pkg.find() ? pkg.group(1) + "." : "") + type.group(1);
  }
}
