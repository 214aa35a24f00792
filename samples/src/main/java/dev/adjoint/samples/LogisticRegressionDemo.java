package dev.adjoint.samples;

import dev.adjoint.Differentiable;
import java.util.List;

/**
 * Logistic regression written the way one writes it by hand, with for loops over arrays, trained
 * with the gradient Adjoint generates: it learns to tell the handwritten digit 3 from the other
 * digits in the UCI optical digits data (8×8 images), holding out a quarter for testing.
 */
public final class LogisticRegressionDemo {
  private LogisticRegressionDemo() {}

  /**
   * Mean logistic loss of weights {@code w} and bias {@code b} over {@code n} examples of
   * {@code d} features ({@code x} row-major, labels {@code y} in {-1, +1}), plus L2 penalty.
   */
  @Differentiable(wrt = {"w", "b"})
  public static double loss(double[] w, double b, double[] x, double[] y, int n, int d, double lambda) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double z = b;
      for (int j = 0; j < d; j++) {
        z += w[j] * x[i * d + j];
      }
      double m = y[i] * z;
      // log(1 + exp(-m)), written so that exp never overflows
      if (m > 0) {
        total += Math.log1p(Math.exp(-m));
      } else {
        total += Math.log1p(Math.exp(m)) - m;
      }
    }
    double penalty = 0;
    for (double wj : w) {
      penalty += wj * wj;
    }
    return total / n + lambda * penalty;
  }

  public static void main(String[] args) {
    List<double[]> rows = SampleData.digitsRows();
    int d = 64;
    int n = rows.size();
    int train = n * 3 / 4;
    double[] xTrain = new double[train * d];
    double[] yTrain = new double[train];
    double[] xTest = new double[(n - train) * d];
    double[] yTest = new double[n - train];
    for (int i = 0; i < n; i++) {
      double[] r = rows.get(i);
      boolean isTrain = i < train;
      double label = r[d] == 3 ? 1 : -1;
      for (int j = 0; j < d; j++) {
        (isTrain ? xTrain : xTest)[(isTrain ? i : i - train) * d + j] = r[j] / 16.0;
      }
      (isTrain ? yTrain : yTest)[isTrain ? i : i - train] = label;
    }
    double[] w = new double[d];
    double b = 0;
    double rate = 0.5;
    double lambda = 1e-4;
    System.out.printf("Logistic regression, '3' against the other digits: %d training and %d test images%n",
        train, n - train);
    for (int epoch = 0; epoch <= 300; epoch++) {
      LogisticRegressionDemoGrad.Loss g = LogisticRegressionDemoGrad.loss(w, b, xTrain, yTrain, train, d, lambda);
      if (epoch % 50 == 0) {
        System.out.printf("epoch %3d  loss %.5f  train accuracy %.4f  test accuracy %.4f%n", epoch, g.value(),
            accuracy(w, b, xTrain, yTrain, d), accuracy(w, b, xTest, yTest, d));
      }
      for (int j = 0; j < d; j++) {
        w[j] -= rate * g.w()[j];
      }
      b -= rate * g.b();
    }
  }

  static double accuracy(double[] w, double b, double[] x, double[] y, int d) {
    int correct = 0;
    for (int i = 0; i < y.length; i++) {
      double z = b;
      for (int j = 0; j < d; j++) {
        z += w[j] * x[i * d + j];
      }
      if ((z > 0) == (y[i] > 0)) {
        correct++;
      }
    }
    return (double) correct / y.length;
  }
}
