package dev.adjoint.benchmarks.diagnosis;

import dev.adjoint.runtime.Tape;

/**
 * Copies of the code Adjoint generates for the loop functions of the scalar suite
 * ({@code ScalarFunctionsGrad}), each changed in ONE respect, to measure what each feature of
 * the generated code costs against the hand-written gradient (see {@link DiagnosisBenchmark}):
 *
 * <ul>
 *   <li>{@code ...Reserved}: the tape's capacity reserved before the loop (the trip count is
 *       known: {@code x.length - 1}), so it never grows.
 *   <li>{@code ...Recompute}: nothing taped; the reverse sweep recomputes the loop body's values
 *       from the parameter array, which the method may not write and so still holds them.
 *   <li>{@code ...Fused}: the reverse sweep of the accumulation loop merged into the forward
 *       loop. Legal because the only value carried from one iteration to the next is the sum
 *       {@code s} (or {@code total}), which the body only adds to, and whose adjoint is known
 *       before the loop runs ({@code _d_s = 1}, {@code _d_total = 1.0 / n}); each iteration's
 *       adjoint contributions then depend on that iteration alone and can be added in any order.
 * </ul>
 * All keep the generated record's contract (a freshly allocated gradient array), so the
 * remaining difference to {@code handWritten} is that allocation, measured by
 * {@code handWrittenNew}.
 */
public final class GeneratedVariants {
  private GeneratedVariants() {}

  // ---- extended Rosenbrock -----------------------------------------------------------------

  public static double extendedRosenbrockReserved(double[] x, double[][] out) {
    Tape _tape = new Tape();
    _tape.reserveDoubles(2L * Math.max(0, x.length - 1)); // the only change
    double s = 0;
    int _n0 = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      _n0++;
      double a = 1 - x[i];
      double b = x[i + 1] - x[i] * x[i];
      s += a * a + 100 * b * b;
      _tape.pushDouble(a);
      _tape.pushDouble(b);
    }
    double _value = s;
    double[] _d_x = new double[x.length];
    double _d_s = 1;
    for (int i = _n0 - 1; i >= 0; i--) {
      double b = _tape.popDouble();
      double a = _tape.popDouble();
      double _d_b = 200 * _d_s * b;
      _d_x[i + 1] += _d_b;
      _d_x[i] += -2 * _d_b * x[i];
      double _d_a = 2 * _d_s * a;
      _d_x[i] -= _d_a;
    }
    out[0] = _d_x;
    return _value;
  }

  public static double extendedRosenbrockRecompute(double[] x, double[][] out) {
    double s = 0;
    int _n0 = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      _n0++;
      double a = 1 - x[i];
      double b = x[i + 1] - x[i] * x[i];
      s += a * a + 100 * b * b;
    }
    double _value = s;
    double[] _d_x = new double[x.length];
    double _d_s = 1;
    for (int i = _n0 - 1; i >= 0; i--) {
      double a = 1 - x[i];                 // recomputed instead of popped
      double b = x[i + 1] - x[i] * x[i];   // recomputed instead of popped
      double _d_b = 200 * _d_s * b;
      _d_x[i + 1] += _d_b;
      _d_x[i] += -2 * _d_b * x[i];
      double _d_a = 2 * _d_s * a;
      _d_x[i] -= _d_a;
    }
    out[0] = _d_x;
    return _value;
  }

  public static double extendedRosenbrockFused(double[] x, double[][] out) {
    double[] _d_x = new double[x.length];
    double _d_s = 1; // known before the loop
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double a = 1 - x[i];
      double b = x[i + 1] - x[i] * x[i];
      s += a * a + 100 * b * b;
      // this iteration's reverse sweep, right away
      double _d_b = 200 * _d_s * b;
      _d_x[i + 1] += _d_b;
      _d_x[i] += -2 * _d_b * x[i];
      double _d_a = 2 * _d_s * a;
      _d_x[i] -= _d_a;
    }
    out[0] = _d_x;
    return s;
  }

  // ---- Huber smoothness --------------------------------------------------------------------

  public static double huberSmoothnessReserved(double[] x, double delta, double[][] out) {
    Tape _tape = new Tape();
    _tape.reserveDoubles(Math.max(0, x.length - 1)); // the only change
    double s = 0;
    int _n0 = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      _n0++;
      double r = x[i + 1] - x[i];
      if (r > delta) {
        s += delta * (r - 0.5 * delta);
      } else {
        if (r < -delta) {
          s -= delta * (r + 0.5 * delta);
        } else {
          s += 0.5 * r * r;
        }
      }
      _tape.pushDouble(r);
    }
    double _value = s;
    double[] _d_x = new double[x.length];
    double _d_s = 1;
    for (int i = _n0 - 1; i >= 0; i--) {
      double r = _tape.popDouble();
      double _d_r = 0;
      if (r > delta) {
        _d_r += _d_s * delta;
      } else {
        if (r < -delta) {
          _d_r -= _d_s * delta;
        } else {
          _d_r += _d_s * r;
        }
      }
      _d_x[i + 1] += _d_r;
      _d_x[i] -= _d_r;
    }
    out[0] = _d_x;
    return _value;
  }

  public static double huberSmoothnessRecompute(double[] x, double delta, double[][] out) {
    double s = 0;
    int _n0 = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      _n0++;
      double r = x[i + 1] - x[i];
      if (r > delta) {
        s += delta * (r - 0.5 * delta);
      } else {
        if (r < -delta) {
          s -= delta * (r + 0.5 * delta);
        } else {
          s += 0.5 * r * r;
        }
      }
    }
    double _value = s;
    double[] _d_x = new double[x.length];
    double _d_s = 1;
    for (int i = _n0 - 1; i >= 0; i--) {
      double r = x[i + 1] - x[i]; // recomputed instead of popped
      double _d_r = 0;
      if (r > delta) {
        _d_r += _d_s * delta;
      } else {
        if (r < -delta) {
          _d_r -= _d_s * delta;
        } else {
          _d_r += _d_s * r;
        }
      }
      _d_x[i + 1] += _d_r;
      _d_x[i] -= _d_r;
    }
    out[0] = _d_x;
    return _value;
  }

  public static double huberSmoothnessFused(double[] x, double delta, double[][] out) {
    double[] _d_x = new double[x.length];
    double _d_s = 1;
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      double r = x[i + 1] - x[i];
      double _d_r = 0;
      if (r > delta) {
        s += delta * (r - 0.5 * delta);
        _d_r += _d_s * delta;
      } else {
        if (r < -delta) {
          s -= delta * (r + 0.5 * delta);
          _d_r -= _d_s * delta;
        } else {
          s += 0.5 * r * r;
          _d_r += _d_s * r;
        }
      }
      _d_x[i + 1] += _d_r;
      _d_x[i] -= _d_r;
    }
    out[0] = _d_x;
    return s;
  }

  // ---- logistic loss -----------------------------------------------------------------------

  public static double logisticLossFused(double[] w, double[] x, double[] y, int n, int d,
      double[][] out) {
    double[] _d_w = new double[w.length];
    double _d_total = 1.0 / n; // known before the loop
    double total = 0;
    for (int i = 0; i < n; i++) {
      double z = 0;
      for (int j = 0; j < d; j++) {
        z += w[j] * x[i * d + j];
      }
      double m = y[i] * z;
      double _d_m = 0;
      if (m > 0) {
        double _t0 = Math.exp(-m);
        double _t1 = Math.log1p(_t0);
        total += _t1;
        _d_m -= _d_total * _t0 / (1 + _t0);
      } else {
        double _t2 = Math.exp(m);
        double _t3 = Math.log1p(_t2);
        total += _t3 - m;
        _d_m += _d_total * _t2 / (1 + _t2) - _d_total;
      }
      double _d_z = _d_m * y[i];
      for (int j = d - 1; j >= 0; j--) {
        _d_w[j] += _d_z * x[i * d + j];
      }
    }
    out[0] = _d_w;
    return total / n;
  }
}
