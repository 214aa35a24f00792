package dev.adjoint.processor.emit;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.testing.ClassFiles;
import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated methods larger than HotSpot's 8,000-byte JIT limit are split into helpers
 * ({@link MethodSplitter}): an unrolled model of {@value #STATEMENTS} statements (declarations,
 * reassignments of an accumulator, branches, loops, array writes) gets a gradient of about 40 KB of
 * bytecode in one method (50 KB by the estimate); split, every method of its generated class is under 8,000 bytes, the
 * gradient matches finite differences and is bit for bit the unsplit one, and a child JVM
 * JIT-compiles every one of its methods (while the unsplit method is never compiled).
 */
class MethodSplittingTest {
  static final int STATEMENTS = 400;
  static final int HUGE_METHOD_LIMIT = 8000;

  /** {@code f(w, x)}: a recurrence over {@code h}, an accumulator {@code s}, both reading weights. */
  static String model(int statements) {
    StringBuilder sb = new StringBuilder("""
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double f(double[] w, double x) {
            double s = 0;
            double[] a = new double[4];
            double h0 = x;
        """);
    for (int k = 1; k < statements; k++) {
      int i = k % 40;
      sb.append("    ").append(switch (k % 8) {
        case 0 -> "double h%d = Math.tanh(w[%d] * h%d + w[%d]);".formatted(k, i, k - 1, (i + 1) % 40);
        case 1 -> "double h%d = h%d * 0.9 + Math.sin(w[%d]) * 0.1;".formatted(k, k - 1, i);
        case 2 -> "double h%d = h%d + 0.01 * h%d * w[%d];".formatted(k, k - 1, k - 2, i);
        case 3 -> "s += h%d * w[%d] * 1e-2; double h%d = h%d * 1.001;".formatted(k - 1, i, k, k - 1);
        case 4 -> "double h%d = h%d > 0 ? h%d * 0.99 : h%d * 1.01;".formatted(k, k - 1, k - 1, k - 1);
        case 5 -> "if (h%d < 0.5) { s = s * 0.999 + h%d * 1e-3; } double h%d = h%d;".formatted(k - 1, k - 1, k, k - 1);
        case 6 -> "for (int j = 0; j < 3; j++) { s += w[j] * h%d * 1e-3; } double h%d = h%d + a[%d];"
            .formatted(k - 1, k, k - 1, k % 4);
        default -> "a[%d] = h%d * w[%d]; double h%d = h%d - 0.01 * a[%d];".formatted(k % 4, k - 1, i, k, k - 1, k % 4);
      }).append('\n');
    }
    sb.append("    return h").append(statements - 1).append(" + s;\n  }\n}\n");
    return sb.toString();
  }

  static final String DRIVER = """
      package p;

      public final class Driver {
        public static void main(String[] args) {
          double[] w = new double[40];
          for (int i = 0; i < w.length; i++) {
            w[i] = 0.3 + 0.01 * i;
          }
          double sum = 0;
          for (int r = 0; r < 3000; r++) {
            sum += ModelGrad.f(w, 0.4 + r * 1e-9).value();
          }
          System.out.println("done " + sum);
        }
      }
      """;

  private static double[] weights() {
    double[] w = new double[40];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.3 + 0.01 * i;
    }
    return w;
  }

  @Test
  void hugeGradientIsSplitUnderTheJitLimitAndStaysExact() {
    Compiled split = Compiled.of("p.Model", model(STATEMENTS));
    List<String> tooLarge = new ArrayList<>();
    int helpers = 0;
    for (ClassFiles.Method m : ClassFiles.codeLengths(ClassFiles.of(split.compilation(), "p.ModelGrad"))) {
      if (m.length() >= HUGE_METHOD_LIMIT) {
        tooLarge.add(m.name() + ": " + m.length() + " bytes");
      }
      if (m.name().startsWith("f$part")) {
        helpers++;
      }
    }
    assertWithMessage("methods over the JIT limit").that(tooLarge).isEmpty();
    assertThat(helpers).isAtLeast(4);
    String source = split.generatedSource("p.ModelGrad");
    assertThat(source).contains("private static void f$part1(");
    assertThat(source).contains("so that no method exceeds HotSpot's 8000-byte limit");
    // a helper keeps the source line comments of its statements
    assertThat(source).containsMatch("f\\$part2\\([^)]*\\) \\{\\n(.*\\n)*?\\s*// line \\d+:");

    Gradients.assertMatches(split, "p.Model", "f", 1e-6, weights(), 0.4);

    // bit for bit the gradient of the same method compiled whole
    Compiled whole = Compiled.ofWith(List.of("-Aadjoint.methodLimit=999999"), "p.Model", model(STATEMENTS));
    assertThat(whole.generatedSource("p.ModelGrad")).doesNotContain("$part");
    Map<String, Object> a = Compiled.components(split.call("p.ModelGrad", "f", weights(), 0.4));
    Map<String, Object> b = Compiled.components(whole.call("p.ModelGrad", "f", weights(), 0.4));
    assertThat(a.get("value")).isEqualTo(b.get("value"));
    assertThat((double[]) a.get("w")).isEqualTo((double[]) b.get("w"));
    assertThat(a.get("x")).isEqualTo(b.get("x"));
  }

  /** Loops and branches (a tape), a reassigned parameter, and locals of every kind crossing the cuts. */
  static final String KINDS = """
      package p;

      import dev.adjoint.Differentiable;

      public final class Kinds {
        @Differentiable
        public static double g(double[] v, double y, int n) {
          double s = 0;
          long steps = 0;
          boolean big = false;
          int last = -1;
          for (int i = 0; i < n; i++) {
            double t = v[i % v.length] * y;
            if (t > 0.1) {
              s += Math.sin(t);
              big = true;
            } else {
              s -= t * t;
            }
            steps++;
            last = i;
          }
          y = y * 2;
          double[] a = v.clone();
          a[0] = s * y + last;
          if (big) {
            s = s * 1.5;
          }
          return a[0] + s * steps;
        }
      }
      """;

  /** With a limit of 1 byte every statement is cut off: the frames carry every kind of local. */
  @Test
  void everyStatementCutOffStillComputesTheSameGradient() {
    Compiled split = Compiled.ofWith(List.of("-Aadjoint.methodLimit=1"), "p.Kinds", KINDS);
    String source = split.generatedSource("p.KindsGrad");
    assertThat(source).contains("private static void g$part1(");
    assertThat(source).contains("double[] _doubles = new double[");
    assertThat(source).contains("long[] _longs = new long[");
    assertThat(source).contains("boolean[] _booleans = new boolean[");
    assertThat(source).contains("int[] _ints = new int[");
    assertThat(source).contains("Object[] _objects = new Object[");
    double[] v = {0.3, -0.2, 0.5};
    Gradients.assertMatches(split, "p.Kinds", "g", 1e-6, v, 0.7, 5);
    Compiled whole = Compiled.of("p.Kinds", KINDS);
    assertThat(whole.generatedSource("p.KindsGrad")).doesNotContain("$part");
    Map<String, Object> a = Compiled.components(split.call("p.KindsGrad", "g", v, 0.7, 5));
    Map<String, Object> b = Compiled.components(whole.call("p.KindsGrad", "g", v, 0.7, 5));
    assertThat(a.get("value")).isEqualTo(b.get("value"));
    assertThat((double[]) a.get("v")).isEqualTo((double[]) b.get("v"));
    assertThat(a.get("y")).isEqualTo(b.get("y"));
  }

  @Test
  void smallMethodsAreNotSplit() {
    Compiled c = Compiled.of("p.Model", model(40));
    assertThat(c.generatedSource("p.ModelGrad")).doesNotContain("$part");
    assertThat(c.generatedSource("p.ModelGrad")).doesNotContain("_doubles");
  }

  @Test
  void everyMethodIsJitCompiledInAChildJvm(@TempDir Path dir) throws Exception {
    Path splitClasses = dir.resolve("split");
    Compiled split = Compiled.of("p.Model", model(STATEMENTS), "p.Driver", DRIVER);
    ClassFiles.writeAll(split.compilation(), splitClasses);
    String log = run(splitClasses);
    // the driver calls f(w, x): it and the helpers it calls
    List<String> methods = new ArrayList<>(List.of("f"));
    methods.addAll(helpersCalledBy("public static F f(double[] w, double x)", split.generatedSource("p.ModelGrad")));
    assertThat(methods.size()).isAtLeast(5);
    for (String m : methods) {
      assertWithMessage("%s JIT-compiled; log:\n%s", m, tail(log)).that(log).contains("p.ModelGrad::" + m + " ");
    }

    // the control: compiled whole, HotSpot never compiles f (a "huge method")
    Path wholeClasses = dir.resolve("whole");
    Compilation whole = Compiled.compileWith(List.of("-Aadjoint.methodLimit=999999"),
        "p.Model", model(STATEMENTS), "p.Driver", DRIVER);
    ClassFiles.writeAll(whole, wholeClasses);
    String wholeLog = run(wholeClasses);
    assertThat(wholeLog).contains("done ");
    assertThat(wholeLog).doesNotContain("p.ModelGrad::f ");
  }

  /** The helpers that the method declared by {@code header} calls, from the generated source. */
  private static List<String> helpersCalledBy(String header, String source) {
    int start = source.indexOf(header);
    assertWithMessage("no %s in\n%s", header, source).that(start).isAtLeast(0);
    String body = source.substring(start, source.indexOf("\n    }\n", start));
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(f\\$part\\d+)\\(").matcher(body);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Runs p.Driver with -XX:+PrintCompilation, compiling in the foreground (-Xbatch). */
  private static String run(Path classes) throws Exception {
    String classPath = classes + java.io.File.pathSeparator
        + System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Xbatch", "-XX:+PrintCompilation", "-XX:+UseSerialGC",
        "-Xmx256m", "-cp", classPath, "p.Driver").redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String log = new String(out, StandardCharsets.UTF_8);
    assertWithMessage("child JVM: %s", tail(log)).that(log).contains("done ");
    return log;
  }

  private static String tail(String log) {
    return log.length() < 4000 ? log : log.substring(log.length() - 4000);
  }
}
