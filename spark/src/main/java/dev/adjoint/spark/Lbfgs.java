package dev.adjoint.spark;

import breeze.linalg.DenseVector;
import breeze.linalg.DenseVector$;
import breeze.linalg.DenseVector$mcD$sp;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import scala.Tuple2;

/**
 * Full-batch L-BFGS: Breeze's {@code breeze.optimize.LBFGS} (the optimiser MLlib's
 * {@code LogisticRegression} runs, shipped with spark-mllib), behind a Java API. Breeze brings the
 * strong-Wolfe line search and the convergence tests (iterations, relative change of the objective
 * over the last iterations, relative gradient norm, all against {@link #tolerance(double)}), and
 * counts iterations as MLlib reports them; with the same memory, tolerance and iteration limit as
 * MLlib ({@code 10}, {@code 1e-6}, {@code maxIter}) it takes the same steps on the same objective.
 *
 * <pre>{@code
 * Result r = new Lbfgs().maxIterations(50).onIteration(System.out::println).minimize(f, x0);
 * }</pre>
 *
 * As MLlib, the objective is wrapped in a one-entry cache: Breeze re-evaluates the point its line
 * search accepted, which costs nothing here.
 */
public final class Lbfgs {
  private int maxIterations = 100;
  private int memory = 10;
  private double tolerance = 1e-6;
  private Consumer<Progress> onIteration = p -> {};

  /** Stops after this many iterations (100 by default). */
  public Lbfgs maxIterations(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("maxIterations must be >= 0, got " + n);
    }
    this.maxIterations = n;
    return this;
  }

  /** Corrections kept for the inverse-Hessian approximation (10 by default, as MLlib). */
  public Lbfgs memory(int m) {
    if (m <= 0) {
      throw new IllegalArgumentException("memory must be positive, got " + m);
    }
    this.memory = m;
    return this;
  }

  /** Convergence tolerance (1e-6 by default, MLlib's {@code tol}). */
  public Lbfgs tolerance(double tol) {
    if (!(tol >= 0)) {
      throw new IllegalArgumentException("tolerance must be >= 0, got " + tol);
    }
    this.tolerance = tol;
    return this;
  }

  /** Called with the starting point (iteration 0) and after each iteration. */
  public Lbfgs onIteration(Consumer<Progress> callback) {
    this.onIteration = Objects.requireNonNull(callback);
    return this;
  }

  /**
   * Minimises {@code f} from {@code x0} (not modified).
   *
   * @throws IllegalStateException if the objective is NaN or infinite at {@code x0}
   */
  public Result minimize(Objective f, double[] x0) {
    long start = System.nanoTime();
    CachedObjective cached = new CachedObjective(f);
    LBFGS<DenseVector<Object>> lbfgs =
        new LBFGS<>(maxIterations, memory, tolerance, DenseVector$.MODULE$.space_Double());
    DiffFunction<DenseVector<Object>> fn = breezeFunction(cached);
    scala.collection.Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> states =
        lbfgs.iterations(fn, new DenseVector$mcD$sp(x0.clone()));
    double[] history = new double[Math.min(maxIterations, 1023) + 1];
    FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state = null;
    int count = 0;
    while (states.hasNext()) {
      state = states.next();
      if (count == 0 && !Double.isFinite(state.value())) {
        throw new IllegalStateException("the objective is " + state.value() + " at the start");
      }
      if (count == history.length) {
        history = Arrays.copyOf(history, 2 * count);
      }
      history[count++] = state.value();
      onIteration.accept(
          new Progress(
              state.iter(), state.value(), norm(toArray(state.grad())),
              (System.nanoTime() - start) * 1e-9, cached.evaluations));
    }
    String reason =
        state.convergenceReason().isDefined()
            ? state.convergenceReason().get().reason()
            : state.searchFailed() ? "line search failed" : "stopped";
    return new Result(
        toArray(state.x()), state.value(), state.iter(), cached.evaluations, reason,
        Arrays.copyOf(history, count), (System.nanoTime() - start) * 1e-9);
  }

  /**
   * Breeze's {@code DiffFunction} for {@code f}. Java can neither implement nor extend that Scala
   * trait in source (it inherits {@code Function1.apply: Object} and its own {@code apply: double},
   * which only Scala bridges), so its one abstract method {@code calculate} is bound to
   * {@link #calculate(CachedObjective, Object)} by the JVM's lambda factory, as for a Java lambda;
   * every other method is the trait's own default.
   */
  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> breezeFunction(CachedObjective f) {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodType calculate = MethodType.methodType(Tuple2.class, Object.class);
      MethodHandle impl =
          lookup.findStatic(
              Lbfgs.class,
              "calculate",
              MethodType.methodType(Tuple2.class, CachedObjective.class, Object.class));
      CallSite site =
          LambdaMetafactory.metafactory(
              lookup,
              "calculate",
              MethodType.methodType(DiffFunction.class, CachedObjective.class),
              calculate,
              impl,
              calculate);
      return (DiffFunction<DenseVector<Object>>) site.getTarget().invoke(f);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot adapt the objective to Breeze's DiffFunction", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Tuple2<Object, DenseVector<Object>> calculate(CachedObjective f, Object x) {
    return calculate(f, (DenseVector<Object>) x);
  }

  private static Tuple2<Object, DenseVector<Object>> calculate(
      CachedObjective f, DenseVector<Object> x) {
    double[] point = toArray(x);
    double[] gradient = new double[point.length];
    double value = f.evaluate(point, gradient);
    return new Tuple2<>(value, new DenseVector$mcD$sp(gradient));
  }

  private static double[] toArray(DenseVector<Object> v) {
    double[] data = v.data$mcD$sp();
    if (v.offset() == 0 && v.stride() == 1 && v.length() == data.length) {
      return data.clone();
    }
    double[] out = new double[v.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.apply$mcD$sp(i);
    }
    return out;
  }

  static double norm(double[] g) {
    double s = 0;
    for (double v : g) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** Remembers the last point and its value and gradient, as MLlib's CachedDiffFunction. */
  private static final class CachedObjective {
    private final Objective f;
    private double[] lastPoint;
    private double[] lastGradient;
    private double lastValue;
    int evaluations;

    CachedObjective(Objective f) {
      this.f = Objects.requireNonNull(f, "objective");
    }

    double evaluate(double[] x, double[] gradient) {
      if (lastPoint == null || !Arrays.equals(lastPoint, x)) {
        lastGradient = new double[x.length];
        lastValue = f.evaluate(x.clone(), lastGradient);
        lastPoint = x.clone();
        evaluations++;
      }
      System.arraycopy(lastGradient, 0, gradient, 0, gradient.length);
      return lastValue;
    }
  }
}
