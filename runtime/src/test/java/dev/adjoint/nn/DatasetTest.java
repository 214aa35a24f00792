package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {

  /** n examples of 3 features; example i has features (i, 10i, 100i) and label i. */
  static Dataset numbered(int n) {
    double[] x = new double[n * 3];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[3 * i] = i;
      x[3 * i + 1] = 10 * i;
      x[3 * i + 2] = 100 * i;
      y[i] = i;
    }
    return new Dataset(Tensor.of(x, n, 3), Tensor.of(y, n));
  }

  @Test
  void permutationIsSeededAndReproducible() {
    int[] p = Dataset.permutation(50, 42);
    assertArrayEquals(p, Dataset.permutation(50, 42));
    assertFalse(Arrays.equals(p, Dataset.permutation(50, 43)));
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    int[] identity = new int[50];
    Arrays.setAll(identity, i -> i);
    assertArrayEquals(identity, sorted);
    assertFalse(Arrays.equals(identity, p));
  }

  @Test
  void batchesHaveTheRequestedSizeAndALastPartialBatch() {
    Dataset d = numbered(10);
    List<Integer> sizes = new ArrayList<>();
    List<Double> seen = new ArrayList<>();
    for (Dataset.Batch b : d.batches(4, 1)) {
      sizes.add(b.size());
      assertArrayEquals(new int[] {b.size(), 3}, b.x().shape());
      assertArrayEquals(new int[] {b.size()}, b.y().shape());
      for (double label : b.y().toArray()) {
        seen.add(label);
      }
    }
    assertEquals(List.of(4, 4, 2), sizes);
    assertEquals(3, d.batchCount(4));
    // every example exactly once, in the order of the seeded permutation
    double[] expected = Arrays.stream(Dataset.permutation(10, 1)).asDoubleStream().toArray();
    assertArrayEquals(expected, seen.stream().mapToDouble(Double::doubleValue).toArray());
    assertEquals(List.of(5, 5), sizesOf(d.batches(5, 1)));
    assertEquals(List.of(10), sizesOf(d.batches(64, 1)));
  }

  @Test
  void batchesKeepFeaturesWithTheirLabels() {
    for (Dataset.Batch b : numbered(13).batches(5, 9)) {
      double[] x = b.x().toArray();
      double[] y = b.y().toArray();
      for (int k = 0; k < y.length; k++) {
        assertArrayEquals(new double[] {y[k], 10 * y[k], 100 * y[k]},
            Arrays.copyOfRange(x, 3 * k, 3 * k + 3));
      }
    }
  }

  @Test
  void shufflingIsReproducible() {
    Dataset d = numbered(20);
    assertEquals(labelsOf(d.batches(6, 5)), labelsOf(d.batches(6, 5)));
    assertNotEquals(labelsOf(d.batches(6, 5)), labelsOf(d.batches(6, 6)));
    assertEquals(d.shuffled(3).labels(), d.shuffled(3).labels());
    assertNotEquals(d.labels(), d.shuffled(3).labels());
  }

  @Test
  void orderedBatchesFollowTheDataSet() {
    assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0), labelsOf(numbered(7).batches(3)));
  }

  @Test
  void splitIsDisjointCompleteAndSeeded() {
    Dataset d = numbered(10);
    Dataset.Split s = d.split(0.8, 11);
    assertEquals(8, s.train().size());
    assertEquals(2, s.test().size());
    List<Double> all = new ArrayList<>();
    for (double v : s.train().labels().toArray()) {
      all.add(v);
    }
    for (double v : s.test().labels().toArray()) {
      all.add(v);
    }
    assertEquals(10, all.stream().distinct().count());
    assertEquals(s.test().features(), d.split(0.8, 11).test().features());
    assertEquals(0, d.split(0, 1).train().size());
    assertEquals(10, d.split(1, 1).train().size());
    assertThrows(IllegalArgumentException.class, () -> d.split(1.5, 1));
  }

  @Test
  void selectAndSlice() {
    Dataset d = numbered(6);
    Dataset s = d.select(5, 0, 5);
    assertEquals(Tensor.vector(5, 0, 5), s.labels());
    assertEquals(Tensor.of(new double[] {5, 50, 500, 0, 0, 0, 5, 50, 500}, 3, 3), s.features());
    assertEquals(Tensor.vector(2, 3), d.slice(2, 4).labels());
    assertEquals(0, d.slice(3, 3).size());
    assertThrows(IndexOutOfBoundsException.class, () -> d.select(6));
    assertThrows(IndexOutOfBoundsException.class, () -> d.slice(4, 7));
  }

  @Test
  void higherRankFeaturesAndOneHotLabels() {
    Dataset d = new Dataset(Tensor.arange(24).reshape(3, 2, 4), Tensor.zeros(3, 5));
    Dataset.Batch b = d.batches(2).iterator().next();
    assertArrayEquals(new int[] {2, 2, 4}, b.x().shape());
    assertArrayEquals(new int[] {2, 5}, b.y().shape());
    assertArrayEquals(new int[] {3, 2, 4}, d.featureShape());
    assertArrayEquals(new int[] {3, 5}, d.labelShape());
  }

  @Test
  void rejectsMismatchedRowsAndBadBatchSizes() {
    assertThrows(IllegalArgumentException.class,
        () -> new Dataset(Tensor.zeros(4, 2), Tensor.zeros(3)));
    assertThrows(IllegalArgumentException.class,
        () -> new Dataset(Tensor.scalar(1), Tensor.scalar(1)));
    assertThrows(IllegalArgumentException.class, () -> numbered(3).batches(0, 1));
  }

  private static List<Integer> sizesOf(Iterable<Dataset.Batch> batches) {
    List<Integer> out = new ArrayList<>();
    batches.forEach(b -> out.add(b.size()));
    return out;
  }

  private static List<Double> labelsOf(Iterable<Dataset.Batch> batches) {
    List<Double> out = new ArrayList<>();
    for (Dataset.Batch b : batches) {
      for (double v : b.y().toArray()) {
        out.add(v);
      }
    }
    return out;
  }
}
