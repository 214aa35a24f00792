package dev.adjoint.maven.check;

import dev.adjoint.check.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Checks one derivative at its {@code @CheckAt} points, or else at seeded random points, with
 * {@link GradCheck}: the finite-difference gradient of the function is the expected value, the
 * derivative's the actual one.
 */
public final class Checker {
  /** Random points: how many, where, and the defaults a {@code @CheckAt} can override. */
  public record Settings(double low, double high, long seed, int points, int arrayLength,
      double tolerance) {}

  /** The check at one point; expected and actual are null when the point could not be checked. */
  public record PointResult(Object[] args, double[][] expected, double[][] actual,
      double maxRelativeError, String problem) {}

  /**
   * The outcome for one derivative: every point, the worst first; or why it was skipped.
   *
   * @param tolerance the tolerance the points were held to
   */
  public record Outcome(CheckTarget target, double tolerance, List<PointResult> points,
      String skipped) {
    public boolean passed() {
      return skipped != null || points.stream().allMatch(p -> p.problem() == null
          && p.maxRelativeError() <= tolerance);
    }

    /** The point with the largest error (a failing point first), or null when skipped. */
    public PointResult worst() {
      PointResult worst = null;
      for (PointResult p : points) {
        if (worst == null || badness(p) > badness(worst)) {
          worst = p;
        }
      }
      return worst;
    }

    private static double badness(PointResult p) {
      return p.problem() != null ? Double.POSITIVE_INFINITY : p.maxRelativeError();
    }
  }

  /** A random point is drawn again this many times when the function is not finite there. */
  static final int DRAWS = 50;

  private Checker() {}

  public static Outcome check(CheckTarget t, Settings s) {
    double tolerance = t.checkAt() != null && t.checkAt().tolerance() > 0
        ? t.checkAt().tolerance() : s.tolerance();
    List<PointResult> results = new ArrayList<>();
    Class<?>[] types = t.function().getParameterTypes();
    String[] given = t.checkAt() == null ? new String[0] : t.checkAt().points();
    if (given.length > 0) {
      for (String point : given) {
        Object[] args;
        try {
          args = PointParser.parse(point, types);
        } catch (IllegalArgumentException e) {
          results.add(new PointResult(new Object[0], null, null, Double.POSITIVE_INFINITY,
              "@CheckAt point \"" + point + "\": " + e.getMessage()));
          continue;
        }
        results.add(at(t, args));
      }
      return new Outcome(t, tolerance, results, null);
    }
    for (int i = 0; i < types.length; i++) {
      if (types[i] != double.class && types[i] != double[].class) {
        return new Outcome(t, tolerance, results, "parameter " + t.parameterName(i) + " ("
            + types[i].getSimpleName() + "): random points are only drawn for double and double[]"
            + " parameters; give points with @CheckAt");
      }
    }
    int length = t.checkAt() != null && t.checkAt().length() > 0 ? t.checkAt().length() : s.arrayLength();
    // seeded per method, so that adding a method does not move the points of the others
    Random random = new Random(s.seed() ^ t.toString().hashCode());
    for (int n = 0; n < s.points(); n++) {
      Object[] args = null;
      for (int draw = 0; draw < DRAWS && args == null; draw++) {
        Object[] candidate = draw(types, length, s, random);
        if (finiteAt(t, candidate)) {
          args = candidate;
        }
      }
      if (args == null) {
        return new Outcome(t, tolerance, results, "not finite at " + DRAWS + " random points in ["
            + s.low() + ", " + s.high() + "]: give points with @CheckAt");
      }
      results.add(at(t, args));
    }
    return new Outcome(t, tolerance, results, null);
  }

  private static PointResult at(CheckTarget t, Object[] args) {
    try {
      double[][] point = t.differentiatedValues(args);
      GradCheck.Function f = p -> {
        try {
          return t.value(t.with(args, p));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      };
      double[][] actual = t.gradient().at(args);
      double[][] expected = GradCheck.numericGradient(f, point);
      String[] names = new String[point.length];
      for (int k = 0; k < names.length; k++) {
        names[k] = t.parameterName(t.differentiated()[k]);
      }
      double error = GradCheck.check(f, names, point, actual).worstRelativeError();
      return new PointResult(args, expected, actual, error, null);
    } catch (RuntimeException | ReflectiveOperationException | Error e) {
      if (e instanceof VirtualMachineError v) {
        throw v;
      }
      return new PointResult(args, null, null, Double.POSITIVE_INFINITY, "threw " + e);
    }
  }

  private static Object[] draw(Class<?>[] types, int length, Settings s, Random random) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      if (types[i] == double.class) {
        args[i] = uniform(s, random);
      } else {
        double[] a = new double[length];
        for (int j = 0; j < length; j++) {
          a[j] = uniform(s, random);
        }
        args[i] = a;
      }
    }
    return args;
  }

  private static double uniform(Settings s, Random random) {
    return s.low() + (s.high() - s.low()) * random.nextDouble();
  }

  private static boolean finiteAt(CheckTarget t, Object[] args) {
    try {
      return Double.isFinite(t.value(args));
    } catch (RuntimeException | ReflectiveOperationException e) {
      return false;
    }
  }
}
