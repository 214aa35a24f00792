package com.example.app;

import com.example.lib.Losses;
import dev.adjoint.Differentiable;

/** Losses built from the library's differentiable pieces, compiled against its jar. */
public final class Model {
  private Model() {}

  /**
   * A regularised logistic loss of weights w and bias b on one example (x, y) that calls every
   * kind of library callee: an array callee with a loop, custom derivatives of one and of two
   * parameters, a callee with wrt, the second overload of a name, a nested class.
   */
  @Differentiable(wrt = {"w", "b"})
  public static double loss(double[] w, double b, double[] x, double y) {
    double z = Losses.dot(w, x) + b;
    double data = Losses.softplus(z) - y * z;
    double margin = Losses.smoothMax(z, b * b);
    double reg = Losses.weightedSquares(w, x, 0.01);
    double size = Losses.norm(b, w[0]) + Losses.norm(w[1]);
    return data + 0.1 * margin + reg + 0.05 * size + 0.2 * Losses.Inner.power(b, 3);
  }

  /** A caller of a caller: Model.loss through ModelGrad, generated in this same compilation. */
  @Differentiable(wrt = {"w", "b"})
  public static double meanLoss(double[] w, double b, double[] x0, double[] x1) {
    return 0.5 * (loss(w, b, x0, 1.0) + loss(w, b, x1, 0.0));
  }

  /** Every double and double[] parameter differentiated (no wrt), through library callees. */
  @Differentiable
  public static double score(double[] w, double[] x, double t) {
    return Losses.dot(w, x) * Losses.Inner.power(t, 2) + Losses.norm(t, x[0]);
  }
}
