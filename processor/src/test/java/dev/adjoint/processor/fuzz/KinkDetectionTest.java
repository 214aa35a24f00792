package dev.adjoint.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.check.GradCheck;
import dev.adjoint.processor.fuzz.GeneratedProgramsTest.Outcome;
import dev.adjoint.processor.fuzz.GeneratedProgramsTest.Stats;
import dev.adjoint.processor.fuzz.GeneratedProgramsTest.Tried;
import dev.adjoint.processor.fuzz.GeneratedProgramsTest.Unit;
import dev.adjoint.processor.fuzz.GeneratedProgramsTest.Verdict;
import dev.adjoint.processor.fuzz.ProgramGenerator.Fn;
import dev.adjoint.processor.fuzz.ProgramGenerator.Kind;
import dev.adjoint.processor.fuzz.ProgramGenerator.Param;
import dev.adjoint.processor.testing.Compiled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer's judgement of a point ({@link GeneratedProgramsTest#compare}): a tie inside
 * {@code Math.max} is a kink, replaced by a new point, never a failure; a wrong gradient where the
 * function is smooth is still a failure.
 */
class KinkDetectionTest {
  private static final String[] NAMES = {"u", "y"};

  /** {@code Math.max(u[0], y) * (1 + 0.5 * u[1])}, as the source method computes it. */
  private static final GradCheck.Function MAX =
      p -> Math.max(p[0][0], p[1][0]) * (1 + 0.5 * p[0][1]);

  /** Its gradient, with max picking its first argument on ties. */
  private static double[][] maxGradient(double[][] p) {
    boolean first = p[0][0] >= p[1][0];
    double scale = 1 + 0.5 * p[0][1];
    double m = Math.max(p[0][0], p[1][0]);
    return new double[][] {{first ? scale : 0, 0.5 * m}, {first ? 0 : scale}};
  }

  /** Program 1052's point (seed 20261207): u[0] and y tie at -0.155. */
  private static final double[][] TIE = {{-0.155, -0.643}, {-0.155}};

  @Test
  void aTieInsideMaxIsAKinkThatCentralDifferencesAloneMiss() {
    // central differences of both steps see the average of the two sides, and agree:
    // the test that compared them alone called this point smooth, and the gradient wrong
    double[][] fd = GeneratedProgramsTest.numeric(MAX, TIE, GeneratedProgramsTest.STEP);
    double[][] fdSmall = GeneratedProgramsTest.numeric(MAX, TIE, GeneratedProgramsTest.SMALL_STEP);
    assertTrue(GeneratedProgramsTest.worst(fd, fdSmall) < GeneratedProgramsTest.KINK_TOLERANCE);
    assertTrue(GeneratedProgramsTest.worst(maxGradient(TIE), fd) > GeneratedProgramsTest.TOLERANCE);

    Verdict v = GeneratedProgramsTest.compare(MAX, NAMES, TIE, maxGradient(TIE));
    assertEquals(Outcome.KINK, v.outcome(), v::toString);
    assertTrue(v.problem().contains("along u[0]"), v.problem());
  }

  @Test
  void theGradientOfEitherSideAtATieIsAKinkToo() {
    double[][] second = {{0, 0.5 * -0.155}, {1 + 0.5 * -0.643}};
    assertEquals(Outcome.KINK, GeneratedProgramsTest.compare(MAX, NAMES, TIE, second).outcome());
  }

  @Test
  void aKinkWhoseSlopeJumpsByLittleMoreThanTheToleranceIsFoundToo() {
    // the slope jumps from 1 to 1 + 3e-6 at x = 0: the gradient by convention (1) is 1.5e-6 off
    // the central differences, which fails the tolerance
    GradCheck.Function f = p -> Math.max(p[0][0], (1 + 3e-6) * p[0][0]) + p[1][0];
    double[][] p = {{0.0}, {0.3}};
    double[][] gradient = {{1}, {1}};
    assertTrue(GeneratedProgramsTest.worst(gradient,
        GeneratedProgramsTest.numeric(f, p, GeneratedProgramsTest.SMALL_STEP)) > GeneratedProgramsTest.TOLERANCE);
    assertEquals(Outcome.KINK, GeneratedProgramsTest.compare(f, NAMES, p, gradient).outcome());
  }

  @Test
  void aRightGradientAtASmoothPointPasses() {
    double[][] p = {{0.3, -0.643}, {-0.155}};
    assertEquals(Outcome.PASSED, GeneratedProgramsTest.compare(MAX, NAMES, p, maxGradient(p)).outcome());
  }

  @Test
  void aWrongGradientAtASmoothPointFails() {
    double[][] p = {{0.3, -0.643}, {-0.155}};
    double[][] wrong = maxGradient(p);
    wrong[0][0] *= 0.5; // what a tie convention would give if it were applied away from ties
    Verdict v = GeneratedProgramsTest.compare(MAX, NAMES, p, wrong);
    assertEquals(Outcome.FAILED, v.outcome(), v::toString);
    assertTrue(v.problem().contains("gradient differs from finite differences"), v.problem());

    // also near a tie, as long as the function is smooth between the point and its finite
    // differences' farthest evaluation
    double[][] near = {{-0.155 + 1e-2, -0.643}, {-0.155}};
    double[][] wrongNear = maxGradient(near);
    wrongNear[1][0] = 0.25;
    assertEquals(Outcome.FAILED, GeneratedProgramsTest.compare(MAX, NAMES, near, wrongNear).outcome());
  }

  @Test
  void aSlightlyWrongGradientOfASmoothFunctionStillFails() {
    GradCheck.Function f = p -> Math.sin(p[0][0]) * Math.exp(p[1][0]);
    double[][] p = {{0.7}, {-0.4}};
    double[][] wrong = {{Math.cos(0.7) * Math.exp(-0.4) * (1 + 1e-5)}, {Math.sin(0.7) * Math.exp(-0.4)}};
    Verdict v = GeneratedProgramsTest.compare(f, NAMES, p, wrong);
    assertEquals(Outcome.FAILED, v.outcome(), v::toString);
    double[][] right = {{Math.cos(0.7) * Math.exp(-0.4)}, {Math.sin(0.7) * Math.exp(-0.4)}};
    assertEquals(Outcome.PASSED, GeneratedProgramsTest.compare(f, NAMES, p, right).outcome());
  }

  @Test
  void aJumpAtThePointIsAKink() {
    // floor(2x) jumps at x = 0.5: the one-sided differences see the jump on one side only
    GradCheck.Function f = p -> Math.floor(2 * p[0][0]) + p[0][0] * p[1][0];
    double[][] p = {{0.5}, {0.25}};
    double[][] gradient = {{0.25}, {0.5}};
    assertEquals(Outcome.KINK, GeneratedProgramsTest.compare(f, NAMES, p, gradient).outcome());
  }

  @Test
  void resamplingMovesATiePointAwayAndAWrongGradientStillFails() {
    Stats stats = new Stats();
    SplittableRandom r = new SplittableRandom(7);
    Tried t = GeneratedProgramsTest.checkAwayFromKinks(args(TIE),
        () -> args(new double[][] {{r.nextDouble() * 3 - 1.5, r.nextDouble()}, {r.nextDouble()}}),
        a -> GeneratedProgramsTest.compare(MAX, NAMES, point(a), maxGradient(point(a))), stats);
    assertEquals(Outcome.PASSED, t.verdict().outcome(), t.verdict()::toString);
    assertEquals(2, t.tries());
    assertEquals(1, stats.points);
    assertEquals(1, stats.passed);
    assertEquals(1, stats.resampled);
    assertEquals(0, stats.kinks);

    // a gradient that is wrong everywhere fails at the first smooth point
    Stats wrongStats = new Stats();
    Tried wrong = GeneratedProgramsTest.checkAwayFromKinks(args(TIE),
        () -> args(new double[][] {{0.3, -0.643}, {-0.155}}),
        a -> {
          double[][] g = maxGradient(point(a));
          g[0][1] += 0.1;
          return GeneratedProgramsTest.compare(MAX, NAMES, point(a), g);
        }, wrongStats);
    assertEquals(Outcome.FAILED, wrong.verdict().outcome());
    assertEquals(0.3, ((double[]) wrong.args()[0])[0]);
    assertEquals(0, wrongStats.passed);

    // a point that stays at a kink is skipped, and counted, after RESAMPLES new tries
    Stats stuck = new Stats();
    Tried skipped = GeneratedProgramsTest.checkAwayFromKinks(args(TIE), () -> args(TIE),
        a -> GeneratedProgramsTest.compare(MAX, NAMES, point(a), maxGradient(point(a))), stuck);
    assertEquals(Outcome.KINK, skipped.verdict().outcome());
    assertEquals(1 + GeneratedProgramsTest.RESAMPLES, skipped.tries());
    assertEquals(1, stuck.kinks);
    assertEquals(GeneratedProgramsTest.RESAMPLES, stuck.resampled);
  }

  /** The processor's own gradient of {@code Math.max(u[0], y)}, checked at the tie and beside it. */
  @Test
  void theGeneratedGradientAtATieIsAKinkNotAFailure() {
    String source = """
        package p;

        import dev.adjoint.Differentiable;

        public final class Tie {
          @Differentiable
          public static double f(double[] u, double y) {
            return Math.max(u[0], y) * (1 + 0.5 * u[1]);
          }
        }
        """;
    Fn fn = new Fn("Tie", "f", List.of(new Param("u", Kind.ARRAY), new Param("y", Kind.DOUBLE)),
        null, source, false, List.of(), false, true);
    Unit unit = new Unit(List.of(fn), Compiled.of("p.Tie", source), null);

    Verdict atTie = GeneratedProgramsTest.checkPoint(unit, fn, args(TIE));
    assertEquals(Outcome.KINK, atTie.outcome(), atTie::toString);
    Verdict beside = GeneratedProgramsTest.checkPoint(unit, fn,
        args(new double[][] {{-0.155 + 1e-2, -0.643}, {-0.155}}));
    assertEquals(Outcome.PASSED, beside.outcome(), beside::toString);

    Stats stats = new Stats();
    SplittableRandom r = new SplittableRandom(11);
    Tried t = GeneratedProgramsTest.checkAwayFromKinks(args(TIE),
        () -> new Object[] {
            new double[] {ProgramGenerator.value(r), ProgramGenerator.value(r)}, ProgramGenerator.value(r)},
        a -> GeneratedProgramsTest.checkPoint(unit, fn, a), stats);
    assertEquals(Outcome.PASSED, t.verdict().outcome(), t.verdict()::toString);
    assertEquals(1, stats.resampled);
    assertEquals(1, stats.passed);
  }

  /** Full-precision points: among thousands of values, none repeats (on the old grid, many did). */
  @Test
  void pointsDoNotRepeatValues() {
    SplittableRandom r = new SplittableRandom(20261207);
    Set<Double> seen = new HashSet<>();
    List<Double> repeats = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      double v = ProgramGenerator.value(r);
      assertTrue(v >= -1.5 && v < 1.5, () -> "out of range: " + v);
      if (!seen.add(v) || v == Math.rint(20 * v) / 20) {
        repeats.add(v);
      }
    }
    assertEquals(List.of(), repeats);
  }

  private static Object[] args(double[][] point) {
    return new Object[] {point[0].clone(), point[1][0]};
  }

  private static double[][] point(Object[] args) {
    return new double[][] {((double[]) args[0]).clone(), {(double) args[1]}};
  }

}
