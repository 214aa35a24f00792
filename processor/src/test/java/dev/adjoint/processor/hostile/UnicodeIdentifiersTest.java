package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertThat;
import static dev.adjoint.processor.hostile.Hostile.gradientMatches;
import static dev.adjoint.processor.hostile.Hostile.works;

import dev.adjoint.processor.testing.Compiled;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Identifiers outside ASCII — Greek, accented Latin, CJK, {@code $} and {@code _}, and unicode
 * escapes — in parameters, locals, methods and classes: the record components keep the
 * parameters' exact names and the gradients are right.
 */
class UnicodeIdentifiersTest {

  @Test
  void greekAccentedAndCjkLocalsAndParameters() {
    Compiled c = works("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double f(double x, double é, double[] 重み) {
            double δ = x * é;
            double 変数 = δ * δ + Math.sin(é);
            double Ωmega = 0;
            for (int ι = 0; ι < 重み.length; ι++) {
              Ωmega += 重み[ι] * 変数;
            }
            if (Ωmega > 0) {
              Ωmega = Ωmega * δ;
            }
            return Ωmega + 変数;
          }
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.6, 1.7, new double[] {0.5, -0.25, 2.0});
    Map<String, Object> g = Compiled.components(c.call("p.ModelGrad", "f", 0.6, 1.7, new double[] {1.0}));
    assertThat(new ArrayList<>(g.keySet())).containsExactly("value", "x", "é", "重み").inOrder();
  }

  @Test
  void dollarsAndUnderscores() {
    Compiled c = works("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double f(double $x, double x_, double __) {
            double $ = $x * x_;
            double _$_ = $ + __ * __;
            return _$_ * $x;
          }
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.6, 1.7, -0.4);
  }

  /** Escapes are identifiers too, and a {@code \\u000a} between tokens is a line break. */
  @Test
  void unicodeEscapesInTheSource() {
    Compiled c = works("p.Model", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Model {
          @Differentiable
          public static double f(double x, double \\u03b8) {
            double \\u03bb = x * \\u03b8;
            double z = \\u03bb\\u000a* x /* \\u03bb */ + θ;
            return z * λ;
          }
        }
        """);
    gradientMatches(c, "p.Model", "f", 0.8, -1.1);
    assertThat(new ArrayList<>(Compiled.components(c.call("p.ModelGrad", "f", 0.8, -1.1)).keySet()))
        .containsExactly("value", "x", "θ").inOrder();
  }

  /** Non-ASCII class and method names: {@code Modèle} gives {@code ModèleGrad}, {@code énergie} the record {@code Énergie}. */
  @Test
  void nonAsciiClassAndMethodNames() {
    Compiled c = works("p.Modèle", """
        package p;

        import dev.adjoint.Differentiable;

        public final class Modèle {
          @Differentiable
          public static double énergie(double masse, double vitesse) {
            return 0.5 * masse * vitesse * vitesse;
          }

          @Differentiable
          public static double ǆ(double x) {
            return énergie(x, x) + x;
          }

          @Differentiable
          public static double 力(double x) {
            return ǆ(x) * x;
          }

          public static final class Intérieur {
            @Differentiable
            public static double ß(double x) {
              return Modèle.力(x) * 2;
            }
          }
        }
        """);
    gradientMatches(c, "p.Modèle", "énergie", 3.0, 1.5);
    gradientMatches(c, "p.Modèle", "ǆ", 1.2);
    gradientMatches(c, "p.Modèle", "力", 1.2);
    gradientMatches(c, "p.Modèle$Intérieur", "ß", 1.2);
    assertThat(c.call("p.ModèleGrad", "énergie", 3.0, 1.5).getClass().getSimpleName()).isEqualTo("Énergie");
  }
}
