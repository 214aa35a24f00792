package dev.adjoint.processor.errors;

import static com.google.common.truth.Truth.assertWithMessage;
import static dev.adjoint.processor.errors.Sources.model;

import com.google.testing.compile.CompilationSubject;
import dev.adjoint.processor.testing.Compiled;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Positive controls for the catalogue: sources that look like the rejected ones but stay inside
 * the supported subset compile without errors or warnings ({@code -Xlint:all}), and their
 * generated gradients agree with central finite differences of the original method.
 */
class SupportedLookalikesTest {

  /** The smallest method there is: the processor must type expressions that no local precedes. */
  @Test
  void aBareReturnExpression() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double x) {
          return x * x;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(1.3), "x");
  }

  @Test
  void ifWithoutPrecedingDeclaration() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double x, int n) {
          if (x < 0) {
            return -x;
          }
          return n % 2 == 0 ? Math.sqrt(x) : x * x;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(2.0, 4), "x", null);
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(2.0, 3), "x", null);
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(-2.0, 4), "x", null);
  }

  /** Lookalike of "reading a non-final static field": static final primitive constants of any class. */
  @Test
  void staticFinalConstantsOfAnyClass() {
    Compiled c = compiles("p.Model", model("""
        static final double SCALE = 2.5;
        static final int N = 3;
        static final long BIG = 10L;
        static final boolean ON = true;
        static double mutable = 1;
        double instance = 1;

        @Differentiable
        public static double f(double x) {
          double a = SCALE * x + N * Math.sin(x);
          double b = (ON ? BIG : 0) * Math.PI * x + Model.SCALE * Constants.K * x;
          return a + b + Integer.MAX_VALUE * 0.0 + Double.MIN_VALUE;
        }
        """), "p.Constants", """
        package p;

        public final class Constants {
          public static final double K = 0.5;
        }
        """);
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.7), "x");
  }

  /** Lookalike of "i++ in an expression" and "a = b = c": the same operations as statements. */
  @Test
  void assignmentsAndIncrementsAsStatements() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double x, double y) {
          final double a = x * y;
          double b = a;
          b += x;
          b *= y;
          b -= 1;
          b /= 2;
          int i = 0;
          i++;
          ++i;
          i--;
          i += 2;
          int r = 7 % 3;
          long l = 3L;
          l++;
          double c = -b + i + r + l;
          c = c * x;
          return c * c;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.4, -1.1), "x", "y");
  }

  /** Lookalike of the array errors: top-level local arrays, written by element; parameters read. */
  @Test
  void localArraysDeclaredAtTheTop() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double[] xs, double y) {
          double[] t = new double[xs.length];
          double[] u = new double[2 * xs.length + 1];
          for (int k = 0; k < xs.length; k++) {
            t[k] = xs[k] * y;
            t[k] += xs[k];
            u[k] = t[k] * t[k];
          }
          double s = 0;
          for (double v : t) {
            s += v;
          }
          for (double v : u) {
            s += Math.sin(v);
          }
          return s;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(new double[] {0.5, -1.25, 2.0}, 0.75), "xs", "y");
  }

  /**
   * Lookalike of the call errors: a plain static method called on constants, methods with a
   * {@code @Derivative}, a {@code @Differentiable} method whose wrt covers what it receives, the
   * same method called twice and nested (no recursion), and a plain recursive helper on ints.
   */
  @Test
  void callsThatCanBeDifferentiated() {
    Compiled c = compiles("p.Model", model("""
        static double plain(double t) {
          return t * t + 1;
        }

        static int fib(int n) {
          return n < 2 ? n : fib(n - 1) + fib(n - 2);
        }

        public static double softplus(double x) {
          return Math.log1p(Math.exp(x));
        }

        @Derivative(of = "softplus")
        public static double softplusDerivative(double x) {
          return 1 / (1 + Math.exp(-x));
        }

        public static double mul(double a, double b) {
          return a * b;
        }

        @Derivative(of = "mul")
        public static double[] mulDerivative(double a, double b) {
          return new double[] {b, a};
        }

        @Differentiable(wrt = "a")
        public static double g(double a, double b) {
          return a * a * b;
        }

        @Differentiable
        public static double h(double x) {
          return Math.exp(x) + x;
        }

        @Differentiable
        public static double f(double x, int n) {
          double k = plain(2.0) + fib(n) + plain(n);
          double s = softplus(x) + mul(x, x) + g(x, 3.0) + h(h(x));
          return k * s;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.3, 5), "x", null);
    gradientMatches(c, "p.Model", "p.ModelGrad", "g", args(0.3, 2.0), "a", null);
  }

  /** Lookalike of the labelled / switch errors: plain loops with break and continue, ternaries, casts. */
  @Test
  void controlFlowWithoutLabels() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double x, int n) {
          double s = 0;
          int i = 0;
          while (true) {
            i++;
            if (i > n) break;
            if (i % 2 == 0) continue;
            s += Math.sin(x * i);
          }
          do {
            s = s * 0.5 + x;
            i--;
          } while (i > 0);
          for (int k = n; k > 0; k -= 1) {
            s += (k > 1 && x > 0) || !(x < -5) ? x * k : (double) k;
          }
          int m = (int) (x * 10);
          long q = (long) m;
          if (s > 1e9) {
            return 0;
          } else if (s < -1e9) {
            return 1;
          }
          return s + q * 0.5 + (double) m;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.37, 4), "x", null);
  }

  /**
   * Lookalike of "parameter named value": a local may be called value; user names that look like
   * generated ones ({@code _d_x}, {@code _t0}, {@code _tape}, a loop variable {@code i}) must not
   * clash with the generated code.
   */
  @Test
  void userNamesThatLookGenerated() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double x, double[] xs) {
          double value = x * x;
          double _d_x = 2 * x;
          double _t0 = value + _d_x;
          double _tape = 1;
          double s = 0;
          for (double i : xs) {
            s += i * _t0 * _tape;
          }
          return s + value;
        }

        @Differentiable
        public static double g(double x, double _d_x) {
          double _t0 = x * _d_x;
          return _t0 * _t0;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.8, new double[] {1.0, -2.0}), "x", "xs");
    gradientMatches(c, "p.Model", "p.ModelGrad", "g", args(0.8, 1.5), "x", "_d_x");
  }

  /** Lookalike of "method in an inner class": a static nested class is fine. */
  @Test
  void staticNestedClass() {
    Compiled c = compiles("p.Outer", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Outer {
          public static final class Inner {
            @Differentiable
            public static double f(double x) {
              return x * x * x;
            }
          }
        }
        """);
    gradientMatches(c, "p.Outer$Inner", "p.Outer_InnerGrad", "f", args(1.1), "x");
  }

  /** Lookalike of "non-public method": a static method of an interface is implicitly public. */
  @Test
  void staticMethodOfAnInterface() {
    Compiled c = compiles("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public interface Model {
          @Differentiable
          static double f(double x, double y) {
            return Math.atan2(y, x) * x;
          }
        }
        """);
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.6, -0.4), "x", "y");
  }

  /** Lookalike of the wrt errors: wrt names a subset; int, long and boolean parameters simply ride along. */
  @Test
  void wrtSubsetAndNonDifferentiatedParameters() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable(wrt = "x")
        public static double f(double x, double y, int n, long k, boolean flag) {
          return flag ? x * y * n + k : x;
        }

        @Differentiable
        public static double g(double x, int n) {
          return x * n;
        }
        """));
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.5, 2.0, 3, 4L, true), "x", null, null, null, null);
    gradientMatches(c, "p.Model", "p.ModelGrad", "g", args(0.5, 3), "x", null);
  }

  /** Lookalike of the name clash: similar names, and ModelGrad in another package, are fine. */
  @Test
  void neighboursThatDoNotClash() {
    Compiled c = compiles("p.Model", model("""
        @Differentiable
        public static double f(double x) {
          double y = x * x;
          return y;
        }
        """), "p.ModelGradient", """
        package p;

        public final class ModelGradient {
        }
        """, "q.ModelGrad", """
        package q;

        public final class ModelGrad {
        }
        """);
    gradientMatches(c, "p.Model", "p.ModelGrad", "f", args(0.9), "x");
  }

  // ---------------------------------------------------------------- helpers

  private static Object[] args(Object... a) {
    return a;
  }

  /**
   * Compiles (the harness requires success) and requires no warnings, except javac's
   * "No processor claimed any of these annotations: ...Generated", which is asserted absent once,
   * in {@link #noWarningsAtAllUnderXlintAll}, so that one cause fails one test.
   */
  private static Compiled compiles(String... nameAndSource) {
    Compiled c = Compiled.of(nameAndSource);
    List<String> warnings = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> w : c.compilation().warnings()) {
      String m = w.getMessage(Locale.ROOT);
      if (!(m.contains("No processor claimed") && m.contains("javax.annotation.processing.Generated"))) {
        warnings.add(w.toString());
      }
    }
    assertWithMessage("warnings").that(warnings).isEmpty();
    return c;
  }

  /**
   * A user who builds with {@code -Xlint:all -Werror} must be able to use Adjoint: a clean source
   * gives no warning at all, including none about the {@code @Generated} on the generated class.
   */
  @Test
  void noWarningsAtAllUnderXlintAll() {
    Compiled c = Compiled.of("p.Model", model("""
        @Differentiable
        public static double f(double x) {
          return Math.exp(x) * x;
        }
        """));
    CompilationSubject.assertThat(c.compilation()).succeededWithoutWarnings();
  }

  /**
   * The generated record has exactly {@code value} plus one component per non-null name (the
   * differentiated parameters, in order), {@code value} equals the original method, and each
   * partial matches a central difference of the original.
   */
  private static void gradientMatches(Compiled c, String cls, String gradCls, String method,
      Object[] args, String... names) {
    Map<String, Object> g = Compiled.components(c.call(gradCls, method, args));
    Set<String> expected = new LinkedHashSet<>();
    expected.add("value");
    for (String n : names) {
      if (n != null) {
        expected.add(n);
      }
    }
    assertWithMessage("components of %s.%s", gradCls, method)
        .that(new ArrayList<>(g.keySet())).containsExactlyElementsIn(expected).inOrder();
    double f0 = eval(c, cls, method, args);
    assertWithMessage("%s value", method).that((double) g.get("value")).isWithin(1e-12 * (1 + Math.abs(f0)))
        .of(f0);
    for (int i = 0; i < args.length; i++) {
      if (names[i] == null) {
        continue;
      }
      if (args[i] instanceof double[] arr) {
        double[] got = (double[]) g.get(names[i]);
        assertWithMessage("length of %s", names[i]).that(got.length).isEqualTo(arr.length);
        for (int j = 0; j < arr.length; j++) {
          final int jj = j;
          final int ii = i;
          double fd = central(t -> {
            Object[] a = args.clone();
            double[] copy = arr.clone();
            copy[jj] = t;
            a[ii] = copy;
            return eval(c, cls, method, a);
          }, arr[j]);
          assertWithMessage("d%s/d%s[%s]", method, names[i], j).that(got[j])
              .isWithin(1e-5 * (1 + Math.abs(fd))).of(fd);
        }
      } else {
        final int ii = i;
        double fd = central(t -> {
          Object[] a = args.clone();
          a[ii] = t;
          return eval(c, cls, method, a);
        }, (double) args[i]);
        assertWithMessage("d%s/d%s", method, names[i]).that((double) g.get(names[i]))
            .isWithin(1e-5 * (1 + Math.abs(fd))).of(fd);
      }
    }
  }

  private static double eval(Compiled c, String cls, String method, Object[] args) {
    return (double) c.call(cls, method, args);
  }

  private static double central(java.util.function.DoubleUnaryOperator f, double x) {
    double h = 1e-6 * Math.max(1, Math.abs(x));
    return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
  }
}
