package dev.adjoint.benchmarks.scalar;

import dev.adjoint.benchmarks.baseline.Graph;
import dev.adjoint.benchmarks.baseline.Value;

/**
 * BASELINE (run-time tape AD, not Adjoint): the functions of {@link ScalarFunctions} run on
 * {@link Value} nodes recorded by a fresh {@link Graph} per call, then differentiated by walking
 * the graph backwards. Java's own control flow decides branches and loops on the recorded
 * values, as in PyTorch's autograd. Each writes the gradient into {@code g} and returns the value.
 */
public final class TapeGradients {
  private TapeGradients() {}

  public static double rosenbrock(double x, double y, double[] g) {
    Graph t = new Graph();
    Value vx = t.variable(x);
    Value vy = t.variable(y);
    Value a = t.sub(1, vx);
    Value b = t.sub(vy, t.mul(vx, vx));
    Value f = t.add(t.mul(a, a), t.mul(100, t.mul(b, b)));
    t.backward(f);
    g[0] = vx.grad;
    g[1] = vy.grad;
    return f.data;
  }

  public static double extendedRosenbrock(double[] x, double[] g) {
    Graph t = new Graph();
    Value[] v = variables(t, x);
    Value s = null;
    for (int i = 0; i + 1 < x.length; i++) {
      Value a = t.sub(1, v[i]);
      Value b = t.sub(v[i + 1], t.mul(v[i], v[i]));
      Value term = t.add(t.mul(a, a), t.mul(100, t.mul(b, b)));
      s = s == null ? term : t.add(s, term);
    }
    t.backward(s);
    gradients(v, g);
    return s.data;
  }

  public static double logisticLoss(double[] w, double[] x, double[] y, int n, int d,
      double[] g) {
    Graph t = new Graph();
    Value[] vw = variables(t, w);
    Value total = null;
    for (int i = 0; i < n; i++) {
      Value z = null;
      for (int j = 0; j < d; j++) {
        Value p = t.mul(x[i * d + j], vw[j]);
        z = z == null ? p : t.add(z, p);
      }
      Value m = t.mul(y[i], z);
      Value term = m.data > 0
          ? t.log1p(t.exp(t.neg(m)))
          : t.sub(t.log1p(t.exp(m)), m);
      total = total == null ? term : t.add(total, term);
    }
    Value loss = t.mul(1.0 / n, total);
    t.backward(loss);
    gradients(vw, g);
    return loss.data;
  }

  public static double mixed(double x, double y, double z, double[] g) {
    Graph t = new Graph();
    Value vx = t.variable(x);
    Value vy = t.variable(y);
    Value vz = t.variable(z);
    Value a = t.mul(t.sin(vx), t.exp(t.div(vy, vz)));
    Value b = t.mul(t.log(t.add(1, t.mul(vx, vx))),
        t.sqrt(t.add(t.mul(vy, vy), t.mul(vz, vz))));
    Value c = t.div(t.tanh(t.sub(t.mul(vx, vy), vz)), t.add(1, t.mul(vz, vz)));
    Value f = t.sub(t.add(a, b), c);
    t.backward(f);
    g[0] = vx.grad;
    g[1] = vy.grad;
    g[2] = vz.grad;
    return f.data;
  }

  public static double huberSmoothness(double[] x, double delta, double[] g) {
    Graph t = new Graph();
    Value[] v = variables(t, x);
    Value s = null;
    for (int i = 0; i + 1 < x.length; i++) {
      Value r = t.sub(v[i + 1], v[i]);
      Value term;
      if (r.data > delta) {
        term = t.mul(delta, t.sub(r, 0.5 * delta));
      } else if (r.data < -delta) {
        term = t.mul(-delta, t.add(r, 0.5 * delta));
      } else {
        term = t.mul(0.5, t.mul(r, r));
      }
      s = s == null ? term : t.add(s, term);
    }
    t.backward(s);
    gradients(v, g);
    return s.data;
  }

  private static Value[] variables(Graph t, double[] values) {
    Value[] v = new Value[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.variable(values[i]);
    }
    return v;
  }

  private static void gradients(Value[] v, double[] g) {
    for (int i = 0; i < v.length; i++) {
      g[i] = v[i].grad;
    }
  }
}
