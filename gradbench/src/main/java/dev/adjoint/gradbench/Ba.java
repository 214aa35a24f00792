package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;
import java.util.Map;

/**
 * GradBench's {@code ba} (bundle adjustment, from ADBench): the reprojection error of every
 * observation (a camera of 11 parameters seeing a 3D point, weighted by w) and the weight error
 * 1 - w²; the Jacobian is sparse, each observation's 2 × 15 block being the generated Jacobian
 * of {@link #reprojError} and each weight's entry the generated derivative of
 * {@link #weightError}.
 */
public final class Ba {
  private Ba() {}

  static final int CAM = 11;

  /**
   * The reprojection error of a point {@code x} seen by camera {@code cam} (rotation r1 r2 r3 as
   * an angle-axis vector, centre C1 C2 C3, focal length f, principal point u0 v0, radial
   * distortion k1 k2), weighted by {@code w}, against the observed feature {@code (f0, f1)}.
   *
   * <p>Written with one rotation formula for every angle (the reference's two branches differ
   * only in three factors), which keeps it at 324 bytes of bytecode: under C2's inlining limit
   * for hot calls ({@code FreqInlineSize}, 325), so the primal's loop inlines it and the returned
   * pair is never allocated. The constant branch comes first and the factors are products, not
   * quotients: then no assignment in one branch reads a value the other one overwrote, and the
   * generated Jacobian keeps one forward sweep for both rows ({@code reprojErrorJacobianRows}).
   */
  @Differentiable(wrt = {"cam", "x", "w"})
  public static double[] reprojError(double[] cam, double[] x, double w, double f0, double f1) {
    // the point relative to the camera centre
    double p0 = x[0] - cam[3];
    double p1 = x[1] - cam[4];
    double p2 = x[2] - cam[5];
    // Rodrigues' rotation by the angle-axis vector r = cam[0..2], of angle theta = |r|:
    // p cos(theta) + (r x p) sin(theta) / theta + r (r . p) (1 - cos(theta)) / theta^2,
    // which is p + r x p at theta = 0
    double r0 = cam[0];
    double r1 = cam[1];
    double r2 = cam[2];
    double sqtheta = r0 * r0 + r1 * r1 + r2 * r2;
    double cos;
    double sinc;
    double versc;
    if (sqtheta == 0) {
      cos = 1;
      sinc = 1;
      versc = 0;
    } else {
      double theta = Math.sqrt(sqtheta);
      double inv = 1 / theta;
      cos = Math.cos(theta);
      sinc = Math.sin(theta) * inv;
      versc = (1 - cos) * inv * inv;
    }
    double tmp = (r0 * p0 + r1 * p1 + r2 * p2) * versc;
    double xc0 = p0 * cos + (r1 * p2 - r2 * p1) * sinc + r0 * tmp;
    double xc1 = p1 * cos + (r2 * p0 - r0 * p2) * sinc + r1 * tmp;
    double xc2 = p2 * cos + (r0 * p1 - r1 * p0) * sinc + r2 * tmp;
    // perspective division and radial distortion
    double u = xc0 / xc2;
    double v = xc1 / xc2;
    double rsq = u * u + v * v;
    double l = 1 + rsq * (cam[9] + cam[10] * rsq);
    // projected by focal length cam[6] about the principal point (cam[7], cam[8])
    return new double[] {w * (u * l * cam[6] + cam[7] - f0), w * (v * l * cam[6] + cam[8] - f1)};
  }

  /** The weight error 1 - w². */
  @Differentiable
  public static double weightError(double w) {
    return 1 - w * w;
  }

  /** An instance: n cameras, m points, p observations of camera i % n seeing point i % m. */
  record Input(int n, int m, int p, double[] cam, double[] x, double w, double[] feat) {
    double[][] cams() {
      double[][] cams = new double[n][];
      for (int i = 0; i < n; i++) cams[i] = cam.clone();
      return cams;
    }

    double[][] points() {
      double[][] points = new double[m][];
      for (int i = 0; i < m; i++) points[i] = x.clone();
      return points;
    }
  }

  /**
   * The data of one instance, duplicated as GradBench's reference does; a camera's parameters
   * and a point's coordinates are each an array of their own, passed as they are (not copied).
   */
  static final class Problem {
    final int n;
    final int m;
    final int p;
    final double[][] cams;
    final double[][] points;
    final double[] weights;
    final int[] obs;
    final double[] feats;

    Problem(Input in) {
      n = in.n();
      m = in.m();
      p = in.p();
      cams = in.cams();
      points = in.points();
      weights = new double[p];
      java.util.Arrays.fill(weights, in.w());
      obs = new int[2 * p];
      feats = new double[2 * p];
      for (int i = 0; i < p; i++) {
        obs[2 * i] = i % n;
        obs[2 * i + 1] = i % m;
        feats[2 * i] = in.feat()[0];
        feats[2 * i + 1] = in.feat()[1];
      }
    }
  }

  /**
   * reproj_err (2 per observation) and w_err (1 per observation), into the caller's arrays (kept
   * across runs, as GradBench's C++ harness keeps its output).
   */
  static void objective(Problem b, double[] reproj, double[] wErr) {
    for (int i = 0; i < b.p; i++) {
      double[] e = reprojError(b.cams[b.obs[2 * i]], b.points[b.obs[2 * i + 1]], b.weights[i], b.feats[2 * i],
          b.feats[2 * i + 1]);
      reproj[2 * i] = e[0];
      reproj[2 * i + 1] = e[1];
    }
    for (int i = 0; i < b.p; i++) {
      wErr[i] = weightError(b.weights[i]);
    }
  }

  /**
   * The sparse Jacobian in compressed-row form, rows 2p reprojection errors then p weight errors,
   * columns 11n camera parameters, 3m point coordinates, p weights (GradBench's SparseMat).
   */
  static final class SparseJacobian {
    final int[] rows;
    final int[] cols;
    final double[] vals;

    SparseJacobian(int p) {
      rows = new int[3 * p + 1];
      int nonzero = (CAM + 3 + 1) * 2 * p + p;
      cols = new int[nonzero];
      vals = new double[nonzero];
    }
  }

  static SparseJacobian jacobian(Problem b) {
    SparseJacobian jac = new SparseJacobian(b.p);
    int[] rows = jac.rows;
    int[] cols = jac.cols;
    double[] vals = jac.vals;
    double[][] block = new double[2][CAM + 3 + 1];
    int row = 0;
    int k = 0;
    int pointCols = CAM * b.n;
    int weightCols = pointCols + 3 * b.m;
    for (int i = 0; i < b.p; i++) {
      int camIdx = b.obs[2 * i];
      int ptIdx = b.obs[2 * i + 1];
      // the 2 × 15 block: columns cam (11), x (3), w (1); both rows over one forward sweep
      BaGrad.reprojErrorJacobianRows(b.cams[camIdx], b.points[ptIdx], b.weights[i], b.feats[2 * i],
          b.feats[2 * i + 1], block);
      for (int r = 0; r < 2; r++) {
        double[] jr = block[r];
        for (int j = 0; j < CAM; j++) {
          cols[k] = CAM * camIdx + j;
          vals[k++] = jr[j];
        }
        for (int j = 0; j < 3; j++) {
          cols[k] = pointCols + 3 * ptIdx + j;
          vals[k++] = jr[CAM + j];
        }
        cols[k] = weightCols + i;
        vals[k++] = jr[CAM + 3];
        rows[++row] = k;
      }
    }
    for (int i = 0; i < b.p; i++) {
      cols[k] = weightCols + i;
      vals[k++] = BaGrad.weightError(b.weights[i]).w();
      rows[++row] = k;
    }
    return jac;
  }

  /** GradBench's output: the first 30 entries of each list and the last one. */
  static Map<String, Object> output(SparseJacobian jac) {
    int head = 2 * (CAM + 4);
    int[] rows = new int[head + 1];
    int[] cols = new int[head + 1];
    double[] vals = new double[head + 1];
    System.arraycopy(jac.rows, 0, rows, 0, head);
    System.arraycopy(jac.cols, 0, cols, 0, head);
    System.arraycopy(jac.vals, 0, vals, 0, head);
    rows[head] = jac.rows[jac.rows.length - 1];
    cols[head] = jac.cols[jac.cols.length - 1];
    vals[head] = jac.vals[jac.vals.length - 1];
    return Map.of("rows", rows, "cols", cols, "vals", vals);
  }

  static final Tool.Module MODULE = (function, input) -> {
    Problem b = new Problem(Tool.GSON.fromJson(input, Input.class));
    return switch (function) {
      case "objective" -> {
        double[] reproj = new double[2 * b.p];
        double[] wErr = new double[b.p];
        yield () -> {
          objective(b, reproj, wErr);
          return Map.of(
              "reproj_error", Map.of("elements", new double[] {reproj[0], reproj[1]}, "repeated", b.p),
              "w_err", Map.of("element", wErr[0], "repeated", b.p));
        };
      }
      case "jacobian" -> () -> output(jacobian(b));
      default -> null;
    };
  };
}
