package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {

  @Test
  void xavierIsUniformWithinGlorotBound() {
    Tensor w = Init.xavier(7, 300, 100);
    assertArrayEquals(new int[] {300, 100}, w.shape());
    double a = Math.sqrt(6.0 / 400);
    double[] d = w.toArray();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : d) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(min >= -a && max < a);
    assertTrue(min < -0.99 * a && max > 0.99 * a, "fills the interval");
    assertEquals(2.0 / 400, variance(d), 0.05 * 2.0 / 400);
  }

  @Test
  void heIsNormalWithVarianceTwoOverFanIn() {
    Tensor w = Init.he(7, 200, 150);
    assertArrayEquals(new int[] {200, 150}, w.shape());
    double[] d = w.toArray();
    assertEquals(0, mean(d), 0.003); // standard error 0.1 / √30000 ≈ 0.0006
    assertEquals(2.0 / 200, variance(d), 0.03 * 2.0 / 200);
  }

  @Test
  void seededAndReproducible() {
    assertEquals(Init.xavier(3, 4, 5), Init.xavier(3, 4, 5));
    assertEquals(Init.he(3, 4, 5), Init.he(3, 4, 5));
    assertNotEquals(Init.he(3, 4, 5), Init.he(4, 4, 5));
  }

  @Test
  void rejectsNonPositiveFans() {
    assertThrows(IllegalArgumentException.class, () -> Init.xavier(1, 0, 3));
    assertThrows(IllegalArgumentException.class, () -> Init.he(1, 3, -1));
  }

  private static double mean(double[] d) {
    double s = 0;
    for (double v : d) {
      s += v;
    }
    return s / d.length;
  }

  private static double variance(double[] d) {
    double m = mean(d);
    double s = 0;
    for (double v : d) {
      s += (v - m) * (v - m);
    }
    return s / d.length;
  }
}
