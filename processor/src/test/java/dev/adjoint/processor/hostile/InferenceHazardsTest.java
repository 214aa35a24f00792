package dev.adjoint.processor.hostile;

import static dev.adjoint.processor.hostile.Hostile.gradientMatches;
import static dev.adjoint.processor.hostile.Hostile.works;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;

/**
 * Code that infers a type from the generated class, in the class that declares the
 * {@code @Differentiable} methods (a {@code var}, an implicitly typed lambda, a method
 * reference): javac 17 and 25 crash on it once the processor has had the class attributed, so
 * it is a precise error; the same code with the types written out works.
 */
class InferenceHazardsTest {
  @Test
  void inferringFromTheGeneratedClassIsAPreciseErrorNotACompilerCrash() {
    Hostile.preciseErrors("p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Model {
          @Differentiable
          public static double f(double x) {
            return x * x;
          }

          public static double train(double x) {
            var r = ModelGrad.f(x); // <- here
            double s = r.x();
            for (var g : java.util.List.of(ModelGrad.f(s))) { // <- here
              s += g.x();
            }
            java.util.List.of(ModelGrad.f(x)).forEach(g -> System.out.println(g.x())); // <- here
            return java.util.Optional.of(x).map(ModelGrad::f).orElseThrow().x(); // <- here
          }
        }
        """);
  }

  @Test
  void theSameCodeWithItsTypesWrittenOutWorks() {
    Compiled c = works("p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Model {
          @Differentiable
          public static double f(double x) {
            return x * x;
          }

          public static double train(double x) {
            var unrelated = x * 2;
            ModelGrad.F r = ModelGrad.f(x);
            double s = r.x() + unrelated;
            for (ModelGrad.F g : java.util.List.of(ModelGrad.f(s))) {
              s += g.x();
            }
            java.util.List.of(ModelGrad.f(x)).forEach((ModelGrad.F g) -> System.out.println(g.x()));
            java.util.function.DoubleUnaryOperator twice = y -> 2 * y;
            return twice.applyAsDouble(s);
          }
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.7);
  }
}
