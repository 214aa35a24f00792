package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.adjoint.processor.testing.Compiled;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Locals overwritten by a later assignment: once the reverse sweep has undone {@code v = e},
 * the adjoint of v is zero again, whatever path reaches an earlier definition of v (found by
 * the differential fuzzer, seed 987654321, program f2111). Each against finite differences.
 */
class OverwrittenLocalsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Over", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Over {
          /** The fuzzer's case reduced: defined, redefined in one branch, then overwritten. */
          @Differentiable
          public static double minimal(double x, double y, int n) {
            double d = x + x;
            if (n > 1) {
              int k = n;
            } else {
              d = n * 0.25;
            }
            d = Math.sin(y);
            return Math.exp(0.5 * d) - x;
          }

          /** The same with work in both branches, the other branch reading d. */
          @Differentiable
          public static double otherBranchReads(double x, double y, int n) {
            double d = x * x;
            double r = y;
            if (n > 1) {
              r = d * y;
            } else {
              d = 3 * y;
            }
            d = Math.sin(y);
            return d - x + r;
          }

          /** Both branches redefine it before the overwrite. */
          @Differentiable
          public static double bothBranchesRedefine(double x, double y, int n) {
            double d = x * y;
            if (n > 1) {
              d = x;
            } else {
              d = y * y;
            }
            d = Math.cos(x * y);
            return 2 * d + x;
          }

          /** Redefined in a loop, then overwritten. */
          @Differentiable
          public static double redefinedInLoop(double x, double y, int n) {
            double d = 2 * x;
            for (int i = 0; i < n; i++) {
              d = y * i;
            }
            d = Math.sin(y);
            return d + x;
          }

          /** Redefined in a loop's branch, then overwritten, then read by a loop. */
          @Differentiable
          public static double loopBranchThenLoop(double x, double y, int n) {
            double d = x * x;
            for (int i = 0; i < n; i++) {
              if (i % 2 == 0) {
                d = y + i;
              }
            }
            d = Math.exp(0.5 * y);
            double s = 0;
            for (int i = 0; i < n; i++) {
              s = s * 0.5 + d * x;
            }
            return s + d;
          }

          /** Overwritten inside a loop whose iterations read the old value first. */
          @Differentiable
          public static double overwrittenInLoop(double x, double y, int n) {
            double d = x;
            double s = 0;
            for (int i = 0; i < n; i++) {
              s += d * y;
              if (i % 2 == 1) {
                d = x * i;
              }
              d = Math.sin(y + i);
            }
            return s + d;
          }

          /** The overwriting expression reads the variable itself (v = f(v)). */
          @Differentiable
          public static double selfRead(double x, double y, int n) {
            double d = x * x;
            if (n > 1) {
              d = d * y;
            } else {
              d = y;
            }
            d = Math.sin(d) + x;
            return d * y;
          }

          /** Self-read overwrite after a branch that redefines it from scratch. */
          @Differentiable
          public static double selfReadAfterRedefinition(double x, double y, int n) {
            double d = 3 * x;
            if (n > 1) {
              int k = n;
            } else {
              d = y * 0.5;
            }
            d = d * d + y;
            return d;
          }

          /** Overwritten inside a branch, redefined again in a branch within it. */
          @Differentiable
          public static double nestedBranches(double x, double y, int n) {
            double d = x * y;
            if (n > 0) {
              d = x + x;
              if (n > 2) {
                d = 3 * y;
              }
              d = Math.sin(y);
            } else {
              d = 2 * y;
            }
            return d + x;
          }

          /** A straight-line overwrite: nothing to zero, the old value's adjoint is dropped. */
          @Differentiable
          public static double straightLine(double x, double y) {
            double d = x * y;
            double e = d + 1;
            d = Math.sin(x);
            d = d * e;
            return d;
          }

          /** A fused accumulation loop whose body redefines a local in a branch, then overwrites it. */
          @Differentiable
          public static double fusedLoop(double[] x, double y) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              double a = x[i] * y;
              if (x[i] > 0) {
                a = 2 * y;
              }
              a = Math.sin(x[i]) * y;
              s += a * a;
            }
            return s;
          }

          /** A fused loop after the overwrite reads the new value. */
          @Differentiable
          public static double overwriteBeforeFusedLoop(double[] x, double y, int n) {
            double d = y * y;
            if (n > 1) {
              int k = n;
            } else {
              d = n * 0.5;
            }
            d = Math.cos(y);
            double s = 0;
            for (int i = 0; i < x.length; i++) {
              s += x[i] * d;
            }
            return s + y;
          }

          /** The fuzzer's program f2111, whole but for the calls. */
          @Differentiable
          public static double f2111(double _t0, double[] u, int n, double x) {
            x /= 1 + Math.pow((2.0 * Math.sin(((-(u.length > 0 ? u[(n) % u.length] : 0.0)) + _t0))), 2);
            double d0 = (x + x);
            if (n > 1) {
              double d1 = 0.95;
            } else {
              d0 = n * 0.25;
              int k0 = Math.max(n - 1, 0);
            }
            d0 = Math.sin(_t0);
            return (1.89 * Math.atan((0.5 * d0 + _t0 - x)));
          }
        }
        """);
  }

  static Stream<Arguments> cases() {
    double[] mixed = {0.3, -1.2, 2.5, 0.7, -0.4};
    return Stream.of(
        Arguments.of("minimal", new Object[] {0.7, 0.4, 2}),
        Arguments.of("minimal", new Object[] {0.7, 0.4, 0}),
        Arguments.of("otherBranchReads", new Object[] {0.7, 0.4, 2}),
        Arguments.of("otherBranchReads", new Object[] {0.7, 0.4, 0}),
        Arguments.of("bothBranchesRedefine", new Object[] {0.7, 0.4, 2}),
        Arguments.of("bothBranchesRedefine", new Object[] {0.7, 0.4, 0}),
        Arguments.of("redefinedInLoop", new Object[] {0.7, 0.4, 3}),
        Arguments.of("redefinedInLoop", new Object[] {0.7, 0.4, 0}),
        Arguments.of("loopBranchThenLoop", new Object[] {0.7, 0.4, 3}),
        Arguments.of("loopBranchThenLoop", new Object[] {0.7, 0.4, 0}),
        Arguments.of("overwrittenInLoop", new Object[] {0.7, 0.4, 4}),
        Arguments.of("overwrittenInLoop", new Object[] {0.7, 0.4, 1}),
        Arguments.of("overwrittenInLoop", new Object[] {0.7, 0.4, 0}),
        Arguments.of("selfRead", new Object[] {0.7, 0.4, 2}),
        Arguments.of("selfRead", new Object[] {0.7, 0.4, 0}),
        Arguments.of("selfReadAfterRedefinition", new Object[] {0.7, 0.4, 2}),
        Arguments.of("selfReadAfterRedefinition", new Object[] {0.7, 0.4, 0}),
        Arguments.of("nestedBranches", new Object[] {0.7, 0.4, 3}),
        Arguments.of("nestedBranches", new Object[] {0.7, 0.4, 1}),
        Arguments.of("nestedBranches", new Object[] {0.7, 0.4, 0}),
        Arguments.of("straightLine", new Object[] {0.7, 0.4}),
        Arguments.of("fusedLoop", new Object[] {mixed.clone(), 0.8}),
        Arguments.of("overwriteBeforeFusedLoop", new Object[] {mixed.clone(), 0.8, 2}),
        Arguments.of("overwriteBeforeFusedLoop", new Object[] {mixed.clone(), 0.8, 0}),
        Arguments.of("f2111", new Object[] {-1.0139302996447337,
            new double[] {0.41172146323109926, 1.310331112035676, 0.8657593173480622, -1.2338895311742668},
            2, 1.4158613947797414}),
        Arguments.of("f2111", new Object[] {0.3, new double[] {0.4, 1.3, 0.8}, 0, 0.9}));
  }

  /**
   * Killed adjoints cost nothing: after {@code d = Math.sin(y)} the adjoint of d is zero above,
   * so the branch that only redefines d and the definition {@code d = x + x} have no adjoint
   * code at all (no zeroing, no {@code 2 * _d_d} added to {@code _d_x}).
   */
  @Test
  void killedAdjointLeavesNoCode() {
    String src = c.generatedSource("p.OverGrad");
    int start = src.indexOf("public static Minimal minimal(");
    String method = src.substring(start, src.indexOf("\n    }\n", start));
    String reverse = method.substring(method.indexOf("// reverse sweep"));
    assertFalse(reverse.contains("if ("), reverse);
    assertFalse(reverse.contains("_d_d = 0;"), reverse);
    assertFalse(reverse.contains("_d_x +="), reverse);
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String method, Object[] args) {
    assertMatches(c, "p.Over", method, 1e-6, args);
  }
}
