package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code particle} (nested AD): a charged particle moves from (0, 8) with velocity
 * (0.75, 0) under the force -∇ₓp(x; w) of two charges at (10, 10 - w) and (10, 0), by Euler steps
 * until it would cross the x axis; w is chosen by gradient descent so that it crosses at the
 * origin. The force comes from p's generated gradient (reverse mode, "r") or forward mode ("f"),
 * and the descent on w differentiates the whole trajectory, force included, in either mode:
 * ff, fr, rf, rr.
 */
public final class Particle {
  private Particle() {}

  /** The electric potential at (x0, x1) of the two charges. */
  @Differentiable(hessian = true, forward = true)
  public static double potential(double x0, double x1, double w) {
    return 1 / distance(x0, x1, 10, 10 - w) + 1 / distance(x0, x1, 10, 0);
  }

  static double distance(double ax, double ay, double bx, double by) {
    return Math.sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by));
  }

  /** x₀(t_f)², the force by reverse mode: -∇ₓp is p's generated gradient. */
  @Differentiable(forward = true)
  public static double missReverse(double w) {
    double x0 = 0;
    double x1 = 8;
    double v0 = 0.75;
    double v1 = 0;
    double dt = 0.1;
    while (true) {
      double a0 = -ParticleGrad.potential(x0, x1, w).x0();
      double a1 = -ParticleGrad.potential(x0, x1, w).x1();
      double next0 = x0 + dt * v0;
      double next1 = x1 + dt * v1;
      if (next1 <= 0) {
        break;
      }
      x0 = next0;
      x1 = next1;
      v0 += dt * a0;
      v1 += dt * a1;
    }
    double dtFinal = -x1 / v1;
    double final0 = x0 + dtFinal * v0;
    return final0 * final0;
  }

  /** The same with the force by forward mode, one direction per component. */
  @Differentiable(forward = true)
  public static double missForward(double w) {
    double x0 = 0;
    double x1 = 8;
    double v0 = 0.75;
    double v1 = 0;
    double dt = 0.1;
    while (true) {
      double a0 = -ParticleGrad.potentialJvp(x0, x1, w, 1, 0, 0).tangent();
      double a1 = -ParticleGrad.potentialJvp(x0, x1, w, 0, 1, 0).tangent();
      double next0 = x0 + dt * v0;
      double next1 = x1 + dt * v1;
      if (next1 <= 0) {
        break;
      }
      x0 = next0;
      x1 = next1;
      v0 += dt * a0;
      v1 += dt * a1;
    }
    double dtFinal = -x1 / v1;
    double final0 = x0 + dtFinal * v0;
    return final0 * final0;
  }

  /** The descent on w: {@code outer} and {@code inner} are 'f' or 'r'. */
  static double argmin(char outer, char inner, double w0) {
    Descent.Objective f = new Descent.Objective() {
      @Override
      public double value(double[] w) {
        return inner == 'r' ? missReverse(w[0]) : missForward(w[0]);
      }

      @Override
      public void gradient(double[] w, double[] g) {
        if (inner == 'r') {
          g[0] = outer == 'r' ? ParticleGrad.missReverse(w[0]).w() : ParticleGrad.missReverseJvp(w[0], 1).tangent();
        } else {
          g[0] = outer == 'r' ? ParticleGrad.missForward(w[0]).w() : ParticleGrad.missForwardJvp(w[0], 1).tangent();
        }
      }
    };
    return Descent.argmin(f, new double[] {w0})[0];
  }

  record Input(double w) {}

  static final Tool.Module MODULE = (function, input) -> {
    double w0 = Tool.GSON.fromJson(input, Input.class).w();
    if (!function.matches("[fr][fr]")) {
      return null;
    }
    return () -> argmin(function.charAt(0), function.charAt(1), w0);
  };
}
