package dev.adjoint.processor.compilers;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.adjoint.check.GradCheck;
import dev.adjoint.processor.testing.Compiled;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One user class that mixes what people write — an instance method reading private fields, a
 * private helper, private constants and a {@code double[]} table, 2-D arrays, array
 * initializers, an array made fresh in each iteration, a switch statement with fall-through and
 * a switch expression, a labelled continue, bit operations, and a recursive determinant — with a
 * {@code main} that uses the generated class through {@code var}, lambdas and a method
 * reference. It compiles under javac and under ECJ to the same generated code, runs, and its
 * gradients match finite differences.
 */
class EverythingTogetherTest {
  static final String MODEL = """
      package com.example;

      import dev.adjoint.Differentiable;
      import java.util.List;

      public final class Physics {
        private static final double G = 9.81;
        private static final double[] WEIGHTS = {0.5, 1.5, 2.5};
        private final double damping;
        private final double[] coupling;

        public Physics(double damping, double[] coupling) {
          this.damping = damping;
          this.coupling = coupling;
        }

        private static double sq(double x) {
          return x * x;
        }

        @Differentiable
        public double energy(double[][] q, double t) {
          double[] v = {t, 2 * t};
          double e = 0;
          outer:
          for (int i = 0; i < q.length; i++) {
            double[] row = new double[q[i].length];
            for (int j = 0; j < q[i].length; j++) {
              if (q[i][j] > 10) {
                continue outer;
              }
              row[j] = q[i][j] * coupling[j % coupling.length];
            }
            double w = switch (i % 3) {
              case 0 -> WEIGHTS[0];
              case 1 -> WEIGHTS[1] * damping;
              default -> sq(v[1]);
            };
            switch (i) {
              case 0:
                e += w;
              case 1:
                e += sq(row[0]) * w;
                break;
              default:
                e += Math.sin(row[1]) * w;
            }
          }
          int mask = 5;
          for (int j = 0; j < 3; j++) {
            if ((mask >> j & 1) == 1) {
              e += t * WEIGHTS[j];
            }
          }
          double[] flat = {q[0][0], q[0][1], q[1][0], q[1][1]};
          return e + G * det(flat, 2) - damping * sq(t);
        }

        /** The determinant of an n-by-n matrix stored by rows, by expansion in minors. */
        @Differentiable
        public static double det(double[] a, int n) {
          if (n == 1) {
            return a[0];
          }
          double s = 0;
          double[] m = new double[(n - 1) * (n - 1)];
          for (int j = 0; j < n; j++) {
            int k = 0;
            for (int r = 1; r < n; r++) {
              for (int c = 0; c < n; c++) {
                if (c != j) {
                  m[k] = a[r * n + c];
                  k++;
                }
              }
            }
            double sign = j % 2 == 0 ? 1 : -1;
            s += sign * a[j] * det(m, n - 1);
          }
          return s;
        }

        @Differentiable
        public static double damped(double x) {
          return Math.exp(-x) * sq(x);
        }

        public static void main(String[] args) {
          var model = new Physics(0.3, new double[] {0.7, -0.4});
          double[][] q = {{0.2, 0.5}, {-0.3, 0.9}, {1.1, 0.4}};
          var g = PhysicsGrad.energy(model, q, 0.8);
          System.out.println("energy " + g.value() + " dt " + g.t() + " dq00 " + g.q()[0][0]);
          var slopes = List.of(0.1, 0.2).stream().map(PhysicsGrad::damped).map(r -> r.x()).toList();
          System.out.println("slopes " + slopes);
        }
      }
      """;

  @Test
  void compilesUnderJavacAndEcjToTheSameCodeRunsAndIsExact() throws Exception {
    Compilers.Output ecj = Compilers.ecj(Map.of("com.example.Physics", MODEL)).succeeded();
    Compilers.Output javac = Compilers.javac(Map.of("com.example.Physics", MODEL)).succeeded();
    assertWithMessage("%s", ecj).that(ecj.errors()).isEmpty();
    assertThat(ecj.generated("com.example.PhysicsGrad")).isEqualTo(javac.generated("com.example.PhysicsGrad"));

    Class<?> physics = ecj.load("com.example.Physics");
    String out = EcjUserCodeTest.run(physics);
    assertThat(out).contains("energy ");
    assertThat(out).contains("slopes [");

    Object model = physics.getConstructor(double.class, double[].class).newInstance(0.3, new double[] {0.7, -0.4});
    double[][] q = {{0.2, 0.5}, {-0.3, 0.9}, {1.1, 0.4}};
    double t = 0.8;
    Method primal = physics.getMethod("energy", double[][].class, double.class);
    Class<?> grad = Class.forName("com.example.PhysicsGrad", true, physics.getClassLoader());
    Map<String, Object> g = Compiled.components(
        grad.getMethod("energy", physics, double[][].class, double.class).invoke(null, model, q, t));
    assertThat((double) g.get("value")).isWithin(1e-12).of((double) primal.invoke(model, q, t));
    double[][] dq = (double[][]) g.get("q");
    double[] flatGrad = new double[7];
    double[] point = new double[7];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        point[2 * i + j] = q[i][j];
        flatGrad[2 * i + j] = dq[i][j];
      }
    }
    point[6] = t;
    flatGrad[6] = (double) g.get("t");
    GradCheck.Report r = GradCheck.check(p -> {
      double[][] qq = {{p[0][0], p[0][1]}, {p[0][2], p[0][3]}, {p[0][4], p[0][5]}};
      try {
        return (double) primal.invoke(model, qq, p[0][6]);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }, new String[] {"q, t"}, new double[][] {point}, new double[][] {flatGrad});
    assertWithMessage("%s", r).that(r.passes(1e-6)).isTrue();
  }
}
