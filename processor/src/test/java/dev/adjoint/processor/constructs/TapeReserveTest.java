package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.testing.Compiled;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A counted loop whose trip count is known when it starts reserves its tape once: the reserved
 * count is what its iterations push (both branches of an if counted), for every form of bound.
 */
class TapeReserveTest {
  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Rec", """
        package p;
        import dev.adjoint.Differentiable;
        public final class Rec {
          @Differentiable
          public static double up(double[] x, double a) {
            double s = a;
            for (int i = 0; i < x.length; i++) {
              s = Math.sin(s * x[i]);
            }
            return s;
          }

          @Differentiable
          public static double upToLastButOne(double[] x, double a) {
            double s = a;
            for (int i = 1; i + 1 < x.length; i++) {
              s = Math.sin(s * x[i]);
            }
            return s;
          }

          @Differentiable
          public static double upInclusive(double[] x, double a, int n) {
            double s = a;
            for (int i = 2; i <= n; i++) {
              s = Math.sin(s * x[i]);
            }
            return s;
          }

          @Differentiable
          public static double down(double[] x, double a) {
            double s = a;
            for (int i = 6; i >= 1; i--) {
              s = Math.sin(s * x[i]);
            }
            return s;
          }

          /** A double bound: nothing reserved (reserveDoubles takes a long), still correct. */
          @Differentiable
          public static double doubleBound(double[] x, double a) {
            double s = a;
            for (int i = 0; i < a * 4; i++) {
              s = Math.sin(s * x[i % x.length]);
            }
            return s;
          }

          /** A long bound. */
          @Differentiable
          public static double longBound(double[] x, double a, long n) {
            double s = a;
            for (int i = 0; i < n; i++) {
              s = Math.sin(s * x[i]);
            }
            return s;
          }

          /** Two values per iteration, in both branches of an if. */
          @Differentiable
          public static double branchy(double[] x, double a) {
            double s = a;
            for (int i = 0; i < x.length; i++) {
              if (x[i] > 0) {
                s = Math.sin(s * x[i]);
              } else {
                s = Math.cos(s) * x[i];
              }
            }
            return s;
          }
        }
        """);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"up, 0", "upToLastButOne, 0", "upInclusive, 5", "down, 0", "branchy, 0"})
  void reservesExactlyWhatTheIterationsPush(String method, int n) throws Exception {
    double[] x = {0.9, -0.7, 1.3, 0.4, -1.1, 0.8, 0.6};
    Object[] args = method.equals("upInclusive") ? new Object[] {x, 0.5, n} : new Object[] {x, 0.5};
    assertMatches(c, "p.Rec", method, 1e-6, args);
    String src = source(method);
    Matcher m = Pattern.compile("_tape\\.reserveDoubles\\((.*)\\);").matcher(src);
    assertTrue(m.find(), src);
    // run the forward sweep by hand: count the pushes, and evaluate the reserved expression
    String reserved = m.group(1);
    Matcher k = Pattern.compile("^(\\d+) \\* ").matcher(reserved);
    int pushesPerIteration = k.find() ? Integer.parseInt(k.group(1)) : 1;
    int trips = switch (method) {
      case "up", "branchy" -> x.length;
      case "upToLastButOne" -> x.length - 2;
      case "upInclusive" -> n - 1;
      default -> x.length - 1;
    };
    int expected = pushesPerIteration * trips;
    int actual = evaluate(reserved, x.length, n);
    assertEquals(expected, actual, method + ": " + reserved);
  }

  @org.junit.jupiter.api.Test
  void boundsThatAreNotIntegersReserveNothingAndLongOnesDo() {
    double[] x = {0.9, -0.7, 1.3, 0.4, -1.1, 0.8, 0.6};
    assertMatches(c, "p.Rec", "doubleBound", 1e-6, x, 1.3);
    assertTrue(!source("doubleBound").contains("reserveDoubles"), source("doubleBound"));
    assertMatches(c, "p.Rec", "longBound", 1e-6, x, 0.5, 5L);
    assertTrue(source("longBound").contains("_tape.reserveDoubles(n);"), source("longBound"));
  }

  /** Evaluates the small integer expression the generator writes, with x.length and n bound. */
  private static int evaluate(String e, int length, int n) {
    String s = e.replace("x.length", Integer.toString(length)).replace(" ", "")
        .replaceAll("(?<![0-9])n(?![0-9])", Integer.toString(n));
    return new Object() {
      int pos;

      int expr() {
        int v = term();
        while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          char op = s.charAt(pos++);
          int t = term();
          v = op == '+' ? v + t : v - t;
        }
        return v;
      }

      int term() {
        int v = atom();
        while (pos < s.length() && s.charAt(pos) == '*') {
          pos++;
          v *= atom();
        }
        return v;
      }

      int atom() {
        if (s.charAt(pos) == '(') {
          pos++;
          int v = expr();
          pos++;
          return v;
        }
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        return Integer.parseInt(s.substring(start, pos));
      }
    }.expr();
  }

  private static String source(String method) {
    String all = c.generatedSource("p.RecGrad");
    String record = Character.toUpperCase(method.charAt(0)) + method.substring(1);
    int start = all.indexOf("public static " + record + " " + method + "(");
    return all.substring(start, all.indexOf("\n    }\n", start));
  }
}
