package dev.adjoint.processor.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * A compilation with the processor in a child JVM, for sources that push javac and the processor
 * to their limits: javac runs in a thread with a 512 MB stack (beyond about 900 levels of nesting
 * javac itself needs more than the default), the child has its own heap, and a compilation that
 * exceeds its time budget is killed instead of hanging the build. The child writes class files
 * and generated sources to disk and reports every diagnostic, and any throwable that escaped
 * javac with its stack trace, on standard output.
 */
final class ForkedCompilation {
  /** Stack of the compiling thread in the child. */
  static final long STACK = 512L << 20;

  /** A diagnostic as the child reported it. */
  record Diag(String kind, String file, long line, String message) {
    boolean isError() {
      return kind.equals("ERROR");
    }

    @Override
    public String toString() {
      String m = message.length() > 600 ? message.substring(0, 600) + " ...[" + message.length() + " chars]" : message;
      return kind + " " + file + ":" + line + ": " + m;
    }
  }

  /** What happened: finished within the budget or not, diagnostics, and an escaped throwable. */
  record Result(boolean finished, double seconds, boolean success, List<Diag> diagnostics, String crash,
      Path classes, Path generated, String output, String stackWhenKilled) {
    /** The temporary directory of sources and output (the parent of {@link #classes}). */
    Path root() {
      return classes.getParent().getParent();
    }

    /** Deletes the temporary sources and output. */
    void delete() {
      try (Stream<Path> walk = Files.walk(root())) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a temporary directory: left for the system to clean
      }
    }

    /** Killed while the compiling thread was in Adjoint code (or where that is unknown). */
    boolean killedInProcessor() {
      return !finished && (stackWhenKilled == null || stackWhenKilled.contains("dev.adjoint"));
    }

    /** A class loader over the compiled classes (the original and the generated ones). */
    ClassLoader loader() {
      try {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, ForkedCompilation.class.getClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      }
    }

    String summary() {
      StringBuilder sb = new StringBuilder();
      sb.append(finished ? "finished" : "killed").append(" after ").append(String.format(Locale.ROOT, "%.1f", seconds))
          .append(" s, ").append(success ? "success" : "failure").append('\n');
      diagnostics.stream().limit(20).forEach(d -> sb.append("  ").append(d).append('\n'));
      if (stackWhenKilled != null) {
        // the top of the stack, then each further Adjoint frame once (recursion repeats them)
        List<String> lines = stackWhenKilled.lines().toList();
        java.util.Set<String> shown = new java.util.LinkedHashSet<>(lines.subList(0, Math.min(12, lines.size())));
        lines.stream().filter(l -> l.contains("dev.adjoint")).forEach(shown::add);
        sb.append("  the compiling thread when killed:\n");
        shown.stream().limit(40).forEach(l -> sb.append("    ").append(l.strip()).append('\n'));
      }
      if (crash != null) {
        sb.append("  escaped throwable:\n").append(crash.lines().limit(40)
            .map(l -> "    " + l + "\n").reduce("", String::concat));
      }
      return sb.toString();
    }
  }

  private ForkedCompilation() {}

  /**
   * Compiles {@code sources} (qualified class name → source) in a child JVM; kills it once it has
   * used {@code budget} of CPU time (or five times that in wall time).
   */
  static Result compile(Duration budget, Map<String, String> sources) {
    try {
      Path root = Files.createTempDirectory("adjoint-hostile");
      Path src = root.resolve("src");
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      }
      Path out = root.resolve("out");
      String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> command = List.of(java.toString(), "-Xmx1536m", "-XX:+UseSerialGC",
          "-cp", classPath, ForkedCompilation.class.getName(), src.toString(), out.toString(), classPath);
      long start = System.nanoTime();
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      Thread drain = new Thread(() -> {
        try (InputStream in = p.getInputStream()) {
          in.transferTo(buffer);
        } catch (IOException e) {
          // the process was killed
        }
      }, "drain");
      drain.setDaemon(true);
      drain.start();
      // the budget is CPU time, so that a loaded machine does not fail the test; wall time is capped at 5x
      boolean finished = false;
      long deadline = start + 5 * budget.toNanos();
      while (System.nanoTime() < deadline) {
        if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
          finished = true;
          break;
        }
        Duration cpu = p.info().totalCpuDuration().orElse(Duration.ZERO);
        if (cpu.compareTo(budget) > 0) {
          break;
        }
      }
      String stack = null;
      if (!finished) {
        stack = compilingThread(p.pid());
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      drain.join(5000);
      double seconds = (System.nanoTime() - start) / 1e9;
      String output;
      synchronized (buffer) {
        output = buffer.toString(StandardCharsets.UTF_8);
      }
      return parse(finished, seconds, output, out, stack);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The stack of the child's compiling thread ({@code jcmd <pid> Thread.print}), or null. */
  private static String compilingThread(long pid) {
    try {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
          .redirectErrorStream(true).start();
      String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(20, TimeUnit.SECONDS);
      int start = dump.indexOf("\"deep\"");
      if (start < 0) {
        return null;
      }
      int end = dump.indexOf("\n\n", start);
      return dump.substring(start, end < 0 ? dump.length() : end);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Result parse(boolean finished, double seconds, String output, Path out, String stack) {
    List<Diag> diags = new ArrayList<>();
    boolean success = false;
    StringBuilder crash = null;
    for (String line : output.lines().toList()) {
      if (line.startsWith("DIAG\t")) {
        String[] f = line.split("\t", 5);
        diags.add(new Diag(f[1], f[2], Long.parseLong(f[3]), f[4].replace("\\n", "\n")));
      } else if (line.startsWith("STATUS\t")) {
        success = Boolean.parseBoolean(line.substring(7));
      } else if (line.startsWith("CRASH\t")) {
        crash = crash == null ? new StringBuilder() : crash;
        crash.append(line.substring(6)).append('\n');
      } else if (line.contains("OutOfMemoryError") || line.contains("StackOverflowError")) {
        crash = crash == null ? new StringBuilder() : crash;
        crash.append(line).append('\n');
      }
    }
    return new Result(finished, seconds, success && finished, diags, crash == null ? null : crash.toString(),
        out.resolve("classes"), out.resolve("gen"), output, stack);
  }

  /** The child: {@code src out classPath}. */
  public static void main(String[] args) throws Exception {
    Path src = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String classPath = args[2];
    Files.createDirectories(out.resolve("classes"));
    Files.createDirectories(out.resolve("gen"));
    List<Path> files;
    try (Stream<Path> walk = Files.walk(src)) {
      files = walk.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
    Thread t = new Thread(null, () -> run(files, out, classPath), "deep", STACK);
    t.start();
    t.join();
    System.out.flush();
  }

  private static void run(List<Path> files, Path out, String classPath) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean ok = false;
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = List.of("-Xlint:all", "-parameters", "-encoding", "UTF-8",
          "-processor", "dev.adjoint.processor.AdjointProcessor", "-processorpath", classPath,
          "-classpath", classPath, "-d", out.resolve("classes").toString(), "-s", out.resolve("gen").toString());
      ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
    } catch (Throwable e) {
      StringWriter sw = new StringWriter();
      e.printStackTrace(new PrintWriter(sw));
      sw.toString().lines().forEach(l -> System.out.println("CRASH\t" + l));
    }
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      String file = d.getSource() == null ? "-" : Path.of(d.getSource().toUri()).toString();
      System.out.println("DIAG\t" + d.getKind() + "\t" + file + "\t" + d.getLineNumber() + "\t"
          + d.getMessage(Locale.ROOT).replace("\n", "\\n"));
    }
    System.out.println("STATUS\t" + ok);
  }
}
