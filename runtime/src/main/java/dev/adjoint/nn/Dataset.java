package dev.adjoint.nn;

import dev.adjoint.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Examples for supervised learning: features of shape {@code [n, ...]} (usually {@code [n, d]})
 * and labels of shape {@code [n, ...]} (usually {@code [n]} class indices), example {@code i}
 * being row {@code i} of both. Immutable; shuffling, splitting and batching return new tensors
 * or data sets and never change this one.
 *
 * <p>Everything random is seeded: the order that {@link #batches(int, long)},
 * {@link #shuffled(long)} and {@link #split(double, long)} use is the permutation
 * {@link #permutation(int, long)} gives for the seed, the same on every run. Pass a different
 * seed per epoch (e.g. {@code seed + epoch}) for a fresh order each epoch.
 */
public final class Dataset {
  /** The features, row-major, one row of {@code featureSize} values per example. */
  private final double[] features;
  private final int[] featureShape;
  private final int featureSize;
  private final double[] labels;
  private final int[] labelShape;
  private final int labelSize;
  private final int size;

  /**
   * A data set of the given features and labels (copied).
   *
   * @param features shape {@code [n, ...]}, rank at least 1
   * @param labels shape {@code [n, ...]}, rank at least 1, with the same {@code n}
   * @throws IllegalArgumentException if a tensor has rank 0 or the numbers of rows differ
   */
  public Dataset(Tensor features, Tensor labels) {
    Objects.requireNonNull(features, "Dataset: features is null");
    Objects.requireNonNull(labels, "Dataset: labels is null");
    int[] f = features.shape();
    int[] l = labels.shape();
    if (f.length == 0 || l.length == 0 || f[0] != l[0]) {
      throw new IllegalArgumentException(
          "Dataset: features of shape " + Arrays.toString(f) + " and labels of shape "
              + Arrays.toString(l) + " must both have rank >= 1 and the same first dimension");
    }
    this.size = f[0];
    this.features = features.toArray();
    this.featureShape = f;
    this.featureSize = rowSize(f);
    this.labels = labels.toArray();
    this.labelShape = l;
    this.labelSize = rowSize(l);
  }

  /** Takes ownership of the arrays; shapes already checked. */
  private Dataset(double[] features, int[] featureShape, double[] labels, int[] labelShape) {
    this.size = featureShape[0];
    this.features = features;
    this.featureShape = featureShape;
    this.featureSize = rowSize(featureShape);
    this.labels = labels;
    this.labelShape = labelShape;
    this.labelSize = rowSize(labelShape);
  }

  private static int rowSize(int[] shape) {
    int s = 1;
    for (int i = 1; i < shape.length; i++) {
      s *= shape[i];
    }
    return s;
  }

  /** The number of examples {@code n}. */
  public int size() {
    return size;
  }

  /** The shape of {@link #features()}, {@code [n, ...]}, without copying the features. */
  public int[] featureShape() {
    return featureShape.clone();
  }

  /** The shape of {@link #labels()}, {@code [n, ...]}. */
  public int[] labelShape() {
    return labelShape.clone();
  }

  /** All features, of shape {@code [n, ...]}. */
  public Tensor features() {
    return Tensor.of(features, featureShape);
  }

  /** All labels, of shape {@code [n, ...]}. */
  public Tensor labels() {
    return Tensor.of(labels, labelShape);
  }

  /**
   * The examples at {@code indices}, in that order (an index may repeat).
   *
   * @throws IndexOutOfBoundsException if an index is not in {@code [0, size())}
   */
  public Dataset select(int... indices) {
    Objects.requireNonNull(indices, "select: indices is null");
    return select(indices, 0, indices.length);
  }

  /**
   * The examples {@code from} (inclusive) to {@code to} (exclusive), in order.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= size()}
   */
  public Dataset slice(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    double[] f = Arrays.copyOfRange(features, from * featureSize, to * featureSize);
    double[] l = Arrays.copyOfRange(labels, from * labelSize, to * labelSize);
    return new Dataset(f, withRows(featureShape, to - from), l, withRows(labelShape, to - from));
  }

  /** The same examples in the order of {@link #permutation permutation(size(), seed)}. */
  public Dataset shuffled(long seed) {
    return select(permutation(size, seed));
  }

  /**
   * Splits the examples at random into a training and a test set: the first
   * {@code round(trainFraction · n)} examples of {@link #shuffled shuffled(seed)} for training,
   * the rest for testing.
   *
   * @param trainFraction in {@code [0, 1]}, e.g. 0.8 to hold out 20% for testing
   * @throws IllegalArgumentException if {@code trainFraction} is out of range
   */
  public Split split(double trainFraction, long seed) {
    if (!(trainFraction >= 0 && trainFraction <= 1)) {
      throw new IllegalArgumentException(
          "split: trainFraction must be in [0, 1], got " + trainFraction);
    }
    int train = (int) Math.round(trainFraction * size);
    Dataset all = shuffled(seed);
    return new Split(all.slice(0, train), all.slice(train, size));
  }

  /**
   * Mini-batches of {@code batchSize} examples in the order of
   * {@link #permutation permutation(size(), seed)}; the last batch holds the remaining
   * {@code size() % batchSize} examples if that is not 0. Every example appears in exactly one
   * batch. Batches are built lazily, one at a time, so iterating does not copy the whole data set;
   * every iteration gives the same batches.
   *
   * @throws IllegalArgumentException unless {@code batchSize} is positive
   */
  public Iterable<Batch> batches(int batchSize, long seed) {
    checkBatchSize(batchSize);
    return () -> new Batches(permutation(size, seed), batchSize);
  }

  /**
   * Mini-batches of {@code batchSize} examples in their order in this data set (for evaluation);
   * the last batch may be smaller.
   *
   * @throws IllegalArgumentException unless {@code batchSize} is positive
   */
  public Iterable<Batch> batches(int batchSize) {
    checkBatchSize(batchSize);
    int[] order = new int[size];
    Arrays.setAll(order, i -> i);
    return () -> new Batches(order, batchSize);
  }

  /** The number of batches of {@code batchSize} examples: {@code ceil(size() / batchSize)}. */
  public int batchCount(int batchSize) {
    checkBatchSize(batchSize);
    return (size + batchSize - 1) / batchSize;
  }

  /**
   * A random permutation of {@code 0 .. n-1} (Fisher–Yates with a {@link SplittableRandom} seeded
   * with {@code seed}): the same {@code n} and seed always give the same permutation.
   */
  public static int[] permutation(int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("permutation: negative length " + n);
    }
    int[] p = new int[n];
    Arrays.setAll(p, i -> i);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  @Override
  public String toString() {
    return "Dataset[" + size + " examples, features " + Arrays.toString(featureShape)
        + ", labels " + Arrays.toString(labelShape) + "]";
  }

  private Dataset select(int[] indices, int from, int to) {
    int n = to - from;
    double[] f = new double[n * featureSize];
    double[] l = new double[n * labelSize];
    for (int k = 0; k < n; k++) {
      int i = Objects.checkIndex(indices[from + k], size);
      System.arraycopy(features, i * featureSize, f, k * featureSize, featureSize);
      System.arraycopy(labels, i * labelSize, l, k * labelSize, labelSize);
    }
    return new Dataset(f, withRows(featureShape, n), l, withRows(labelShape, n));
  }

  private static int[] withRows(int[] shape, int rows) {
    int[] s = shape.clone();
    s[0] = rows;
    return s;
  }

  private static void checkBatchSize(int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batches: batch size must be positive, got " + batchSize);
    }
  }

  /**
   * Two disjoint parts of a data set.
   *
   * @param train the examples to train on
   * @param test the held-out examples
   */
  public record Split(Dataset train, Dataset test) {
    public Split {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
    }
  }

  /**
   * One mini-batch.
   *
   * @param x the features, shape {@code [b, ...]}
   * @param y the labels, shape {@code [b, ...]}
   */
  public record Batch(Tensor x, Tensor y) {
    public Batch {
      Objects.requireNonNull(x, "x");
      Objects.requireNonNull(y, "y");
    }

    /** The number of examples {@code b}. */
    public int size() {
      return x.dim(0);
    }
  }

  private final class Batches implements Iterator<Batch> {
    private final int[] order;
    private final int batchSize;
    private int next;

    Batches(int[] order, int batchSize) {
      this.order = order;
      this.batchSize = batchSize;
    }

    @Override
    public boolean hasNext() {
      return next < order.length;
    }

    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int to = Math.min(order.length, next + batchSize);
      Dataset b = select(order, next, to);
      next = to;
      return new Batch(Tensor.of(b.features, b.featureShape), Tensor.of(b.labels, b.labelShape));
    }
  }
}
