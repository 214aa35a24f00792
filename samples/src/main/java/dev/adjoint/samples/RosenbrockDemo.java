package dev.adjoint.samples;

import dev.adjoint.Differentiable;

/**
 * Minimises Rosenbrock's banana function with gradient descent, using the gradient Adjoint
 * generated at compile time ({@code RosenbrockDemoGrad.rosenbrock}). A backtracking line search
 * picks each step; the run stops when the gradient is tiny.
 */
public final class RosenbrockDemo {
  private RosenbrockDemo() {}

  /** Minimum 0 at (1, 1), at the bottom of a long, curved valley. */
  @Differentiable
  public static double rosenbrock(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  public static void main(String[] args) {
    double x = -1.2;
    double y = 1.0;
    double step = 1e-3;
    int iteration = 0;
    RosenbrockDemoGrad.Rosenbrock g = RosenbrockDemoGrad.rosenbrock(x, y);
    System.out.printf("Minimising rosenbrock(x, y) from (%.1f, %.1f) with its generated gradient%n", x, y);
    System.out.printf("%9s %12s %12s %14s %12s%n", "iteration", "x", "y", "f(x, y)", "|gradient|");
    while (iteration < 100_000 && Math.hypot(g.x(), g.y()) > 1e-8) {
      // backtracking: halve the step until f decreases enough (Armijo condition)
      double norm2 = g.x() * g.x() + g.y() * g.y();
      step *= 2;
      while (rosenbrock(x - step * g.x(), y - step * g.y()) > g.value() - 0.5 * step * norm2) {
        step /= 2;
      }
      x -= step * g.x();
      y -= step * g.y();
      g = RosenbrockDemoGrad.rosenbrock(x, y);
      iteration++;
      if (iteration % 2000 == 0 || iteration < 5) {
        System.out.printf("%9d %12.8f %12.8f %14.6e %12.3e%n", iteration, x, y, g.value(), Math.hypot(g.x(), g.y()));
      }
    }
    System.out.printf("%9d %12.8f %12.8f %14.6e %12.3e%n", iteration, x, y, g.value(), Math.hypot(g.x(), g.y()));
    System.out.printf("Minimum found at (%.6f, %.6f) after %d iterations (exact: (1, 1))%n", x, y, iteration);
  }
}
