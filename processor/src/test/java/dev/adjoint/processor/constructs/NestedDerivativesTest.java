package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.testing.Compiled;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nested AD: differentiable methods that call a generated gradient ({@code PGrad.pot(...).x()})
 * or a generated forward mode ({@code PGrad.potJvp(...).tangent()}) inside a loop, each
 * differentiated in reverse and in forward mode (the four variants ff, fr, rf, rr), against
 * central finite differences of the method itself.
 */
class NestedDerivativesTest {
  static final String SOURCE = """
      package p;

      import dev.adjoint.Differentiable;

      public final class P {
        @Differentiable(hessian = true, forward = true)
        public static double pot(double x, double y, double w) {
          double dx = x - 10;
          double dy = y - (10 - w);
          return 1 / Math.sqrt(dx * dx + dy * dy) + 1 / Math.sqrt(dx * dx + y * y);
        }

        /** The force from the generated gradient (reverse mode inside). */
        @Differentiable(forward = true)
        public static double reverseInside(double w) {
          double x = 0;
          double y = 8;
          double vx = 0.75;
          double vy = 0;
          for (int i = 0; i < 30; i++) {
            double ax = -PGrad.pot(x, y, w).x();
            double ay = -PGrad.pot(x, y, w).y();
            x += 0.1 * vx;
            y += 0.1 * vy;
            vx += 0.1 * ax;
            vy += 0.1 * ay;
          }
          return x * x + y * w;
        }

        /** The force from the generated forward mode, one direction per component. */
        @Differentiable(forward = true)
        public static double forwardInside(double w) {
          double x = 0;
          double y = 8;
          double vx = 0.75;
          double vy = 0;
          for (int i = 0; i < 30; i++) {
            double ax = -PGrad.potJvp(x, y, w, 1, 0, 0).tangent();
            double ay = -PGrad.potJvp(x, y, w, 0, 1, 0).tangent();
            x += 0.1 * vx;
            y += 0.1 * vy;
            vx += 0.1 * ax;
            vy += 0.1 * ay;
          }
          return x * x + y * w;
        }

        /** Gradient descent on y inside (argmin) with a line search, differentiated with respect to a and b. */
        @Differentiable(forward = true)
        public static double descent(double a, double b) {
          double y = 1;
          double fy = inner(a, b, y);
          double eta = 0.3;
          // few steps: near convergence fz < fy compares rounding noise, which finite differences see
          for (int i = 0; i < 8; i++) {
            double g = PGrad.inner(a, b, y).y();
            if (Math.abs(g) < 1e-12) {
              break;
            }
            // a step is taken when it lowers the value: fz is only compared (no tangent needed)
            double z = y - eta * g;
            double fz = inner(a, b, z);
            if (fz < fy) {
              y = z;
              fy = fz;
            } else {
              eta /= 2;
            }
          }
          return PGrad.inner(a, b, y).value() + y * y;
        }

        /** The overload that writes the gradient into an array, as a statement and as a value. */
        @Differentiable(forward = true)
        public static double intoArray(double w) {
          double[] g = new double[3];
          double x = 1;
          double y = 2;
          double sum = 0;
          for (int i = 0; i < 5; i++) {
            PGrad.pot(x, y, w, g);
            x -= 0.5 * g[0];
            double p = PGrad.pot(g[1] + y, x, w * x, g);
            y -= 0.5 * g[1] + 0.1 * g[2];
            sum += p;
          }
          return sum + x * y;
        }

        @Differentiable(hessian = true, forward = true)
        public static double inner(double a, double b, double y) {
          return (y - a) * (y - a) + b * Math.sin(y) * a;
        }
      }
      """;

  static Compiled compiled;

  @BeforeAll
  static void compile() {
    compiled = Compiled.of("p.P", SOURCE);
  }

  double call(String cls, String method, Object... args) {
    return (double) compiled.call(cls, method, args);
  }

  static double component(Object record, String name) {
    return (double) Compiled.components(record).get(name);
  }

  static double finiteDifference(DoubleUnaryOperator f, double x) {
    double h = 1e-5;
    return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
  }

  void check(String method, double w) {
    double fd = finiteDifference(v -> call("p.P", method, v), w);
    // reverse outer
    double reverse = component(compiled.call("p.PGrad", method, w), "w");
    // forward outer
    double forward = component(compiled.call("p.PGrad", method + "Jvp", w, 1.0), "tangent");
    double tol = 1e-6 * Math.max(1, Math.abs(fd));
    assertEquals(fd, reverse, tol, method + " reverse outer");
    assertEquals(fd, forward, tol, method + " forward outer");
    assertEquals(call("p.P", method, w), component(compiled.call("p.PGrad", method, w), "value"), 1e-12);
  }

  @Test
  void reverseOverReverseAndForwardOverReverse() {
    check("reverseInside", 0.3);
    check("reverseInside", -0.7);
  }

  @Test
  void reverseOverForwardAndForwardOverForward() {
    check("forwardInside", 0.3);
    check("forwardInside", -0.7);
  }

  @Test
  void theOverloadWritingAnArray() {
    check("intoArray", 0.3);
    check("intoArray", -0.4);
  }

  @Test
  void argminInsideWithBranchAndBreak() {
    for (double b : new double[] {0.1, 0.5}) {
      double a = 0.8;
      double fd = finiteDifference(v -> call("p.P", "descent", v, b), a);
      Object g = compiled.call("p.PGrad", "descent", a, b);
      assertEquals(fd, component(g, "a"), 1e-6 * Math.max(1, Math.abs(fd)));
      double fdB = finiteDifference(v -> call("p.P", "descent", a, v), b);
      assertEquals(fdB, component(g, "b"), 1e-6 * Math.max(1, Math.abs(fdB)));
      double jvp = component(compiled.call("p.PGrad", "descentJvp", a, b, 1.0, 0.0), "tangent");
      assertEquals(fd, jvp, 1e-6 * Math.max(1, Math.abs(fd)));
    }
  }

  @Test
  void aCalleeWithoutSecondDerivativesIsAPreciseError() {
    Compilation c = Compiled.compile("p.Q", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Q {
          @Differentiable
          public static double f(double x, double y) {
            return x * x * y;
          }

          @Differentiable
          public static double g(double x) {
            return QGrad.f(x, 2).x();
          }
        }
        """);
    assertEquals(Compilation.Status.FAILURE, c.status());
    String message = c.errors().get(0).getMessage(null);
    assertTrue(message.contains("hessian = true") && message.contains("Q.f"), message);
    assertEquals(13, c.errors().get(0).getLineNumber());
  }

  @Test
  void aThirdDerivativeIsAnError() {
    Compilation c = Compiled.compile("p.R", """
        package p;

        import dev.adjoint.Differentiable;

        public final class R {
          @Differentiable(hessian = true)
          public static double f(double x, double y) {
            return x * x * y;
          }

          @Differentiable(hessian = true)
          public static double g(double x) {
            return RGrad.f(x, 2).x();
          }
        }
        """);
    assertEquals(Compilation.Status.FAILURE, c.status());
    String message = c.errors().get(0).getMessage(null);
    assertTrue(message.contains("R.g") && message.contains("fHvp"), message);
  }
}
