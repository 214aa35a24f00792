package dev.adjoint.samples;

import dev.adjoint.Differentiable;

/**
 * Newton's method with the Hessian Adjoint generates (forward mode over the reverse sweep),
 * against gradient descent with the generated gradient, on Rosenbrock's valley. Newton needs a
 * couple of dozen steps where gradient descent needs thousands.
 */
public final class NewtonDemo {
  private NewtonDemo() {}

  @Differentiable(hessian = true)
  public static double valley(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  public static void main(String[] args) {
    double tolerance = 1e-10;
    System.out.println("Minimising Rosenbrock's valley from (-1.2, 1) to a gradient below " + tolerance);

    // Newton: solve H d = -g (2x2), halve the step until f decreases
    double x = -1.2;
    double y = 1.0;
    int newton = 0;
    NewtonDemoGrad.ValleyHessian h = NewtonDemoGrad.valleyHessian(x, y);
    while (Math.hypot(h.gradient()[0], h.gradient()[1]) > tolerance && newton < 1000) {
      double[][] m = h.hessian();
      double[] g = h.gradient();
      double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
      double dx = -(m[1][1] * g[0] - m[0][1] * g[1]) / det;
      double dy = -(m[0][0] * g[1] - m[1][0] * g[0]) / det;
      double step = 1;
      while (valley(x + step * dx, y + step * dy) > h.value() && step > 1e-12) {
        step /= 2;
      }
      x += step * dx;
      y += step * dy;
      h = NewtonDemoGrad.valleyHessian(x, y);
      newton++;
      System.out.printf("  newton %3d: (%.10f, %.10f)  f = %.3e%n", newton, x, y, h.value());
    }

    // gradient descent with a backtracking line search, same start and tolerance
    double gx = -1.2;
    double gy = 1.0;
    int descent = 0;
    double rate = 1e-3;
    NewtonDemoGrad.Valley g = NewtonDemoGrad.valley(gx, gy);
    while (Math.hypot(g.x(), g.y()) > tolerance && descent < 1_000_000) {
      double norm2 = g.x() * g.x() + g.y() * g.y();
      rate *= 2;
      while (valley(gx - rate * g.x(), gy - rate * g.y()) > g.value() - 0.5 * rate * norm2) {
        rate /= 2;
      }
      gx -= rate * g.x();
      gy -= rate * g.y();
      g = NewtonDemoGrad.valley(gx, gy);
      descent++;
    }
    System.out.printf("Newton's method:  %6d iterations to (%.10f, %.10f)%n", newton, x, y);
    System.out.printf("gradient descent: %6d iterations to (%.10f, %.10f)%n", descent, gx, gy);
  }
}
