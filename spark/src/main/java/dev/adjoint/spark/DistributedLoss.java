package dev.adjoint.spark;

import dev.adjoint.tensor.kernel.MatMul;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The mean loss over {@link Blocks} on Spark, with its gradient, plus an optional L2 term:
 *
 * <pre>
 *   f(w) = (sum over blocks of loss(w, block)) / (sum of weights)  +  lambda/2 * sum of w[i]^2 over
 *   the regularised i
 * </pre>
 *
 * (MLlib's objective: {@code regParam} is {@code lambda}). Each {@link #evaluate} broadcasts the
 * parameters and runs one job: a task calls the user's loss once per block of its partition,
 * summing values and gradients into two arrays allocated once per task, and the driver adds the
 * per-partition sums <em>in partition order</em> (no tree or shuffle whose combine order depends
 * on which task finishes first). A partition's blocks are always visited in the same order, so the
 * result is the same bit for bit however tasks are scheduled, retried or recomputed after a lost
 * executor, and on any number of executors. The L2 term is added on the driver. A task runs the
 * runtime's matrix products on its own thread only ({@link MatMul#setThreadsOfThisThread}), as
 * Spark already runs one task per core.
 *
 * <p>Immutable: {@link #l2} returns a new objective. Thread-safe as Spark's driver API is.
 */
public final class DistributedLoss implements Objective, StochasticObjective {
  private final Blocks blocks;
  private final WeightedBlockLoss loss;
  private final double lambda;
  private final boolean[] regularised;
  private final int regFrom;
  private final int regTo;
  /** Each row counts 1 (a {@link BlockLoss}, which reads no weights). */
  private final boolean rowsOnly;

  private DistributedLoss(
      Blocks blocks,
      WeightedBlockLoss loss,
      boolean rowsOnly,
      double lambda,
      boolean[] mask,
      int from,
      int to) {
    this.blocks = blocks;
    this.rowsOnly = rowsOnly;
    this.loss = loss;
    this.lambda = lambda;
    this.regularised = mask;
    this.regFrom = from;
    this.regTo = to;
  }

  /** The mean of {@code loss} over the blocks; its weights are ignored (each row counts 1). */
  public static DistributedLoss of(Blocks blocks, BlockLoss loss) {
    Objects.requireNonNull(loss, "loss");
    WeightedBlockLoss unweighted =
        (p, x, y, w, rows, cols, g) -> loss.apply(p, x, y, rows, cols, g);
    return new DistributedLoss(Objects.requireNonNull(blocks), unweighted, true, 0, null, 0, 0);
  }

  /** The weighted mean of {@code loss} over the blocks (divided by the sum of the weights). */
  public static DistributedLoss weighted(Blocks blocks, WeightedBlockLoss loss) {
    return new DistributedLoss(
        Objects.requireNonNull(blocks), Objects.requireNonNull(loss, "loss"), false, 0, null, 0, 0);
  }

  /** Adds {@code lambda/2 * ||w||^2} over every parameter. */
  public DistributedLoss l2(double lambda) {
    return l2(lambda, 0, Integer.MAX_VALUE);
  }

  /**
   * Adds {@code lambda/2 * sum w[i]^2} over {@code from <= i < to} only (clipped to the parameter
   * count): put the intercepts outside the range to leave them unregularised, as MLlib does.
   */
  public DistributedLoss l2(double lambda, int from, int to) {
    checkLambda(lambda);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("bad range [" + from + ", " + to + ")");
    }
    return new DistributedLoss(blocks, loss, rowsOnly, lambda, null, from, to);
  }

  /** Adds {@code lambda/2 * sum w[i]^2} over the {@code i} where {@code mask[i]}. */
  public DistributedLoss l2(double lambda, boolean[] mask) {
    checkLambda(lambda);
    return new DistributedLoss(blocks, loss, rowsOnly, lambda, mask.clone(), 0, 0);
  }

  private static void checkLambda(double lambda) {
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
    }
  }

  /** The data this objective runs over. */
  public Blocks blocks() {
    return blocks;
  }

  @Override
  public double evaluate(double[] params, double[] gradient) {
    return run(params, gradient, 1, 0);
  }

  /**
   * The objective over a Bernoulli sample of the rows: each task draws its rows from a generator
   * seeded by {@code seed} and its partition index, so a retried task draws the same rows. The
   * sample is packed into one buffer per task and the loss is called once per block of it.
   */
  @Override
  public Objective sample(double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
    }
    return (params, gradient) -> run(params, gradient, fraction, seed);
  }

  private double run(double[] params, double[] gradient, double fraction, long seed) {
    if (gradient.length != params.length) {
      throw new IllegalArgumentException(
          "gradient has length " + gradient.length + " but params has " + params.length);
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(blocks.rdd.context());
    Broadcast<double[]> bc = sc.broadcast(params.clone());
    List<double[]> parts;
    try {
      parts =
          blocks
              .rdd
              .mapPartitionsWithIndex(
                  new PartitionSum(bc, loss, params.length, fraction, seed, rowsOnly), true)
              .collect();
    } catch (Exception e) { // SparkException, thrown undeclared
      throw SparkFailures.rethrow(e);
    } finally {
      bc.destroy();
    }
    // in partition order, whatever order the tasks finished in
    parts = new java.util.ArrayList<>(parts);
    parts.sort((a, b) -> Double.compare(a[0], b[0]));
    double value = 0;
    double weight = 0;
    Arrays.fill(gradient, 0);
    for (double[] part : parts) {
      value += part[1];
      weight += part[2];
      for (int j = 0; j < gradient.length; j++) {
        gradient[j] += part[3 + j];
      }
    }
    double scale = weight > 0 ? 1 / weight : 0;
    value *= scale;
    for (int j = 0; j < gradient.length; j++) {
      gradient[j] *= scale;
    }
    return value + addL2(params, gradient);
  }

  /** Adds the L2 term's gradient; returns its value. */
  private double addL2(double[] w, double[] gradient) {
    if (lambda == 0) {
      return 0;
    }
    double sum = 0;
    if (regularised != null) {
      if (regularised.length != w.length) {
        throw new IllegalArgumentException(
            "the L2 mask has length " + regularised.length + " but there are " + w.length
                + " parameters");
      }
      for (int i = 0; i < w.length; i++) {
        if (regularised[i]) {
          sum += w[i] * w[i];
          gradient[i] += lambda * w[i];
        }
      }
    } else {
      for (int i = regFrom, end = Math.min(regTo, w.length); i < end; i++) {
        sum += w[i] * w[i];
        gradient[i] += lambda * w[i];
      }
    }
    return 0.5 * lambda * sum;
  }

  /**
   * One task: the sums over its partition's blocks, as {@code [partition, loss, weight,
   * gradient...]}. The two gradient arrays (and, for a sample, one block buffer) are allocated
   * once per task.
   */
  private static final class PartitionSum
      implements org.apache.spark.api.java.function.Function2<
          Integer, Iterator<Block>, Iterator<double[]>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<double[]> params;
    private final WeightedBlockLoss loss;
    private final int dim;
    private final double fraction;
    private final long seed;
    private final boolean rowsOnly;

    PartitionSum(
        Broadcast<double[]> params,
        WeightedBlockLoss loss,
        int dim,
        double fraction,
        long seed,
        boolean rowsOnly) {
      this.params = params;
      this.loss = loss;
      this.dim = dim;
      this.fraction = fraction;
      this.seed = seed;
      this.rowsOnly = rowsOnly;
    }

    @Override
    public Iterator<double[]> call(Integer partition, Iterator<Block> it) {
      // Spark already runs one task per core: the loss's matrix products stay on this thread
      int previous = MatMul.setThreadsOfThisThread(1);
      try {
        return sum(partition, it);
      } finally {
        MatMul.setThreadsOfThisThread(previous);
      }
    }

    private Iterator<double[]> sum(int partition, Iterator<Block> it) {
      double[] w = params.value();
      double[] sum = new double[3 + dim];
      double[] g = new double[dim];
      sum[0] = partition;
      BlockSample sample = fraction < 1 ? new BlockSample(fraction, seed, partition) : null;
      double[] ones = null;
      while (it.hasNext()) {
        Block b = it.next();
        double value;
        double weight;
        if (sample != null) {
          sample.draw(b, rowsOnly);
          if (sample.rows == 0) {
            continue;
          }
          value = loss.apply(w, sample.features, sample.labels, sample.weights, sample.rows,
              b.cols, g);
          weight = sample.weightSum;
        } else {
          double[] weights = b.weights;
          if (weights == null || rowsOnly) {
            if (ones == null || ones.length < b.rows) {
              ones = new double[b.rows];
              Arrays.fill(ones, 1);
            }
            weights = ones;
          }
          value = loss.apply(w, b.features, b.labels, weights, b.rows, b.cols, g);
          weight = rowsOnly ? b.rows : b.weightSum;
        }
        sum[1] += value;
        sum[2] += weight;
        for (int j = 0; j < dim; j++) {
          sum[3 + j] += g[j];
        }
      }
      return Collections.singletonList(sum).iterator();
    }
  }
}
