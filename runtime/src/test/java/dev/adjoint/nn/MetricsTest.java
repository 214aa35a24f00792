package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MetricsTest {
  // rows predict 2, 0, 1 (tie between 0 and 1: the first wins), 1
  static final Tensor LOGITS = Tensor.of(new double[] {
      0.1, 0.2, 3.0,
      5.0, -1, 2,
      0.7, 0.7, 0.1,
      -3, -1, -2}, 4, 3);

  @Test
  void argmaxTakesTheFirstOnTies() {
    assertArrayEquals(new int[] {2, 0, 0, 1}, Metrics.argmax(LOGITS));
    assertArrayEquals(new int[] {1},
        Metrics.argmax(Tensor.of(new double[] {Double.NaN, 1, Double.NaN}, 1, 3)));
  }

  @Test
  void accuracyWithClassIndices() {
    assertEquals(0.75, Metrics.accuracy(LOGITS, Tensor.vector(2, 0, 0, 2)));
    assertEquals(3, Metrics.correct(LOGITS, Tensor.vector(2, 0, 0, 2)));
    assertEquals(1.0, Metrics.accuracy(LOGITS, Tensor.vector(2, 0, 0, 1)));
    assertEquals(0.0, Metrics.accuracy(LOGITS, Tensor.vector(0, 1, 2, 0)));
  }

  @Test
  void accuracyWithOneHotLabels() {
    Tensor oneHot = Tensor.of(new double[] {0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0}, 4, 3);
    assertEquals(0.75, Metrics.accuracy(LOGITS, oneHot));
  }

  @Test
  void rejectsBadLabels() {
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(LOGITS, Tensor.vector(0, 1, 3, 0)));
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(LOGITS, Tensor.vector(0, 1, 0.5, 0)));
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(LOGITS, Tensor.vector(0, 1, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(Tensor.vector(1, 2), Tensor.vector(0, 1)));
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.accuracy(Tensor.zeros(0, 3), Tensor.zeros(0)));
  }
}
