package dev.adjoint.spark;

import breeze.linalg.DenseVector;
import breeze.linalg.DenseVector$;
import breeze.linalg.DenseVector$mcD$sp;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
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
    DiffFunction<DenseVector<Object>> fn = diffFunction(cached);
    scala.collection.Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> states =
        lbfgs.iterations(fn, new DenseVector$mcD$sp(x0.clone()));
    double[] history = new double[maxIterations + 1];
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
   * Breeze's {@code DiffFunction} for {@code f}. Java cannot implement that Scala trait directly
   * (it inherits both {@code Function1.apply: Object} and its own {@code apply: double}, which
   * Scala bridges), so a proxy answers {@code calculate}, the erased {@code apply} and
   * {@code Object}'s methods, and runs the trait's default methods for the rest.
   */
  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> diffFunction(CachedObjective f) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "calculate":
              return calculate(f, (DenseVector<Object>) args[0]);
            case "apply":
              if (method.getReturnType() == Object.class && args != null && args.length == 1) {
                return calculate(f, (DenseVector<Object>) args[0])._1();
              }
              break;
            case "equals":
              return proxy == args[0];
            case "hashCode":
              return System.identityHashCode(proxy);
            case "toString":
              return "DiffFunction(" + f.f + ")";
            default:
              break;
          }
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          throw new UnsupportedOperationException(method.toString());
        };
    return (DiffFunction<DenseVector<Object>>)
        Proxy.newProxyInstance(
            DiffFunction.class.getClassLoader(), new Class<?>[] {DiffFunction.class}, handler);
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
