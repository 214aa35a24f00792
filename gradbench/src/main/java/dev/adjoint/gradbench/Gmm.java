package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;
import java.util.Map;

/**
 * GradBench's {@code gmm}: the log posterior of a Gaussian mixture model with a Wishart prior on
 * the precision matrices, written from the eval's spec with loops over flat arrays (component c's
 * mean is {@code mu[c*d .. c*d+d)}, its strictly lower triangle {@code l[c*lsz ..]} column by
 * column), and its gradient with respect to alpha, mu, q and l.
 */
public final class Gmm {
  private Gmm() {}

  /** log Γ_d(a), the multivariate gamma function's logarithm. */
  static double logGammaDistrib(double a, int d) {
    double out = 0.25 * d * (d - 1) * Math.log(Math.PI);
    for (int j = 1; j <= d; j++) {
      out += logGamma(a + 0.5 * (1 - j));
    }
    return out;
  }

  /** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; x < 0.5 by reflection). */
  static double logGamma(double x) {
    if (x < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028,
        771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7};
    x -= 1;
    double a = c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      a += c[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }

  /**
   * The log posterior: the sum over observations of log-sum-exp over components of
   * alpha_c + sum(q_c) - |Q_c (x_i - mu_c)|² / 2, minus n (d/2 log 2π + logsumexp(alpha)), plus
   * the Wishart prior's log.
   */
  @Differentiable(wrt = {"alpha", "mu", "q", "l"})
  public static double logPosterior(double[] alpha, double[] mu, double[] q, double[] l,
      double[] x, int d, int k, int n, int m, double gamma) {
    int lsz = d * (d - 1) / 2;
    double[] qdiag = new double[k * d];
    double[] sumQ = new double[k];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        qdiag[c * d + j] = Math.exp(q[c * d + j]);
        sumQ[c] += q[c * d + j];
      }
    }

    double[] xc = new double[d];
    double[] qxc = new double[d];
    double[] beta = new double[k];
    double slse = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < d; j++) {
          xc[j] = x[i * d + j] - mu[c * d + j];
        }
        // Q_c xc: the diagonal, then the lower triangle column by column
        for (int j = 0; j < d; j++) {
          qxc[j] = qdiag[c * d + j] * xc[j];
        }
        int idx = c * lsz;
        for (int j = 0; j < d; j++) {
          double xcj = xc[j];
          for (int r = j + 1; r < d; r++) {
            qxc[r] += l[idx] * xcj;
            idx++;
          }
        }
        double sq = 0;
        for (int j = 0; j < d; j++) {
          sq += qxc[j] * qxc[j];
        }
        beta[c] = alpha[c] + sumQ[c] - 0.5 * sq;
      }
      // log-sum-exp over the components, with the max trick
      double mx = beta[0];
      for (int c = 1; c < k; c++) {
        mx = Math.max(mx, beta[c]);
      }
      double se = 0;
      for (int c = 0; c < k; c++) {
        se += Math.exp(beta[c] - mx);
      }
      slse += mx + Math.log(se);
    }

    double amx = alpha[0];
    for (int c = 1; c < k; c++) {
      amx = Math.max(amx, alpha[c]);
    }
    double ase = 0;
    for (int c = 0; c < k; c++) {
      ase += Math.exp(alpha[c] - amx);
    }
    double lseAlpha = amx + Math.log(ase);

    // the Wishart prior
    int wn = d + m + 1;
    double prior = 0;
    for (int c = 0; c < k; c++) {
      double frobenius = 0;
      for (int j = 0; j < d; j++) {
        frobenius += qdiag[c * d + j] * qdiag[c * d + j];
      }
      for (int j = 0; j < lsz; j++) {
        frobenius += l[c * lsz + j] * l[c * lsz + j];
      }
      prior += 0.5 * gamma * gamma * frobenius - m * sumQ[c];
    }
    double wishartC = wn * d * (Math.log(gamma) - 0.5 * Math.log(2)) - logGammaDistrib(0.5 * wn, d);

    return -n * d * 0.5 * Math.log(2 * Math.PI) + slse - n * lseAlpha - prior + k * wishartC;
  }

  /** The eval's input: the independent variables as rows, the data, and the prior's m and gamma. */
  record Input(int d, int k, int n, double[] alpha, double[][] mu, double[][] q, double[][] l,
      double[][] x, int m, double gamma) {}

  static double[] flatten(double[][] rows) {
    int size = 0;
    for (double[] r : rows) size += r.length;
    double[] flat = new double[size];
    int at = 0;
    for (double[] r : rows) {
      System.arraycopy(r, 0, flat, at, r.length);
      at += r.length;
    }
    return flat;
  }

  static double[][] rows(double[] flat, int count, int width) {
    double[][] rows = new double[count][width];
    for (int i = 0; i < count; i++) System.arraycopy(flat, i * width, rows[i], 0, width);
    return rows;
  }

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    int d = in.d();
    int k = in.k();
    int lsz = d * (d - 1) / 2;
    double[] alpha = in.alpha();
    double[] mu = flatten(in.mu());
    double[] q = flatten(in.q());
    double[] l = flatten(in.l());
    double[] x = flatten(in.x());
    return switch (function) {
      case "objective" -> () -> logPosterior(alpha, mu, q, l, x, d, k, in.n(), in.m(), in.gamma());
      case "jacobian" -> {
        double[] gAlpha = new double[alpha.length];
        double[] gMu = new double[mu.length];
        double[] gQ = new double[q.length];
        double[] gL = new double[l.length];
        yield () -> {
          GmmGrad.logPosterior(alpha, mu, q, l, x, d, k, in.n(), in.m(), in.gamma(),
              gAlpha, gMu, gQ, gL);
          return Map.of("alpha", gAlpha, "mu", rows(gMu, k, d), "q", rows(gQ, k, d),
              "l", rows(gL, k, lsz));
        };
      }
      default -> null;
    };
  };
}
