package dev.adjoint.maven.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PointParserTest {
  @Test
  void readsEveryKindOfArgumentInOrder() {
    Object[] args = PointParser.parse(" 1.5, [1, -2e-3, 3] ,7, 8, true, []",
        new Class<?>[] {double.class, double[].class, int.class, long.class, boolean.class,
            double[].class});
    assertEquals(1.5, args[0]);
    assertArrayEquals(new double[] {1, -2e-3, 3}, (double[]) args[1]);
    assertEquals(7, args[2]);
    assertEquals(8L, args[3]);
    assertEquals(true, args[4]);
    assertArrayEquals(new double[0], (double[]) args[5]);
  }

  @Test
  void specialValues() {
    Object[] args = PointParser.parse("NaN, -Infinity", new Class<?>[] {double.class, double.class});
    assertEquals(Double.NaN, args[0]);
    assertEquals(Double.NEGATIVE_INFINITY, args[1]);
  }

  @Test
  void pointsThatDoNotFitSayWhy() {
    Class<?>[] two = {double.class, double.class};
    assertEquals("argument 2 (double) is missing",
        assertThrows(IllegalArgumentException.class, () -> PointParser.parse("1", two)).getMessage());
    assertEquals("point \"1, 2, 3\" has more than the 2 arguments of the method",
        assertThrows(IllegalArgumentException.class, () -> PointParser.parse("1, 2, 3", two)).getMessage());
    assertEquals("argument 1 \"x\" is not a double",
        assertThrows(IllegalArgumentException.class, () -> PointParser.parse("x, 2", two)).getMessage());
    assertEquals("argument 1 is a double[]: write it as [1, 2, 3]",
        assertThrows(IllegalArgumentException.class,
            () -> PointParser.parse("1", new Class<?>[] {double[].class})).getMessage());
    assertEquals("argument 1 \"1.5\" is not a int",
        assertThrows(IllegalArgumentException.class,
            () -> PointParser.parse("1.5", new Class<?>[] {int.class})).getMessage());
  }
}
