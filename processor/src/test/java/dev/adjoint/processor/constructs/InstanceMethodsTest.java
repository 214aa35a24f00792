package dev.adjoint.processor.constructs;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.check.GradCheck;
import dev.adjoint.processor.testing.Compiled;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code @Differentiable} instance methods: the generated method takes the instance first
 * ({@code ModelGrad.f(model, x)}), reads its fields as data (never differentiated) and calls its
 * other methods, differentiable or not.
 */
class InstanceMethodsTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        public class Model {
          private final double scale;
          private final double[] weights;
          final int[] order;
          protected int degree = 3;
          static final double[] TABLE = {0.5, 1.5, 2.5};

          public Model(double scale, double[] weights) {
            this.scale = scale;
            this.weights = weights;
            this.order = new int[] {2, 0, 1};
          }

          private double bias() {
            return scale / 2;
          }

          @Differentiable
          public double score(double x, double y) {
            return scale * x * x + this.scale * Math.sin(y) + bias();
          }

          @Differentiable
          public double weighted(double[] v, double t) {
            double s = 0;
            for (int i = 0; i < v.length; i++) {
              s += weights[order[i]] * v[i] * t + TABLE[i] * this.weights[i];
            }
            return s + Math.pow(t, degree);
          }

          @Differentiable
          public double composed(double x) {
            return score(x, 2 * x) * this.score(1.0, x) + weighted(2.0, 3) * x;
          }

          @Differentiable(forward = true, hessian = true)
          public double energy(double x, double y) {
            return scale * x * x * y + Math.exp(degree * y);
          }

          @Differentiable(forward = true)
          public double usesEnergy(double x) {
            return energy(x, 1 - x) * 3;
          }

          public double weighted(double u, double t) {
            return u * t * scale;
          }
        }
        """);
  }

  static Object model() throws Exception {
    return c.load("p.Model").getConstructor(double.class, double[].class)
        .newInstance(1.7, new double[] {0.3, -1.2, 2.0});
  }

  /** Gradient of {@code method} of the model at {@code args}, checked against finite differences. */
  static void check(String method, Object... args) throws Exception {
    Object model = model();
    Method primal = Arrays.stream(c.load("p.Model").getMethods())
        .filter(m -> m.getName().equals(method) && m.getParameterCount() == args.length
            && m.getParameterTypes()[0] == (args[0] instanceof double[] ? double[].class : double.class))
        .findFirst().orElseThrow();
    Object[] gradArgs = new Object[args.length + 1];
    gradArgs[0] = model;
    System.arraycopy(args, 0, gradArgs, 1, args.length);
    Map<String, Object> grad = Compiled.components(c.call("p.ModelGrad", method, gradArgs));
    assertThat((double) grad.get("value")).isWithin(1e-12).of((double) primal.invoke(model, args));
    List<String> names = new ArrayList<>();
    List<double[]> points = new ArrayList<>();
    List<double[]> grads = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String name = primal.getParameters()[i].getName();
      if (grad.containsKey(name)) {
        names.add(name);
        positions.add(i);
        points.add(args[i] instanceof double[] a ? a.clone() : new double[] {(double) args[i]});
        Object g = grad.get(name);
        grads.add(g instanceof double[] a ? a : new double[] {(double) g});
      }
    }
    GradCheck.Report r = GradCheck.check(p -> {
      Object[] call = args.clone();
      for (int k = 0; k < positions.size(); k++) {
        int i = positions.get(k);
        call[i] = args[i] instanceof double[] ? p[k] : (Object) p[k][0];
      }
      try {
        return (double) primal.invoke(model, call);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }, names.toArray(String[]::new), points.toArray(double[][]::new), grads.toArray(double[][]::new));
    assertTrue(r.passes(1e-6), method + ": " + r);
  }

  @Test
  void readsFieldsAsDataAndCallsOwnMethods() throws Exception {
    check("score", 0.4, -1.1);
    Object g = c.call("p.ModelGrad", "score", model(), 0.4, -1.1);
    Map<String, Object> parts = Compiled.components(g);
    assertThat((double) parts.get("x")).isWithin(1e-12).of(2 * 1.7 * 0.4); // closed form
    assertThat((double) parts.get("y")).isWithin(1e-12).of(1.7 * Math.cos(-1.1));
  }

  @Test
  void arrayFieldsIntFieldsAndStaticArrayConstants() throws Exception {
    check("weighted", new double[] {0.2, -0.7, 1.3}, 0.9);
  }

  @Test
  void callsOtherDifferentiableInstanceMethods() throws Exception {
    check("composed", 0.35);
  }

  @Test
  void forwardModeAndHessianOfInstanceMethods() throws Exception {
    check("energy", 0.5, 0.3);
    check("usesEnergy", 0.4);
    Object m = model();
    double x = 0.5;
    double y = 0.3;
    double k = 1.7;
    // closed forms: f = k x^2 y + e^{3y}
    Map<String, Object> jvp = Compiled.components(c.call("p.ModelGrad", "energyJvp", m, x, y, 1.0, 2.0));
    assertThat((double) jvp.get("tangent")).isWithin(1e-12).of(2 * k * x * y + 2 * (k * x * x + 3 * Math.exp(3 * y)));
    Map<String, Object> h = Compiled.components(c.call("p.ModelGrad", "energyHessian", m, x, y));
    double[][] hessian = (double[][]) h.get("hessian");
    assertThat(hessian[0][0]).isWithin(1e-12).of(2 * k * y);
    assertThat(hessian[0][1]).isWithin(1e-12).of(2 * k * x);
    assertThat(hessian[1][1]).isWithin(1e-9).of(9 * Math.exp(3 * y));
    Map<String, Object> usesJvp = Compiled.components(c.call("p.ModelGrad", "usesEnergyJvp", m, 0.4, 1.0));
    Map<String, Object> uses = Compiled.components(c.call("p.ModelGrad", "usesEnergy", m, 0.4));
    assertThat((double) usesJvp.get("tangent")).isWithin(1e-12).of((double) uses.get("x"));
  }

  @Test
  void aHessianThroughACalleeWithoutOneIsAPreciseError() {
    var compilation = Compiled.compile("q.Scorer", """
        package q;
        import dev.adjoint.Differentiable;
        public class Scorer {
          final double scale = 2;
          @Differentiable
          public double score(double x, double y) {
            return scale * x * x + Math.sin(y);
          }
          @Differentiable(forward = true, hessian = true)
          public double composed(double x) {
            return score(x, 2 * x) * this.score(1.0, x) + scale * x;
          }
        }
        """);
    String errors = compilation.errors().toString();
    assertThat(errors).contains("[AdjointForward]");
    assertThat(errors).contains("hessian = true");
    assertThat(errors).doesNotContain("[AdjointInternal]");
  }

  @Test
  void theGeneratedMethodTakesTheInstanceFirst() {
    String src = c.generatedSource("p.ModelGrad");
    assertThat(src).contains("public static Score score(Model self, double x, double y)");
    // a private field is read through a handle: the generated class may not name it
    assertThat(src).contains("scale$(self)");
  }
}
