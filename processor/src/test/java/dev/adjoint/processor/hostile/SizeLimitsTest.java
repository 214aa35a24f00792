package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.check.GradCheck;
import dev.adjoint.processor.hostile.ForkedCompilation.Diag;
import dev.adjoint.processor.hostile.ForkedCompilation.Result;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sources at the size limits: methods of 3,000 statements, and expressions nested 10,000 deep.
 *
 * <p>A 3,000-statement method must compile and differentiate correctly, unless its gradient
 * cannot fit the JVM's 64 KB per method (the source alone takes 40-57 KB): then the outcome must
 * be a precise {@code [AdjointTooLarge]} error on the method, never generated code that javac
 * rejects ("code too large"). A 10,000-deep expression needs javac itself to run with a large
 * stack; there it must either work with a correct gradient, fail with a precise Adjoint error
 * on the method (a gradient of quadratic size: Horner form, ?: chains), or fail on a limit of
 * javac's own (for example "code too large" on the user's method, or javac running out of
 * stack) — never with an {@code [AdjointInternal]} error, a throwable out of
 * {@code dev.adjoint} code, generated code that javac rejects, or a processor that runs far
 * longer than javac does on the source (javac alone takes a few seconds on each of these).
 *
 * <p>Each source is compiled in a child JVM ({@link ForkedCompilation}: 512 MB compiler stack,
 * own heap, killed after {@link #BUDGET} of CPU time; when killed, the compiling thread's stack
 * tells whether javac or the processor was busy), two at a time, all started before the first
 * test.
 */
class SizeLimitsTest {
  static final int STATEMENTS = 3_000;
  static final int DEPTH = 10_000;
  /**
   * CPU time per compilation (the child is killed beyond it): javac alone needs 1.5-2.5 s of CPU
   * (JVM start included) on each of these sources. The budget is the whole child process's CPU,
   * GC and JIT threads included, which vary from run to run: the 2,000-deep Math chain takes
   * 9-10 s here and was seen at 16.6 s on a fresh CI clone, so the budget guards against blow-ups
   * (super-linear passes take minutes), not against constant factors.
   */
  static final Duration BUDGET = Duration.ofSeconds(30);

  /**
   * One source: the body of {@code f(double x, double y, int n)} in {@code p.Model}, the point to
   * check, and the exact gradient (x, y) where finite differences would not do (else null).
   */
  record Shape(String name, boolean deep, String body, double[] point, Function<double[], double[]> exact,
      boolean errorAllowed) {
    Shape(String name, boolean deep, String body, double[] point, Function<double[], double[]> exact) {
      this(name, deep, body, point, exact, false);
    }

    @Override
    public String toString() {
      return name;
    }

    String source() {
      return """
          package p;

          import dev.adjoint.Differentiable;

          public final class Model {
            @Differentiable
            public static double g(double a, double b) {
              return a + 1e-4 * a * b;
            }

            @Differentiable
            public static double f(double x, double y, int n) {
          %s
            }
          }
          """.formatted(body);
    }
  }

  // ---------------------------------------------------------------- 3,000 statements

  static Stream<Shape> longMethods() {
    return Stream.of(
        new Shape("chain of declarations", false, lines(STATEMENTS, "double v0 = x;",
            k -> "double v%d = v%d * 0.999 + y * 1e-3;".formatted(k, k - 1), "return v" + (STATEMENTS - 2) + ";"),
            new double[] {0.7, 1.3}, null),
        new Shape("reassignments", false, lines(STATEMENTS, "double s = x;",
            k -> "s = s * 0.999 + y * 1e-3;", "return s;"), new double[] {0.7, 1.3}, null),
        // sources of 57 and 51 KB of bytecode: a gradient that keeps the sines cannot fit one
        // method (64 KB), so a precise Adjoint error at the method is the outcome; uncompilable
        // output is not acceptable
        new Shape("accumulations", false, accumulations(STATEMENTS), new double[] {0.7, 1.3}, null, true),
        new Shape("recurrence through Math calls", false, recurrence(STATEMENTS), new double[] {0.7, 1.3}, null,
            true),
        // the same at 800 statements fit: the size estimate must not reject them
        new Shape("accumulations (800 statements)", false, accumulations(800), new double[] {0.7, 1.3}, null),
        new Shape("recurrence through Math calls (800 statements)", false, recurrence(800),
            new double[] {0.7, 1.3}, null),
        // a source of 53 KB of bytecode: a correct gradient cannot fit one method (64 KB), so a
        // precise Adjoint error at the method is also acceptable, uncompilable output is not
        new Shape("every kind of statement", false, mixed(STATEMENTS), new double[] {0.7, 1.3}, null, true));
  }

  private static String accumulations(int count) {
    return lines(count, "double s = x;", k -> "s += Math.sin(y + %d) * x * 1e-3;".formatted(k), "return s;");
  }

  private static String recurrence(int count) {
    return lines(count, "double v0 = x;", k -> "double v%d = Math.sin(v%d) * 0.5 + y;".formatted(k, k - 1),
        "return v" + (count - 2) + ";");
  }

  /** Statement k of 10 kinds in turn: declarations, branches, array writes, calls, loops, ternaries. */
  private static String mixed(int count) {
    return lines(count, "double s = x;\ndouble[] a = new double[8];\ndouble t0 = 0;\ndouble u0 = 0;", k -> switch (k % 10) {
      case 0 -> "double t%d = s * 0.999 + x * 1e-3;".formatted(k);
      case 1 -> "s = t%d + Math.sin(y * %d) * 1e-4;".formatted(k - 1, k);
      case 2 -> "a[%d] = s * y;".formatted(k % 8);
      case 3 -> "s += a[%d] * 1e-4;".formatted((k + 3) % 8);
      case 4 -> "if (n > %d) { s = s * 0.9995 + 1e-4 * y; } else { s = s - 1e-4 * x; }".formatted(k % 7);
      case 5 -> "s = g(s, y);";
      case 6 -> "for (int i = 0; i < 2; i++) { s = s * 0.9999 + x * 1e-5; }";
      case 7 -> "double u%d = Math.exp(-s * s) * 1e-3;".formatted(k);
      case 8 -> "s = s + u%d;".formatted(k - 1);
      default -> "s = s > 10 ? s * 0.5 : s;";
    }, "return s + t0 + u0;");
  }

  private static String lines(int count, String first, java.util.function.IntFunction<String> statement, String last) {
    StringBuilder sb = new StringBuilder();
    first.lines().forEach(l -> sb.append("    ").append(l).append('\n'));
    for (int k = 1; k < count - 1; k++) {
      sb.append("    ").append(statement.apply(k)).append('\n');
    }
    sb.append("    ").append(last);
    return sb.toString();
  }

  // ---------------------------------------------------------------- 10,000 levels

  static Stream<Shape> deepExpressions() {
    int n = DEPTH;
    return Stream.of(
        new Shape("parentheses", true, ret("(".repeat(n) + "x * y" + ")".repeat(n)),
            new double[] {0.7, 1.3}, p -> new double[] {p[1], p[0]}),
        new Shape("right-nested sum", true, ret(alternating(n) + "x" + ")".repeat(n)),
            new double[] {0.7, 1.3}, p -> new double[] {n / 2 + 1, n / 2}),
        // javac's own attribution of nested invocations needs memory quadratic in the depth (1.4 GB
        // at 4,000 levels, over 6 GB and minutes at 10,000), so calls nest 2,000 deep
        new Shape("nested Math calls (2,000 deep)", true, ret("Math.sin(".repeat(2000) + "x" + ")".repeat(2000)),
            new double[] {0.7, 1.3}, p -> new double[] {sinChainDerivative(p[0], 2000), 0}),
        new Shape("unary minus", true, ret("-(".repeat(n) + "x * y" + ")".repeat(n)),
            new double[] {0.7, 1.3}, p -> new double[] {p[1], p[0]}),
        // the three below have gradients of quadratic size as the processor writes them (each
        // level's partial repeats the levels below it): a precise error on the method is expected
        new Shape("left-nested product and sum", true, ret("(".repeat(n) + "x" + " * y + x)".repeat(n)),
            new double[] {0.7, 0.5}, p -> leftNested(p[0], p[1], n), true),
        new Shape("Horner polynomial", true, ret("1 + x * (".repeat(n) + "1" + ")".repeat(n)),
            new double[] {0.5, 1.3}, p -> new double[] {hornerDerivative(p[0], n), 0}, true),
        // javac alone reports "code too large" on this source
        new Shape("conditional chain", true, ret(conditionals(n) + "x"),
            new double[] {5.0005, 1.3}, p -> new double[] {p[1] * 5001, p[0] * 5001}, true));
  }

  private static String ret(String expression) {
    return "    return " + expression + ";";
  }

  private static String alternating(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i % 2 == 0 ? "x + (" : "y + (");
    }
    return sb.toString();
  }

  private static String conditionals(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      sb.append("x < ").append(i).append("e-3 ? x * y * ").append(i).append(" : ");
    }
    return sb.toString();
  }

  /** ((x y + x) y + x)...: value v, dv/dx and dv/dy by the forward recurrence. */
  static double[] leftNested(double x, double y, int n) {
    double v = x;
    double dx = 1;
    double dy = 0;
    for (int i = 0; i < n; i++) {
      dy = dy * y + v;
      dx = dx * y + 1;
      v = v * y + x;
    }
    return new double[] {dx, dy};
  }

  /** d/dx of 1 + x(1 + x(1 + ...)) = sum_{k=0..n} x^k. */
  static double hornerDerivative(double x, int n) {
    double d = 0;
    for (int k = 1; k <= n; k++) {
      d += k * Math.pow(x, k - 1);
    }
    return d;
  }

  static double sinChainDerivative(double x, int n) {
    double v = x;
    double d = 1;
    for (int i = 0; i < n; i++) {
      d *= Math.cos(v);
      v = Math.sin(v);
    }
    return d;
  }

  // ---------------------------------------------------------------- running

  static ExecutorService pool;
  static final Map<String, Future<Result>> RESULTS = new java.util.concurrent.ConcurrentHashMap<>();

  /** Starts all compilations, two at a time. */
  @BeforeAll
  static void startAll() {
    pool = Executors.newFixedThreadPool(2);
    Stream.concat(longMethods(), deepExpressions()).forEach(SizeLimitsTest::start);
  }

  private static Future<Result> start(Shape s) {
    return RESULTS.computeIfAbsent(s.name(),
        k -> pool.submit(() -> ForkedCompilation.compile(BUDGET, Map.of("p.Model", s.source()))));
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    for (Future<Result> f : RESULTS.values()) {
      if (f.isDone() && !f.isCancelled()) {
        try {
          f.get().delete();
        } catch (InterruptedException | ExecutionException e) {
          // nothing to delete
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longMethods")
  void methodOf3000Statements(Shape s) throws Exception {
    checkLong(s);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deepExpressions")
  void expressionNested10000Deep(Shape s) throws Exception {
    checkDeep(s);
  }

  private static void checkLong(Shape s) throws Exception {
    Result r = result(s);
    noProcessorFailure(s, r);
    if (s.errorAllowed() && !r.success()) {
      preciseErrorOnTheMethod(s, r);
      return;
    }
    assertWithMessage("%s: compilation\n%s", s.name(), r.summary()).that(r.success()).isTrue();
    gradientIsRight(s, r);
  }

  private static void checkDeep(Shape s) throws Exception {
    Result r = result(s);
    noProcessorFailure(s, r);
    if (r.success()) {
      gradientIsRight(s, r);
    } else if (s.errorAllowed()) {
      preciseErrorOnTheMethod(s, r);
    }
    // else: javac's own limit on the user's source, checked by noProcessorFailure
  }

  private static Result result(Shape s) throws InterruptedException, ExecutionException {
    return start(s).get();
  }

  /** Finished in time, nothing escaped from dev.adjoint, no internal error, generated code compiles. */
  private static void noProcessorFailure(Shape s, Result r) {
    String what = s.name().contains(" deep") || s.name().contains("(") ? s.name()
        : s.name() + " (" + (s.deep() ? DEPTH + " deep" : STATEMENTS + " statements") + ")";
    if (r.killedInProcessor()) {
      fail(what + ": the processor did not finish within " + BUDGET.toSeconds() + " s of CPU (javac alone"
          + " compiles this source in 1.5-2.5 s):\n" + r.summary());
    }
    if (!r.finished()) {
      if (!s.deep()) {
        fail(what + ": javac itself is too slow on this source, the test is wrong:\n" + r.summary());
      }
      return; // javac's own limit: it was busy outside the processor
    }
    if (r.crash() != null) {
      if (r.crash().contains("dev.adjoint") || r.crash().contains("annotation processor")) {
        fail(what + ": the processor crashed:\n" + r.summary());
      }
      // a throwable from javac alone is javac's own limit
      return;
    }
    for (Diag d : r.diagnostics()) {
      if (d.message().contains("[AdjointInternal]") || d.message().contains("StackOverflowError")
          || d.message().contains("OutOfMemoryError")) {
        fail(what + ": internal error in the processor:\n" + r.summary());
      }
      if (d.isError() && d.file().startsWith(r.generated().toString())) {
        fail(what + ": javac rejects the generated code:\n" + r.summary());
      }
      if (d.isError() && !d.message().startsWith("[Adjoint") && !s.deep()) {
        fail(what + ": javac rejects the source, the test is wrong:\n" + r.summary());
      }
    }
  }

  /** Only Adjoint errors, none internal, on the line of {@code f}'s declaration. */
  private static void preciseErrorOnTheMethod(Shape s, Result r) {
    long line = s.source().lines().takeWhile(l -> !l.contains("public static double f(")).count() + 1;
    for (Diag d : r.diagnostics()) {
      if (d.isError() && !(d.message().startsWith("[Adjoint") && d.line() == line)) {
        fail(s.name() + ": expected success or a precise Adjoint error on line " + line + ":\n" + r.summary());
      }
    }
  }

  private static void gradientIsRight(Shape s, Result r) throws ReflectiveOperationException {
    ClassLoader loader = r.loader();
    Method primal = loader.loadClass("p.Model").getMethod("f", double.class, double.class, int.class);
    Method gradient = loader.loadClass("p.ModelGrad").getMethod("f", double.class, double.class, int.class);
    double[] p = s.point();
    int n = 3;
    Object record = gradient.invoke(null, p[0], p[1], n);
    Map<String, Double> g = new LinkedHashMap<>();
    for (RecordComponent rc : record.getClass().getRecordComponents()) {
      g.put(rc.getName(), (Double) rc.getAccessor().invoke(record));
    }
    double value = (double) primal.invoke(null, p[0], p[1], n);
    assertWithMessage("%s: value", s.name()).that(g.get("value")).isWithin(1e-12 * Math.max(1, Math.abs(value))).of(value);
    double[] analytic = {g.get("x"), g.get("y")};
    if (s.exact() != null) {
      double[] exact = s.exact().apply(p);
      for (int i = 0; i < 2; i++) {
        assertWithMessage("%s: ∂f/∂%s", s.name(), i == 0 ? "x" : "y").that(analytic[i])
            .isWithin(1e-9 * Math.max(1, Math.abs(exact[i]))).of(exact[i]);
      }
      return;
    }
    GradCheck.Report report = GradCheck.check(q -> {
      try {
        return (double) primal.invoke(null, q[0][0], q[1][0], n);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(e);
      }
    }, new String[] {"x", "y"}, new double[][] {{p[0]}, {p[1]}}, new double[][] {{analytic[0]}, {analytic[1]}});
    assertWithMessage("%s: gradient against finite differences\n%s", s.name(), report).that(report.passes(1e-6)).isTrue();
  }
}
