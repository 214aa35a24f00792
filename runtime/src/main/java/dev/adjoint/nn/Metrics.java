package dev.adjoint.nn;

import dev.adjoint.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** Classification metrics on a batch of scores (logits or probabilities) and labels. */
public final class Metrics {
  private Metrics() {}

  /**
   * The predicted class of every row: the index of its largest score, the first one on a tie.
   * NaN scores are never the largest (a row of NaNs predicts class 0).
   *
   * @param scores shape {@code [n, classes]}
   * @throws IllegalArgumentException if {@code scores} is not a matrix with at least one column
   */
  public static int[] argmax(Tensor scores) {
    Objects.requireNonNull(scores, "argmax: scores is null");
    int[] s = scores.shape();
    if (s.length != 2 || s[1] == 0) {
      throw new IllegalArgumentException(
          "argmax: scores of shape " + Arrays.toString(s)
              + " must have shape [n, classes] with classes > 0");
    }
    return argmax(scores.toArray(), s[0], s[1]);
  }

  /**
   * How many rows of {@code scores} have their largest score (see {@link #argmax}) at the true
   * class.
   *
   * @param scores shape {@code [n, classes]}
   * @param labels class indices of shape {@code [n]} (integral values in {@code [0, classes)}), or
   *     one-hot rows of shape {@code [n, classes]} (the class is each row's argmax)
   * @throws IllegalArgumentException on other shapes or on an invalid class index
   */
  public static int correct(Tensor scores, Tensor labels) {
    return count("correct", scores, labels);
  }

  private static int count(String op, Tensor scores, Tensor labels) {
    Objects.requireNonNull(scores, () -> op + ": scores is null");
    Objects.requireNonNull(labels, () -> op + ": labels is null");
    int[] predicted = argmax(scores);
    int n = predicted.length;
    int classes = scores.dim(1);
    int[] t = labels.shape();
    int[] truth;
    if (t.length == 1 && t[0] == n) {
      double[] d = labels.toArray();
      truth = new int[n];
      for (int i = 0; i < n; i++) {
        double v = d[i];
        if (!(v >= 0 && v < classes && v == Math.rint(v))) {
          throw new IllegalArgumentException(
              op + ": label " + v + " at index " + i + " is not a class index in [0, "
                  + classes + ")");
        }
        truth[i] = (int) v;
      }
    } else if (t.length == 2 && t[0] == n && t[1] == classes) {
      truth = argmax(labels.toArray(), n, classes);
    } else {
      throw new IllegalArgumentException(
          op + ": scores of shape " + Arrays.toString(scores.shape()) + " and labels of shape "
              + Arrays.toString(t) + " do not match: labels must have shape [n] or [n, classes]");
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (predicted[i] == truth[i]) {
        count++;
      }
    }
    return count;
  }

  /**
   * The fraction of rows whose largest score is at the true class: {@link #correct} divided by
   * the number of rows.
   *
   * @param scores shape {@code [n, classes]}, {@code n > 0}
   * @param labels class indices {@code [n]} or one-hot rows {@code [n, classes]}
   * @throws IllegalArgumentException on mismatched shapes, an invalid label, or no rows
   */
  public static double accuracy(Tensor scores, Tensor labels) {
    int correct = count("accuracy", scores, labels);
    int n = scores.dim(0);
    if (n == 0) {
      throw new IllegalArgumentException("accuracy: no examples (scores of shape [0, "
          + scores.dim(1) + "])");
    }
    return (double) correct / n;
  }

  private static int[] argmax(double[] d, int n, int classes) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int row = i * classes;
      int best = 0;
      double bestValue = d[row];
      for (int c = 1; c < classes; c++) {
        double v = d[row + c];
        if (v > bestValue || (bestValue != bestValue && v == v)) {
          best = c;
          bestValue = v;
        }
      }
      out[i] = best;
    }
    return out;
  }
}
