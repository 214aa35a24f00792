package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code kmeans}: the cost, the sum over points of the squared distance to the
 * closest centroid, and {@code dir}, the Newton direction: the gradient with respect to the
 * centroids divided elementwise by the Hessian's diagonal (the Hessian is diagonal: each
 * centroid coordinate enters the cost only through its own squared differences, which the
 * processor proves from the code).
 */
public final class Kmeans {
  private Kmeans() {}

  @Differentiable(hessian = true, wrt = "centroids")
  public static double cost(double[][] points, double[][] centroids) {
    double cost = 0;
    for (int i = 0; i < points.length; i++) {
      double closest = Double.POSITIVE_INFINITY;
      for (int j = 0; j < centroids.length; j++) {
        double dist = 0;
        for (int l = 0; l < points[i].length; l++) {
          double diff = points[i][l] - centroids[j][l];
          dist += diff * diff;
        }
        closest = Math.min(closest, dist);
      }
      cost += closest;
    }
    return cost;
  }

  /**
   * The Newton direction: the gradient over the Hessian's diagonal, element by element (the
   * processor proves the cost's Hessian diagonal and generates costHessianDiagonal).
   */
  static double[][] dir(double[][] points, double[][] centroids) {
    KmeansGrad.CostHessianDiagonal h = KmeansGrad.costHessianDiagonal(points, centroids);
    double[][] gradient = h.centroids();
    double[][] diagonal = h.centroidsDiagonal();
    double[][] dir = new double[centroids.length][];
    for (int j = 0; j < centroids.length; j++) {
      dir[j] = new double[centroids[j].length];
      for (int l = 0; l < dir[j].length; l++) {
        dir[j][l] = gradient[j][l] / diagonal[j][l];
      }
    }
    return dir;
  }

  record Input(double[][] points, double[][] centroids) {}

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    double[][] points = in.points();
    double[][] centroids = in.centroids();
    return switch (function) {
      case "cost" -> () -> cost(points, centroids);
      case "dir" -> () -> dir(points, centroids);
      default -> null;
    };
  };
}
