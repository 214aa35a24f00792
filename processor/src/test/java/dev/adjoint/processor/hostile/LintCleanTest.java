package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertWithMessage;

import com.google.testing.compile.Compilation;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A user who builds with {@code -Werror -Xlint:all} can use Adjoint: for a representative set of
 * clean sources — scalar code, loops and branches, arrays, calls (same class, another class,
 * custom derivatives), tensors and layers, vector-valued methods, forward mode and Hessians — the
 * generated code compiles with no warning at all.
 */
class LintCleanTest {

  record Case(String name, List<String> sources) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case c(String name, String... nameAndSource) {
    return new Case(name, List.of(nameAndSource));
  }

  static Stream<Case> cases() {
    return Stream.of(
        c("scalar", "p.Model", Hostile.model("""
            @Differentiable
            public static double rosenbrock(double x, double y) {
              double a = 1 - x;
              double b = y - x * x;
              return a * a + 100 * b * b + Math.exp(-x) * Math.atan2(y, x) + Math.abs(x);
            }
            """)),
        c("loops and branches", "p.Model", Hostile.model("""
            @Differentiable
            public static double f(double x, double y, int n, long k, boolean flag) {
              double s = flag ? x : y;
              int i = 0;
              while (i < n) {
                if (s > 1) {
                  s = s * 0.5 + y;
                } else if (s < -1) {
                  s = -s;
                } else {
                  s += Math.sin(x * i);
                }
                if (i > 100) {
                  break;
                }
                i++;
              }
              do {
                s = s * x;
                k--;
              } while (k > 0);
              for (int j = n; j > 0; j -= 2) {
                if (j % 3 == 0) {
                  continue;
                }
                s += (double) j / n;
              }
              return s;
            }
            """)),
        c("arrays", "p.Model", Hostile.model("""
            @Differentiable
            public static double f(double[] xs, double[] w, double b) {
              double[] t = new double[xs.length];
              for (int i = 0; i < xs.length; i++) {
                t[i] = xs[i] * w[i] + b;
                t[i] *= t[i];
              }
              double s = 0;
              for (double v : t) {
                s += Math.sqrt(1 + v);
              }
              return s / xs.length;
            }
            """)),
        c("calls", "p.Model", Hostile.model("""
            public static double softplus(double x) {
              return Math.log1p(Math.exp(x));
            }

            @Derivative(of = "softplus")
            public static double softplusDerivative(double x) {
              return 1 / (1 + Math.exp(-x));
            }

            @Differentiable
            public static double g(double a, double b) {
              return a * Math.cos(b);
            }

            @Differentiable(wrt = "x")
            public static double f(double x, double y, int n) {
              double s = 0;
              for (int i = 0; i < n; i++) {
                s += g(x, y * i) + softplus(x * i) + Helper.h(x);
              }
              return s;
            }
            """), "p.Helper", """
            package p;

            import dev.adjoint.Differentiable;

            public final class Helper {
              @Differentiable
              public static double h(double t) {
                return t * t * t;
              }
            }
            """),
        c("tensors", "p.Model", Hostile.model("""
            @Differentiable
            public static Tensor dense(Tensor x, Tensor w, Tensor b) {
              return x.matmul(w).add(b).tanh();
            }

            @Differentiable(wrt = {"w1", "b1", "w2", "b2"})
            public static double mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor labels,
                double decay) {
              Tensor logits = dense(x, w1, b1).matmul(w2).add(b2);
              Tensor h = logits;
              for (int i = 0; i < 2; i++) {
                h = h.relu().add(logits.sigmoid()).mul(0.5);
              }
              return Tensor.softmaxCrossEntropy(h, labels) + decay * (w1.square().sum() + w2.square().sum())
                  + Tensor.mse(h, logits) + h.softmax(1).logSumExp(1, false).mean();
            }
            """)),
        c("vector-valued", "p.Model", Hostile.model("""
            @Differentiable
            public static double[] polar(double r, double theta) {
              double[] out = new double[3];
              out[0] = r * Math.cos(theta);
              out[1] = r * Math.sin(theta);
              out[2] = r;
              return out;
            }

            @Differentiable
            public static double[] softmax(double[] z) {
              double[] e = new double[z.length];
              double s = 0;
              for (int i = 0; i < z.length; i++) {
                e[i] = Math.exp(z[i]);
                s += e[i];
              }
              double[] out = new double[1];
              out[0] = e[0] / s;
              return out;
            }
            """)),
        c("forward and second order", "p.Model", Hostile.model("""
            @Differentiable(forward = true, hessian = true)
            public static double valley(double x, double y) {
              double a = 1 - x;
              double b = y - x * x;
              return a * a + 100 * b * b;
            }

            @Differentiable(forward = true, hessian = true)
            public static double flow(double x, double y, int n) {
              double s = x;
              for (int i = 0; i < n; i++) {
                if (s > y) {
                  s = s * Math.tanh(y);
                } else {
                  s = s + valley(s, y) * 1e-3;
                }
              }
              return s;
            }

            @Differentiable(forward = true)
            public static double arrays(double[] xs, double y) {
              double s = 0;
              for (double v : xs) {
                s += v * y;
              }
              return s;
            }
            """)),
        c("default package", "Top", """
            import dev.adjoint.Differentiable;

            public final class Top {
              @Differentiable(hessian = true)
              public static double f(double x, double y) {
                return Math.hypot(x, y) * x;
              }
            }
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generatedCodeIsWarningFreeUnderWerror(Case k) {
    String[] sources = k.sources().toArray(String[]::new);
    Compilation c = Hostile.compile(List.of("-Werror"), sources);
    Hostile.noCrashNoBrokenOutput(c, Hostile.uris(sources));
    assertWithMessage("warnings under -Xlint:all, case %s", k.name()).that(Hostile.warnings(c)).isEmpty();
    assertWithMessage("-Werror -Xlint:all, case %s; diagnostics:\n%s", k.name(), Hostile.dump(c))
        .that(c.status()).isEqualTo(Compilation.Status.SUCCESS);
    assertWithMessage("generated sources, case %s", k.name()).that(c.generatedSourceFiles()).isNotEmpty();
  }
}
