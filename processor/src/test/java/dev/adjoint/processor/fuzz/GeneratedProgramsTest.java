package dev.adjoint.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.adjoint.check.GradCheck;
import dev.adjoint.processor.fuzz.ProgramGenerator.Batch;
import dev.adjoint.processor.fuzz.ProgramGenerator.Fn;
import dev.adjoint.processor.fuzz.ProgramGenerator.Param;
import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property test: random {@code @Differentiable} programs ({@link ProgramGenerator}) are compiled
 * in-process with the processor, and at random points every generated gradient is compared with
 * finite differences of the source method, and every generated {@code value} with the source
 * method's result. Matrix ({@code double[][]}) parameters are perturbed element by element (in
 * row-major order, as {@code Gradients.flatten} lists them), and their gradients compared in that
 * order after checking their shape; an instance program is called on {@code new FuzzB(scale,
 * weights)}, whose field values come from a stream of their own ({@link #receiverFields}), and
 * its gradient as {@code FuzzBGrad.f(instance, args...)}.
 *
 * <p>System properties:
 *
 * <ul>
 *   <li>{@code adjoint.fuzz.seed} (default {@value #DEFAULT_SEED}): the run's seed;
 *   <li>{@code adjoint.fuzz.programs} (default 1000): how many programs;
 *   <li>{@code adjoint.fuzz.perClass} (default 50): programs per compilation unit; program
 *       {@code g} depends on it (its batch's helpers), so give it when reproducing;
 *   <li>{@code adjoint.fuzz.points} (default 3): evaluation points per method;
 *   <li>{@code adjoint.fuzz.only}: run only the program with this index (e.g. {@code 123});
 *   <li>{@code adjoint.fuzz.detailedReports} (default 8): failures reported in full, with the
 *       program compiled alone and its generated source (each costs compilations).
 * </ul>
 *
 * <p>Programs are piecewise smooth: {@code Math.max}, {@code abs}, branches, {@code floor} and
 * casts make kinks and jumps, where the gradient follows a convention (max picks its first
 * argument on ties) and finite differences average the two sides. Where the gradient disagrees
 * with finite differences, {@link #compare} asks whether the point lies at or near one: it does if
 * central differences with two steps disagree with each other (a kink inside the wider
 * stencil), or if the one-sided derivatives on the two sides of the point disagree (a kink at
 * the point itself, such as a tie {@code Math.max(u[0], y)} with {@code u[0] == y}: there both
 * central differences see the same average, and agree). Such a point is replaced by a new
 * random one, up to {@value #RESAMPLES} times (counted as resampled); a point still at a kink
 * then is skipped (counted). The run fails if more than 5% of the points were skipped, or more
 * than 5% of all the points tried were found at kinks. A point where the function is smooth and
 * the gradient disagrees is a failure: it prints the seed, the program index, the point, the
 * full source and the generated gradient source (also appended to
 * {@code target/adjoint-fuzz-failures.txt}).
 */
class GeneratedProgramsTest {
  static final long DEFAULT_SEED = 0x5EEDAD70L;
  static final long SEED = Long.getLong("adjoint.fuzz.seed", DEFAULT_SEED);
  static final int PROGRAMS = Integer.getInteger("adjoint.fuzz.programs", 1000);
  static final int PER_CLASS = Integer.getInteger("adjoint.fuzz.perClass", 50);
  static final int POINTS = Integer.getInteger("adjoint.fuzz.points", 3);
  static final int ONLY = Integer.getInteger("adjoint.fuzz.only", -1);

  /** Largest relative error between the generated gradient and finite differences. */
  static final double TOLERANCE = 1e-6;
  /** Finite differences with the two steps disagreeing by more than this mark a kink. */
  static final double KINK_TOLERANCE = 1e-5;
  /**
   * One-sided derivatives on the two sides of the point disagreeing by more than this mark a kink
   * at the point. At a kink whose slope jumps from {@code L} to {@code R}, central differences see
   * {@code (L + R) / 2} and a gradient by convention {@code L} or {@code R}: their relative error
   * is at most 3/2 of that between {@code L} and {@code R}, so every such point whose gradient
   * fails {@link #TOLERANCE} is found with half of it.
   */
  static final double ONE_SIDED_TOLERANCE = TOLERANCE / 2;
  static final double STEP = GradCheck.DEFAULT_STEP;
  static final double SMALL_STEP = 1e-4;
  /**
   * Failures reported in full (the program compiled alone, its generated source even if it does
   * not compile): each costs extra compilations, so later ones get the short form.
   */
  static final int DETAILED_REPORTS = Integer.getInteger("adjoint.fuzz.detailedReports", 8);
  /** Failures printed in full on the console; the rest get one line (all are in the log file). */
  static final int CONSOLE_REPORTS = 10;
  /** The run fails if more than this fraction of the points were skipped as kinks. */
  static final double MAX_SKIPPED = 0.05;
  /** New points tried, at most, in place of one found at a kink. */
  static final int RESAMPLES = 4;

  private static final Path FAILURE_LOG = Path.of("target", "adjoint-fuzz-failures.txt");

  /** Counters of one run. */
  static final class Stats {
    int programs;
    int helpers;
    int points;
    int passed;
    int passedWithSmallStep;
    /** Points skipped: still at a kink after {@link #RESAMPLES} new tries. */
    int kinks;
    /** Points found at a kink and replaced by a new random point. */
    int resampled;
    int failures;
    /** Programs not checked because a helper they call does not compile. */
    int blocked;
    long start = System.nanoTime();
    long compileNanos;
    long checkNanos;
    long reportNanos;
    int compilations;
    int detailedReports;
    /** Methods containing each construct. */
    final Map<String, Integer> census = new LinkedHashMap<>();
    long batchCompileNanos;
    /** Generating the programs, the census of constructs, reading the generated methods. */
    long generateNanos;

    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "%d programs + %d helpers, %d points: %d passed (%d only with the smaller step), "
              + "%d resampled away from kinks, %d skipped as kinks (%.2f%%), %d failures, "
              + "%d programs not checked because a "
              + "helper they call does not compile, %.1f s (%d compilations %.1f s, of which the "
              + "first of each batch %.1f s; checks %.1f s; failure reports %.1f s; generation and "
              + "census %.1f s)",
          programs, helpers, points, passed, passedWithSmallStep, resampled, kinks,
          points == 0 ? 0.0 : 100.0 * kinks / points, failures, blocked,
          (System.nanoTime() - start) / 1e9, compilations, compileNanos / 1e9,
          batchCompileNanos / 1e9, checkNanos / 1e9,
          reportNanos / 1e9, generateNanos / 1e9);
    }
  }

  /** The counters of the running factory (compile needs them). */
  private Stats current = new Stats();

  @TestFactory
  Stream<DynamicTest> randomProgramsMatchFiniteDifferences() {
    Stats stats = new Stats();
    current = stats;
    ProgramGenerator gen = new ProgramGenerator(SEED);
    System.out.printf(Locale.ROOT,
        "[adjoint-fuzz] seed=%d (-Dadjoint.fuzz.seed=%d) programs=%d perClass=%d points=%d%s%n",
        SEED, SEED, PROGRAMS, PER_CLASS, POINTS, ONLY >= 0 ? " only=" + ONLY : "");
    try {
      Files.deleteIfExists(FAILURE_LOG);
    } catch (IOException e) {
      System.out.println("[adjoint-fuzz] cannot delete " + FAILURE_LOG + ": " + e);
    }
    List<DynamicTest> tests = new ArrayList<>();
    int batches = (PROGRAMS + PER_CLASS - 1) / PER_CLASS;
    for (int b = 0; b < batches; b++) {
      int first = b * PER_CLASS;
      int count = Math.min(PER_CLASS, PROGRAMS - first);
      if (ONLY >= 0 && (ONLY < first || ONLY >= first + count)) {
        continue;
      }
      int batchIndex = b;
      tests.add(DynamicTest.dynamicTest(
          "batch " + b + ": programs f" + first + "..f" + (first + count - 1),
          () -> assertTimeoutPreemptively(Duration.ofMinutes(5),
              () -> {
                long t0 = System.nanoTime();
                Batch batch = gen.batch(batchIndex, first, count);
                stats.generateNanos += System.nanoTime() - t0;
                runBatch(batch, stats);
              })));
    }
    tests.add(DynamicTest.dynamicTest("at most 5% of the points at kinks", () -> {
      StringBuilder census = new StringBuilder();
      stats.census.forEach((k, v) -> census.append(census.length() == 0 ? "" : ", ").append(k)
          .append(' ').append(v));
      System.out.println("[adjoint-fuzz] methods containing each construct: " + census);
      System.out.println("[adjoint-fuzz] seed=" + SEED + ": " + stats);
      if (stats.points > 0 && stats.kinks > MAX_SKIPPED * stats.points) {
        throw new AssertionError("too many points skipped as kinks: " + stats);
      }
      // every point tried, kept or replaced: a kink test too eager would show here
      int found = stats.kinks + stats.resampled;
      if (found > MAX_SKIPPED * (stats.points + stats.resampled)) {
        throw new AssertionError("too many points found at kinks: " + stats);
      }
    }));
    return tests.stream();
  }

  // ------------------------------------------------------------------------------ one batch

  private void runBatch(Batch batch, Stats stats) {
    // checkpointed loops (analysis.Checkpoints) checkpoint in every other batch whatever their size
    dev.adjoint.runtime.Tape.checkpointFrom(batch.index() % 2 == 0 ? 0
        : dev.adjoint.runtime.Tape.CHECKPOINT_FROM_DEFAULT);
    List<String> failures = new ArrayList<>();
    List<Fn> programs = batch.programs();
    if (ONLY >= 0) {
      programs = programs.stream().filter(p -> p.name().equals("f" + ONLY)).toList();
    }
    List<Fn> generated = new ArrayList<>(batch.helpers());
    generated.addAll(programs);
    long g0 = System.nanoTime();
    ProgramGenerator.census(generated).forEach((k, v) -> stats.census.merge(k, v, Integer::sum));
    stats.generateNanos += System.nanoTime() - g0;
    List<Unit> units = new ArrayList<>();
    Set<Fn> goodHelpers = new LinkedHashSet<>(batch.helpers());
    long t0 = System.nanoTime();
    Unit together = compile(batch, programs, goodHelpers);
    stats.batchCompileNanos += System.nanoTime() - t0;
    if (together.compiled != null) {
      units.add(together);
    } else {
      // a program can only be checked if the helpers it calls compile
      if (compile(batch, List.of(), batch.helpers()).compiled == null) {
        for (Fn h : batch.helpers()) {
          Set<Fn> needs = batch.helpersOf(List.of(h));
          needs.add(h);
          Unit alone = compile(batch, List.of(), needs);
          if (alone.compiled == null) {
            goodHelpers.remove(h);
            Set<Fn> callees = batch.helpersOf(List.of(h));
            callees.remove(h); // a recursive helper is among its own callees
            if (goodHelpers.containsAll(callees)) {
              // its own callees compile: this helper is where the problem is
              stats.helpers++;
              failures.add(report(batch, h, "does not compile", null, alone.problem, null));
            }
          }
        }
      }
      List<Fn> checkable = new ArrayList<>();
      for (Fn p : programs) {
        if (goodHelpers.containsAll(batch.helpersOf(List.of(p)))) {
          checkable.add(p);
        } else {
          stats.blocked++;
        }
      }
      // javac's messages name lines: take out the programs they point at and compile the rest
      List<Fn> remaining = checkable;
      for (int round = 0; round < 4 && !remaining.isEmpty(); round++) {
        Unit u = compile(batch, remaining, goodHelpers);
        if (u.compiled != null) {
          units.add(u);
          remaining = List.of();
          break;
        }
        Map<Fn, String> blamed = blame(batch, remaining, goodHelpers, u.problem);
        if (blamed.isEmpty()) {
          break;
        }
        for (Map.Entry<Fn, String> e : blamed.entrySet()) {
          stats.programs++;
          failures.add(report(batch, e.getKey(), "does not compile", null, e.getValue(), null));
        }
        remaining = new ArrayList<>(remaining);
        remaining.removeAll(blamed.keySet());
      }
      // otherwise halve the list until every program that does not compile stands alone
      int half = remaining.size() / 2;
      bisect(batch, remaining.subList(0, half), goodHelpers, units, failures, stats);
      bisect(batch, remaining.subList(half, remaining.size()), goodHelpers, units, failures, stats);
    }
    boolean helpersChecked = false;
    for (Unit u : units) {
      Map<String, String> texts = new HashMap<>();
      if (!helpersChecked) {
        for (Fn h : goodHelpers) {
          if (h.checked()) { // unannotated helpers are checked through their callers
            stats.helpers++;
            checkMethod(batch, u, h, failures, stats);
          }
        }
        helpersChecked = true;
      }
      for (Fn p : u.programs) {
        stats.programs++;
        checkMethod(batch, u, p, failures, stats);
        // how often the generated code runs a loop's adjoint inside the loop (analysis.Fusion)
        long m0 = System.nanoTime();
        if (texts.isEmpty()) {
          texts.putAll(methodTexts(u.compiled.generatedSource(Gradients.gradClass(p.qualifiedOwner()))));
        }
        String text = texts.getOrDefault(p.name(), "");
        stats.generateNanos += System.nanoTime() - m0;
        if (text.contains("adjoint of this iteration")) {
          stats.census.merge("generated: loop adjoint fused into the loop", 1, Integer::sum);
        }
        if (text.contains("Tape.checkpoints(")) {
          stats.census.merge("generated: checkpointed loop", 1, Integer::sum);
        }
        if (text.contains("reserveDoubles")) {
          stats.census.merge("generated: tape reserved before a loop", 1, Integer::sum);
        }
        if (text.contains("the loop runs at least once: elements")) {
          stats.census.merge("generated: elements kept in locals across a loop", 1, Integer::sum);
        }
        if (text.contains("as this iteration filled it (not taped)")) {
          stats.census.merge("generated: scratch array refilled, not taped", 1, Integer::sum);
        }
        if (text.contains("not stepped back: one induction variable")) {
          stats.census.merge("generated: counter computed from the reverse loop's index", 1, Integer::sum);
        }
      }
      if (texts.containsKey("r0Record")) {
        // the batch's recursive helper recurses over an array: its gradient is split (fRecord, fReverse)
        stats.census.merge("generated: recursive helper split (batches)", 1, Integer::sum);
      }
    }
    if (!failures.isEmpty()) {
      StringBuilder all = new StringBuilder();
      for (String f : failures) {
        all.append(f).append('\n');
        // the console gets the first reports in full, then one line per failure
        if (stats.failures++ < CONSOLE_REPORTS) {
          System.out.println(f);
        } else {
          System.out.println("[adjoint-fuzz] " + f.lines().skip(1).limit(3)
              .map(l -> l.length() > 160 ? l.substring(0, 160) + "..." : l)
              .reduce((a, b) -> a + " | " + b).orElse(""));
        }
      }
      appendToLog(all.toString());
      throw new AssertionError(failures.size() + " failure(s) in batch " + batch.index()
          + " (seed " + SEED + "; all of them in " + FAILURE_LOG.toAbsolutePath() + "); the first:\n"
          + failures.get(0));
    }
  }

  /** A compilation of some programs of a batch, or why it failed. */
  static final class Unit {
    final List<Fn> programs;
    final Compiled compiled;
    final String problem;
    final Map<String, Method> methods = new HashMap<>();

    Unit(List<Fn> programs, Compiled compiled, String problem) {
      this.programs = programs;
      this.compiled = compiled;
      this.problem = problem;
    }

    /** The public static method of that name and those parameter types, or null. */
    Method method(String cls, String name, Class<?>... types) {
      return methods.computeIfAbsent(cls + "#" + name + Arrays.toString(types), k -> {
        try {
          return compiled.load(cls).getMethod(name, types);
        } catch (NoSuchMethodException e) {
          return null;
        }
      });
    }
  }

  private Unit compile(Batch batch, List<Fn> programs, Collection<Fn> helpers) {
    long t0 = System.nanoTime();
    try {
      return compileUntimed(batch, programs, helpers);
    } finally {
      current.compilations++;
      current.compileNanos += System.nanoTime() - t0;
    }
  }

  private static Unit compileUntimed(Batch batch, List<Fn> programs, Collection<Fn> helpers) {
    String[] sources = batch.namesAndSources(programs, helpers);
    try {
      return new Unit(programs, Compiled.of(sources), null);
    } catch (AssertionError e) {
      // Compiled.of's message: javac's diagnostics and the generated sources
      return new Unit(programs, null, e.getMessage());
    } catch (Throwable t) {
      return new Unit(programs, null, "the compiler (or the processor) threw " + stackTrace(t));
    }
  }

  private static final Pattern DIAGNOSTIC =
      Pattern.compile("^(?:/SOURCE_OUTPUT/)?p/(\\w+)\\.java:(\\d+): error: .*$", Pattern.MULTILINE);
  /** javac rejecting a source (not generated) file for a reason other than the processor's. */
  private static final Pattern SOURCE_ERROR =
      Pattern.compile("^p/\\w+\\.java:\\d+: error: (?!\\[Adjoint)", Pattern.MULTILINE);
  private static final Pattern METHOD =
      Pattern.compile("^ {2,4}public static [\\w.\\[\\]]+ (\\w+)\\(.*$");

  /**
   * The programs javac's error messages point at (in the sources, or in the generated sources,
   * which are produced again with {@code -proc:only} to be read), each with its messages.
   */
  private static Map<Fn, String> blame(Batch batch, List<Fn> programs, Collection<Fn> helpers,
      String problem) {
    Map<Fn, String> out = new LinkedHashMap<>();
    Matcher m = DIAGNOSTIC.matcher(problem);
    List<int[]> starts = new ArrayList<>();
    while (m.find()) {
      starts.add(new int[] {m.start(), m.end()});
    }
    if (starts.isEmpty()) {
      return out;
    }
    String[] sources = batch.namesAndSources(programs, helpers);
    Map<String, String> files = new HashMap<>();
    for (int i = 0; i < sources.length; i += 2) {
      files.put(sources[i].substring(2), sources[i + 1]);
    }
    Map<String, String> generated = null;
    for (int k = 0; k < starts.size(); k++) {
      int end = k + 1 < starts.size() ? starts.get(k + 1)[0] : problem.length();
      String message = problem.substring(starts.get(k)[0], end);
      Matcher d = DIAGNOSTIC.matcher(message);
      if (!d.find()) {
        continue;
      }
      String file = d.group(1);
      int line = Integer.parseInt(d.group(2));
      String text = files.get(file);
      if (text == null) {
        if (generated == null) {
          generated = ProcessorOutput.generate(sources);
        }
        text = generated.get("p/" + file + ".java");
      }
      String name = text == null ? null : enclosingMethod(text, line);
      for (Fn p : programs) {
        if (p.name().equals(name)) {
          out.merge(p, message, String::concat);
        }
      }
    }
    return out;
  }

  /** The name of the method whose declaration is the nearest at or above {@code line}. */
  private static String enclosingMethod(String text, int line) {
    String[] lines = text.split("\n", -1);
    for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
      Matcher m = METHOD.matcher(lines[i]);
      if (m.matches()) {
        return m.group(1);
      }
    }
    return null;
  }

  /**
   * Compiles the programs together; when that fails, halves the list until every program that
   * does not compile stands alone (and is reported), so that one bad program costs only a few
   * extra compilations.
   */
  private void bisect(Batch batch, List<Fn> programs, Collection<Fn> helpers, List<Unit> units,
      List<String> failures, Stats stats) {
    if (programs.isEmpty()) {
      return;
    }
    Unit u = compile(batch, programs, helpers);
    if (u.compiled != null) {
      units.add(u);
      return;
    }
    if (programs.size() == 1) {
      stats.programs++;
      failures.add(report(batch, programs.get(0), "does not compile", null, u.problem, null));
      return;
    }
    int half = programs.size() / 2;
    bisect(batch, programs.subList(0, half), helpers, units, failures, stats);
    bisect(batch, programs.subList(half, programs.size()), helpers, units, failures, stats);
  }

  // ------------------------------------------------------------------------------ one method

  private void checkMethod(Batch batch, Unit u, Fn fn, List<String> failures, Stats stats) {
    long t0 = System.nanoTime();
    try {
      checkMethodUntimed(batch, u, fn, failures, stats);
    } finally {
      stats.checkNanos += System.nanoTime() - t0;
    }
  }

  private void checkMethodUntimed(Batch batch, Unit u, Fn fn, List<String> failures, Stats stats) {
    long index = fn.helper() ? -1000L - batch.index() * 100L - batch.helpers().indexOf(fn)
        : Long.parseLong(fn.name().substring(1));
    Object[] fields = fn.instance() ? receiverFields(index) : null;
    SplittableRandom r = new SplittableRandom(ProgramGenerator.streamSeed(SEED ^ 0x9017L, index));
    // new points in place of those at kinks come from a stream of their own, so that the first
    // try of each point is the same whether or not earlier points were replaced
    SplittableRandom again = new SplittableRandom(ProgramGenerator.streamSeed(SEED ^ 0x4E5A3L, index));
    for (int k = 0; k < POINTS; k++) {
      int which = k;
      Tried tried = checkAwayFromKinks(ProgramGenerator.point(fn, r, k),
          () -> ProgramGenerator.point(fn, again, which), args -> checkPoint(u, fn, args, fields),
          stats);
      if (tried.verdict().outcome() == Outcome.FAILED) {
        String problem = tried.verdict().problem();
        if (tried.tries() > 1) {
          problem = "(try " + tried.tries() + " of this point: the earlier tries lay at kinks) " + problem;
        }
        if (fields != null) {
          problem = "(the instance: " + receiverText(fn, fields) + ") " + problem;
        }
        failures.add(report(batch, fn, problem, tried.args(), null, u, fields));
        return; // one failure per method is enough
      }
    }
  }

  /**
   * The field values of the instance an instance program is called on ({@code scale},
   * {@code weights}: never empty), from a stream of their own: data, never differentiated.
   */
  static Object[] receiverFields(long index) {
    SplittableRandom r = new SplittableRandom(ProgramGenerator.streamSeed(SEED ^ 0x5E1FL, index));
    double scale = ProgramGenerator.value(r);
    double[] weights = new double[1 + r.nextInt(4)];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = ProgramGenerator.value(r);
    }
    return new Object[] {scale, weights};
  }

  static String receiverText(Fn fn, Object[] fields) {
    return "new " + fn.owner() + "(" + javaArgs(fields) + ")";
  }

  /** What the comparison at one point found. */
  enum Outcome {
    PASSED,
    /** Passed against the finite differences with the smaller step only. */
    PASSED_WITH_SMALL_STEP,
    /** At or near a kink or jump: finite differences say nothing about the gradient there. */
    KINK,
    FAILED
  }

  /** The outcome at one point, and what is wrong (or where the kink is). */
  record Verdict(Outcome outcome, String problem) {
    static final Verdict PASSED = new Verdict(Outcome.PASSED, null);
    static final Verdict PASSED_WITH_SMALL_STEP = new Verdict(Outcome.PASSED_WITH_SMALL_STEP, null);

    static Verdict failed(String problem) {
      return new Verdict(Outcome.FAILED, problem);
    }

    static Verdict kink(String where) {
      return new Verdict(Outcome.KINK, where);
    }
  }

  /** The point last tried, its verdict, and how many points were tried (1 if none was replaced). */
  record Tried(Object[] args, Verdict verdict, int tries) {}

  /**
   * Checks {@code first}; while the point tried lies at a kink, tries a new one from {@code next},
   * at most {@link #RESAMPLES} times. Counts the point (passed, skipped as a kink, or neither if
   * it failed) and the points replaced.
   */
  static Tried checkAwayFromKinks(Object[] first, Supplier<Object[]> next,
      Function<Object[], Verdict> check, Stats stats) {
    stats.points++;
    Object[] args = first;
    for (int tries = 1; ; tries++) {
      Verdict v;
      try {
        v = check.apply(args);
      } catch (Throwable t) {
        v = Verdict.failed("the check threw " + stackTrace(t));
      }
      switch (v.outcome()) {
        case PASSED -> stats.passed++;
        case PASSED_WITH_SMALL_STEP -> {
          stats.passed++;
          stats.passedWithSmallStep++;
        }
        case KINK -> {
          if (tries <= RESAMPLES) {
            stats.resampled++;
            args = next.get();
            continue;
          }
          stats.kinks++;
        }
        case FAILED -> { }
      }
      return new Tried(args, v, tries);
    }
  }

  /**
   * Compares the generated value and gradient (and the gradient-writing overloads) with the source
   * method at one point.
   */
  static Verdict checkPoint(Unit u, Fn fn, Object[] args) {
    return checkPoint(u, fn, args, null);
  }

  /**
   * As above; {@code fields}: for an instance method, the constructor arguments of the instance
   * (the generated gradient takes it first: {@code FuzzBGrad.f(instance, args...)}).
   */
  static Verdict checkPoint(Unit u, Fn fn, Object[] args, Object[] fields) {
    String cls = fn.qualifiedOwner();
    Class<?>[] types = fn.params().stream().map(p -> switch (p.kind()) {
      case DOUBLE -> double.class;
      case ARRAY -> double[].class;
      case MATRIX -> double[][].class;
      case INT -> int.class;
      case LONG -> long.class;
      case BOOLEAN -> boolean.class;
      case STRING -> String.class;
    }).toArray(Class<?>[]::new);
    Object receiver = null;
    Class<?>[] gradTypes = types;
    if (fn.instance()) {
      Class<?> owner = u.compiled.load(cls);
      try {
        receiver = owner.getConstructor(double.class, double[].class)
            .newInstance(fields[0], ((double[]) fields[1]).clone());
      } catch (ReflectiveOperationException e) {
        return Verdict.failed("cannot construct " + cls + ": " + e);
      }
      gradTypes = new Class<?>[types.length + 1];
      gradTypes[0] = owner;
      System.arraycopy(types, 0, gradTypes, 1, types.length);
    }
    Object self = receiver;
    Method primal = u.method(cls, fn.name(), types);
    if (primal != null && primal.getReturnType() == double[].class) {
      return checkJacobian(u, fn, primal, types, args);
    }
    Method grad = u.method(Gradients.gradClass(cls), fn.name(), gradTypes);
    if (primal == null || grad == null) {
      return Verdict.failed("no method " + (primal == null ? cls : Gradients.gradClass(cls)) + "."
          + fn.name() + Arrays.toString(primal == null ? types : gradTypes));
    }

    double value;
    try {
      value = (double) invokeOn(self, primal, copy(args));
    } catch (InvocationTargetException e) {
      return Verdict.failed("GENERATOR BUG: the source method threw " + stackTrace(e.getCause()));
    }
    if (!Double.isFinite(value)) {
      return Verdict.failed("GENERATOR BUG: the source method returned " + value);
    }
    Object[] gradArgs = withReceiver(self, copy(args));
    Object record;
    try {
      record = invoke(grad, gradArgs);
    } catch (InvocationTargetException e) {
      return Verdict.failed("the generated gradient method threw " + stackTrace(e.getCause()));
    }
    if (!Arrays.deepEquals(gradArgs, withReceiver(self, args))) {
      return Verdict.failed("the generated gradient method modified its arguments: "
          + Arrays.deepToString(gradArgs));
    }
    Map<String, Object> components = Compiled.components(record);
    Object got = components.get("value");
    if (!(got instanceof Double v)
        || !(Double.compare(v, value) == 0 || Math.abs(v - value) <= 1e-12 * Math.max(1, Math.abs(value)))) {
      return Verdict.failed("value: the generated method returns " + got
          + " but the source method returns " + value);
    }
    List<String> expected = new ArrayList<>(List.of("value"));
    expected.addAll(fn.differentiated());
    if (!new ArrayList<>(components.keySet()).equals(expected)) {
      return Verdict.failed("record components " + components.keySet() + ", expected " + expected);
    }

    List<String> names = fn.differentiated();
    int n = names.size();
    int[] positions = new int[n];
    double[][] point = new double[n][];
    double[][] gradient = new double[n][];
    for (int k = 0; k < n; k++) {
      positions[k] = indexOf(fn, names.get(k));
      Object a = args[positions[k]];
      Object g = components.get(names.get(k));
      if (a instanceof double[][] mat) {
        point[k] = Gradients.flatten(mat);
        if (!(g instanceof double[][] gm) || !Gradients.sameShape(gm, mat)) {
          return Verdict.failed("component " + names.get(k) + " is " + describe(g)
              + ", expected a double[][] shaped like " + Arrays.deepToString(mat));
        }
        gradient[k] = Gradients.flatten(gm);
      } else if (a instanceof double[] arr) {
        point[k] = arr.clone();
        if (!(g instanceof double[] ga) || ga.length != arr.length) {
          return Verdict.failed("component " + names.get(k) + " is " + describe(g)
              + ", expected a double[" + arr.length + "]");
        }
        gradient[k] = ga.clone();
      } else {
        point[k] = new double[] {(double) a};
        if (!(g instanceof Double gd)) {
          return Verdict.failed("component " + names.get(k) + " is " + describe(g)
              + ", expected a double");
        }
        gradient[k] = new double[] {gd};
      }
    }
    boolean allArrays = n > 0;
    Object[] likes = new Object[n];
    for (int k = 0; k < n; k++) {
      likes[k] = args[positions[k]];
      allArrays &= likes[k] instanceof double[] || likes[k] instanceof double[][];
    }
    String into = allArrays ? checkIntoArrays(u, fn, gradTypes, withReceiver(self, args), value, gradient, likes)
        : checkInto(u, fn, gradTypes, withReceiver(self, args), value, gradient);
    if (into != null) {
      return Verdict.failed(into);
    }
    GradCheck.Function f = p -> {
      Object[] call = copy(args);
      for (int k = 0; k < n; k++) {
        Object a = args[positions[k]];
        call[positions[k]] = a instanceof double[][] ? Gradients.unflatten(p[k], a)
            : a instanceof double[] ? p[k].clone() : (Object) p[k][0];
      }
      try {
        return (double) invokeOn(self, primal, call);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("GENERATOR BUG: the source method threw", e.getCause());
      }
    };
    return compare(f, names.toArray(String[]::new), point, gradient);
  }

  /**
   * A vector-valued program: {@code fNJacobian(args)} (a row per output, a column per element of
   * the differentiated parameters in order) against the source method's value, and each row
   * against finite differences of its output, as a gradient is (kinks detected the same way).
   */
  static Verdict checkJacobian(Unit u, Fn fn, Method primal, Class<?>[] types, Object[] args) {
    Method jacobian = u.method(Gradients.gradClass(fn.qualifiedOwner()), fn.name() + "Jacobian", types);
    if (jacobian == null) {
      return Verdict.failed("no method " + Gradients.gradClass(fn.qualifiedOwner()) + "." + fn.name() + "Jacobian");
    }
    double[] value;
    try {
      value = (double[]) invokeOn(null, primal, copy(args));
    } catch (InvocationTargetException e) {
      return Verdict.failed("GENERATOR BUG: the source method threw " + stackTrace(e.getCause()));
    }
    for (double v : value) {
      if (!Double.isFinite(v)) {
        return Verdict.failed("GENERATOR BUG: the source method returned " + Arrays.toString(value));
      }
    }
    Object[] jacArgs = copy(args);
    double[][] j;
    try {
      j = (double[][]) invoke(jacobian, jacArgs);
    } catch (InvocationTargetException e) {
      return Verdict.failed("the generated Jacobian method threw " + stackTrace(e.getCause()));
    }
    if (!Arrays.deepEquals(jacArgs, args)) {
      return Verdict.failed("the generated Jacobian method modified its arguments: " + Arrays.deepToString(jacArgs));
    }
    List<String> names = fn.differentiated();
    int n = names.size();
    int[] positions = new int[n];
    double[][] point = new double[n][];
    int columns = 0;
    for (int k = 0; k < n; k++) {
      positions[k] = indexOf(fn, names.get(k));
      Object a = args[positions[k]];
      point[k] = a instanceof double[][] mat ? Gradients.flatten(mat) : a instanceof double[] arr ? arr.clone()
          : new double[] {(double) a};
      columns += point[k].length;
    }
    if (j.length != value.length) {
      return Verdict.failed("the Jacobian has " + j.length + " rows for " + value.length + " outputs");
    }
    for (int row = 0; row < value.length; row++) {
      if (j[row].length != columns) {
        return Verdict.failed("Jacobian row " + row + " has " + j[row].length + " columns, expected " + columns);
      }
    }
    String products = checkProducts(u, fn, types, args, value, j, positions, point);
    if (products != null) {
      return Verdict.failed(products);
    }
    Verdict worst = Verdict.PASSED;
    for (int row = 0; row < value.length; row++) {
      double[][] gradient = new double[n][];
      for (int k = 0, at = 0; k < n; at += point[k].length, k++) {
        gradient[k] = Arrays.copyOfRange(j[row], at, at + point[k].length);
      }
      int output = row;
      GradCheck.Function f = p -> {
        Object[] call = copy(args);
        for (int k = 0; k < n; k++) {
          Object a = args[positions[k]];
          call[positions[k]] = a instanceof double[][] ? Gradients.unflatten(p[k], a)
              : a instanceof double[] ? p[k].clone() : (Object) p[k][0];
        }
        try {
          return ((double[]) invokeOn(null, primal, call))[output];
        } catch (InvocationTargetException e) {
          throw new IllegalStateException("GENERATOR BUG: the source method threw", e.getCause());
        }
      };
      Verdict v = compare(f, names.toArray(String[]::new), point, gradient);
      if (v.outcome() == Outcome.FAILED) {
        return Verdict.failed("Jacobian row " + row + " (output " + row + "): " + v.problem());
      }
      if (v.outcome() == Outcome.KINK || worst.outcome() == Outcome.PASSED) {
        worst = worst.outcome() == Outcome.KINK ? worst : v;
      }
    }
    return worst;
  }

  /**
   * fJvp along a fixed direction against J·d, and fVjp with a fixed seed against seedᵀJ (J already
   * checked against finite differences row by row); null when both agree.
   */
  static String checkProducts(Unit u, Fn fn, Class<?>[] types, Object[] args, double[] value, double[][] j,
      int[] positions, double[][] point) {
    String cls = Gradients.gradClass(fn.qualifiedOwner());
    int n = positions.length;
    Object[] directions = new Object[n];
    double[] flat = new double[j.length == 0 ? 0 : j[0].length];
    Class<?>[] jvpTypes = Arrays.copyOf(types, types.length + n);
    for (int k = 0, at = 0; k < n; k++) {
      Object a = args[positions[k]];
      double[] d = new double[point[k].length];
      for (int i = 0; i < d.length; i++, at++) {
        d[i] = Math.sin(1.7 * at + 0.3); // a fixed direction, every element in play
        flat[at] = d[i];
      }
      directions[k] = a instanceof double[][] ? Gradients.unflatten(d, a) : a instanceof double[] ? d : (Object) d[0];
      jvpTypes[types.length + k] = types[positions[k]];
    }
    Method jvp = u.method(cls, fn.name() + "Jvp", jvpTypes);
    Class<?>[] vjpTypes = Arrays.copyOf(types, types.length + 1);
    vjpTypes[types.length] = double[].class; // the seed
    Method vjp = u.method(cls, fn.name() + "Vjp", vjpTypes);
    if (jvp == null || vjp == null) {
      return "no method " + cls + "." + fn.name() + (jvp == null ? "Jvp" : "Vjp");
    }
    Object[] jvpArgs = Arrays.copyOf(copy(args), types.length + n);
    System.arraycopy(directions, 0, jvpArgs, types.length, n);
    double[] seed = new double[value.length];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = i % 2 == 0 ? 1 : -0.5;
    }
    Object[] vjpArgs = Arrays.copyOf(copy(args), types.length + 1);
    vjpArgs[types.length] = seed.clone();
    Map<String, Object> t;
    Map<String, Object> g;
    try {
      t = Compiled.components(invoke(jvp, jvpArgs));
      g = Compiled.components(invoke(vjp, vjpArgs));
    } catch (InvocationTargetException e) {
      return "the generated fJvp or fVjp threw " + stackTrace(e.getCause());
    }
    double[] tangent = (double[]) t.get("tangent");
    for (int row = 0; row < j.length; row++) {
      double expected = 0;
      double scale = 0;
      for (int c = 0; c < flat.length; c++) {
        expected += j[row][c] * flat[c];
        scale += Math.abs(j[row][c] * flat[c]);
      }
      if (!(Math.abs(tangent[row] - expected) <= 1e-9 * Math.max(1, scale))) {
        return "fJvp: tangent[" + row + "] is " + tangent[row] + " but the Jacobian times the direction "
            + Arrays.toString(flat) + " is " + expected;
      }
    }
    List<String> names = fn.differentiated();
    for (int k = 0, at = 0; k < n; at += point[k].length, k++) {
      double[] got = Gradients.flatten(g.get(names.get(k)) instanceof Double d ? new double[] {d} : g.get(names.get(k)));
      for (int i = 0; i < point[k].length; i++) {
        double expected = 0;
        double scale = 0;
        for (int row = 0; row < j.length; row++) {
          expected += seed[row] * j[row][at + i];
          scale += Math.abs(seed[row] * j[row][at + i]);
        }
        if (!(Math.abs(got[i] - expected) <= 1e-9 * Math.max(1, scale))) {
          return "fVjp: " + names.get(k) + "[" + i + "] is " + got[i] + " but seedᵀJ is " + expected;
        }
      }
    }
    return null;
  }

  /**
   * Compares a gradient with finite differences of {@code f} at {@code point}: passed, a kink
   * (at or near the point the function is not smooth along some coordinate, so finite differences
   * say nothing about the gradient), or failed.
   */
  static Verdict compare(GradCheck.Function f, String[] names, double[][] point,
      double[][] gradient) {
    GradCheck.Report report = GradCheck.check(f, names, point, gradient, STEP);
    if (report.passes(TOLERANCE)) {
      return Verdict.PASSED;
    }
    double[][] fd = numeric(f, point, STEP);
    double[][] fdSmall = numeric(f, point, SMALL_STEP);
    if (worst(gradient, fdSmall) <= TOLERANCE) {
      return Verdict.PASSED_WITH_SMALL_STEP;
    }
    double disagreement = worst(fd, fdSmall);
    if (disagreement > KINK_TOLERANCE) {
      return Verdict.kink(String.format(Locale.ROOT,
          "central differences with steps %.0e and %.0e disagree by %.1e", STEP, SMALL_STEP,
          disagreement));
    }
    String kink = oneSidedKink(f, names, point, SMALL_STEP);
    if (kink != null) {
      return Verdict.kink(kink);
    }
    return Verdict.failed(String.format(Locale.ROOT,
        "gradient differs from finite differences (steps %.0e and %.0e agree to %.1e, and the "
            + "one-sided derivatives on both sides of the point agree):%n%s"
            + "analytic:            %s%nnumeric (step %.0e): %s%nnumeric (step %.0e): %s",
        STEP, SMALL_STEP, disagreement, report, Arrays.deepToString(gradient),
        STEP, Arrays.deepToString(fd), SMALL_STEP, Arrays.deepToString(fdSmall)));
  }

  /**
   * Where the derivative from the left and the derivative from the right of the point differ
   * along some coordinate, which coordinate and by how much; null if they agree along every
   * coordinate. Both are second-order one-sided differences ({@code (-3f(x) + 4f(x+h) -
   * f(x+2h)) / 2h} and its mirror image), off by {@code O(h^2)} where the function is smooth,
   * but by the whole jump of the slope at a kink at the point, which central differences of every
   * step average away: at a tie of {@code Math.max(a, b)} both steps see {@code (a' + b') / 2}.
   */
  static String oneSidedKink(GradCheck.Function f, String[] names, double[][] point, double step) {
    double[][] work = new double[point.length][];
    for (int i = 0; i < point.length; i++) {
      work[i] = point[i].clone();
    }
    double f0 = f.apply(work);
    for (int i = 0; i < work.length; i++) {
      double[] p = work[i];
      for (int j = 0; j < p.length; j++) {
        double x = p[j];
        double h = step * Math.max(1, Math.abs(x));
        double xPlus = x + h;
        if (xPlus != x) {
          h = xPlus - x;
        }
        p[j] = x + 2 * h;
        double f2 = f.apply(work);
        p[j] = x + h;
        double f1 = f.apply(work);
        p[j] = x - h;
        double fm1 = f.apply(work);
        p[j] = x - 2 * h;
        double fm2 = f.apply(work);
        p[j] = x;
        double right = (-3 * f0 + 4 * f1 - f2) / (2 * h);
        double left = (3 * f0 - 4 * fm1 + fm2) / (2 * h);
        double error = relativeError(right, left);
        if (error > ONE_SIDED_TOLERANCE) {
          return String.format(Locale.ROOT,
              "along %s%s the derivative is %s from the left and %s from the right (step %.0e)",
              names[i], point[i].length == 1 ? "" : "[" + j + "]",
              left, right, step);
        }
      }
    }
    return null;
  }

  private static String checkInto(Unit u, Fn fn, Class<?>[] types, Object[] args, double value,
      double[][] gradient) {
    Class<?>[] intoTypes = Arrays.copyOf(types, types.length + 1);
    intoTypes[types.length] = double[].class;
    Method into = u.method(Gradients.gradClass(fn.qualifiedOwner()), fn.name(), intoTypes);
    if (into == null) {
      return null;
    }
    int n = gradient.length;
    double[] out = new double[n + 1];
    Arrays.fill(out, -12345.0);
    Object[] call = Arrays.copyOf(copy(args), args.length + 1);
    call[args.length] = out;
    Object got;
    try {
      got = invoke(into, call);
    } catch (InvocationTargetException e) {
      return "the allocation-free overload " + fn.name() + "(..., double[] gradient) threw "
          + stackTrace(e.getCause());
    }
    double[] expected = new double[n + 1];
    for (int k = 0; k < n; k++) {
      expected[k] = gradient[k].length == 1 ? gradient[k][0] : Double.NaN;
    }
    expected[n] = -12345.0;
    boolean same = got instanceof Double v && close(v, value);
    for (int k = 0; k <= n; k++) {
      same &= close(out[k], expected[k]);
    }
    if (!same) {
      return "the allocation-free overload " + fn.name() + "(..., double[] gradient) returned " + got
          + " and wrote " + Arrays.toString(out) + "; the record has value " + value + " and gradient "
          + Arrays.toString(Arrays.copyOf(expected, n)) + " (the last element must stay -12345.0)";
    }
    return null;
  }

  /**
   * The overload of a method differentiated with respect to arrays only: one caller's array
   * per differentiated array, overwritten with what the record holds.
   */
  private static String checkIntoArrays(Unit u, Fn fn, Class<?>[] types, Object[] args, double value,
      double[][] gradient, Object[] likes) {
    int n = gradient.length;
    Class<?>[] intoTypes = Arrays.copyOf(types, types.length + n);
    for (int k = 0; k < n; k++) {
      intoTypes[types.length + k] = likes[k].getClass();
    }
    Method into = u.method(Gradients.gradClass(fn.qualifiedOwner()), fn.name(), intoTypes);
    if (into == null) {
      return "no overload " + fn.name() + "(..., double[] gradient...) writing into the caller's arrays";
    }
    Object[] call = Arrays.copyOf(copy(args), args.length + n);
    Object[] outs = new Object[n];
    for (int k = 0; k < n; k++) {
      double[] filled = new double[gradient[k].length];
      Arrays.fill(filled, -12345.0); // overwritten, never added to
      outs[k] = likes[k] instanceof double[][] ? Gradients.unflatten(filled, likes[k]) : filled;
      call[args.length + k] = outs[k];
    }
    Object got;
    try {
      got = invoke(into, call);
    } catch (InvocationTargetException e) {
      return "the array-writing overload " + fn.name() + " threw " + stackTrace(e.getCause());
    }
    boolean same = got instanceof Double v && close(v, value);
    for (int k = 0; k < n; k++) {
      double[] flat = Gradients.flatten(outs[k]);
      for (int i = 0; i < flat.length; i++) {
        same &= close(flat[i], gradient[k][i]);
      }
    }
    if (!same) {
      return "the array-writing overload " + fn.name() + " returned " + got + " and wrote "
          + Arrays.deepToString(outs) + "; the record has value " + value + " and gradient "
          + Arrays.deepToString(gradient);
    }
    return null;
  }

  private static boolean close(double a, double b) {
    return Double.compare(a, b) == 0 || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
  }

  /** Five-point central differences, as GradCheck computes them, for every element. */
  static double[][] numeric(GradCheck.Function f, double[][] point, double step) {
    double[][] work = new double[point.length][];
    for (int i = 0; i < point.length; i++) {
      work[i] = point[i].clone();
    }
    double[][] out = new double[point.length][];
    for (int i = 0; i < work.length; i++) {
      double[] p = work[i];
      out[i] = new double[p.length];
      for (int j = 0; j < p.length; j++) {
        double x = p[j];
        double h = step * Math.max(1, Math.abs(x));
        double xPlus = x + h;
        if (xPlus != x) {
          h = xPlus - x;
        }
        p[j] = x + 2 * h;
        double f2 = f.apply(work);
        p[j] = x + h;
        double f1 = f.apply(work);
        p[j] = x - h;
        double fm1 = f.apply(work);
        p[j] = x - 2 * h;
        double fm2 = f.apply(work);
        p[j] = x;
        out[i][j] = (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * h);
      }
    }
    return out;
  }

  /** The largest relative error between two gradients, as GradCheck defines it. */
  static double worst(double[][] a, double[][] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        worst = Math.max(worst, relativeError(a[i][j], b[i][j]));
      }
    }
    return worst;
  }

  static double relativeError(double a, double n) {
    if (Double.isNaN(a) || Double.isNaN(n)) {
      return Double.isNaN(a) && Double.isNaN(n) ? 0 : Double.POSITIVE_INFINITY;
    }
    if (Double.isInfinite(a) || Double.isInfinite(n)) {
      return a == n ? 0 : Double.POSITIVE_INFINITY;
    }
    return Math.abs(a - n) / Math.max(Math.max(Math.abs(a), Math.abs(n)), GradCheck.ERROR_FLOOR);
  }

  // ------------------------------------------------------------------------------ reporting

  /** Everything needed to turn a failure into a regression test. */
  private String report(Batch batch, Fn fn, String problem, Object[] args, String compileProblem,
      Unit unit) {
    return report(batch, fn, problem, args, compileProblem, unit, null);
  }

  private String report(Batch batch, Fn fn, String problem, Object[] args, String compileProblem,
      Unit unit, Object[] fields) {
    long t0 = System.nanoTime();
    try {
      return reportUntimed(batch, fn, problem, args, compileProblem, unit, fields);
    } finally {
      current.reportNanos += System.nanoTime() - t0;
    }
  }

  private String reportUntimed(Batch batch, Fn fn, String problem, Object[] args,
      String compileProblem, Unit unit, Object[] fields) {
    StringBuilder sb = new StringBuilder();
    sb.append("==================== adjoint fuzz failure ====================\n");
    String what = fn == null ? "helpers of batch " + batch.index()
        : fn.helper() ? "helper " + fn.owner() + "." + fn.name() + " of batch " + batch.index()
        : "program " + fn.name() + " (index " + fn.name().substring(1) + ", batch " + batch.index() + ")";
    sb.append("seed ").append(SEED).append(", ").append(what).append('\n');
    sb.append("reproduce: -Dadjoint.fuzz.seed=").append(SEED).append(" -Dadjoint.fuzz.perClass=")
        .append(PER_CLASS).append(" -Dadjoint.fuzz.points=").append(POINTS);
    if (fn != null && !fn.helper()) {
      sb.append(" -Dadjoint.fuzz.only=").append(fn.name().substring(1));
    }
    sb.append('\n');
    if (compileProblem != null && SOURCE_ERROR.matcher(compileProblem).find()) {
      problem = "GENERATOR BUG? javac rejects the generated program itself; " + problem;
    }
    sb.append("problem: ").append(problem).append('\n');
    if (args != null) {
      sb.append("point: ").append(fields != null ? receiverText(fn, fields) : fn.owner())
          .append('.').append(fn.name()).append('(').append(javaArgs(args)).append(")\n");
    }
    // the program alone, with the helpers: short enough to read, and what a regression test needs
    List<Fn> alone = fn == null || fn.helper() ? List.of() : List.of(fn);
    Set<Fn> helpers = fn == null ? new LinkedHashSet<>(batch.helpers()) : batch.helpersOf(List.of(fn));
    if (fn != null && fn.helper()) {
      helpers.add(fn);
    }
    String[] sources = batch.namesAndSources(alone, helpers);
    for (int i = 0; i < sources.length; i += 2) {
      sb.append("--- source ").append(sources[i]).append(" ---\n").append(sources[i + 1]);
    }
    boolean detailed = current.detailedReports++ < DETAILED_REPORTS;
    if (!detailed) {
      // cheap: no extra compilation
      if (compileProblem != null) {
        sb.append("--- ").append(compileProblem).append('\n');
      } else if (unit != null && unit.compiled != null) {
        String g = Gradients.gradClass(fn.qualifiedOwner());
        sb.append("--- generated ").append(g).append(", the method only ---\n")
            .append(methodText(unit.compiled.generatedSource(g), fn.name()));
      }
      return sb.toString();
    }
    if (compileProblem != null) {
      sb.append("--- ").append(compileProblem).append('\n');
      appendProcessorOutput(sb, sources);
    } else {
      Unit isolated = compile(batch, alone, helpers);
      if (isolated.compiled == null) {
        sb.append("--- alone it does not compile: ").append(isolated.problem).append('\n');
        appendProcessorOutput(sb, sources);
      } else {
        for (String cls : List.of(batch.mainClass(), batch.libClass())) {
          String g = Gradients.gradClass("p." + cls);
          try {
            sb.append("--- generated ").append(g).append(" ---\n")
                .append(isolated.compiled.generatedSource(g));
          } catch (AssertionError e) {
            sb.append("--- no generated ").append(g).append('\n');
          }
        }
        if (args != null) {
          String again;
          try {
            Verdict v = checkPoint(isolated, fn, args, fields);
            again = switch (v.outcome()) {
              case PASSED, PASSED_WITH_SMALL_STEP -> "passes";
              case KINK -> "lies at a kink: " + v.problem();
              case FAILED -> "fails the same way";
            };
          } catch (Throwable t) {
            again = "the check threw " + t;
          }
          sb.append("--- compiled alone, the point ").append(again).append('\n');
        }
      }
    }
    return sb.toString();
  }

  private static final Pattern GENERATED_METHOD = Pattern.compile("    public static [\\w.]+ (\\w+)\\(.*");

  /** {@link #methodText} of every method of a generated source, in one pass. */
  static Map<String, String> methodTexts(String source) {
    Map<String, String> out = new HashMap<>();
    String[] lines = source.split("\n");
    for (int i = 0; i < lines.length; i++) {
      Matcher m = GENERATED_METHOD.matcher(lines[i]);
      if (!m.matches()) {
        continue;
      }
      StringBuilder sb = new StringBuilder();
      for (int k = i; k < lines.length; k++) {
        sb.append(lines[k]).append('\n');
        if (k > i && lines[k].equals("    }")) {
          break;
        }
      }
      out.merge(m.group(1), sb.toString(), String::concat);
    }
    return out;
  }

  /** The generated methods called {@code name} (the gradient and its overloads), by indentation. */
  static String methodText(String source, String name) {
    StringBuilder sb = new StringBuilder();
    String[] lines = source.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].matches("    public static [\\w.]+ " + name + "\\(.*")) {
        int j = i;
        while (j > 0 && lines[j - 1].trim().startsWith("*") || j > 0 && lines[j - 1].trim().startsWith("/**")) {
          j--;
        }
        for (int k = j; k < lines.length; k++) {
          sb.append(lines[k]).append('\n');
          if (k > i && lines[k].equals("    }")) {
            break;
          }
        }
      }
    }
    return sb.toString();
  }

  /** The generated sources even if they do not compile (compile-testing hides them then). */
  private static void appendProcessorOutput(StringBuilder sb, String[] sources) {
    for (Map.Entry<String, String> e : ProcessorOutput.generate(sources).entrySet()) {
      sb.append("--- generated (javac -proc:only) ").append(e.getKey()).append(" ---\n")
          .append(numbered(e.getValue()));
    }
  }

  /** Text with line numbers, to find the line a javac error names. */
  private static String numbered(String text) {
    StringBuilder sb = new StringBuilder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      sb.append(String.format(Locale.ROOT, "%4d  ", i + 1)).append(lines[i]).append('\n');
    }
    return sb.toString();
  }

  private static String javaArgs(Object[] args) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < args.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      Object a = args[i];
      if (a instanceof double[] arr) {
        sb.append("new double[] {");
        for (int j = 0; j < arr.length; j++) {
          sb.append(j > 0 ? ", " : "").append(arr[j]);
        }
        sb.append('}');
      } else if (a instanceof double[][] m) {
        sb.append("new double[][] {");
        for (int j = 0; j < m.length; j++) {
          sb.append(j > 0 ? ", " : "").append('{');
          for (int k = 0; k < m[j].length; k++) {
            sb.append(k > 0 ? ", " : "").append(m[j][k]);
          }
          sb.append('}');
        }
        sb.append('}');
      } else if (a instanceof Long l) {
        sb.append(l).append('L');
      } else {
        sb.append(a);
      }
    }
    return sb.toString();
  }

  private static void appendToLog(String text) {
    try {
      Files.createDirectories(FAILURE_LOG.getParent());
      Files.writeString(FAILURE_LOG, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("[adjoint-fuzz] cannot write " + FAILURE_LOG + ": " + e);
    }
  }

  // ------------------------------------------------------------------------------ utilities

  private static Object invoke(Method m, Object[] args) throws InvocationTargetException {
    return invokeOn(null, m, args);
  }

  private static Object invokeOn(Object self, Method m, Object[] args) throws InvocationTargetException {
    try {
      return m.invoke(self, args);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code args} with the instance first, or {@code args} for a static method. */
  private static Object[] withReceiver(Object self, Object[] args) {
    if (self == null) {
      return args;
    }
    Object[] out = new Object[args.length + 1];
    out[0] = self;
    System.arraycopy(args, 0, out, 1, args.length);
    return out;
  }

  private static Object[] copy(Object[] args) {
    Object[] out = args.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] instanceof double[] a) {
        out[i] = a.clone();
      } else if (out[i] instanceof double[][] m) {
        double[][] c = new double[m.length][];
        for (int j = 0; j < m.length; j++) {
          c[j] = m[j].clone();
        }
        out[i] = c;
      }
    }
    return out;
  }

  private static int indexOf(Fn fn, String name) {
    List<Param> ps = fn.params();
    for (int i = 0; i < ps.size(); i++) {
      if (ps.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  private static String describe(Object o) {
    return o == null ? "null" : o.getClass().getSimpleName()
        + (o instanceof double[] a ? "[" + a.length + "]" : "")
        + (o instanceof double[][] m ? " " + Arrays.deepToString(m) : "");
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    String s = w.toString();
    return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
  }
}
