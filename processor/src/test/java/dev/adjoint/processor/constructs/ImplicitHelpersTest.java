package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.testing.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Static helpers without annotations whose source is in the compilation are differentiated
 * when a differentiable method passes them a derivative-carrying value: their gradient methods
 * are generated (package-private) into their owner's generated class. Private and
 * package-private {@code @Differentiable} methods get package-private generated methods.
 */
class ImplicitHelpersTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("q.Util", """
        package q;
        public final class Util {
          private Util() {}
          public static double cube(double x) {
            return x * x * x;
          }
        }
        """, "p.Geometry", """
        package p;
        final class Geometry {
          private Geometry() {}
          static double dist(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
              double d = a[i] - b[i];
              s += d * d;
            }
            return Math.sqrt(s);
          }
        }
        """, "p.Model", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Model {
          private static double sq(double x) {
            return x * x;
          }
          private static double logistic(double x, double k) {
            return 1 / (1 + Math.exp(-k * sq(x)));
          }
          /** Recursive, and not annotated either. */
          static double chain(double x, int n) {
            return n == 0 ? x : Math.sin(chain(x, n - 1)) + sq(x) * 0.1;
          }
          /** Not differentiable (a string), but only ever called with data. */
          private static double label(int i) {
            String s = "abc" + i;
            return s.length();
          }

          @Differentiable
          public static double usesHelpers(double x, double y) {
            return sq(x - y) + logistic(x, y) * label(3);
          }

          @Differentiable
          public static double usesOtherClasses(double[] a, double[] b, double t) {
            return Geometry.dist(a, b) * q.Util.cube(t);
          }

          @Differentiable
          public static double recursiveHelper(double x) {
            return chain(x, 6);
          }

          @Differentiable(forward = true, hessian = true)
          public static double secondOrder(double x, double y) {
            return sq(x * y) + logistic(y, x) + q.Util.cube(x - y);
          }

          @Differentiable
          private static double hidden(double x) {
            return Math.exp(sq(x));
          }

          @Differentiable
          static double packagePrivate(double x, double y) {
            return hidden(x) * y;
          }

          @Differentiable
          public static double callsHidden(double x, double y) {
            return packagePrivate(x, y) + hidden(y);
          }
        }
        """);
  }

  private static Object call(String cls, String name, Object... args) {
    Method m = Arrays.stream(c.load(cls).getDeclaredMethods())
        .filter(x -> x.getName().equals(name) && x.getParameterCount() == args.length)
        .findFirst().orElseThrow(() -> new AssertionError("no " + cls + "." + name));
    m.setAccessible(true);
    try {
      return m.invoke(null, args);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError(e);
    }
  }

  /** A record's components; the record of a package-private method is package-private. */
  private static Map<String, Object> components(Object record) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (java.lang.reflect.RecordComponent rc : record.getClass().getRecordComponents()) {
      try {
        rc.getAccessor().setAccessible(true);
        out.put(rc.getName(), rc.getAccessor().invoke(record));
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  private static Method declared(String cls, String name) {
    return Arrays.stream(c.load(cls).getDeclaredMethods()).filter(x -> x.getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + cls + "." + name));
  }

  @Test
  void privateHelpersWithActiveArguments() {
    double x = 0.8;
    double y = -0.3;
    assertMatches(c, "p.Model", "usesHelpers", 1e-6, x, y);
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "usesHelpers", x, y));
    double e = Math.exp(-y * x * x);
    double s = 1 / (1 + e);
    // d/dx [(x-y)^2 + 4 s(x, y)], s = 1 / (1 + exp(-y x^2))
    assertEquals(2 * (x - y) + 4 * s * s * e * 2 * x * y, (double) g.get("x"), 1e-12);
    assertEquals(-2 * (x - y) + 4 * s * s * e * x * x, (double) g.get("y"), 1e-12);
  }

  @Test
  void helpersOfOtherClassesAndPackages() {
    double[] a = {0.5, 1.5, -2.0};
    double[] b = {1.0, -0.5, 0.25};
    assertMatches(c, "p.Model", "usesOtherClasses", 1e-6, a, b, 1.3);
  }

  @Test
  void vectorValuedPrivateHelpers() throws Exception {
    Compiled v = Compiled.of("p.Vec", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Vec {
          private static double[] rotate(double[] v, double t) {
            return new double[] {Math.cos(t) * v[0] - Math.sin(t) * v[1], Math.sin(t) * v[0] + Math.cos(t) * v[1]};
          }

          static double[] squares(double[] v) {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
              out[i] = v[i] * v[i];
            }
            return out;
          }

          @Differentiable(forward = true)
          public static double f(double[] v, double t) {
            double[] r = rotate(v, t);
            double[] s = squares(r);
            return s[0] * r[1] + Math.exp(s[1]);
          }
        }
        """);
    double[] x = {0.4, -0.9};
    assertMatches(v, "p.Vec", "f", 1e-6, x, 0.7);
    double[] dv = {0.3, 0.5};
    Map<String, Object> g = Compiled.components(v.call("p.VecGrad", "f", x, 0.7));
    double expected = ((double[]) g.get("v"))[0] * dv[0] + ((double[]) g.get("v"))[1] * dv[1] + (double) g.get("t") * -1.2;
    Method jvp = v.load("p.VecGrad").getDeclaredMethod("fJvp", double[].class, double.class, double[].class, double.class);
    jvp.setAccessible(true);
    assertEquals(expected, (double) Compiled.components(jvp.invoke(null, x, 0.7, dv, -1.2)).get("tangent"), 1e-12);
  }

  @Test
  void recursiveHelper() {
    assertMatches(c, "p.Model", "recursiveHelper", 1e-6, 0.7);
  }

  @Test
  void helpersInForwardModeAndHessians() {
    double x = 0.6;
    double y = 1.1;
    assertMatches(c, "p.Model", "secondOrder", 1e-6, x, y);
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "secondOrder", x, y));
    Map<String, Object> jvp = Compiled.components(c.call("p.ModelGrad", "secondOrderJvp", x, y, 0.4, -0.9));
    assertEquals(0.4 * (double) g.get("x") - 0.9 * (double) g.get("y"), (double) jvp.get("tangent"), 1e-12);
    double[][] h = (double[][]) Compiled.components(c.call("p.ModelGrad", "secondOrderHessian", x, y)).get("hessian");
    double eps = 1e-5;
    for (int j = 0; j < 2; j++) {
      Map<String, Object> plus = Compiled.components(c.call("p.ModelGrad", "secondOrder",
          x + (j == 0 ? eps : 0), y + (j == 1 ? eps : 0)));
      Map<String, Object> minus = Compiled.components(c.call("p.ModelGrad", "secondOrder",
          x - (j == 0 ? eps : 0), y - (j == 1 ? eps : 0)));
      assertEquals(((double) plus.get("x") - (double) minus.get("x")) / (2 * eps), h[0][j], 1e-5);
      assertEquals(((double) plus.get("y") - (double) minus.get("y")) / (2 * eps), h[1][j], 1e-5);
    }
  }

  @Test
  void helperGradientsArePackagePrivate() {
    for (String[] m : new String[][] {{"p.ModelGrad", "sq"}, {"p.ModelGrad", "logistic"}, {"p.ModelGrad", "chain"},
        {"p.GeometryGrad", "dist"}, {"q.UtilGrad", "cube"}, {"p.ModelGrad", "hidden"}, {"p.ModelGrad", "packagePrivate"}}) {
      Method method = declared(m[0], m[1]);
      assertFalse(Modifier.isPublic(method.getModifiers()), m[0] + "." + m[1] + " is public");
      assertTrue(Modifier.isStatic(method.getModifiers()));
    }
    assertTrue(Modifier.isPublic(declared("p.ModelGrad", "usesHelpers").getModifiers()));
    // only helpers some caller differentiates get a gradient
    assertTrue(Arrays.stream(c.load("p.ModelGrad").getDeclaredMethods()).noneMatch(m -> m.getName().equals("label")));
    // forward and second order only where a caller needs them
    assertTrue(Arrays.stream(c.load("p.ModelGrad").getDeclaredMethods()).anyMatch(m -> m.getName().equals("sqHvp")));
    assertTrue(Arrays.stream(c.load("p.ModelGrad").getDeclaredMethods()).noneMatch(m -> m.getName().equals("chainHvp")));
  }

  @Test
  void privateAndPackagePrivateDifferentiableMethods() {
    double x = 0.4;
    double y = 0.9;
    Map<String, Object> hidden = components(call("p.ModelGrad", "hidden", x));
    assertEquals(2 * x * Math.exp(x * x), (double) hidden.get("x"), 1e-14);
    Map<String, Object> pp = components(call("p.ModelGrad", "packagePrivate", x, y));
    assertEquals(2 * x * Math.exp(x * x) * y, (double) pp.get("x"), 1e-14);
    assertEquals(Math.exp(x * x), (double) pp.get("y"), 1e-14);
    assertMatches(c, "p.Model", "callsHidden", 1e-6, x, y);
  }

  @Test
  void aHelperThatCannotBeDifferentiatedSaysWhyWhenItReceivesADerivative() {
    Compilation result = Compiled.compile("p.Bad", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Bad {
          private static double describe(double x) {
            String s = "x=" + x;
            return s.length() * x;
          }
          @Differentiable
          public static double f(double x) {
            return describe(x * 2);
          }
        }
        """);
    assertEquals(Compilation.Status.FAILURE, result.status());
    String errors = result.errors().toString();
    assertTrue(errors.contains("[AdjointCall]"), errors);
    assertTrue(errors.contains("String"), errors); // the construct in the helper, at its line
  }
}
