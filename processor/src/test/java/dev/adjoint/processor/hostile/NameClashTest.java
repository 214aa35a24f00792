package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertWithMessage;
import static dev.adjoint.processor.hostile.Hostile.gradientMatches;
import static dev.adjoint.processor.hostile.Hostile.model;
import static dev.adjoint.processor.hostile.Hostile.works;
import static dev.adjoint.processor.hostile.Hostile.worksOrPreciseError;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * User identifiers that collide with what the processor generates: names of generated locals,
 * parameters and records, names of the types the generated code refers to, and classes named like
 * generated ones. A legal Java identifier must work; where the contract itself makes a name
 * impossible (a record component may not be called {@code toString}), a precise error at the
 * parameter or method is the alternative. Never code that javac rejects, and never a silently
 * different meaning.
 */
class NameClashTest {

  /** Locals named like every kind of generated variable, through loops, branches, arrays and calls. */
  @Test
  void localsNamedLikeGeneratedVariables() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static double g(double x) {
          return x * x;
        }

        @Differentiable
        public static double f(double x, double[] xs, int n) {
          double value = x * 2;
          double _value = value + 1;
          double _d_x = 3 * x;
          double _d_value = _d_x * value;
          double _t0 = Math.sin(x);
          double _t1 = _t0 * _t0;
          double _tape = 1;
          double _dot_x = x;
          double[] _d_xs = new double[xs.length];
          int _i = 0;
          boolean _c0 = x > 0;
          int _n0 = 0;
          double _r0 = 0;
          while (_i < n) {
            if (_c0 && _i % 2 == 0) {
              _r0 = g(_r0 + _t1) * 0.5;
            } else {
              _tape = _tape * Math.cos(_r0 + _dot_x);
            }
            _i++;
            _n0 += 1;
          }
          for (int _j = 0; _j < xs.length; _j++) {
            _d_xs[_j] = xs[_j] * _d_value;
          }
          double _s = 0;
          for (double _v : _d_xs) {
            _s += _v * _tape;
          }
          return _s + _r0 * _value + _n0;
        }
        """));
    gradientMatches(c, "p.Model", "f", 0.4, new double[] {0.5, -1.0, 2.0}, 5);
    gradientMatches(c, "p.Model", "f", -0.4, new double[] {0.5}, 3);
  }

  /** The same in forward and second-order mode, whose names are {@code _dot_...} and {@code dx}. */
  @Test
  void localsAndParametersNamedLikeTangents() {
    Compiled c = works("p.Model", model("""
        @Differentiable(forward = true, hessian = true)
        public static double f(double x, double dx, double dX) {
          double _dot_x = x * dx;
          double _dot_d_x = _dot_x + dX;
          double _d_x = 0;
          for (int i = 0; i < 3; i++) {
            _d_x += _dot_d_x * Math.sin(x * i);
          }
          return _d_x * _dot_x;
        }
        """));
    gradientMatches(c, "p.Model", "f", 0.3, 1.2, -0.7);
    checkSecondOrder(c, "f", 0.3, 1.2, -0.7);
  }

  /** A layer's and a vector-valued method's generated seed parameter is called {@code seed}. */
  @Test
  void parameterNamedSeed() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static Tensor layer(Tensor x, Tensor seed) {
          return x.mul(seed).tanh();
        }

        @Differentiable
        public static double[] vec(double[] x, double seed) {
          double[] out = new double[2];
          out[0] = x[0] * seed;
          out[1] = x[1] * seed * seed;
          return out;
        }

        @Differentiable
        public static double user(Tensor x, Tensor seed) {
          return layer(x, seed).sum();
        }
        """));
    Tensor x = Tensor.of(new double[] {0.1, -0.4, 0.7, 1.2}, 2, 2);
    Tensor seed = Tensor.of(new double[] {1.5, 0.5, -0.3, 0.9}, 2, 2);
    gradientMatches(c, "p.Model", "layer", x, seed);
    gradientMatches(c, "p.Model", "user", x, seed);
    jacobianMatches(c, "vec", new double[] {0.3, -0.8}, 1.4);
  }

  /** Parameters named like the locals of the generated wrappers (layer, Jacobian, Hessian). */
  @Test
  void parametersNamedLikeWrapperLocals() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static Tensor layer(Tensor _value, Tensor _ones) {
          return _value.mul(_ones).tanh();
        }

        @Differentiable
        public static double[] vec(double[] _ones, double _outputs, double _inputs, double _jacobian,
            double _j, double _i, double _column, double _seed, double _row) {
          double[] r = new double[2];
          r[0] = _ones[0] * _outputs * _inputs + _jacobian * _j;
          r[1] = _i * _column * _seed + _row;
          return r;
        }

        @Differentiable(hessian = true)
        public static double h(double x, double column0, double column1) {
          return x * column0 * column1 + x * x;
        }
        """));
    gradientMatches(c, "p.Model", "layer", Tensor.of(new double[] {0.2, 0.4}, 2), Tensor.of(new double[] {-1.0, 2.0}, 2));
    Object[] args = {new double[] {0.5}, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8};
    jacobianMatches(c, "vec", args);
    checkSecondOrder(c, "h", 0.3, 1.2, -0.7);
  }

  /**
   * Record components may not be named {@code clone, finalize, getClass, hashCode, notify,
   * notifyAll, toString, wait} (JLS 8.10.1); parameters may. Either the processor renames the
   * component or it rejects the parameter, as it rejects {@code value}, at the parameter.
   */
  @Test
  void parametersNamedLikeObjectMethods() {
    worksOrPreciseError(c -> gradientMatches(c, "p.Model", "f", 0.5, 1.5, 2.5, 3.5), "p.Model", model("""
        @Differentiable
        public static double f(double toString, // <- here
            double hashCode, // <- here
            double getClass, // <- here
            double wait) { // <- here
          return toString * hashCode + getClass * wait;
        }
        """));
  }

  /** {@code gradients} is a component and, when all parameters are arrays, a generated method. */
  @Test
  void parameterNamedGradients() {
    worksOrPreciseError(c -> gradientMatches(c, "p.Model", "f", new double[] {0.5, 2}, new double[] {1.5}),
        "p.Model", model("""
        @Differentiable
        public static double f(double[] gradients, // <- here
            double[] b) {
          return gradients[0] * b[0] + gradients[1];
        }
        """));
  }

  /** {@code f} and {@code F} both give the record {@code F}. */
  @Test
  void methodsDifferingOnlyInTheCaseOfTheFirstLetter() {
    worksOrPreciseError(c -> {
      gradientMatches(c, "p.Model", "f", 0.5);
      gradientMatches(c, "p.Model", "F", 0.5);
    }, "p.Model", model("""
        @Differentiable
        public static double f(double x) { // <- here
          return x * x;
        }

        @Differentiable
        public static double F(double x) { // <- here
          return x * x * x;
        }
        """));
  }

  /** The second overload of {@code f} gets the record {@code F2}, which is also {@code f2}'s. */
  @Test
  void overloadAndAMethodNamedLikeItsNumberedRecord() {
    worksOrPreciseError(c -> gradientMatches(c, "p.Model", "f2", 0.5), "p.Model", model("""
        @Differentiable
        public static double f(double x) {
          return x * x;
        }

        @Differentiable
        public static double f(double x, double y) { // <- here
          return x * y;
        }

        @Differentiable
        public static double f2(double x) { // <- here
          return x * x * x;
        }
        """));
  }

  /** Forward mode writes {@code fJvp} and its record {@code FJvp}; a user method may be called that. */
  @Test
  void methodNamedLikeAGeneratedForwardMethod() {
    worksOrPreciseError(c -> gradientMatches(c, "p.Model", "fJvp", 0.5), "p.Model", model("""
        @Differentiable(forward = true, hessian = true)
        public static double f(double x) { // <- here
          return x * x;
        }

        @Differentiable
        public static double fJvp(double x) { // <- here
          return x * x * x;
        }

        @Differentiable
        public static double fHvp(double x) { // <- here
          return x * x * x;
        }
        """));
  }

  /**
   * A method named like the generated class would give a record named like its own outer class
   * (illegal, JLS 8.1); the record takes the next free name, {@code ModelGrad2}, which callers
   * compiled in the same round compute alike.
   */
  @Test
  void methodNamedLikeTheGeneratedClass() {
    Compiled c = works("p.Model", model("""
        @Differentiable(forward = true, hessian = true)
        public static double modelGrad(double x) {
          return x * x * x;
        }

        @Differentiable
        public static double caller(double x, double y) {
          return modelGrad(x * y) + y;
        }
        """));
    gradientMatches(c, "p.Model", "modelGrad", 0.5);
    gradientMatches(c, "p.Model", "caller", 0.5, -1.5);
    checkSecondOrder(c, "modelGrad", 0.7);
    assertWithMessage("record name").that(c.call("p.ModelGrad", "modelGrad", 0.5).getClass().getSimpleName())
        .isEqualTo("ModelGrad2");
  }

  /** A method named exactly like its record ({@code Rosenbrock} → record {@code Rosenbrock}). */
  @Test
  void methodNamedLikeItsRecord() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static double Rosenbrock(double x, double y) {
          double a = 1 - x;
          double b = y - x * x;
          return a * a + 100 * b * b;
        }

        @Differentiable
        public static double caller(double x) {
          return Rosenbrock(x, 2 * x);
        }
        """));
    gradientMatches(c, "p.Model", "Rosenbrock", 1.5, 2.0);
    gradientMatches(c, "p.Model", "caller", 0.7);
  }

  /**
   * Parameters named like the types the generated code names by their simple name ({@code Math},
   * {@code Tensor}, the source class, {@code System}, {@code Arrays}): a variable in scope shadows
   * a type in an expression such as {@code Math.sin(x)} (JLS 6.4.2), so the generated code must
   * not refer to a type by a simple name that a parameter or local also has. It writes such types
   * qualified, in that method only.
   */
  @Test
  void parametersShadowingTypeNames() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static double f(double Math, double StrictMath) {
          double Double = java.lang.Math.sin(Math) * java.lang.StrictMath.exp(StrictMath);
          return Double * Math;
        }

        @Differentiable
        public static Tensor g(Tensor Model, Tensor Tensor) {
          return Model.mul(Tensor).tanh();
        }

        @Differentiable
        public static double[] h(double[] Model, double Arrays, double System) {
          double[] r = new double[1];
          r[0] = Model[0] * Arrays * System + Model[1];
          return r;
        }

        @Differentiable
        public static double plain(double x) {
          return Math.sqrt(x) * Math.sin(x);
        }
        """));
    gradientMatches(c, "p.Model", "f", 0.3, -0.2);
    gradientMatches(c, "p.Model", "g", Tensor.of(new double[] {0.2, 0.4}, 2), Tensor.of(new double[] {-1.0, 2.0}, 2));
    jacobianMatches(c, "h", new double[] {0.5, 0.25}, 1.5, -2.0);
    gradientMatches(c, "p.Model", "plain", 0.7);
  }

  /**
   * Locals and parameters named like the runtime classes of loops and calls ({@code Tape},
   * {@code Adjoints}, {@code TensorAdjoints}), the generated class ({@code ModelGrad}, which
   * callers' derivatives live in), a helper class of the package, and {@code Double}, whose
   * constants a non-finite literal names.
   */
  @Test
  void localsShadowingRuntimeAndUserTypes() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static double g(double x) {
          return x * x;
        }

        @Differentiable
        public static double f(double x, double[] Tape, int n) {
          double Adjoints = 0;
          double ModelGrad = 1;
          double Helper = 0;
          double Double = x;
          for (int TensorAdjoints = 0; TensorAdjoints < n; TensorAdjoints++) {
            Adjoints = Adjoints + Math.sin(Adjoints * x + Tape[TensorAdjoints]);
            ModelGrad = ModelGrad * g(Adjoints) + p.Helper.h(n);
            Helper = java.lang.Math.max(Helper, Adjoints * x);
            Double = Double > 1e300 ? java.lang.Double.POSITIVE_INFINITY : Double * x;
          }
          return Adjoints + ModelGrad + Helper + Double;
        }

        @Differentiable
        public static double t(Tensor w, Tensor TensorAdjoints) {
          Tensor Tape = w.mul(TensorAdjoints);
          return Tape.tanh().sum();
        }
        """), "p.Helper", """
        package p;

        public final class Helper {
          public static double h(int k) {
            return 0.5 * k;
          }
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.4, new double[] {0.3, -0.2, 0.1}, 3);
    gradientMatches(c, "p.Model", "t", Tensor.of(new double[] {0.2, 0.4}, 2), Tensor.of(new double[] {-1.0, 2.0}, 2));
  }

  /** Parameters named like the parameters and locals the generated methods add. */
  @Test
  void parametersNamedLikeGeneratedParameters() {
    Compiled c = works("p.Model", model("""
        @Differentiable(forward = true, hessian = true)
        public static double f(double gradient, double seed, double _tape, double dGradient) {
          double s = 0;
          for (int i = 0; i < 2; i++) {
            s += Math.sin(gradient * seed + i) * _tape * dGradient;
          }
          return s;
        }

        @Differentiable
        public static double[] v(double[] gradient, double seed) {
          double[] r = new double[2];
          r[0] = gradient[0] * seed;
          r[1] = gradient[1] * seed * seed;
          return r;
        }
        """));
    gradientMatches(c, "p.Model", "f", 0.3, 1.2, -0.7, 0.9);
    checkSecondOrder(c, "f", 0.3, 1.2, -0.7, 0.9);
    double[] into = new double[4];
    double value = (double) c.call("p.ModelGrad", "f", 0.3, 1.2, -0.7, 0.9, into);
    assertWithMessage("value of f(..., gradient)").that(value).isEqualTo((double) c.call("p.Model", "f", 0.3, 1.2, -0.7, 0.9));
    double[] reverse = reverseGradient(c, "f", new double[] {0.3, 1.2, -0.7, 0.9});
    for (int i = 0; i < 4; i++) {
      assertWithMessage("gradient[%s]", i).that(into[i]).isEqualTo(reverse[i]);
    }
    jacobianMatches(c, "v", new double[] {0.3, -0.8}, 1.4);
  }

  /**
   * Methods named like the types the generated code uses: their records must not hide those
   * types, which would then be written qualified, and a parameter named like the package's first
   * segment ({@code java}, {@code dev}, {@code p}) would hide the qualified name.
   */
  @Test
  void methodsNamedLikeUsedTypes() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static double math(double x, double java) {
          return Math.sin(x) * Math.exp(x) * java;
        }

        @Differentiable
        public static Tensor tensor(Tensor x, Tensor dev) {
          return x.mul(dev).tanh();
        }

        @Differentiable
        public static double model(double x, double p) {
          return tape(x * p, 2);
        }

        @Differentiable
        public static double tape(double x, int n) {
          double s = x;
          for (int i = 0; i < n; i++) {
            s = Math.sin(s) * x;
          }
          return s + math(x, 2 * x);
        }
        """));
    gradientMatches(c, "p.Model", "math", 0.4, 1.3);
    gradientMatches(c, "p.Model", "tensor", Tensor.of(new double[] {0.2, 0.4}, 2), Tensor.of(new double[] {-1.0, 2.0}, 2));
    gradientMatches(c, "p.Model", "tape", 0.4, 3);
    gradientMatches(c, "p.Model", "model", 0.4, 0.8);
  }

  /**
   * A class of the user's package called {@code Math} wins over {@code java.lang.Math} for the
   * simple name {@code Math} (JLS 6.4.1: the package's types shadow the implicit java.lang
   * import). The user's source says {@code java.lang.Math.sin}; the generated code must mean the
   * same function — today it calls {@code p.Math.sin} and returns a wrong value and gradient
   * without any error.
   */
  @Test
  void samePackageClassesNamedLikeJavaLangTypes() {
    Compiled c = works("p.Model", model("""
        @Differentiable
        public static double f(double x) {
          return java.lang.Math.sin(x) * java.lang.StrictMath.cos(x) + java.lang.Math.exp(x);
        }

        /** More inputs than outputs: the Jacobian uses reverse mode (and array copies). */
        @Differentiable
        public static double[] v(double[] xs) {
          double[] r = new double[1];
          r[0] = java.lang.Math.sin(xs[0]) * xs[1] * xs[2];
          return r;
        }
        """), "p.Math", """
        package p;

        /** The user's own Math: same method names, different meaning. */
        public final class Math {
          public static double sin(double x) { return 0; }
          public static double cos(double x) { return 0; }
          public static double exp(double x) { return 0; }
        }
        """, "p.StrictMath", """
        package p;

        public final class StrictMath {
          public static double sin(double x) { return 0; }
          public static double cos(double x) { return 0; }
        }
        """, "p.System", """
        package p;

        public final class System {
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.7);
    jacobianMatches(c, "v", new double[] {0.3, 0.5, 0.7});
    double[][] jac = (double[][]) c.call("p.ModelGrad", "vJacobian", new double[] {0.3, 0.5, 0.7});
    assertWithMessage("∂v/∂xs[1]").that(jac[0][1]).isWithin(1e-15).of(java.lang.Math.sin(0.3) * 0.7);
  }

  /** Classes named like generated ones, but elsewhere: nested, in another package, or a record's name. */
  @Test
  void classesNamedLikeGeneratedOnesElsewhere() {
    Compiled c = works("p.Model", model("""
        public static final class ModelGrad {
        }

        @Differentiable
        public static double f(double x, double y) {
          return x * y + Math.sin(x);
        }

        public static final class Inner {
          @Differentiable
          public static double model(double x, double seed) {
            double s = 0;
            for (int i = 0; i < 3; i++) {
              s += x * seed * i;
            }
            return s;
          }
        }
        """), "p.Other", """
        package p;

        public final class Other {
          public static final class ModelGrad {
          }

          static final class Model_InnerGrad {
          }
        }
        """, "p.F", """
        package p;

        /** A top-level class with the name of ModelGrad's record. */
        public final class F {
        }
        """, "p.Tape", """
        package p;

        public final class Tape {
        }
        """, "p.Generated", """
        package p;

        public @interface Generated {
        }
        """, "q.ModelGrad", """
        package q;

        public final class ModelGrad {
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.3, 0.9);
    gradientMatches(c, "p.Model$Inner", "model", 0.3, 0.9);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * {@code fHessian} against central differences of the reverse-mode gradient, and its gradient
   * equal to the reverse-mode one.
   */
  static void checkSecondOrder(Compiled c, String method, double... point) {
    Object[] args = box(point);
    Map<String, Object> hess = Compiled.components(c.call("p.ModelGrad", method + "Hessian", args));
    double[] gradient = (double[]) hess.get("gradient");
    double[][] h = (double[][]) hess.get("hessian");
    double[] reverse = reverseGradient(c, method, point);
    for (int i = 0; i < point.length; i++) {
      assertWithMessage("gradient[%s]", i).that(gradient[i]).isWithin(1e-12 * (1 + Math.abs(reverse[i]))).of(reverse[i]);
    }
    for (int j = 0; j < point.length; j++) {
      double step = 1e-5 * Math.max(1, Math.abs(point[j]));
      double[] up = point.clone();
      double[] down = point.clone();
      up[j] += step;
      down[j] -= step;
      double[] gu = reverseGradient(c, method, up);
      double[] gd = reverseGradient(c, method, down);
      for (int i = 0; i < point.length; i++) {
        double fd = (gu[i] - gd[i]) / (2 * step);
        assertWithMessage("hessian[%s][%s]", i, j).that(h[i][j]).isWithin(1e-5 * (1 + Math.abs(fd))).of(fd);
      }
    }
  }

  /**
   * {@code methodJacobian} of a vector-valued method against central differences of the method,
   * over every {@code double} and {@code double[]} argument (the default wrt), flattened in order.
   */
  static void jacobianMatches(Compiled c, String method, Object... args) {
    double[][] jac = (double[][]) c.call("p.ModelGrad", method + "Jacobian", args);
    double[] f0 = (double[]) c.call("p.Model", method, args);
    assertWithMessage("Jacobian rows of %s", method).that(jac.length).isEqualTo(f0.length);
    int column = 0;
    for (int i = 0; i < args.length; i++) {
      int elements = args[i] instanceof double[] a ? a.length : args[i] instanceof Double ? 1 : 0;
      for (int e = 0; e < elements; e++, column++) {
        double v = args[i] instanceof double[] a ? a[e] : (double) args[i];
        double step = 1e-6 * Math.max(1, Math.abs(v));
        double[] up = (double[]) c.call("p.Model", method, perturbed(args, i, e, v + step));
        double[] down = (double[]) c.call("p.Model", method, perturbed(args, i, e, v - step));
        for (int r = 0; r < f0.length; r++) {
          double fd = (up[r] - down[r]) / (2 * step);
          assertWithMessage("∂%s[%s]/∂input %s", method, r, column).that(jac[r][column])
              .isWithin(1e-5 * (1 + Math.abs(fd))).of(fd);
        }
      }
    }
  }

  private static Object[] perturbed(Object[] args, int i, int element, double value) {
    Object[] out = args.clone();
    if (args[i] instanceof double[] a) {
      double[] copy = a.clone();
      copy[element] = value;
      out[i] = copy;
    } else {
      out[i] = value;
    }
    return out;
  }

  private static double[] reverseGradient(Compiled c, String method, double[] point) {
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", method, box(point)));
    return g.values().stream().skip(1).mapToDouble(o -> (double) o).toArray();
  }

  private static Object[] box(double[] point) {
    Object[] args = new Object[point.length];
    for (int i = 0; i < point.length; i++) {
      args[i] = point[i];
    }
    return args;
  }
}
