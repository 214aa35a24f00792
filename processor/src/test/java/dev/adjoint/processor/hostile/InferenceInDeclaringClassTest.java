package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertThat;
import static dev.adjoint.processor.hostile.Hostile.gradientMatches;
import static dev.adjoint.processor.hostile.Hostile.works;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;

/**
 * Code that infers a type from the generated class ({@code var}, implicitly typed lambdas,
 * method references) in the very class that declares the {@code @Differentiable} methods, the
 * first thing people write in a model's {@code main}. The processor reads method bodies from
 * parse trees and never has javac attribute the class during processing, so this compiles and
 * runs (javac 17 and 25 used to crash on it when the class had been attributed early).
 */
class InferenceInDeclaringClassTest {
  @Test
  void varLambdasAndMethodReferencesOverTheGeneratedClassCompileAndRun() throws Exception {
    Compiled c = works("p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        import java.util.List;
        public final class Model {
          @Differentiable
          public static double f(double x) {
            var y = x * x;        // var inside the differentiated method too
            return y + Math.sin(x);
          }

          public static double train(double x) {
            var r = ModelGrad.f(x);
            double s = r.x();
            for (var g : List.of(ModelGrad.f(s))) {
              s += g.x();
            }
            List.of(ModelGrad.f(x)).forEach(g -> System.out.print(""));
            s += List.of(x, 2 * x).stream().map(ModelGrad::f).mapToDouble(g -> g.x()).sum();
            return java.util.Optional.of(x).map(ModelGrad::f).orElseThrow().x() + s;
          }
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.7);
    double x = 0.7;
    java.util.function.DoubleUnaryOperator d = t -> 2 * t + Math.cos(t);
    double s = d.applyAsDouble(x);
    s += d.applyAsDouble(s);
    s += d.applyAsDouble(x) + d.applyAsDouble(2 * x);
    double expected = d.applyAsDouble(x) + s;
    Object train = c.load("p.Model").getMethod("train", double.class).invoke(null, x);
    assertThat((Double) train).isWithin(1e-12).of(expected);
  }
}
