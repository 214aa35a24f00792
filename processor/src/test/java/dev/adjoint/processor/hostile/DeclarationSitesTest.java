package dev.adjoint.processor.hostile;

import static dev.adjoint.processor.hostile.Hostile.gradientMatches;
import static dev.adjoint.processor.hostile.Hostile.works;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;

/**
 * {@code @Differentiable} methods declared in every kind of type Java has: interfaces, enums,
 * records, nested and local types, and a class in the default package. Each either works
 * (gradient against finite differences) or gets a precise error at the method's line.
 */
class DeclarationSitesTest {

  @Test
  void staticMethodsOfAnInterfaceCallingEachOther() {
    Compiled c = works("p.Shapes", """
        package p;

        import dev.adjoint.Differentiable;

        public interface Shapes {
          @Differentiable
          static double area(double r) {
            return Math.PI * r * r;
          }

          @Differentiable
          static double ring(double r, double t) {
            return area(r + t) - area(r);
          }

          interface Nested {
            @Differentiable
            static double g(double x) {
              return Math.exp(-x * x);
            }
          }
        }
        """);
    gradientMatches(c, "p.Shapes", "ring", 1.5, 0.25);
    gradientMatches(c, "p.Shapes$Nested", "g", 0.3);
  }

  @Test
  void staticMethodsOfEnums() {
    Compiled c = works("p.Activation", """
        package p;

        import dev.adjoint.Differentiable;

        public enum Activation {
          RELU, TANH;

          @Differentiable
          public static double softplus(double x) {
            return Math.log1p(Math.exp(x));
          }

          public enum Inner {
            ONE;

            @Differentiable
            public static double g(double x, double y) {
              return softplus(x * y);
            }
          }
        }
        """);
    gradientMatches(c, "p.Activation", "softplus", 0.7);
    gradientMatches(c, "p.Activation$Inner", "g", 0.7, -1.2);
  }

  @Test
  void staticMethodsOfRecords() {
    // the record's components and the method's parameters share names: neither may confuse the processor
    Compiled c = works("p.Point", """
        package p;

        import dev.adjoint.Differentiable;

        public record Point(double x, double y) {
          @Differentiable
          public static double norm(double x, double y) {
            return Math.sqrt(x * x + y * y);
          }

          public record Polar(double r, double theta) {
            @Differentiable
            public static double toX(double r, double theta) {
              return r * Math.cos(theta) + norm(r, theta);
            }
          }
        }
        """);
    gradientMatches(c, "p.Point", "norm", 3.0, -4.0);
    gradientMatches(c, "p.Point$Polar", "toX", 2.0, 0.4);
  }

  @Test
  void aClassInTheDefaultPackage() {
    Compiled c = works("Top", """
        import dev.adjoint.Differentiable;

        public final class Top {
          @Differentiable
          public static double f(double x, double y) {
            double s = 0;
            for (int i = 0; i < 3; i++) {
              s += Math.sin(x * i) * y;
            }
            return s + g(x);
          }

          @Differentiable
          public static double g(double x) {
            return x * x * x;
          }

          public static final class Inner {
            @Differentiable
            public static double h(double x) {
              return Top.g(x) * 2;
            }
          }
        }
        """);
    gradientMatches(c, "Top", "f", 0.4, 1.3);
    gradientMatches(c, "Top$Inner", "h", 0.4);
  }

  /**
   * A variable named like a class of the default package that generated code names (its own
   * class, a callee's): such a class cannot be written qualified, so this is a precise error
   * rather than generated code that javac rejects.
   */
  @Test
  void variablesNamedLikeDefaultPackageClasses() {
    Hostile.preciseErrors("Top2", """
        import dev.adjoint.Differentiable;

        public final class Top2 {
          @Differentiable
          public static double f(double x, double Top2) { // <- here
            return g(x) * Top2;
          }

          @Differentiable
          public static double h(double x) { // <- here
            double Top2Grad = x * x;
            return g(Top2Grad);
          }

          @Differentiable
          public static double g(double x) {
            return x * x * x;
          }
        }
        """);
  }

  /** The default package calling a @Differentiable method of a named package (the reverse is impossible in Java). */
  @Test
  void defaultPackageCallingANamedPackage() {
    Compiled c = works("Caller", """
        import dev.adjoint.Differentiable;

        public final class Caller {
          @Differentiable
          public static double f(double x) {
            return p.Lib.g(x) + x;
          }
        }
        """, "p.Lib", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Lib {
          @Differentiable
          public static double g(double x) {
            return Math.tanh(x) * x;
          }
        }
        """);
    gradientMatches(c, "Caller", "f", 0.9);
  }

  // ------------------------------------------------------------ precise errors

  @Test
  void instanceMethodOfARecordReadsItsPrivateComponents() throws Exception {
    Compiled c = Hostile.works("p.Point", """
        package p;

        import dev.adjoint.Differentiable;

        public record Point(double x, double y) {
          @Differentiable
          public double scaled(double s) {
            return s * x + Math.sin(s) * y();
          }
        }
        """);
    Object p = c.load("p.Point").getConstructor(double.class, double.class).newInstance(2.0, 3.0);
    Object g = c.load("p.PointGrad").getMethod("scaled", c.load("p.Point"), double.class).invoke(null, p, 0.5);
    assertEquals(2.0 + Math.cos(0.5) * 3.0, (double) Compiled.components(g).get("s"), 1e-12);
  }

  @Test
  void instanceMethodOfAnEnum() throws Exception {
    Compiled c = Hostile.works("p.Mode", """
        package p;

        import dev.adjoint.Differentiable;

        public enum Mode {
          A, B;

          @Differentiable
          public double f(double x) {
            return x * x * ordinal();
          }
        }
        """);
    Object b = c.load("p.Mode").getField("B").get(null);
    Object g = c.load("p.ModeGrad").getMethod("f", c.load("p.Mode"), double.class).invoke(null, b, 0.5);
    assertEquals(2 * 0.5 * 1, (double) Compiled.components(g).get("x"), 1e-12);
  }

  @Test
  void abstractAndDefaultMethodsOfAnInterface() {
    String src = """
        package p;

        import dev.adjoint.Differentiable;

        public interface Model {
          @Differentiable
          double f(double x); // <- here

          @Differentiable
          default double g(double x) { // a default method is an instance method: supported
            return x * x;
          }
        }
        """;
    Hostile.preciseErrors("p.Model", src);
  }

  /*
   * Java 16+ allows static methods in local records, anonymous classes and enum constant bodies.
   * RoundEnvironment.getElementsAnnotatedWith never returns them (javac does not enter method
   * bodies for it), and when they are the only use of @Differentiable javac does not even call
   * the processor. A task listener scans the analyzed trees instead (diag.DeclarationSites) and
   * reports each at the method, instead of the annotation being silently ignored.
   */

  @Test
  void staticMethodOfALocalRecord() {
    String src = """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          static double use(double y) {
            record Local(double a) {
              @Differentiable
              public static double g(double x) { // <- here
                return x * x;
              }
            }
            return y;
          }
        }
        """;
    Hostile.preciseErrors("p.Model", src);
  }

  @Test
  void staticMethodOfAnAnonymousClass() {
    String src = """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          static final Object O = new Object() {
            @Differentiable
            public static double h(double x) { // <- here
              return x * x;
            }
          };
        }
        """;
    Hostile.preciseErrors("p.Model", src);
  }

  @Test
  void staticMethodOfAnEnumConstantBody() {
    String src = """
        package p;

        import dev.adjoint.Differentiable;

        public enum Op {
          A {
            @Differentiable
            public static double f(double x) { // <- here
              return x * x;
            }
          };
        }
        """;
    Hostile.preciseErrors("p.Op", src);
  }

  /**
   * Beside methods the processor does handle: those work as before, the unreachable ones are
   * errors (a class nested in an anonymous class, a local class in a lambda, a local interface),
   * and the annotation written fully qualified is found too.
   */
  @Test
  void unreachableMethodsBesideReachableOnes() {
    String src = """
        package p;

        import dev.adjoint.Differentiable;
        import java.util.function.DoubleUnaryOperator;

        public final class Model {
          @Differentiable
          public static double ok(double x) {
            return x * x;
          }

          static final Object O = new Object() {
            static final class In {
              @dev.adjoint.Differentiable
              public static double h(double x) { // <- here
                return x * x;
              }
            }
          };

          static final DoubleUnaryOperator F = y -> {
            class L {
              @Differentiable(wrt = "x")
              static double k(double x) { // <- here
                return x;
              }
            }
            interface I {
              @Differentiable
              static double m(double x) { // <- here
                return x;
              }
            }
            return y;
          };

          enum E {
            A {
              @Deprecated
              public static double notDifferentiable(double x) {
                return x;
              }
            }
          }
        }
        """;
    Hostile.preciseErrors("p.Model", src);
  }

  /** The error names what to do instead. */
  @Test
  void theMessageSaysWhatToDo() {
    com.google.testing.compile.Compilation c = Hostile.compile("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          static double use(double y) {
            class Local {
              @Differentiable
              public static double g(double x) {
                return x * x;
              }
            }
            return y;
          }
        }
        """);
    com.google.common.truth.Truth.assertThat(c.errors()).hasSize(1);
    com.google.common.truth.Truth.assertThat(c.errors().get(0).getMessage(java.util.Locale.ROOT))
        .isEqualTo("[AdjointLocalClass] @Differentiable method Local.g is declared in a local class, which "
            + "Adjoint cannot see or name a generated class for; move it to a top-level or static nested class");
  }

  /** Reads like a local type but is a member: works. */
  @Test
  void staticNestedTypesDeepInside() {
    Compiled c = works("p.A", """
        package p;

        import dev.adjoint.Differentiable;

        public final class A {
          public interface B {
            enum C {
              X;

              public record D(int unused) {
                @Differentiable
                public static double f(double x) {
                  return Math.cbrt(x) * x;
                }
              }
            }
          }
        }
        """);
    gradientMatches(c, "p.A$B$C$D", "f", 2.0);
  }
}
