package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code ht} (hand tracking, from ADBench): a skinned hand model posed by 26
 * parameters (global rotation and translation, then finger angles), and the distance of each
 * observed point to its corresponding vertex ("simple") or to a point of its corresponding
 * triangle given by barycentric coordinates {@code us} ("complicated"). The Jacobian has one row
 * per residual and the columns ∂/∂u₀, ∂/∂u₁ (of the residual's own correspondence) then
 * ∂/∂θ; every column is a generated Jacobian-vector product of {@link Hand#objective}.
 */
public final class Ht {
  private Ht() {}

  /**
   * The hand model and the observations. Matrices are flat arrays: bone transforms 4 × 4 row
   * major ({@code 16 * bone + 4 * row + col}), vertices 4 homogeneous coordinates each, weights
   * per bone then vertex, positions 3 coordinates per vertex.
   */
  static final class Hand {
    private final int[] parents;
    private final double[] baseRelatives;
    private final double[] inverseBaseAbsolutes;
    private final double[] basePositions;
    private final double[] weights;
    private final int[] triangles;
    private final boolean mirrored;
    private final int[] correspondences;
    private final double[] points;

    Hand(int[] parents, double[] baseRelatives, double[] inverseBaseAbsolutes, double[] basePositions,
        double[] weights, int[] triangles, boolean mirrored, int[] correspondences, double[] points) {
      this.parents = parents;
      this.baseRelatives = baseRelatives;
      this.inverseBaseAbsolutes = inverseBaseAbsolutes;
      this.basePositions = basePositions;
      this.weights = weights;
      this.triangles = triangles;
      this.mirrored = mirrored;
      this.correspondences = correspondences;
      this.points = points;
    }

    /**
     * The residuals, 3 per correspondence: the observed point minus the model's vertex (when
     * {@code us} is empty) or minus the point u₀ a + u₁ b + (1 - u₀ - u₁) c of its triangle.
     */
    @Differentiable(wrt = {"theta", "us"})
    double[] objective(double[] theta, double[] us) {
      int bones = parents.length;
      int vertices = basePositions.length / 4;
      // pose parameters: 3 per column; columns global rotation, scale (1), translation, then one
      // per bone (wrist and forearm stay 0; each finger has 2 angles at its base, 1 further out)
      double[] pose = new double[3 * (bones + 3)];
      for (int i = 0; i < 3; i++) {
        pose[i] = theta[i];
        pose[3 + i] = 1;
        pose[6 + i] = theta[3 + i];
      }
      int iTheta = 6;
      int iPose = 5;
      for (int finger = 0; finger < 5; finger++) {
        for (int joint = 2; joint <= 4; joint++) {
          pose[3 * iPose] = theta[iTheta];
          iTheta++;
          if (joint == 2) {
            pose[3 * iPose + 1] = theta[iTheta];
            iTheta++;
          }
          iPose++;
        }
        iPose++;
      }

      // bone transforms: relative = base relative · rotation (Euler angles x, z, y), absolute =
      // parent's absolute · relative, transform = absolute · inverse base absolute
      double[] absolutes = new double[16 * bones];
      double[] transforms = new double[16 * bones];
      double[] rot = new double[9];
      double[] relative = new double[16];
      for (int b = 0; b < bones; b++) {
        eulerToRotation(pose[3 * (b + 3)], pose[3 * (b + 3) + 2], pose[3 * (b + 3) + 1], rot);
        for (int r = 0; r < 4; r++) {
          for (int c = 0; c < 3; c++) {
            relative[4 * r + c] = baseRelatives[16 * b + 4 * r] * rot[c]
                + baseRelatives[16 * b + 4 * r + 1] * rot[3 + c]
                + baseRelatives[16 * b + 4 * r + 2] * rot[6 + c];
          }
          relative[4 * r + 3] = baseRelatives[16 * b + 4 * r + 3];
        }
        int parent = parents[b];
        for (int r = 0; r < 4; r++) {
          for (int c = 0; c < 4; c++) {
            if (parent == -1) {
              absolutes[16 * b + 4 * r + c] = relative[4 * r + c];
            } else {
              double sum = 0;
              for (int k = 0; k < 4; k++) {
                sum += absolutes[16 * parent + 4 * r + k] * relative[4 * k + c];
              }
              absolutes[16 * b + 4 * r + c] = sum;
            }
          }
        }
        for (int r = 0; r < 4; r++) {
          for (int c = 0; c < 4; c++) {
            double sum = 0;
            for (int k = 0; k < 4; k++) {
              sum += absolutes[16 * b + 4 * r + k] * inverseBaseAbsolutes[16 * b + 4 * k + c];
            }
            transforms[16 * b + 4 * r + c] = sum;
          }
        }
      }

      // skinning: each vertex is the weighted sum of its bones' transforms of its base position
      // (a vertex is moved by the few bones that weigh on it: the others are skipped)
      double[] positions = new double[3 * vertices];
      for (int b = 0; b < bones; b++) {
        for (int v = 0; v < vertices; v++) {
          double w = weights[b * vertices + v];
          if (w == 0) {
            continue;
          }
          for (int r = 0; r < 3; r++) {
            positions[3 * v + r] += w * (transforms[16 * b + 4 * r] * basePositions[4 * v]
                + transforms[16 * b + 4 * r + 1] * basePositions[4 * v + 1]
                + transforms[16 * b + 4 * r + 2] * basePositions[4 * v + 2]
                + transforms[16 * b + 4 * r + 3] * basePositions[4 * v + 3]);
          }
        }
      }
      if (mirrored) {
        for (int v = 0; v < vertices; v++) {
          positions[3 * v] = -positions[3 * v];
        }
      }

      // the global transform: rotation by the angle-axis vector, scaled per column, translation
      double[] global = new double[9];
      angleAxisToRotation(pose[0], pose[1], pose[2], global);
      for (int v = 0; v < vertices; v++) {
        double x = positions[3 * v];
        double y = positions[3 * v + 1];
        double z = positions[3 * v + 2];
        for (int r = 0; r < 3; r++) {
          positions[3 * v + r] = global[3 * r] * pose[3] * x + global[3 * r + 1] * pose[4] * y
              + global[3 * r + 2] * pose[5] * z + pose[6 + r];
        }
      }

      int n = correspondences.length;
      double[] err = new double[3 * n];
      for (int i = 0; i < n; i++) {
        int vertex = correspondences[i];
        for (int j = 0; j < 3; j++) {
          if (us.length == 0) {
            err[3 * i + j] = points[3 * i + j] - positions[3 * vertex + j];
          } else {
            int a = triangles[3 * vertex];
            int bb = triangles[3 * vertex + 1];
            int c = triangles[3 * vertex + 2];
            double u0 = us[2 * i];
            double u1 = us[2 * i + 1];
            double handPoint = u0 * positions[3 * a + j] + u1 * positions[3 * bb + j]
                + (1 - u0 - u1) * positions[3 * c + j];
            err[3 * i + j] = points[3 * i + j] - handPoint;
          }
        }
      }
      return err;
    }
  }

  /** The rotation R = Rz Ry Rx of the angles (tx, ty, tz), row major into {@code r}. */
  static void eulerToRotation(double tx, double ty, double tz, double[] r) {
    double cx = Math.cos(tx);
    double sx = Math.sin(tx);
    double cy = Math.cos(ty);
    double sy = Math.sin(ty);
    double cz = Math.cos(tz);
    double sz = Math.sin(tz);
    // Rz Ry: [[cz cy, -sz, cz sy], [sz cy, cz, sz sy], [-sy, 0, cy]], then · Rx
    r[0] = cz * cy;
    r[1] = -sz * cx + cz * sy * sx;
    r[2] = sz * sx + cz * sy * cx;
    r[3] = sz * cy;
    r[4] = cz * cx + sz * sy * sx;
    r[5] = -cz * sx + sz * sy * cx;
    r[6] = -sy;
    r[7] = cy * sx;
    r[8] = cy * cx;
  }

  /** The rotation by the angle-axis vector (a0, a1, a2), row major into {@code r}. */
  static void angleAxisToRotation(double a0, double a1, double a2, double[] r) {
    double norm = Math.sqrt(a0 * a0 + a1 * a1 + a2 * a2);
    if (norm < 0.0001) {
      for (int i = 0; i < 9; i++) {
        r[i] = i % 4 == 0 ? 1 : 0;
      }
    } else {
      double x = a0 / norm;
      double y = a1 / norm;
      double z = a2 / norm;
      double s = Math.sin(norm);
      double c = Math.cos(norm);
      r[0] = x * x + (1 - x * x) * c;
      r[1] = x * y * (1 - c) - z * s;
      r[2] = x * z * (1 - c) + y * s;
      r[3] = x * y * (1 - c) + z * s;
      r[4] = y * y + (1 - y * y) * c;
      r[5] = y * z * (1 - c) - x * s;
      r[6] = x * z * (1 - c) - y * s;
      r[7] = z * y * (1 - c) + x * s;
      r[8] = z * z + (1 - z * z) * c;
    }
  }

  record Model(String[] bone_names, int[] parents, double[][][] base_relatives,
      double[][][] inverse_base_absolutes, double[][] base_positions, double[][] weights,
      int[][] triangles, boolean is_mirrored) {}

  record Data(Model model, int[] correspondences, double[][] points) {}

  record Input(double[] theta, Data data, double[][] us) {}

  static double[] flatten(double[][] rows) {
    int n = 0;
    for (double[] row : rows) n += row.length;
    double[] flat = new double[n];
    int k = 0;
    for (double[] row : rows) {
      System.arraycopy(row, 0, flat, k, row.length);
      k += row.length;
    }
    return flat;
  }

  static double[] flatten(double[][][] matrices) {
    double[] flat = new double[16 * matrices.length];
    for (int b = 0; b < matrices.length; b++) {
      System.arraycopy(flatten(matrices[b]), 0, flat, 16 * b, 16);
    }
    return flat;
  }

  static Hand hand(Input in) {
    Model m = in.data().model();
    int bones = m.parents().length;
    int vertices = m.base_positions().length;
    double[] weights = new double[bones * vertices];
    for (int v = 0; v < vertices; v++) {
      for (int b = 0; b < bones; b++) weights[b * vertices + v] = m.weights()[v][b];
    }
    int[] triangles = new int[3 * m.triangles().length];
    for (int t = 0; t < m.triangles().length; t++) System.arraycopy(m.triangles()[t], 0, triangles, 3 * t, 3);
    return new Hand(m.parents(), flatten(m.base_relatives()), flatten(m.inverse_base_absolutes()),
        flatten(m.base_positions()), weights, triangles, m.is_mirrored(), in.data().correspondences(),
        flatten(in.data().points()));
  }

  /**
   * The Jacobian, one row per residual: ∂/∂u₀ and ∂/∂u₁ of the residual's own correspondence
   * (a residual depends on its own u only, so one direction moving every u₀ at once gives them
   * all), then the 26 columns ∂/∂θ. All 28 directions go through one primal sweep of the
   * generated vector forward mode, which writes each residual's 28 derivatives into its row.
   */
  static final class Jacobian {
    final double[][] dTheta;
    final double[][] dUs;
    final int uColumns;

    Jacobian(int thetas, int us) {
      uColumns = us == 0 ? 0 : 2;
      dTheta = new double[uColumns + thetas][thetas];
      dUs = new double[uColumns + thetas][us];
      for (int k = 0; k < uColumns; k++) {
        for (int i = k; i < us; i += 2) dUs[k][i] = 1;
      }
      for (int k = 0; k < thetas; k++) dTheta[uColumns + k][k] = 1;
    }

    /** The rows of the last call, reused by the next one of the same size. */
    private double[][] jac = new double[0][];

    /** The Jacobian's rows, written by the generated vector forward mode straight into them. */
    double[][] of(Hand hand, double[] theta, double[] us) {
      int rows = 3 * hand.correspondences.length;
      if (jac.length != rows) {
        jac = new double[rows][dTheta.length];
      }
      Ht_HandGrad.objectiveJvpsRows(hand, theta, us, dTheta, dUs, jac, 0);
      return jac;
    }
  }

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    Hand hand = hand(in);
    double[] theta = in.theta();
    double[] us = in.us() == null ? new double[0] : flatten(in.us());
    return switch (function) {
      case "objective" -> () -> hand.objective(theta, us);
      case "jacobian" -> {
        Jacobian jacobian = new Jacobian(theta.length, us.length);
        yield () -> jacobian.of(hand, theta, us);
      }
      default -> null;
    };
  };
}
