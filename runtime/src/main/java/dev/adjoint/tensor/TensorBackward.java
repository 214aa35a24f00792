package dev.adjoint.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Internal: the fused loops behind {@code dev.adjoint.runtime.TensorAdjoints}, kept in this
 * package so that they read operands and build results without copying. Every method is a pure
 * function (tensors in, a new tensor out), so calling it cannot break immutability; but call
 * {@code TensorAdjoints} instead, which documents each rule and its derivation. Method names and
 * contracts are those of {@code TensorAdjoints}.
 */
public final class TensorBackward {
  private TensorBackward() {}

  // ---- broadcasting ----------------------------------------------------------------------------

  public static Tensor reduceTo(Tensor grad, int[] shape) {
    Objects.requireNonNull(grad, "reduceTo: grad is null");
    int[] target = Shapes.copyOf("reduceTo", shape);
    if (Arrays.equals(grad.shape, target)) {
      return grad;
    }
    requireReducible("reduceTo", grad.shape, target);
    return Tensor.wrap(Broadcast.reduce(grad.data, grad.shape, target), target);
  }

  private static void requireReducible(String op, int[] grad, int[] target) {
    if (!Shapes.broadcastsTo(target, grad)) {
      throw new IllegalArgumentException(
          op + ": gradient shape " + Shapes.str(grad) + " does not reduce to shape "
              + Shapes.str(target) + " (that shape does not broadcast to it)");
    }
  }

  public static Tensor reduceToNegated(Tensor grad, int[] shape) {
    Objects.requireNonNull(grad, "reduceToNegated: grad is null");
    int[] target = Shapes.copyOf("reduceToNegated", shape);
    if (!Arrays.equals(grad.shape, target)) {
      requireReducible("reduceToNegated", grad.shape, target);
      double[] r = Broadcast.reduce(grad.data, grad.shape, target);
      for (int i = 0; i < r.length; i++) {
        r[i] = -r[i];
      }
      return Tensor.wrap(r, target);
    }
    return grad.neg();
  }

  public static Tensor mulBackward(Tensor other, Tensor dy, int[] shape) {
    Objects.requireNonNull(dy, "mulBackward: dy is null");
    return reduceTo(dy.mul(other), shape);
  }

  public static Tensor divBackwardNumerator(Tensor b, Tensor dy, int[] shape) {
    Objects.requireNonNull(dy, "divBackwardNumerator: dy is null");
    return reduceTo(dy.div(b), shape);
  }

  public static Tensor divBackwardDenominator(Tensor a, Tensor b, Tensor dy) {
    Objects.requireNonNull(a, "divBackwardDenominator: a is null");
    Objects.requireNonNull(b, "divBackwardDenominator: b is null");
    Objects.requireNonNull(dy, "divBackwardDenominator: dy is null");
    // -dy * a / b², in dy's (the quotient's) shape, then summed down to b's shape
    Tensor t = dy.mul(a).div(b.square());
    if (Arrays.equals(t.shape, b.shape)) {
      return t.neg();
    }
    return reduceToNegated(t, b.shape);
  }

  public static double sumOfProducts(Tensor a, Tensor b) {
    Tensor.checkSameShape("sumOfProducts", a, b);
    double[] x = a.data;
    double[] y = b.data;
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  public static Tensor accumulate(Tensor acc, Tensor g) {
    Objects.requireNonNull(g, "accumulate: gradient is null");
    if (acc == null) {
      return g;
    }
    Tensor.checkSameShape("accumulate", acc, g);
    return acc.add(g);
  }

  // ---- reductions ------------------------------------------------------------------------------

  public static Tensor sumBackward(double dy, int[] shape) {
    int[] s = Shapes.copyOf("sumBackward", shape);
    double[] g = new double[Shapes.size(s)];
    Arrays.fill(g, dy);
    return Tensor.wrap(g, s);
  }

  public static Tensor meanBackward(double dy, int[] shape) {
    int[] s = Shapes.copyOf("meanBackward", shape);
    double[] g = new double[Shapes.size(s)];
    Arrays.fill(g, dy / g.length);
    return Tensor.wrap(g, s);
  }

  public static Tensor sumBackward(Tensor dy, int[] shape, int axis, boolean keepDims) {
    return spread("sumBackward", dy, shape, axis, keepDims, false);
  }

  public static Tensor meanBackward(Tensor dy, int[] shape, int axis, boolean keepDims) {
    return spread("meanBackward", dy, shape, axis, keepDims, true);
  }

  /** Copies dy along the reduced axis (scaled by 1/n for a mean). */
  private static Tensor spread(
      String op, Tensor dy, int[] shape, int axis, boolean keepDims, boolean mean) {
    Objects.requireNonNull(dy, () -> op + ": dy is null");
    int[] s = Shapes.copyOf(op, shape);
    int ax = Shapes.axis(op, axis, s);
    requireReducedShape(op, dy, s, ax, keepDims);
    int n = s[ax];
    int inner = Shapes.inner(s, ax);
    int outer = Shapes.outer(s, ax);
    double scale = mean ? 1.0 / n : 1.0;
    double[] g = dy.data;
    double[] x = new double[Shapes.size(s)];
    for (int o = 0; o < outer; o++) {
      int go = o * inner;
      for (int k = 0; k < n; k++) {
        int at = (o * n + k) * inner;
        for (int j = 0; j < inner; j++) {
          x[at + j] = g[go + j] * scale;
        }
      }
    }
    return Tensor.wrap(x, s);
  }

  private static void requireReducedShape(
      String op, Tensor dy, int[] shape, int axis, boolean keepDims) {
    int[] expected = Shapes.reduced(shape, axis, keepDims);
    if (!Arrays.equals(dy.shape, expected)) {
      throw new IllegalArgumentException(
          op + ": shapes " + Shapes.str(dy.shape) + " and " + Shapes.str(shape)
              + " do not match: the adjoint of a reduction of " + Shapes.str(shape)
              + " over axis " + axis + (keepDims ? " with" : " without") + " keepDims has shape "
              + Shapes.str(expected));
    }
  }

  public static Tensor maxBackward(Tensor x, double dy) {
    Objects.requireNonNull(x, "maxBackward: x is null");
    double[] v = x.data;
    if (v.length == 0) {
      throw new IllegalArgumentException(
          "maxBackward: shape " + Shapes.str(x.shape) + " has no elements");
    }
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      double b = v[best];
      if (v[i] > b || (v[i] != v[i] && b == b)) {
        best = i;
      }
    }
    double[] g = new double[v.length];
    g[best] = dy;
    return Tensor.wrap(g, x.shape);
  }

  public static Tensor maxBackward(Tensor x, Tensor dy, int axis, boolean keepDims) {
    Objects.requireNonNull(x, "maxBackward: x is null");
    Objects.requireNonNull(dy, "maxBackward: dy is null");
    int[] s = x.shape;
    int ax = Shapes.axis("maxBackward", axis, s);
    requireReducedShape("maxBackward", dy, s, ax, keepDims);
    Tensor.requireNonEmptyAxis("maxBackward", s, ax);
    int n = s[ax];
    int inner = Shapes.inner(s, ax);
    int outer = Shapes.outer(s, ax);
    double[] v = x.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    int[] arg = new int[inner];
    for (int o = 0; o < outer; o++) {
      int xo = o * n * inner;
      Arrays.fill(arg, 0);
      for (int k = 1; k < n; k++) {
        int at = xo + k * inner;
        for (int j = 0; j < inner; j++) {
          double c = v[at + j];
          double b = v[xo + arg[j] * inner + j];
          if (c > b || (c != c && b == b)) {
            arg[j] = k;
          }
        }
      }
      for (int j = 0; j < inner; j++) {
        g[xo + arg[j] * inner + j] = d[o * inner + j];
      }
    }
    return Tensor.wrap(g, s);
  }

  // ---- softmax, logSumExp, losses --------------------------------------------------------------

  public static Tensor softmaxBackward(Tensor y, Tensor dy, int axis) {
    Tensor.checkSameShape("softmaxBackward", y, dy);
    int[] s = y.shape;
    int ax = Shapes.axis("softmaxBackward", axis, s);
    int n = s[ax];
    int inner = Shapes.inner(s, ax);
    int outer = Shapes.outer(s, ax);
    double[] p = y.data;
    double[] d = dy.data;
    double[] g = new double[p.length];
    if (inner == 1) {
      for (int o = 0, row = 0; o < outer; o++, row += n) {
        double dot = 0;
        for (int k = 0; k < n; k++) {
          dot += d[row + k] * p[row + k];
        }
        for (int k = 0; k < n; k++) {
          g[row + k] = p[row + k] * (d[row + k] - dot);
        }
      }
      return Tensor.wrap(g, s);
    }
    double[] dot = new double[inner];
    for (int o = 0; o < outer; o++) {
      int xo = o * n * inner;
      Arrays.fill(dot, 0);
      for (int k = 0; k < n; k++) {
        int at = xo + k * inner;
        for (int j = 0; j < inner; j++) {
          dot[j] += d[at + j] * p[at + j];
        }
      }
      for (int k = 0; k < n; k++) {
        int at = xo + k * inner;
        for (int j = 0; j < inner; j++) {
          g[at + j] = p[at + j] * (d[at + j] - dot[j]);
        }
      }
    }
    return Tensor.wrap(g, s);
  }

  public static Tensor logSumExpBackward(Tensor x, Tensor dy, int axis, boolean keepDims) {
    Objects.requireNonNull(x, "logSumExpBackward: x is null");
    Objects.requireNonNull(dy, "logSumExpBackward: dy is null");
    int ax = Shapes.axis("logSumExpBackward", axis, x.shape);
    requireReducedShape("logSumExpBackward", dy, x.shape, ax, keepDims);
    double[] lse = Tensor.logSumExpAlong(x.data, x.shape, ax);
    return expMinusTimes(x, lse, dy.data, ax);
  }

  public static Tensor logSumExpBackward(
      Tensor x, Tensor y, Tensor dy, int axis, boolean keepDims) {
    Objects.requireNonNull(x, "logSumExpBackward: x is null");
    Objects.requireNonNull(dy, "logSumExpBackward: dy is null");
    Tensor.checkSameShape("logSumExpBackward", y, dy);
    int ax = Shapes.axis("logSumExpBackward", axis, x.shape);
    requireReducedShape("logSumExpBackward", dy, x.shape, ax, keepDims);
    return expMinusTimes(x, y.data, dy.data, ax);
  }

  /** {@code exp(x - lse) * dy}, with lse and dy indexed by the position outside the axis. */
  private static Tensor expMinusTimes(Tensor x, double[] lse, double[] d, int ax) {
    int[] s = x.shape;
    int n = s[ax];
    int inner = Shapes.inner(s, ax);
    int outer = Shapes.outer(s, ax);
    double[] v = x.data;
    double[] g = new double[v.length];
    for (int o = 0; o < outer; o++) {
      int ro = o * inner;
      for (int k = 0; k < n; k++) {
        int at = (o * n + k) * inner;
        for (int j = 0; j < inner; j++) {
          g[at + j] = Math.exp(v[at + j] - lse[ro + j]) * d[ro + j];
        }
      }
    }
    return Tensor.wrap(g, s);
  }

  public static Tensor softmaxCrossEntropyBackward(Tensor logits, Tensor labels, double dy) {
    Tensor.checkCrossEntropy("softmaxCrossEntropyBackward", logits, labels);
    int batch = logits.shape[0];
    int classes = logits.shape[1];
    double[] z = logits.data;
    double[] t = labels.data;
    boolean indices = labels.shape.length == 1;
    double[] g = new double[z.length];
    double scale = dy / batch;
    for (int b = 0; b < batch; b++) {
      int row = b * classes;
      double lse = Tensor.rowLogSumExp(z, row, classes);
      double mass;
      if (indices) {
        mass = 1;
      } else {
        mass = 0;
        for (int c = 0; c < classes; c++) {
          mass += t[row + c];
        }
      }
      double f = mass * scale;
      for (int c = 0; c < classes; c++) {
        g[row + c] = Math.exp(z[row + c] - lse) * f;
      }
      if (indices) {
        g[row + (int) t[b]] -= scale;
      } else {
        for (int c = 0; c < classes; c++) {
          g[row + c] -= t[row + c] * scale;
        }
      }
    }
    return Tensor.wrap(g, logits.shape);
  }

  public static Tensor softmaxCrossEntropyBackwardLabels(
      Tensor logits, Tensor labels, double dy) {
    Tensor.checkCrossEntropy("softmaxCrossEntropyBackwardLabels", logits, labels);
    if (labels.shape.length == 1) {
      return Tensor.wrap(new double[labels.data.length], labels.shape);
    }
    int batch = logits.shape[0];
    int classes = logits.shape[1];
    double[] z = logits.data;
    double[] g = new double[z.length];
    double scale = dy / batch;
    for (int b = 0; b < batch; b++) {
      int row = b * classes;
      double lse = Tensor.rowLogSumExp(z, row, classes);
      for (int c = 0; c < classes; c++) {
        g[row + c] = (lse - z[row + c]) * scale;
      }
    }
    return Tensor.wrap(g, labels.shape);
  }

  public static Tensor mseBackward(Tensor prediction, Tensor target, double dy) {
    Tensor.checkSameShape("mseBackward", prediction, target);
    double[] p = prediction.data;
    double[] t = target.data;
    double[] g = new double[p.length];
    double f = 2 * dy / p.length;
    for (int i = 0; i < p.length; i++) {
      g[i] = (p[i] - t[i]) * f;
    }
    return Tensor.wrap(g, prediction.shape);
  }

  // ---- element-wise ----------------------------------------------------------------------------

  public static Tensor tanhBackward(Tensor y, Tensor dy) {
    Tensor.checkSameShape("tanhBackward", y, dy);
    double[] v = y.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      g[i] = d[i] * (1 - v[i] * v[i]);
    }
    return Tensor.wrap(g, y.shape);
  }

  public static Tensor sigmoidBackward(Tensor y, Tensor dy) {
    Tensor.checkSameShape("sigmoidBackward", y, dy);
    double[] v = y.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      g[i] = d[i] * v[i] * (1 - v[i]);
    }
    return Tensor.wrap(g, y.shape);
  }

  public static Tensor reluBackward(Tensor x, Tensor dy) {
    Tensor.checkSameShape("reluBackward", x, dy);
    double[] v = x.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      g[i] = v[i] > 0 ? d[i] : 0.0;
    }
    return Tensor.wrap(g, x.shape);
  }

  public static Tensor absBackward(Tensor x, Tensor dy) {
    Tensor.checkSameShape("absBackward", x, dy);
    double[] v = x.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      double s = v[i];
      g[i] = s > 0 ? d[i] : s < 0 ? -d[i] : 0.0;
    }
    return Tensor.wrap(g, x.shape);
  }

  public static Tensor powBackward(Tensor x, double p, Tensor dy) {
    Tensor.checkSameShape("powBackward", x, dy);
    double[] v = x.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    if (p == 0) {
      return Tensor.wrap(g, x.shape);
    } else if (p == 1) {
      System.arraycopy(d, 0, g, 0, d.length);
    } else if (p == 2) {
      for (int i = 0; i < v.length; i++) {
        g[i] = 2 * v[i] * d[i];
      }
    } else {
      double q = p - 1;
      for (int i = 0; i < v.length; i++) {
        g[i] = p * Math.pow(v[i], q) * d[i];
      }
    }
    return Tensor.wrap(g, x.shape);
  }

  public static double powBackwardExponent(Tensor x, Tensor y, Tensor dy) {
    Tensor.checkSameShape("powBackwardExponent", x, dy);
    Tensor.checkSameShape("powBackwardExponent", y, dy);
    double[] v = x.data;
    double[] w = y.data;
    double[] d = dy.data;
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      if (w[i] != 0) {
        s += d[i] * w[i] * Math.log(v[i]);
      }
    }
    return s;
  }

  public static Tensor squareBackward(Tensor x, Tensor dy) {
    return powBackward(x, 2, dy);
  }

  public static Tensor sqrtBackward(Tensor y, Tensor dy) {
    Tensor.checkSameShape("sqrtBackward", y, dy);
    double[] v = y.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      g[i] = 0.5 * d[i] / v[i];
    }
    return Tensor.wrap(g, y.shape);
  }

  public static Tensor expBackward(Tensor y, Tensor dy) {
    Tensor.checkSameShape("expBackward", y, dy);
    double[] v = y.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      g[i] = d[i] * v[i];
    }
    return Tensor.wrap(g, y.shape);
  }

  public static Tensor logBackward(Tensor x, Tensor dy) {
    Tensor.checkSameShape("logBackward", x, dy);
    double[] v = x.data;
    double[] d = dy.data;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      g[i] = d[i] / v[i];
    }
    return Tensor.wrap(g, x.shape);
  }

  // ---- matrix products and indexing ------------------------------------------------------------

  public static Tensor matmulBackwardA(Tensor dC, Tensor b, int[] aShape) {
    Objects.requireNonNull(dC, "matmulBackwardA: dC is null");
    Objects.requireNonNull(b, "matmulBackwardA: b is null");
    int[] target = Shapes.copyOf("matmulBackwardA", aShape);
    return Products.productReducedTo("matmulBackwardA", dC, false, b, true, target);
  }

  public static Tensor matmulBackwardB(Tensor a, Tensor dC, int[] bShape) {
    Objects.requireNonNull(a, "matmulBackwardB: a is null");
    Objects.requireNonNull(dC, "matmulBackwardB: dC is null");
    int[] target = Shapes.copyOf("matmulBackwardB", bShape);
    return Products.productReducedTo("matmulBackwardB", a, true, dC, false, target);
  }

  public static Tensor getBackward(double dy, int[] shape, int... index) {
    int[] s = Shapes.copyOf("getBackward", shape);
    double[] g = new double[Shapes.size(s)];
    Tensor probe = Tensor.wrap(g, s);
    probe.get(index); // validates the index
    int offset = 0;
    for (int d = 0; d < index.length; d++) {
      int i = index[d];
      offset = offset * s[d] + (i < 0 ? i + s[d] : i);
    }
    g[offset] = dy;
    return probe;
  }
}
