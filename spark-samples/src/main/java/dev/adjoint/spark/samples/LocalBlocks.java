package dev.adjoint.spark.samples;

import dev.adjoint.spark.BlockLoss;
import dev.adjoint.spark.Objective;
import java.util.Arrays;

/**
 * The objective of {@code DistributedLoss} computed in one JVM: the rows cut into the partitions
 * {@code parallelize} makes (contiguous, {@code [i·n/p, (i+1)·n/p)}), each cut into blocks of
 * {@code blockRows}, the block losses summed per partition and the partitions' sums added in
 * order, divided by the row count, plus {@code decay/2 · Σ w²} over the masked parameters: the
 * same additions in the same order as on Spark.
 */
final class LocalBlocks implements Objective {
  private final double[][] features;
  private final double[][] labels;
  private final int[] partitionOf;
  private final int cols;
  private final int rows;
  private final BlockLoss loss;
  private final double decay;
  private final boolean[] decayed;

  LocalBlocks(FashionMnist.Split data, int partitions, int blockRows, BlockLoss loss,
      double decay, boolean[] decayed) {
    this.cols = data.cols();
    this.rows = data.rows();
    this.loss = loss;
    this.decay = decay;
    this.decayed = decayed;
    java.util.List<double[]> fs = new java.util.ArrayList<>();
    java.util.List<double[]> ls = new java.util.ArrayList<>();
    java.util.List<Integer> ps = new java.util.ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      int from = (int) ((long) p * rows / partitions);
      int to = (int) ((long) (p + 1) * rows / partitions);
      for (int r = from; r < to; r += blockRows) {
        int end = Math.min(to, r + blockRows);
        fs.add(Arrays.copyOfRange(data.pixels(), r * cols, end * cols));
        ls.add(Arrays.copyOfRange(data.labels(), r, end));
        ps.add(p);
      }
    }
    this.features = fs.toArray(new double[0][]);
    this.labels = ls.toArray(new double[0][]);
    this.partitionOf = ps.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public double evaluate(double[] params, double[] gradient) {
    int n = params.length;
    double[] g = new double[n];
    double[] part = new double[n];
    double partValue = 0;
    double value = 0;
    Arrays.fill(gradient, 0);
    for (int b = 0; b < features.length; b++) {
      partValue += loss.apply(params, features[b], labels[b], labels[b].length, cols, g);
      for (int j = 0; j < n; j++) {
        part[j] += g[j];
      }
      if (b + 1 == features.length || partitionOf[b + 1] != partitionOf[b]) {
        value += partValue;
        for (int j = 0; j < n; j++) {
          gradient[j] += part[j];
        }
        partValue = 0;
        Arrays.fill(part, 0);
      }
    }
    double scale = 1.0 / rows;
    value *= scale;
    for (int j = 0; j < n; j++) {
      gradient[j] *= scale;
    }
    double squares = 0;
    for (int j = 0; j < n; j++) {
      if (decayed[j]) {
        squares += params[j] * params[j];
        gradient[j] += decay * params[j];
      }
    }
    return value + 0.5 * decay * squares;
  }
}
