package dev.adjoint.processor.tensor;

import static dev.adjoint.processor.testing.Gradients.assertMatches;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every tensor rule of the table against finite differences, with broadcasting in every operand
 * position, plus a two-layer MLP with softmax cross-entropy, a layer called as a function, a
 * recurrent loop taping tensors, and a branch on a tensor's value.
 */
class TensorRulesTest {
  static Compiled c;
  static long seed = 1;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Tensors", resource("Tensors.java.txt"));
  }

  public static String resource(String name) {
    try (InputStream in = TensorRulesTest.class.getResourceAsStream("/constructs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Tensor r(int... shape) {
    return Tensor.randomNormal(seed++, shape);
  }

  static Tensor pos(int... shape) {
    return Tensor.randomUniform(seed++, 0.5, 2.0, shape);
  }

  /** (method, a shape, b shape): broadcasting with the smaller operand on either side. */
  static Stream<Arguments> binary() {
    int[][][] pairs = {
        {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{4}, {3, 4}}, {{3, 4}, {1, 4}}, {{1, 4}, {3, 4}},
        {{3, 1}, {1, 4}}, {{3, 4}, {3, 1}}, {{2, 3, 4}, {4}}, {{3, 1}, {2, 3, 4}}, {{3, 4}, {1}},
        {{}, {3, 4}}, {{3, 4}, {}}};
    return Stream.of("add", "sub", "mul", "div").flatMap(m -> Stream.of(pairs)
        .map(p -> Arguments.of(m, p[0], p[1])));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("binary")
  void broadcastingBinaryOps(String method, int[] a, int[] b) {
    Tensor x = r(a);
    Tensor y = method.equals("div") ? pos(b) : r(b);
    Tensor out = x.add(y);
    assertMatches(c, "p.Tensors", method, 1e-6, x, y, r(out.shape()));
  }

  @Test
  void tensorScalarOps() {
    assertMatches(c, "p.Tensors", "scalars", 1e-6, r(3, 4), 0.7, r(3, 4));
  }

  @Test
  void unaryOps() {
    // keep away from the kinks of abs and relu at 0
    Tensor a = r(4, 5);
    assertMatches(c, "p.Tensors", "unary", 1e-6, a, r(4, 5));
    assertMatches(c, "p.Tensors", "positive", 1e-6, pos(4, 5), r(4, 5));
  }

  @Test
  void matmul2dAnd3d() {
    assertMatches(c, "p.Tensors", "matmul", 1e-6, r(3, 5), r(5, 4), r(3, 4));
    assertMatches(c, "p.Tensors", "matmul", 1e-6, r(2, 3, 5), r(2, 5, 4), r(2, 3, 4));
    assertMatches(c, "p.Tensors", "matmul", 1e-6, r(2, 3, 5), r(5, 4), r(2, 3, 4));
  }

  @Test
  void transposeAndReshape() {
    assertMatches(c, "p.Tensors", "shapes", 1e-6, r(3, 4), r(4, 3));
  }

  @Test
  void reductionsOverAllAndOneAxis() {
    // distinct values 0.3 apart: finite differences must not cross a tie of max
    double[] v = new double[12];
    for (int i = 0; i < 12; i++) {
      v[i] = (i * 7 % 12) * 0.3 - 1.5;
    }
    assertMatches(c, "p.Tensors", "reductions", 1e-6, Tensor.of(v, 3, 4), r(3), r(1, 4));
  }

  @Test
  void softmaxAndLogSumExp() {
    assertMatches(c, "p.Tensors", "softmax", 1e-6, r(3, 4), r(3, 4), r(3));
  }

  @Test
  void crossEntropyWithIndexAndOneHotLabels() {
    Tensor logits = r(4, 3);
    assertMatches(c, "p.Tensors", "crossEntropy", 1e-6, logits, Tensor.of(new double[] {0, 2, 1, 2}, 4));
    Tensor oneHot = Tensor.of(new double[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1}, 4, 3);
    assertMatches(c, "p.Tensors", "crossEntropy", 1e-6, logits, oneHot);
  }

  @Test
  void meanSquaredError() {
    assertMatches(c, "p.Tensors", "mse", 1e-6, r(3, 4), r(3, 4));
  }

  @Test
  void twoLayerPerceptronWithSoftmaxCrossEntropy() {
    Tensor x = r(5, 4);
    Tensor labels = Tensor.of(new double[] {0, 2, 1, 2, 0}, 5);
    assertMatches(c, "p.Tensors", "mlp", 1e-6, x, r(4, 6), r(6), r(6, 3), r(3), labels);
    assertMatches(c, "p.Tensors", "mlpWithLayer", 1e-6, x, r(4, 6), r(6), r(6, 3), r(3), labels, 0.01);
  }

  @Test
  void layerVectorJacobianProduct() {
    assertMatches(c, "p.Tensors", "dense", 1e-6, r(3, 4), r(4, 2), r(2));
  }

  @Test
  void recurrentLoopTapesTensors() {
    Tensor w = r(3, 3).mul(0.5);
    assertMatches(c, "p.Tensors", "recurrent", 1e-6, r(2, 3), w, r(2, 3), 4);
    assertMatches(c, "p.Tensors", "recurrent", 1e-6, r(2, 3), w, r(2, 3), 0);
  }

  @Test
  void branchOnATensorValue() {
    Tensor a = r(3, 3);
    assertMatches(c, "p.Tensors", "branchy", 1e-6, a, 0.8);
    assertMatches(c, "p.Tensors", "branchy", 1e-6, a, -0.8);
  }
}
