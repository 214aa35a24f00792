package dev.adjoint.tensor;

import static dev.adjoint.tensor.TensorTesting.assertMessage;
import static dev.adjoint.tensor.TensorTesting.assertTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorBasicsTest {

  // ---- creation --------------------------------------------------------------------------------

  @Test
  void zerosOnesFullOfEveryRankUpToFour() {
    int[][] shapes = {{}, {3}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};
    for (int[] s : shapes) {
      int size = 1;
      for (int d : s) {
        size *= d;
      }
      Tensor z = Tensor.zeros(s);
      Tensor o = Tensor.ones(s);
      Tensor f = Tensor.full(2.5, s);
      for (Tensor t : new Tensor[] {z, o, f}) {
        assertArrayEquals(s, t.shape());
        assertEquals(s.length, t.rank());
        assertEquals(size, t.size());
      }
      for (int i = 0; i < size; i++) {
        assertEquals(0.0, z.toArray()[i]);
        assertEquals(1.0, o.toArray()[i]);
        assertEquals(2.5, f.toArray()[i]);
      }
    }
  }

  @Test
  void scalarIsRankZero() {
    Tensor s = Tensor.scalar(4.25);
    assertEquals(0, s.rank());
    assertEquals(1, s.size());
    assertArrayEquals(new int[0], s.shape());
    assertEquals(4.25, s.get());
    assertEquals(4.25, s.item());
    assertEquals(Tensor.of(new double[] {4.25}), s);
  }

  @Test
  void ofCopiesAndChecksLength() {
    double[] data = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.of(data, 2, 3);
    data[0] = 100;
    assertEquals(1.0, t.get(0, 0));
    assertEquals(6.0, t.get(1, 2));
    assertMessage("of: data of length 6 does not fit shape [4] (size 4)",
        () -> Tensor.of(new double[6], 4));
    assertMessage("of: data of length 3 does not fit shape [] (size 1)",
        () -> Tensor.of(new double[3]));
  }

  @Test
  void viewReadsTheArrayInPlaceAndChecksLength() {
    double[] data = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.view(data, 3, 2);
    assertEquals(4.0, t.get(1, 1));
    data[3] = 40; // a view sees the array: the caller promised not to do this while t is used
    assertEquals(40.0, t.get(1, 1));
    assertEquals(Tensor.of(new double[] {1, 2, 3, 40, 5, 6}, 3, 2), t);
    assertMessage("view: data of length 6 does not fit shape [4] (size 4)",
        () -> Tensor.view(new double[6], 4));
  }

  @Test
  void copyIntoWritesTheElementsAtAnOffset() {
    double[] dest = {9, 9, 9, 9, 9};
    Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).copyInto(dest, 1);
    assertArrayEquals(new double[] {9, 1, 2, 3, 4}, dest);
    Tensor.scalar(7).copyInto(dest, 4);
    assertEquals(7.0, dest[4]);
    assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(3).copyInto(dest, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(3).copyInto(dest, -1));
    assertArrayEquals(new double[] {9, 1, 2, 3, 7}, dest); // nothing written by a failed copy
  }

  @Test
  void shapeInputIsCopied() {
    int[] shape = {2, 3};
    Tensor t = Tensor.zeros(shape);
    shape[0] = 7;
    assertArrayEquals(new int[] {2, 3}, t.shape());
    t.shape()[1] = 9;
    assertArrayEquals(new int[] {2, 3}, t.shape());
  }

  @Test
  void toArrayIsACopy() {
    Tensor t = Tensor.arange(4);
    t.toArray()[0] = 42;
    assertEquals(0.0, t.get(0));
  }

  @Test
  void negativeDimensionsAreRejected() {
    assertMessage("zeros: negative dimension in shape [2, -1]", () -> Tensor.zeros(2, -1));
    assertMessage("full: negative dimension in shape [-3]", () -> Tensor.full(1, -3));
  }

  @Test
  void emptyTensors() {
    Tensor e = Tensor.zeros(0, 3);
    assertEquals(0, e.size());
    assertEquals(0.0, e.sum());
    assertTrue(Double.isNaN(e.mean()));
    assertTensor(e.sum(0, false), new double[] {0, 0, 0}, 3);
    assertTensor(e.add(Tensor.ones(3)), new double[0], 0, 3);
    assertEquals("tensor([], shape=[0, 3])", e.toString());
  }

  @Test
  void vectorAndArange() {
    assertTensor(Tensor.vector(1, 2, 3), new double[] {1, 2, 3}, 3);
    assertTensor(Tensor.arange(4), new double[] {0, 1, 2, 3}, 4);
    assertTensor(Tensor.arange(0), new double[0], 0);
    assertTensor(Tensor.arange(1, 2, 0.25), new double[] {1, 1.25, 1.5, 1.75}, 4);
    assertTensor(Tensor.arange(3, 0, -1), new double[] {3, 2, 1}, 3);
    assertTensor(Tensor.arange(0, 1, 0.3), new double[] {0, 0.3, 0.6, 0.8999999999999999}, 4);
    assertTensor(Tensor.arange(2, 1, 1), new double[0], 0);
    assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Tensor.arange(-1));
  }

  @Test
  void randomTensorsAreSeededAndReproducible() {
    Tensor a = Tensor.randomNormal(42, 100, 50);
    assertEquals(a, Tensor.randomNormal(42, 100, 50));
    assertNotEquals(a, Tensor.randomNormal(43, 100, 50));
    assertEquals(0, a.mean(), 0.05);
    double var = a.sub(a.mean()).square().mean();
    assertEquals(1, var, 0.05);

    Tensor u = Tensor.randomUniform(7, -2, 3, 1000);
    assertEquals(u, Tensor.randomUniform(7, -2, 3, 1000));
    for (double v : u.toArray()) {
      assertTrue(v >= -2 && v < 3, "out of range: " + v);
    }
    assertEquals(0.5, u.mean(), 0.2);
    assertThrows(IllegalArgumentException.class, () -> Tensor.randomUniform(1, 1, 1, 3));
  }

  // ---- access ----------------------------------------------------------------------------------

  @Test
  void dimAndGetAcceptNegativeAxesAndIndices() {
    Tensor t = Tensor.arange(24).reshape(2, 3, 4);
    assertEquals(2, t.dim(0));
    assertEquals(4, t.dim(-1));
    assertEquals(3, t.dim(-2));
    assertEquals(23.0, t.get(1, 2, 3));
    assertEquals(23.0, t.get(-1, -1, -1));
    assertEquals(17.0, t.get(1, 1, 1));
    assertMessage("dim: axis 3 is out of range for shape [2, 3, 4] (rank 3)", () -> t.dim(3));
    assertMessage("dim: axis -4 is out of range for shape [2, 3, 4] (rank 3)", () -> t.dim(-4));
    assertMessage("get: 2 indices for shape [2, 3, 4] (rank 3)", () -> t.get(0, 0));
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, 3, 0));
    assertEquals("get: index [0, 3, 0] is out of bounds for shape [2, 3, 4]", e.getMessage());
  }

  @Test
  void itemNeedsExactlyOneElement() {
    assertEquals(5.0, Tensor.full(5, 1, 1, 1).item());
    assertMessage("item: shape [2, 3] has 6 elements, not 1", () -> Tensor.zeros(2, 3).item());
  }

  @Test
  void equalsAndHashCodeOnShapeAndValues() {
    Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, a.reshape(4));
    assertNotEquals(a, a.add(1e-12));
    assertNotEquals(a, "tensor");
    assertEquals(Tensor.scalar(Double.NaN), Tensor.scalar(Double.NaN));
  }

  @Test
  void allCloseUsesRelativeAndAbsoluteTolerance() {
    Tensor a = Tensor.vector(1, 100, Double.POSITIVE_INFINITY);
    assertTrue(a.allClose(Tensor.vector(1 + 1e-9, 100 + 1e-6, Double.POSITIVE_INFINITY),
        1e-8, 0));
    assertFalse(a.allClose(Tensor.vector(1.1, 100, Double.POSITIVE_INFINITY), 1e-8, 1e-8));
    assertTrue(Tensor.vector(0).allClose(Tensor.vector(1e-9), 0, 1e-8));
    assertFalse(Tensor.vector(Double.NaN).allClose(Tensor.vector(Double.NaN), 1, 1));
    assertFalse(Tensor.zeros(2).allClose(Tensor.zeros(1, 2), 1, 1));
  }

  // ---- toString --------------------------------------------------------------------------------

  @Test
  void toStringOfSmallTensors() {
    assertEquals("tensor(3.5, shape=[])", Tensor.scalar(3.5).toString());
    assertEquals("tensor([ 1.0,  2.5, -3.0], shape=[3])", Tensor.vector(1, 2.5, -3).toString());
    assertEquals(
        "tensor([[ 1.0,  2.0,  3.0],\n"
            + "        [40.0, 50.0, 60.0]], shape=[2, 3])",
        Tensor.of(new double[] {1, 2, 3, 40, 50, 60}, 2, 3).toString());
    assertEquals(
        "tensor([[[0.0, 1.0],\n"
            + "         [2.0, 3.0]],\n"
            + "\n"
            + "        [[4.0, 5.0],\n"
            + "         [6.0, 7.0]]], shape=[2, 2, 2])",
        Tensor.arange(8).reshape(2, 2, 2).toString());
    assertEquals("tensor([0.333333,   1.0E-7,      NaN], shape=[3])",
        Tensor.vector(1.0 / 3, 1e-7, Double.NaN).toString());
  }

  @Test
  void toStringElidesLargeTensors() {
    String s = Tensor.arange(2000).toString();
    assertEquals(
        "tensor([   0.0,    1.0,    2.0, ..., 1997.0, 1998.0, 1999.0], shape=[2000])", s);
    String m = Tensor.arange(40 * 50).reshape(40, 50).toString();
    assertTrue(m.startsWith("tensor([[   0.0,    1.0,    2.0, ...,   47.0,   48.0,   49.0],\n"),
        m);
    assertTrue(m.contains("\n        ...,\n"), m);
    assertTrue(m.endsWith("1997.0, 1998.0, 1999.0]], shape=[40, 50])"), m);
    assertEquals(7, m.split("\n").length);
  }
}
