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

  /**
   * As a user writes a small model: a private enum field chooses the activation in a private,
   * unannotated instance helper (differentiated implicitly), called in a loop over a matrix.
   */
  @Test
  void aPrivateInstanceHelperSwitchingOnAPrivateEnumField() throws Exception {
    Compiled net = Compiled.of("p.Net", """
        package p;
        import dev.adjoint.Differentiable;
        public class Net {
          public enum Act { TANH, RELU }
          private final Act act;
          public Net(Act act) { this.act = act; }
          private double activate(double z) {
            switch (act) {
              case TANH: return Math.tanh(z);
              default: return Math.max(0, z) + 0.1 * z;
            }
          }
          @Differentiable
          public double loss(double[][] x, double[] y) {
            double s = 0;
            for (int n = 0; n < x.length; n++) {
              double z = 0;
              for (int j = 0; j < x[n].length; j++) {
                z += x[n][j] * (j + 1);
              }
              double d = activate(z) - y[n];
              s += d * d;
            }
            return s / x.length;
          }
        }
        """);
    Class<?> type = net.load("p.Net");
    Class<?> act = net.load("p.Net$Act");
    double[][] x = {{0.3, -0.2}, {0.5, 0.1, 0.7}, {-0.4}};
    double[] y = {0.2, -0.3, 0.4};
    for (Object a : act.getEnumConstants()) {
      Object model = type.getConstructor(act).newInstance(a);
      Method primal = type.getMethod("loss", double[][].class, double[].class);
      Map<String, Object> g = Compiled.components(net.call("p.NetGrad", "loss", model, x, y));
      double[][] dx = (double[][]) g.get("x");
      double[] dy = (double[]) g.get("y");
      double[] point = {x[0][0], x[0][1], x[1][0], x[1][1], x[1][2], x[2][0], y[0], y[1], y[2]};
      double[] grad = {dx[0][0], dx[0][1], dx[1][0], dx[1][1], dx[1][2], dx[2][0], dy[0], dy[1], dy[2]};
      GradCheck.Report r = GradCheck.check(p -> {
        double[][] xx = {{p[0][0], p[0][1]}, {p[0][2], p[0][3], p[0][4]}, {p[0][5]}};
        try {
          return (double) primal.invoke(model, xx, new double[] {p[0][6], p[0][7], p[0][8]});
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }, new String[] {"x, y"}, new double[][] {point}, new double[][] {grad});
      assertTrue(r.passes(1e-6), a + ": " + r);
    }
  }

  @Test
  void theGeneratedMethodTakesTheInstanceFirst() {
    String src = c.generatedSource("p.ModelGrad");
    assertThat(src).contains("public static Score score(Model self, double x, double y)");
    // a private field is read through a handle: the generated class may not name it
    assertThat(src).contains("scale$(self)");
  }
}
