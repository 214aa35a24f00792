package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * switch statements (fall-through, arrow form, int / enum / String-constant selectors), switch
 * expressions as values (arrow expressions and yield), labelled break and continue out of
 * nested loops, labelled blocks, and integer bit operations: the generated value equals the
 * source method's, the gradient matches finite differences; forward mode agrees with reverse
 * mode, and Hessians through a switch and a labelled loop match differences of the gradient.
 */
class SwitchAndLabelsTest {
  static Compiled switches;
  static Compiled forward;
  static Compiled second;

  static final String SECOND = """
      package p;

      import dev.adjoint.Differentiable;

      public final class SwitchSecond {
        @Differentiable(hessian = true)
        public static double viaSwitch(double x, double y, int k) {
          double w = switch (k) {
            case 0 -> x * y;
            case 1 -> Math.sin(x) * y * y;
            default -> {
              double t = x * x;
              yield t * y + Math.exp(y);
            }
          };
          switch (k) {
            case 0:
              w = w * x;
            case 1:
              w += y * y * x;
              break;
            default:
              w -= x;
          }
          return w;
        }

        @Differentiable(hessian = true)
        public static double viaLabels(double x, double y, int n) {
          double s = 0;
          outer:
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              if (j > i) {
                continue outer;
              }
              s += Math.sin(x * i + y * j) * x;
              if ((i ^ j) == 3) {
                break outer;
              }
            }
          }
          return s + x * y;
        }
      }
      """;

  @BeforeAll
  static void compile() {
    String src = ControlFlowTest.resource("Switches.java.txt");
    switches = Compiled.of("p.Switches", src);
    forward = Compiled.of("p.Switches", src.replace("@Differentiable\n", "@Differentiable(forward = true)\n"));
    second = Compiled.of("p.SwitchSecond", SECOND);
  }

  static Stream<Arguments> cases() {
    double[] mixed = {0.3, -1.2, 2.5, 0.7, -0.4, 1.1};
    double[] positive = {0.3, 1.2, 0.5, 0.7, 0.4};
    List<Arguments> out = new ArrayList<>();
    for (int k = -2; k <= 7; k++) {
      out.add(Arguments.of("fallThrough", new Object[] {0.7, k}));
      out.add(Arguments.of("oldNoFall", new Object[] {0.7, k}));
      out.add(Arguments.of("oldNoFall", new Object[] {-0.7, k}));
      out.add(Arguments.of("arrow", new Object[] {0.7, -0.4, k}));
      out.add(Arguments.of("switchValue", new Object[] {0.7, k}));
      out.add(Arguments.of("switchYield", new Object[] {0.7, k}));
      out.add(Arguments.of("switchYield", new Object[] {1.3, k}));
      out.add(Arguments.of("labelledBlock", new Object[] {0.8, k}));
      out.add(Arguments.of("returnsAndNesting", new Object[] {0.8, k}));
      out.add(Arguments.of("returnsAndNesting", new Object[] {0.8, k + 1}));
    }
    out.add(Arguments.of("inLoop", new Object[] {mixed.clone(), 0.9}));
    out.add(Arguments.of("inLoop", new Object[] {positive.clone(), 3.0}));
    out.add(Arguments.of("inLoop", new Object[] {new double[0], 3.0}));
    out.add(Arguments.of("breakLoopFromSwitch", new Object[] {positive.clone(), 0.2}));
    out.add(Arguments.of("breakLoopFromSwitch", new Object[] {positive.clone(), 5.0}));
    out.add(Arguments.of("enumSelector", new Object[] {0.6}));
    out.add(Arguments.of("enumStatement", new Object[] {0.6}));
    out.add(Arguments.of("stringConstant", new Object[] {0.6}));
    out.add(Arguments.of("labelledContinue", new Object[] {mixed.clone(), 0.7}));
    out.add(Arguments.of("labelledContinue", new Object[] {new double[0], 0.7}));
    out.add(Arguments.of("labelledBreak", new Object[] {positive.clone(), 0.7}));
    out.add(Arguments.of("labelledBreak", new Object[] {positive.clone(), 0.05}));
    out.add(Arguments.of("labelledBoth", new Object[] {mixed.clone(), 0.7}));
    out.add(Arguments.of("labelledBoth", new Object[] {positive.clone(), 3.0}));
    out.add(Arguments.of("blockInLoop", new Object[] {mixed.clone(), 0.7}));
    out.add(Arguments.of("blockInLoop", new Object[] {new double[] {0.3, 1.2, 0.5, 2.5, 0.7, 0.4, 1.7, 0.2}, 0.7}));
    out.add(Arguments.of("subsetSum", new Object[] {new double[] {0.5, -1.5, 2.0, 0.25}}));
    out.add(Arguments.of("subsetSum", new Object[] {new double[0]}));
    for (int a : new int[] {0, 5, 13, -7}) {
      out.add(Arguments.of("bits", new Object[] {0.8, a, 37L, true, false}));
      out.add(Arguments.of("bits", new Object[] {0.8, a, -5L, false, false}));
      out.add(Arguments.of("bits", new Object[] {0.8, a, 2L, true, true}));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("cases")
  void valueEqualsTheSourceAndGradientMatchesFiniteDifferences(String method, Object[] args) {
    Object expected = switches.call("p.Switches", method, deepCopy(args));
    Map<String, Object> g = Compiled.components(switches.call("p.SwitchesGrad", method, deepCopy(args)));
    assertEquals((double) expected, (double) g.get("value"), 0.0, method);
    assertMatches(switches, "p.Switches", method, 1e-6, deepCopy(args));
  }

  @Test
  void subsetSumGradientIsTheClosedForm() {
    // sum over subsets of prod = prod(1 + x_i); d/dx_j = prod_{i != j} (1 + x_i)
    double[] x = {0.5, -1.5, 2.0, 0.25};
    Map<String, Object> g = Compiled.components(switches.call("p.SwitchesGrad", "subsetSum", (Object) x.clone()));
    double[] d = (double[]) g.get("x");
    for (int j = 0; j < x.length; j++) {
      double p = 1;
      for (int i = 0; i < x.length; i++) {
        p *= i == j ? 1 : 1 + x[i];
      }
      assertEquals(p, d[j], 1e-12);
    }
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("cases")
  void forwardEqualsReverse(String method, Object[] args) throws Exception {
    Map<String, Object> g = Compiled.components(forward.call("p.SwitchesGrad", method, deepCopy(args)));
    java.lang.reflect.Method jvp = java.util.Arrays.stream(forward.load("p.SwitchesGrad").getMethods())
        .filter(m -> m.getName().equals(method + "Jvp")).findFirst().orElseThrow();
    Object[] call = new Object[jvp.getParameterCount()];
    Object[] copy = deepCopy(args);
    System.arraycopy(copy, 0, call, 0, copy.length);
    int k = copy.length;
    double expected = 0;
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

  static Stream<Arguments> secondOrder() {
    List<Arguments> out = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      out.add(Arguments.of("viaSwitch", new Object[] {0.7, -0.4, k}));
    }
    for (int n : new int[] {0, 3, 6}) {
      out.add(Arguments.of("viaLabels", new Object[] {0.7, -0.4, n}));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("secondOrder")
  void hessianMatchesFiniteDifferencesOfTheGradient(String method, Object[] args) {
    assertMatches(second, "p.SwitchSecond", method, 1e-6, args);
    double[][] hessian = (double[][]) Compiled.components(
        second.call("p.SwitchSecondGrad", method + "Hessian", args)).get("hessian");
    String[] names = {"x", "y"};
    for (int j = 0; j < 2; j++) {
      double step = 1e-4;
      Object[] up = args.clone();
      Object[] down = args.clone();
      up[j] = (double) args[j] + step;
      down[j] = (double) args[j] - step;
      Map<String, Object> gu = Compiled.components(second.call("p.SwitchSecondGrad", method, up));
      Map<String, Object> gd = Compiled.components(second.call("p.SwitchSecondGrad", method, down));
      for (int i = 0; i < 2; i++) {
        double fd = ((double) gu.get(names[i]) - (double) gd.get(names[i])) / (2 * step);
        assertEquals(fd, hessian[i][j], 1e-5 * Math.max(1, Math.abs(fd)), method + " H[" + i + "][" + j + "]");
      }
    }
  }

  /** Readable output: the switch is an if chain with the source's lines; bit tests keep their parentheses. */
  @Test
  void generatedCodeReadsLikeTheSource() {
    String src = switches.generatedSource("p.SwitchesGrad");
    assertTrue(src.contains("if ((mask >> j & 1) == 1)"), src);
    assertTrue(src.contains("mask < 1 << n"), src);
    assertTrue(src.contains("// line "), src);
    assertTrue(src.contains("case 0, 1"), src);
    assertTrue(src.contains("k == 0 || k == 1"), src);
    assertTrue(src.contains("Switches.MODE == Switches.Mode.SINE") || src.contains("MODE == Mode.SINE"), src);
    String code = src.lines().filter(l -> !l.trim().startsWith("//")).collect(java.util.stream.Collectors.joining("\n"));
    assertFalse(code.contains("\"cube\""), "a String constant selector is resolved at compile time");
  }

  @Test
  void aSwitchExpressionsAdjointHasOneTermPerArm() throws Exception {
    // r is read twice in arm 0: its two shares, each under k == 0, become one term
    Compiled c = Compiled.of("p.Area", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Area {
          @Differentiable
          public static double f(double r, double a, int k) {
            double v = switch (k) {
              case 0 -> a * r * r * Math.PI;
              case 1 -> 2 * a * r;
              default -> a;
            };
            return v;
          }
        }
        """);
    String dr = c.generatedSource("p.AreaGrad").lines().filter(l -> l.contains("double _d_r =")).findFirst().orElseThrow();
    assertEquals(1, dr.split("k == 0 \\?", -1).length - 1, dr);
    for (int k = 0; k < 3; k++) {
      dev.adjoint.processor.testing.Gradients.assertMatches(c, "p.Area", "f", 1e-6, 0.7, -1.3, k);
    }
  }

  private static Object[] deepCopy(Object[] args) {
    Object[] out = args.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] instanceof double[] a) {
        out[i] = a.clone();
      }
    }
    return out;
  }

  /**
   * A {@code static final int} field as the selector (the fuzzer's {@code switch (K)}): an int
   * selector whose labels are int constants, not an enum field (it crashed the processor with
   * "expected type but was null").
   */
  @Test
  void staticFinalIntFieldSelector() {
    Compiled c = Compiled.of("p.Other", """
        package p;
        final class Other {
          static final int N = 2;
        }
        """, "p.IntConstSel", """
        package p;
        import dev.adjoint.Differentiable;
        public final class IntConstSel {
          static final int K = 3;
          @Differentiable
          public static double f(double a) {
            double d = switch (K) { case 3 -> a * a; default -> a; };
            switch (K) {
              case 3:
                d += Math.sin(a);
              case 1:
                d *= a;
                break;
              default:
                d = a;
            }
            switch (Other.N) {
              case 2 -> d *= a;
              default -> d -= a;
            }
            return d;
          }
        }
        """);
    double a = 0.7;
    Map<String, Object> g = Compiled.components(c.call("p.IntConstSelGrad", "f", a));
    assertEquals((a * a + Math.sin(a)) * a * a, (double) g.get("value"), 1e-12);
    assertEquals(4 * a * a * a + 2 * a * Math.sin(a) + a * a * Math.cos(a), (double) g.get("a"), 1e-12);
    assertMatches(c, "p.IntConstSel", "f", 1e-6, a);
  }
}
