package dev.adjoint.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.runtime.TensorAdjoints;
import dev.adjoint.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tensor operations given operands of the wrong shape throw an {@link IllegalArgumentException}
 * (an index out of range: {@link IndexOutOfBoundsException}) that names the operation and the
 * shapes, and leave every operand exactly as it was; no array a caller passes in or gets back
 * aliases a tensor's storage; and a shape whose size does not fit a Java array is rejected
 * rather than giving a tensor whose shape and elements disagree.
 */
class TensorShapeFaultsTest {

  /** Distinct, non-trivial values, so that any write to an operand shows. */
  static Tensor t(int... shape) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    double[] data = new double[size];
    for (int i = 0; i < size; i++) {
      data[i] = 0.5 + i * 1.25 - (i % 3) * 0.75;
    }
    return Tensor.of(data, shape);
  }

  /** One wrong call: the operands, the call, and fragments the message must contain. */
  record Fault(String name, List<Tensor> operands, Function<List<Tensor>, Object> call,
      Class<? extends RuntimeException> type, List<String> fragments) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Fault f(String name, List<Tensor> operands, Function<List<Tensor>, Object> call, String... fragments) {
    return new Fault(name, operands, call, IllegalArgumentException.class, List.of(fragments));
  }

  static Stream<Fault> faults() {
    return Stream.of(
        f("add", List.of(t(2, 3), t(4)), o -> o.get(0).add(o.get(1)), "add", "[2, 3]", "[4]"),
        f("sub", List.of(t(2, 3), t(3, 2)), o -> o.get(0).sub(o.get(1)), "sub", "[2, 3]", "[3, 2]"),
        f("mul", List.of(t(5), t(4)), o -> o.get(0).mul(o.get(1)), "mul", "[5]", "[4]"),
        f("div", List.of(t(2, 1, 3), t(2, 2, 2)), o -> o.get(0).div(o.get(1)), "div", "[2, 1, 3]", "[2, 2, 2]"),
        f("matmul inner dimensions", List.of(t(2, 3), t(4, 5)), o -> o.get(0).matmul(o.get(1)), "matmul", "[2, 3]", "[4, 5]"),
        f("matmul of a vector", List.of(t(3), t(3, 2)), o -> o.get(0).matmul(o.get(1)), "matmul", "[3]"),
        f("matmul batches", List.of(t(2, 3, 4), t(3, 4, 5)), o -> o.get(0).matmul(o.get(1)), "matmul", "[2, 3, 4]", "[3, 4, 5]"),
        f("matmulTransposedB", List.of(t(2, 3), t(2, 4)), o -> o.get(0).matmulTransposedB(o.get(1)), "matmulTransposedB"),
        f("transposedMatmul", List.of(t(3, 2), t(4, 2)), o -> o.get(0).transposedMatmul(o.get(1)), "transposedMatmul"),
        f("transpose of a vector", List.of(t(4)), o -> o.get(0).transpose(), "transpose", "[4]"),
        f("reshape to another size", List.of(t(2, 3)), o -> o.get(0).reshape(4, 2), "reshape", "[2, 3]", "[4, 2]"),
        f("reshape with two -1", List.of(t(2, 3)), o -> o.get(0).reshape(-1, -1), "reshape"),
        f("reshape -1 that does not divide", List.of(t(2, 3)), o -> o.get(0).reshape(-1, 4), "reshape"),
        f("broadcastTo", List.of(t(2, 3)), o -> o.get(0).broadcastTo(3, 3), "broadcastTo", "[2, 3]", "[3, 3]"),
        f("sum over a missing axis", List.of(t(2, 3)), o -> o.get(0).sum(2, false), "sum", "axis 2", "[2, 3]"),
        f("mean over a missing axis", List.of(t(2, 3)), o -> o.get(0).mean(-3, true), "mean", "axis -3"),
        f("max over a missing axis", List.of(t(2, 3)), o -> o.get(0).max(5, false), "max", "axis 5"),
        f("softmax over a missing axis", List.of(t(2, 3)), o -> o.get(0).softmax(2), "softmax", "axis 2"),
        f("logSumExp over a missing axis", List.of(t(2, 3)), o -> o.get(0).logSumExp(-4, false), "logSumExp"),
        f("dim of a missing axis", List.of(t(2, 3)), o -> o.get(0).dim(2), "dim", "axis 2"),
        f("get with too few indices", List.of(t(2, 3)), o -> o.get(0).get(1), "get", "[2, 3]"),
        new Fault("get out of bounds", List.of(t(2, 3)), o -> o.get(0).get(1, 3), IndexOutOfBoundsException.class,
            List.of("get", "[1, 3]", "[2, 3]")),
        f("item of a vector", List.of(t(3)), o -> o.get(0).item(), "item", "[3]"),
        f("softmaxCrossEntropy of a vector", List.of(t(3), Tensor.of(new double[] {1}, 1)),
            o -> Tensor.softmaxCrossEntropy(o.get(0), o.get(1)), "softmaxCrossEntropy"),
        f("softmaxCrossEntropy with labels of another batch", List.of(t(2, 3), Tensor.of(new double[] {0, 1, 2}, 3)),
            o -> Tensor.softmaxCrossEntropy(o.get(0), o.get(1)), "softmaxCrossEntropy"),
        f("softmaxCrossEntropy with one-hot labels of another shape", List.of(t(2, 3), t(2, 4)),
            o -> Tensor.softmaxCrossEntropy(o.get(0), o.get(1)), "softmaxCrossEntropy"),
        f("softmaxCrossEntropy with a class index out of range", List.of(t(2, 3), Tensor.of(new double[] {0, 3}, 2)),
            o -> Tensor.softmaxCrossEntropy(o.get(0), o.get(1)), "softmaxCrossEntropy"),
        f("softmaxCrossEntropy with a fractional class index", List.of(t(2, 3), Tensor.of(new double[] {0, 1.5}, 2)),
            o -> Tensor.softmaxCrossEntropy(o.get(0), o.get(1)), "softmaxCrossEntropy"),
        f("mse", List.of(t(2, 3), t(3)), o -> Tensor.mse(o.get(0), o.get(1)), "mse", "[2, 3]", "[3]"),
        f("of with data of another size", List.of(), o -> Tensor.of(new double[5], 2, 3), "of", "[2, 3]"),
        f("zeros with a negative dimension", List.of(), o -> Tensor.zeros(2, -1), "zeros"),
        f("ones too large for an array", List.of(), o -> Tensor.ones(65536, 65536), "ones"),
        // the adjoint helpers the generated code calls
        f("reduceTo a shape the gradient does not come from", List.of(t(2, 3)),
            o -> TensorAdjoints.reduceTo(o.get(0), new int[] {4}), "[2, 3]", "[4]"),
        f("accumulate adjoints of different shapes", List.of(t(2, 3), t(3, 2)),
            o -> TensorAdjoints.accumulate(o.get(0), o.get(1)), "[2, 3]", "[3, 2]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void rejectsTheShapeAndLeavesTheOperandsAlone(Fault k) {
    List<Tensor> operands = k.operands();
    List<int[]> shapes = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (Tensor o : operands) {
      shapes.add(o.shape());
      values.add(o.toArray());
      texts.add(o.toString());
    }
    RuntimeException e = assertThrows(k.type(), () -> k.call().apply(operands), k.name());
    String m = String.valueOf(e.getMessage());
    for (String fragment : k.fragments()) {
      assertTrue(m.contains(fragment), k.name() + ": message '" + m + "' should contain '" + fragment + "'");
    }
    for (int i = 0; i < operands.size(); i++) {
      Tensor o = operands.get(i);
      assertArrayEquals(shapes.get(i), o.shape(), k.name() + ": shape of operand " + i + " changed");
      assertArrayEquals(values.get(i), o.toArray(), 0.0, k.name() + ": values of operand " + i + " changed");
      assertEquals(texts.get(i), o.toString(), k.name() + ": operand " + i + " changed");
      // and it still works
      assertEquals(Arrays.stream(values.get(i)).sum(), o.sum(), 1e-12);
    }
  }

  /**
   * A broadcast or a product whose result has more elements than a Java array holds must be
   * rejected. Today {@code [65536, 1] + [1, 65536]} and {@code [65536, 1] · [1, 65536]} return a
   * tensor of shape {@code [65536, 65536]} holding 0 elements (the size overflows int), and
   * {@code reshape} accepts a shape whose size overflows long back to the tensor's size.
   */
  @Test
  void resultsTooLargeForAnArrayAreRejected() {
    Tensor column = Tensor.zeros(65536, 1);
    Tensor row = Tensor.zeros(1, 65536);
    for (Function<Tensor[], Tensor> op : List.<Function<Tensor[], Tensor>>of(
        o -> o[0].add(o[1]), o -> o[0].mul(o[1]), o -> o[0].matmul(o[1]))) {
      Tensor result;
      try {
        result = op.apply(new Tensor[] {column, row});
      } catch (IllegalArgumentException | OutOfMemoryError expected) {
        continue;
      }
      fail("a result of shape " + Arrays.toString(result.shape()) + " with " + result.size()
          + " elements: shape and size disagree");
    }
    Tensor four = Tensor.of(new double[] {1, 2, 3, 4}, 4);
    // 4 * 5 * 5581 * 8681 * 49477 * 384773 = 2^64 + 4, which is 4 in long arithmetic
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> four.reshape(4, 5, 5581, 8681, 49477, 384773),
        "reshape to a shape of 2^64 + 4 elements");
    assertTrue(e.getMessage().contains("reshape"), e.getMessage());
    assertArrayEquals(new int[] {4}, four.shape());
  }

  /** Arrays handed in are copied; arrays handed out are copies: no one can write a tensor. */
  @Test
  void noArrayAliasesATensor() {
    double[] data = {1, 2, 3, 4, 5, 6};
    int[] shape = {2, 3};
    Tensor a = Tensor.of(data, shape);
    data[0] = 99;
    shape[0] = 3;
    shape[1] = 2;
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertEquals(1, a.get(0, 0));

    double[] values = {1, 2, 3};
    Tensor v = Tensor.vector(values);
    values[1] = 99;
    assertEquals(2, v.get(1));

    int[] zerosShape = {2, 2};
    Tensor z = Tensor.zeros(zerosShape);
    zerosShape[0] = 7;
    assertArrayEquals(new int[] {2, 2}, z.shape());

    int[] target = {3, 2};
    Tensor r = a.reshape(target);
    target[0] = 1;
    target[1] = 6;
    assertArrayEquals(new int[] {3, 2}, r.shape());

    a.shape()[0] = 42;
    a.toArray()[0] = 42;
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.toArray(), 0);
    // a reshape shares storage with its source (no copy): writing neither is possible, so both hold
    r.toArray()[0] = 42;
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.toArray(), 0);
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, r.toArray(), 0);
  }

  /** Broadcasting a (1, n) tensor to (m, n) and back leaves the source as it was. */
  @Test
  void broadcastingDoesNotWriteItsSource() {
    Tensor row = t(1, 3);
    double[] before = row.toArray();
    Tensor wide = row.broadcastTo(4, 3);
    Tensor sum = wide.add(row).mul(row).sub(row.neg()).div(row.add(10));
    assertArrayEquals(before, row.toArray(), 0);
    assertArrayEquals(new int[] {4, 3}, sum.shape());
    Tensor back = TensorAdjoints.reduceTo(sum, row.shape());
    assertArrayEquals(new int[] {1, 3}, back.shape());
    assertArrayEquals(before, row.toArray(), 0);
  }
}
