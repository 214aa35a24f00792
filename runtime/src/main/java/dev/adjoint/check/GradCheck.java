package dev.adjoint.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Checks a gradient against finite differences and reports, for every parameter, the element
 * whose analytic and numeric partial derivatives disagree most.
 *
 * <p>Typical use, with a gradient produced by a generated adjoint:
 *
 * <pre>{@code
 * ModelGrad.Loss g = ModelGrad.loss(w, b);
 * GradCheck.check(
 *         p -> Model.loss(p[0], p[1][0]),
 *         new String[] {"w", "b"},
 *         new double[][] {w, {b}},
 *         new double[][] {g.w(), {g.b()}})
 *     .assertWithin(1e-6);
 * }</pre>
 *
 * <p><b>Numeric derivative.</b> Each element {@code x} of each parameter is perturbed on its own
 * and the partial derivative is estimated with the fourth-order central difference (five-point
 * stencil)
 *
 * <pre>{@code
 * (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12 h)
 * }</pre>
 *
 * whose truncation error is O(h<sup>4</sup>). The step is relative to the element's magnitude:
 * {@code h = step * max(1, |x|)}, with {@code step} = {@link #DEFAULT_STEP} unless given. The
 * function is therefore evaluated four times per element.
 *
 * <p><b>Relative error.</b> For an analytic value {@code a} and a numeric estimate {@code n} the
 * error is
 *
 * <pre>{@code
 * |a - n| / max(|a|, |n|, 1e-4)
 * }</pre>
 *
 * The floor {@link #ERROR_FLOOR} ({@code 1e-4}) keeps derivatives that are (almost) zero from
 * producing huge relative errors out of rounding noise: below it, the error is the absolute
 * difference scaled by {@code 1e4}. Special values: when exactly one of {@code a} and {@code n}
 * is NaN the error is infinite; when both are NaN it is zero; two infinities of the same sign
 * agree (error zero); any other disagreement involving an infinity is an infinite error.
 *
 * <p><b>Choosing a tolerance.</b> For a correct gradient of a smooth function of moderate size
 * the error is typically between {@code 1e-13} and {@code 1e-9}. Rounding in {@code f} limits the
 * absolute accuracy of the estimate to roughly {@code 1e-13 * |f|} with the default step, so a
 * derivative that is tiny compared with {@code f} (the floor turns that into a relative error of
 * about {@code 1e-9 * |f|}) or a function that is not smooth near the point can give larger
 * errors. {@code 1e-6} is a sound default tolerance; a wrong derivative usually gives errors
 * far above it.
 *
 * <p>The caller's arrays are never modified: the parameters are copied before they are
 * perturbed. The function must not modify the arrays it is given, and must be deterministic.
 * This class has no state and is safe to use from several threads.
 */
public final class GradCheck {

  /** The relative step used when none is given: {@code h = 1e-3 * max(1, |x|)}. */
  public static final double DEFAULT_STEP = 1e-3;

  /** The smallest denominator of the relative error; see the class description. */
  public static final double ERROR_FLOOR = 1e-4;

  private GradCheck() {}

  /**
   * A scalar function of several parameters. Each parameter is a {@code double[]}; a scalar
   * parameter is passed as a {@code double[1]}. The function must not modify its argument.
   */
  @FunctionalInterface
  public interface Function {
    /**
     * Evaluates the function.
     *
     * @param params one array per parameter, in the order given to {@code check}
     * @return the function's value
     */
    double apply(double[][] params);
  }

  /**
   * Compares {@code gradient} with finite differences of {@code f} at {@code params}, using the
   * default relative step {@link #DEFAULT_STEP}.
   *
   * @param f the function whose gradient is checked
   * @param names one name per parameter, used in the report
   * @param params the point at which to check; not modified
   * @param gradient the analytic gradient: {@code gradient[i][j]} is ∂f/∂{@code params[i][j]}
   * @return the worst element of every parameter
   * @throws IllegalArgumentException if the lengths of {@code names}, {@code params} and
   *     {@code gradient} differ, or if a parameter and its gradient differ in length
   * @throws NullPointerException if an argument or one of its elements is null
   */
  public static Report check(Function f, String[] names, double[][] params, double[][] gradient) {
    return check(f, names, params, gradient, DEFAULT_STEP);
  }

  /**
   * Compares {@code gradient} with finite differences of {@code f} at {@code params}, with the
   * relative step {@code step}: element {@code x} is perturbed by multiples of
   * {@code h = step * max(1, |x|)}.
   *
   * @param f the function whose gradient is checked
   * @param names one name per parameter, used in the report
   * @param params the point at which to check; not modified
   * @param gradient the analytic gradient: {@code gradient[i][j]} is ∂f/∂{@code params[i][j]}
   * @param step the relative step, finite and positive
   * @return the worst element of every parameter
   * @throws IllegalArgumentException if the lengths of {@code names}, {@code params} and
   *     {@code gradient} differ, if a parameter and its gradient differ in length, or if
   *     {@code step} is not finite and positive
   * @throws NullPointerException if an argument or one of its elements is null
   */
  public static Report check(
      Function f, String[] names, double[][] params, double[][] gradient, double step) {
    Objects.requireNonNull(f, "f");
    validate(names, params, gradient);
    if (!(step > 0) || Double.isInfinite(step)) {
      throw new IllegalArgumentException("step must be finite and positive, got " + step);
    }

    double[][] work = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      work[i] = params[i].clone();
    }

    List<Report.ParameterError> errors = new ArrayList<>(params.length);
    for (int i = 0; i < work.length; i++) {
      double[] p = work[i];
      int worstIndex = -1;
      double worstAnalytic = Double.NaN;
      double worstNumeric = Double.NaN;
      double worstError = 0;
      for (int j = 0; j < p.length; j++) {
        double analytic = gradient[i][j];
        double numeric = partial(f, work, p, j, step);
        double error = relativeError(analytic, numeric);
        if (worstIndex < 0 || error > worstError) {
          worstIndex = j;
          worstAnalytic = analytic;
          worstNumeric = numeric;
          worstError = error;
        }
      }
      errors.add(
          new Report.ParameterError(names[i], worstIndex, worstAnalytic, worstNumeric, worstError));
    }
    return new Report(errors);
  }

  /**
   * Compares {@code gradient} with finite differences of a function of one vector, with the
   * default relative step. The parameter is called {@code "x"} in the report.
   *
   * @param f the function whose gradient is checked; must not modify its argument
   * @param x the point at which to check; not modified
   * @param gradient the analytic gradient, of the same length as {@code x}
   * @return a report with one row, for {@code "x"}
   * @throws IllegalArgumentException if {@code x} and {@code gradient} differ in length
   */
  public static Report check(ToDoubleFunction<double[]> f, double[] x, double[] gradient) {
    return check(f, x, gradient, DEFAULT_STEP);
  }

  /**
   * Compares {@code gradient} with finite differences of a function of one vector, with the
   * relative step {@code step}. The parameter is called {@code "x"} in the report.
   *
   * @param f the function whose gradient is checked; must not modify its argument
   * @param x the point at which to check; not modified
   * @param gradient the analytic gradient, of the same length as {@code x}
   * @param step the relative step, finite and positive
   * @return a report with one row, for {@code "x"}
   * @throws IllegalArgumentException if {@code x} and {@code gradient} differ in length, or if
   *     {@code step} is not finite and positive
   */
  public static Report check(
      ToDoubleFunction<double[]> f, double[] x, double[] gradient, double step) {
    Objects.requireNonNull(f, "f");
    return check(
        p -> f.applyAsDouble(p[0]),
        new String[] {"x"},
        new double[][] {x},
        new double[][] {gradient},
        step);
  }

  /**
   * The finite-difference estimate of the whole gradient of {@code f} at {@code params}, with
   * the default relative step: the numbers {@link #check check} compares the analytic gradient
   * with ({@code result[i][j]} estimates ∂f/∂{@code params[i][j]}).
   *
   * @param f the function; must not modify its argument
   * @param params the point; not modified
   * @return one array per parameter, of the parameter's length
   */
  public static double[][] numericGradient(Function f, double[][] params) {
    Objects.requireNonNull(f, "f");
    double[][] work = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      work[i] = params[i].clone();
    }
    double[][] numeric = new double[params.length][];
    for (int i = 0; i < work.length; i++) {
      numeric[i] = new double[work[i].length];
      for (int j = 0; j < work[i].length; j++) {
        numeric[i][j] = partial(f, work, work[i], j, DEFAULT_STEP);
      }
    }
    return numeric;
  }

  /**
   * The relative error between an analytic and a numeric derivative, as defined in the class
   * description: {@code |a - n| / max(|a|, |n|, ERROR_FLOOR)}, with NaN and infinities handled.
   */
  static double relativeError(double analytic, double numeric) {
    boolean aNaN = Double.isNaN(analytic);
    boolean nNaN = Double.isNaN(numeric);
    if (aNaN || nNaN) {
      return aNaN && nNaN ? 0 : Double.POSITIVE_INFINITY;
    }
    if (Double.isInfinite(analytic) || Double.isInfinite(numeric)) {
      return analytic == numeric ? 0 : Double.POSITIVE_INFINITY;
    }
    double denominator = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), ERROR_FLOOR);
    // The difference of two finite doubles may overflow; that is an infinite error, as it should.
    return Math.abs(analytic - numeric) / denominator;
  }

  /** Five-point estimate of ∂f/∂p[j]; p is one of the arrays of work, restored afterwards. */
  private static double partial(Function f, double[][] work, double[] p, int j, double step) {
    double x = p[j];
    double h = step * Math.max(1, Math.abs(x));
    // Use the step that is actually representable at x, so that x + h - x == h exactly.
    double xPlus = x + h;
    if (xPlus != x) {
      h = xPlus - x;
    }
    try {
      p[j] = x + 2 * h;
      double f2 = f.apply(work);
      p[j] = x + h;
      double f1 = f.apply(work);
      p[j] = x - h;
      double fm1 = f.apply(work);
      p[j] = x - 2 * h;
      double fm2 = f.apply(work);
      return (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * h);
    } finally {
      p[j] = x;
    }
  }

  private static void validate(String[] names, double[][] params, double[][] gradient) {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(gradient, "gradient");
    if (names.length != params.length || params.length != gradient.length) {
      throw new IllegalArgumentException(
          "names, params and gradient must have equal lengths, got "
              + names.length + ", " + params.length + " and " + gradient.length);
    }
    for (int i = 0; i < params.length; i++) {
      String name = names[i];
      if (name == null) {
        throw new NullPointerException("names[" + i + "] is null");
      }
      double[] p = params[i];
      double[] g = gradient[i];
      if (p == null) {
        throw new NullPointerException("params[" + i + "] (parameter '" + name + "') is null");
      }
      if (g == null) {
        throw new NullPointerException("gradient[" + i + "] (parameter '" + name + "') is null");
      }
      if (p.length != g.length) {
        throw new IllegalArgumentException(
            "parameter '" + name + "' has length " + p.length
                + " but its gradient has length " + g.length);
      }
    }
  }

  /**
   * The outcome of a gradient check: for every parameter, in the order given, the element whose
   * analytic and numeric derivatives disagree most.
   *
   * @param parameters one entry per parameter; an unmodifiable list
   */
  public record Report(List<ParameterError> parameters) {

    /** Copies {@code parameters} into an unmodifiable list. */
    public Report {
      parameters = List.copyOf(parameters);
    }

    /**
     * The worst element of one parameter.
     *
     * @param name the parameter's name
     * @param worstIndex index of the element with the largest relative error (the first such
     *     element on a tie), or {@code -1} if the parameter has no elements
     * @param analytic the analytic derivative at that element ({@code NaN} if there is none)
     * @param numeric the finite-difference estimate at that element ({@code NaN} if there is none)
     * @param relativeError the relative error at that element, never NaN ({@code 0} if there is
     *     none)
     */
    public record ParameterError(
        String name, int worstIndex, double analytic, double numeric, double relativeError) {}

    /** The largest relative error over all parameters, or {@code 0} if there are none. */
    public double worstRelativeError() {
      double worst = 0;
      for (ParameterError e : parameters) {
        worst = Math.max(worst, e.relativeError());
      }
      return worst;
    }

    /** True if every parameter's worst relative error is at most {@code tolerance}. */
    public boolean passes(double tolerance) {
      return worstRelativeError() <= tolerance;
    }

    /**
     * Does nothing if the check {@link #passes passes} at {@code tolerance}; otherwise throws an
     * {@link AssertionError} whose message holds the whole table, with the parameters that exceed
     * the tolerance marked.
     */
    public void assertWithin(double tolerance) {
      if (!passes(tolerance)) {
        throw new AssertionError(
            String.format(
                Locale.ROOT,
                "gradient check failed: worst relative error %.3e exceeds tolerance %.3e%n%s",
                worstRelativeError(),
                tolerance,
                table(tolerance)));
      }
    }

    /** A table with one line per parameter: name, worst index, analytic, numeric, error. */
    @Override
    public String toString() {
      return table(Double.NaN);
    }

    private String table(double tolerance) {
      int nameWidth = "parameter".length();
      for (ParameterError e : parameters) {
        nameWidth = Math.max(nameWidth, e.name().length());
      }
      String row = "%-" + nameWidth + "s  %6s  %18s  %18s  %10s%s%n";
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              Locale.ROOT, row, "parameter", "index", "analytic", "numeric", "rel. error", ""));
      for (ParameterError e : parameters) {
        boolean exceeds = e.relativeError() > tolerance; // false when tolerance is NaN
        out.append(
            String.format(
                Locale.ROOT,
                row,
                e.name(),
                e.worstIndex() < 0 ? "-" : Integer.toString(e.worstIndex()),
                String.format(Locale.ROOT, "%.10e", e.analytic()),
                String.format(Locale.ROOT, "%.10e", e.numeric()),
                String.format(Locale.ROOT, "%.3e", e.relativeError()),
                exceeds ? "  <-- exceeds" : ""));
      }
      return out.toString();
    }
  }
}
