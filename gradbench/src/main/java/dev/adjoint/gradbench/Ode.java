package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code ode}: the ODE y0' = x0, yi' = xi y(i-1) from y(0) = 0 to t = 2, solved by
 * Runge-Kutta (RK4) with {@code s} steps; the gradient is that of the last element of y.
 */
public final class Ode {
  private Ode() {}

  /** z = f(x, y): the ODE's right-hand side. */
  static void odeFun(double[] x, double[] y, double[] z) {
    z[0] = x[0];
    for (int i = 1; i < x.length; i++) {
      z[i] = x[i] * y[i - 1];
    }
  }

  /** y(2) by s steps of RK4. */
  @Differentiable
  public static double[] solve(double[] x, int s) {
    int n = x.length;
    double tf = 2;
    double h = tf / s;
    double[] k1 = new double[n];
    double[] k2 = new double[n];
    double[] k3 = new double[n];
    double[] k4 = new double[n];
    double[] yTmp = new double[n];
    double[] y = new double[n];
    for (int step = 0; step < s; step++) {
      odeFun(x, y, k1);
      for (int i = 0; i < n; i++) {
        yTmp[i] = y[i] + h * k1[i] / 2;
      }
      odeFun(x, yTmp, k2);
      for (int i = 0; i < n; i++) {
        yTmp[i] = y[i] + h * k2[i] / 2;
      }
      odeFun(x, yTmp, k3);
      for (int i = 0; i < n; i++) {
        yTmp[i] = y[i] + h * k3[i];
      }
      odeFun(x, yTmp, k4);
      for (int i = 0; i < n; i++) {
        y[i] += h * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) / 6;
      }
    }
    return y;
  }

  record Input(double[] x, int s) {}

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    double[] x = in.x();
    int s = in.s();
    return switch (function) {
      case "primal" -> () -> solve(x, s);
      case "gradient" -> {
        double[] seed = new double[x.length];
        seed[x.length - 1] = 1;
        yield () -> OdeGrad.solveVjp(x, s, seed).x();
      }
      default -> null;
    };
  };
}
