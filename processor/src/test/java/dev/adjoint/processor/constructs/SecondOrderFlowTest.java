package dev.adjoint.processor.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.processor.testing.Gradients;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward mode and Hessians through branches (taken both ways), loops with early return and
 * break, and calls to other methods with second derivatives; forward mode through the
 * control-flow suite with arrays.
 */
class SecondOrderFlowTest {
  static Compiled second;
  static Compiled flowForward;

  @BeforeAll
  static void compile() {
    second = Compiled.of("p.Second", ControlFlowTest.resource("Second.java.txt"));
    flowForward = Compiled.of(
        "p.Flow", ControlFlowTest.resource("Flow.java.txt").replace("@Differentiable\n", "@Differentiable(forward = true)\n")
            .replace("@Differentiable(wrt", "@Differentiable(forward = true, wrt"),
        "p.Other", ControlFlowTest.resource("Other.java.txt"));
  }

  static Stream<Arguments> points() {
    return Stream.of(
        Arguments.of("loops", new Object[] {0.9, 0.4, 6}),
        Arguments.of("loops", new Object[] {0.3, 0.7, 6}),
        Arguments.of("loops", new Object[] {2.5, 0.2, 40}),
        Arguments.of("loops", new Object[] {0.9, 0.4, 0}),
        Arguments.of("whileAndBreak", new Object[] {0.8, 0.3}),
        Arguments.of("inner", new Object[] {0.8, -0.3}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("points")
  void hessianMatchesFiniteDifferencesOfTheGradient(String method, Object[] args) {
    Gradients.assertMatches(second, "p.Second", method, 1e-6, args);
    Map<String, Object> h = Compiled.components(second.call("p.SecondGrad", method + "Hessian", args));
    double[][] hessian = (double[][]) h.get("hessian");
    double[] x = {(double) args[0], (double) args[1]};
    for (int j = 0; j < 2; j++) {
      double step = 1e-4;
      Object[] up = args.clone();
      Object[] down = args.clone();
      up[j] = x[j] + step;
      down[j] = x[j] - step;
      Map<String, Object> gu = Compiled.components(second.call("p.SecondGrad", method, up));
      Map<String, Object> gd = Compiled.components(second.call("p.SecondGrad", method, down));
      String[] names = method.equals("inner") ? new String[] {"a", "b"} : new String[] {"x", "y"};
      for (int i = 0; i < 2; i++) {
        double fd = ((double) gu.get(names[i]) - (double) gd.get(names[i])) / (2 * step);
        assertEquals(fd, hessian[i][j], 1e-5 * Math.max(1, Math.abs(fd)), method + " H[" + i + "][" + j + "]");
      }
    }
    assertEquals(hessian[0][1], hessian[1][0], 1e-9 * Math.max(1, Math.abs(hessian[0][1])), "symmetry");
  }

  static Stream<Arguments> flowCases() {
    return ControlFlowTest.cases().filter(a -> !((String) a.get()[0]).startsWith("caller"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("flowCases")
  void forwardEqualsReverseOnTheControlFlowSuite(String method, Object[] args) throws Exception {
    Object grad = flowForward.call("p.FlowGrad", method, args);
    Map<String, Object> g = Compiled.components(grad);
    // one tangent per differentiated parameter: all ones (arrays of ones)
    java.lang.reflect.Method jvp = java.util.Arrays.stream(flowForward.load("p.FlowGrad").getMethods())
        .filter(m -> m.getName().equals(method + "Jvp")).findFirst().orElseThrow();
    Object[] call = new Object[jvp.getParameterCount()];
    System.arraycopy(args, 0, call, 0, args.length);
    double expected = 0;
    int k = args.length;
    for (String name : g.keySet()) {
      if (name.equals("value")) {
        continue;
      }
      Object gi = g.get(name);
      if (gi instanceof double[] arr) {
        double[] t = new double[arr.length];
        for (int i = 0; i < t.length; i++) {
          t[i] = Math.sin(i + 1.0);
          expected += arr[i] * t[i];
        }
        call[k++] = t;
      } else {
        call[k++] = 0.7;
        expected += 0.7 * (double) gi;
      }
    }
    Map<String, Object> out = Compiled.components(jvp.invoke(null, call));
    assertEquals(g.get("value"), out.get("value"));
    assertEquals(expected, (double) out.get("tangent"), 1e-12 * Math.max(1, Math.abs(expected)), method);
  }
}
