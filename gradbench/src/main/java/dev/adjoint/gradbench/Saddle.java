package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code saddle} (nested AD): min over x of max over y of f(x, y) by gradient
 * descent, the inner ascent on y written in a differentiable method that calls f's generated
 * gradient (reverse, "r") or forward mode ("f"), and the outer descent differentiating it in
 * either mode: ff, fr, rf, rr. Then y = argmax f(x, y) for that x, in the outer mode.
 */
public final class Saddle {
  private Saddle() {}

  @Differentiable(hessian = true, forward = true)
  public static double f(double x0, double x1, double y0, double y1) {
    return (x0 * x0 + x1 * x1) - (y0 * y0 + y1 * y1);
  }

  /** max over y of f(x, y), ascending from (s0, s1) with f's gradient by reverse mode. */
  @Differentiable(forward = true, wrt = {"x0", "x1"})
  public static double maxReverse(double x0, double x1, double s0, double s1) {
    // the descent of Descent.argmin on -f(x, .)
    double y0 = s0;
    double y1 = s1;
    double fy = -f(x0, x1, y0, y1);
    double g0 = -SaddleGrad.f(x0, x1, y0, y1).y0();
    double g1 = -SaddleGrad.f(x0, x1, y0, y1).y1();
    double eta = 1e-5;
    int i = 0;
    while (Math.sqrt(g0 * g0 + g1 * g1) > 1e-5) {
      if (i == 10) {
        eta *= 2;
        i = 0;
        continue;
      }
      double z0 = y0 - eta * g0;
      double z1 = y1 - eta * g1;
      if (Math.sqrt((y0 - z0) * (y0 - z0) + (y1 - z1) * (y1 - z1)) <= 1e-5) {
        break;
      }
      double fz = -f(x0, x1, z0, z1);
      if (fz < fy) {
        y0 = z0;
        y1 = z1;
        fy = fz;
        g0 = -SaddleGrad.f(x0, x1, y0, y1).y0();
        g1 = -SaddleGrad.f(x0, x1, y0, y1).y1();
        i++;
      } else {
        eta /= 2;
        i = 0;
      }
    }
    return f(x0, x1, y0, y1);
  }

  /** The same with f's gradient by forward mode, one direction per component. */
  @Differentiable(forward = true, wrt = {"x0", "x1"})
  public static double maxForward(double x0, double x1, double s0, double s1) {
    double y0 = s0;
    double y1 = s1;
    double fy = -f(x0, x1, y0, y1);
    double g0 = -SaddleGrad.fJvp(x0, x1, y0, y1, 0, 0, 1, 0).tangent();
    double g1 = -SaddleGrad.fJvp(x0, x1, y0, y1, 0, 0, 0, 1).tangent();
    double eta = 1e-5;
    int i = 0;
    while (Math.sqrt(g0 * g0 + g1 * g1) > 1e-5) {
      if (i == 10) {
        eta *= 2;
        i = 0;
        continue;
      }
      double z0 = y0 - eta * g0;
      double z1 = y1 - eta * g1;
      if (Math.sqrt((y0 - z0) * (y0 - z0) + (y1 - z1) * (y1 - z1)) <= 1e-5) {
        break;
      }
      double fz = -f(x0, x1, z0, z1);
      if (fz < fy) {
        y0 = z0;
        y1 = z1;
        fy = fz;
        g0 = -SaddleGrad.fJvp(x0, x1, y0, y1, 0, 0, 1, 0).tangent();
        g1 = -SaddleGrad.fJvp(x0, x1, y0, y1, 0, 0, 0, 1).tangent();
        i++;
      } else {
        eta /= 2;
        i = 0;
      }
    }
    return f(x0, x1, y0, y1);
  }

  static double[] saddle(char outer, char inner, double[] s) {
    Descent.Objective cost = new Descent.Objective() {
      @Override
      public double value(double[] x) {
        return inner == 'r' ? maxReverse(x[0], x[1], s[0], s[1]) : maxForward(x[0], x[1], s[0], s[1]);
      }

      @Override
      public void gradient(double[] x, double[] g) {
        if (outer == 'r') {
          if (inner == 'r') {
            SaddleGrad.maxReverse(x[0], x[1], s[0], s[1], g);
          } else {
            SaddleGrad.maxForward(x[0], x[1], s[0], s[1], g);
          }
        } else {
          for (int k = 0; k < 2; k++) {
            double dx0 = k == 0 ? 1 : 0;
            double dx1 = k == 1 ? 1 : 0;
            g[k] = inner == 'r' ? SaddleGrad.maxReverseJvp(x[0], x[1], s[0], s[1], dx0, dx1).tangent()
                : SaddleGrad.maxForwardJvp(x[0], x[1], s[0], s[1], dx0, dx1).tangent();
          }
        }
      }
    };
    double[] x = Descent.argmin(cost, s);
    // y = argmax f(x, .) = argmin -f(x, .), not nested, with the outer mode
    Descent.Objective negated = new Descent.Objective() {
      @Override
      public double value(double[] y) {
        return -f(x[0], x[1], y[0], y[1]);
      }

      @Override
      public void gradient(double[] y, double[] g) {
        if (outer == 'r') {
          SaddleGrad.F r = SaddleGrad.f(x[0], x[1], y[0], y[1]);
          g[0] = -r.y0();
          g[1] = -r.y1();
        } else {
          g[0] = -SaddleGrad.fJvp(x[0], x[1], y[0], y[1], 0, 0, 1, 0).tangent();
          g[1] = -SaddleGrad.fJvp(x[0], x[1], y[0], y[1], 0, 0, 0, 1).tangent();
        }
      }
    };
    double[] y = Descent.argmin(negated, s);
    return new double[] {x[0], x[1], y[0], y[1]};
  }

  record Input(double[] start) {}

  static final Tool.Module MODULE = (function, input) -> {
    double[] start = Tool.GSON.fromJson(input, Input.class).start();
    if (!function.matches("[fr][fr]")) {
      return null;
    }
    return () -> saddle(function.charAt(0), function.charAt(1), start);
  };
}
