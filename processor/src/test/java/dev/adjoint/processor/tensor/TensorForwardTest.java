package dev.adjoint.processor.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.tensor.Tensor;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward mode over tensor programs: each tensor rule's tangent form, checked against the
 * reverse-mode gradient (the tangent along t must equal the sum of gradient·t over the
 * differentiated parameters, to 1e-12).
 */
class TensorForwardTest {
  static Compiled c;
  static long seed = 100;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Tensors", TensorRulesTest.resource("Tensors.java.txt")
        .replace("@Differentiable(wrt", "@Differentiable(forward = true, wrt")
        .replace("@Differentiable\n", "@Differentiable(forward = true)\n"));
  }

  static Tensor r(int... shape) {
    return Tensor.randomNormal(seed++, shape);
  }

  static Tensor pos(int... shape) {
    return Tensor.randomUniform(seed++, 0.5, 2.0, shape);
  }

  static Stream<Arguments> cases() {
    Tensor labels = Tensor.of(new double[] {0, 2, 1, 2, 0}, 5);
    return Stream.of(
        Arguments.of("add", new Object[] {r(3, 4), r(4), r(3, 4)}),
        Arguments.of("sub", new Object[] {r(3, 1), r(1, 4), r(3, 4)}),
        Arguments.of("mul", new Object[] {r(2, 3, 4), r(4), r(2, 3, 4)}),
        Arguments.of("div", new Object[] {r(3, 4), pos(1, 4), r(3, 4)}),
        Arguments.of("scalars", new Object[] {r(3, 4), 0.7, r(3, 4)}),
        Arguments.of("unary", new Object[] {r(4, 5), r(4, 5)}),
        Arguments.of("positive", new Object[] {pos(4, 5), r(4, 5)}),
        Arguments.of("matmul", new Object[] {r(3, 5), r(5, 4), r(3, 4)}),
        Arguments.of("shapes", new Object[] {r(3, 4), r(4, 3)}),
        Arguments.of("reductions", new Object[] {r(3, 4), r(3), r(1, 4)}),
        Arguments.of("softmax", new Object[] {r(3, 4), r(3, 4), r(3)}),
        Arguments.of("crossEntropy", new Object[] {r(5, 3), labels}),
        Arguments.of("mse", new Object[] {r(3, 4), r(3, 4)}),
        Arguments.of("mlp", new Object[] {r(5, 4), r(4, 6), r(6), r(6, 3), r(3), labels}),
        Arguments.of("recurrent", new Object[] {r(2, 3), r(3, 3).mul(0.5), r(2, 3), 3}),
        Arguments.of("branchy", new Object[] {r(3, 3), 0.8}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tangentEqualsGradientDotDirection(String method, Object[] args) throws Exception {
    Map<String, Object> g = Compiled.components(c.call("p.TensorsGrad", method, args));
    Method jvp = Arrays.stream(c.load("p.TensorsGrad").getMethods())
        .filter(m -> m.getName().equals(method + "Jvp")).findFirst().orElseThrow();
    Object[] call = Arrays.copyOf(args, jvp.getParameterCount());
    double expected = 0;
    double scale = 0;
    int k = args.length;
    for (Map.Entry<String, Object> e : g.entrySet()) {
      if (e.getKey().equals("value")) {
        continue;
      }
      if (e.getValue() instanceof Tensor grad) {
        Tensor t = r(grad.shape());
        call[k++] = t;
        expected += grad.mul(t).sum();
        scale += grad.abs().mul(t.abs()).sum();
      } else {
        call[k++] = 0.3;
        expected += 0.3 * (double) e.getValue();
        scale += Math.abs(0.3 * (double) e.getValue());
      }
    }
    Map<String, Object> out = Compiled.components(jvp.invoke(null, call));
    assertEquals((double) g.get("value"), (double) out.get("value"), 0);
    assertEquals(expected, (double) out.get("tangent"), 1e-12 * Math.max(1, scale), method);
  }
}
