package dev.adjoint.processor.compilers;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A user's class whose own code uses the generated class the way people write Java today
 * ({@code var}, method references, streams over the gradients), in the class that declares the
 * {@code @Differentiable} method, compiles under ECJ and runs.
 */
class EcjUserCodeTest {
  static final String MODEL = """
      package com.example;

      import dev.adjoint.Differentiable;
      import java.util.List;
      import java.util.function.DoubleFunction;

      public final class Model {
        @Differentiable
        public static double f(double x) {
          double y = Math.sin(x) * x;
          return y * y + 3 * x;
        }

        public static void main(String[] args) {
          var g = ModelGrad.f(0.5);
          System.out.println("value " + g.value() + " slope " + g.x());
          List<Double> points = List.of(0.0, 0.5, 1.0);
          List<Double> slopes = points.stream().map(ModelGrad::f).map(r -> r.x()).toList();
          System.out.println("slopes " + slopes);
          DoubleFunction<ModelGrad.F> grad = ModelGrad::f;
          var values = points.stream().mapToDouble(p -> grad.apply(p).value()).sum();
          System.out.println("sum " + values);
        }
      }
      """;

  static double f(double x) {
    double y = Math.sin(x) * x;
    return y * y + 3 * x;
  }

  static double df(double x) {
    double y = Math.sin(x) * x;
    return 2 * y * (Math.cos(x) * x + Math.sin(x)) + 3;
  }

  @Test
  void varAndMethodReferencesOverTheGeneratedClassCompileAndRun() throws Exception {
    Compilers.Output ecj = Compilers.ecj(Map.of("com.example.Model", MODEL)).succeeded();
    assertWithMessage("%s", ecj).that(ecj.errors()).isEmpty();
    String out = run(ecj.load("com.example.Model"));
    assertThat(out).contains("value " + f(0.5) + " slope " + df(0.5));
    assertThat(out).contains("slopes [" + df(0.0) + ", " + df(0.5) + ", " + df(1.0) + "]");
    assertThat(out).contains("sum " + (f(0.0) + f(0.5) + f(1.0)));
    // javac, from the same source, writes the same class
    assertThat(ecj.generated("com.example.ModelGrad"))
        .isEqualTo(Compilers.javac(Map.of("com.example.Model", MODEL)).succeeded().generated("com.example.ModelGrad"));
  }

  /** Runs {@code main} with standard output captured. */
  static String run(Class<?> main) throws Exception {
    Method m = main.getMethod("main", String[].class);
    PrintStream saved = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    synchronized (EcjUserCodeTest.class) {
      System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
      try {
        m.invoke(null, (Object) new String[0]);
      } finally {
        System.setOut(saved);
      }
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
