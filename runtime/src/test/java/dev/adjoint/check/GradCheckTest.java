package dev.adjoint.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.check.GradCheck.Report;
import dev.adjoint.check.GradCheck.Report.ParameterError;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradCheckTest {

  // ---- correct gradients pass ----------------------------------------------------------------

  @Test
  void sumOfSquaresPasses() {
    double[] x = {1.0, -2.0, 3.5, 0.0, 0.25};
    double[] grad = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      grad[i] = 2 * x[i];
    }
    Report report = GradCheck.check(GradCheckTest::sumOfSquares, x, grad);

    assertEquals(1, report.parameters().size());
    assertEquals("x", report.parameters().get(0).name());
    assertTrue(report.passes(1e-8), report::toString);
    assertDoesNotThrow(() -> report.assertWithin(1e-8));
  }

  @Test
  void numericGradientEstimatesEveryElementAndLeavesThePointAlone() {
    double[][] point = {{1.0, -2.0}, {0.5}};
    double[][] numeric =
        GradCheck.numericGradient(p -> p[0][0] * p[0][1] + Math.exp(p[1][0]), point);
    assertEquals(-2.0, numeric[0][0], 1e-9);
    assertEquals(1.0, numeric[0][1], 1e-9);
    assertEquals(Math.exp(0.5), numeric[1][0], 1e-9);
    assertArrayEquals(new double[] {1.0, -2.0}, point[0]);
  }

  @Test
  void sinTimesExpOfTwoScalarsPasses() {
    double x = 0.7;
    double y = -0.3;
    Report report =
        GradCheck.check(
            p -> Math.sin(p[0][0]) * Math.exp(p[1][0]),
            new String[] {"x", "y"},
            new double[][] {{x}, {y}},
            new double[][] {{Math.cos(x) * Math.exp(y)}, {Math.sin(x) * Math.exp(y)}});

    assertEquals(List.of("x", "y"), report.parameters().stream().map(ParameterError::name).toList());
    for (ParameterError e : report.parameters()) {
      assertEquals(0, e.worstIndex());
    }
    report.assertWithin(1e-8);
  }

  @Test
  void threeArrayParametersPass() {
    double[][] params = {{0.5, -1.2, 2.0}, {0.3}, {1.5, 0.4, -0.8}};
    report(params, threeParamGradient(params)).assertWithin(1e-8);
  }

  @Test
  void largeMagnitudesUseARelativeStep() {
    // h = 1e-3 * |x|: an absolute step of 1e-3 would drown in rounding at |x| ~ 1e7.
    double[] x = {1234.5, 9.0e6};
    double[] grad = {3e-9 * x[0] * x[0], 0.5 / Math.sqrt(x[1])};
    GradCheck.check(p -> 1e-9 * p[0] * p[0] * p[0] + Math.sqrt(p[1]), x, grad)
        .assertWithin(1e-8);
  }

  @Test
  void stencilIsFourthOrderAndHonoursTheGivenStep() {
    // For f = x^5 the five-point stencil's error is exactly -h^4/30 * f^(5) = -4 h^4.
    double x = 0.5;
    double exact = 5 * Math.pow(x, 4);
    double step = 0.1; // h = 0.1 * max(1, |x|) = 0.1
    Report report = GradCheck.check(p -> Math.pow(p[0], 5), new double[] {x}, new double[] {exact},
        step);
    ParameterError e = report.parameters().get(0);
    assertEquals(exact - 4 * Math.pow(step, 4), e.numeric(), 1e-12);
    assertEquals(exact, e.analytic());
    assertEquals(4e-4 / exact, e.relativeError(), 1e-10);
  }

  @Test
  void quarticIsDifferentiatedExactlyUpToRounding() {
    double x = 1.3;
    Report report =
        GradCheck.check(p -> Math.pow(p[0], 4) - 2 * p[0] * p[0] * p[0],
            new double[] {x}, new double[] {4 * x * x * x - 6 * x * x}, 0.2);
    assertTrue(report.passes(1e-12), report::toString);
  }

  // ---- wrong gradients fail, and the report says where -----------------------------------------

  @Test
  void oneWrongElementIsFoundByParameterAndIndex() {
    double[][] params = {{0.5, -1.2, 2.0}, {0.3}, {1.5, 0.4, -0.8}};
    double[][] grad = threeParamGradient(params);
    double correct = grad[2][2];
    grad[2][2] += 1e-3;

    Report report = report(params, grad);

    assertFalse(report.passes(1e-6));
    ParameterError w = report.parameters().get(0);
    ParameterError b = report.parameters().get(1);
    ParameterError v = report.parameters().get(2);
    assertTrue(w.relativeError() < 1e-8, report::toString);
    assertTrue(b.relativeError() < 1e-8, report::toString);
    assertEquals("v", v.name());
    assertEquals(2, v.worstIndex());
    assertEquals(correct + 1e-3, v.analytic());
    assertEquals(correct, v.numeric(), 1e-9);
    assertEquals(v.relativeError(), report.worstRelativeError());
    assertEquals(1e-3 / Math.abs(correct + 1e-3), v.relativeError(), 1e-6);

    AssertionError error = assertThrows(AssertionError.class, () -> report.assertWithin(1e-6));
    String message = error.getMessage();
    assertTrue(message.contains("gradient check failed"), message);
    String[] lines = message.split("\\R");
    // header line, column titles, then w, b, v
    assertEquals(5, lines.length, message);
    assertTrue(lines[2].startsWith("w ") && !lines[2].contains("exceeds"), message);
    assertTrue(lines[3].startsWith("b ") && !lines[3].contains("exceeds"), message);
    assertTrue(lines[4].startsWith("v ") && lines[4].contains("<-- exceeds"), message);
    assertTrue(lines[4].matches("v\\s+2\\s.*"), message);
  }

  @Test
  void wrongSignOfAScalarFails() {
    Report report =
        GradCheck.check(p -> p[0][0] * p[1][0], new String[] {"a", "b"},
            new double[][] {{2}, {3}}, new double[][] {{3}, {-2}});
    assertEquals(0, report.parameters().get(0).relativeError(), 1e-12);
    assertEquals(2.0, report.parameters().get(1).relativeError(), 1e-9);
    assertEquals(2.0, report.worstRelativeError(), 1e-9);
    assertFalse(report.passes(1.9));
    assertTrue(report.passes(2.1));
  }

  @Test
  void nanGradientFailsWithInfiniteError() {
    Report report =
        GradCheck.check(GradCheckTest::sumOfSquares, new double[] {1, 2}, new double[] {2, Double.NaN});
    ParameterError e = report.parameters().get(0);
    assertEquals(1, e.worstIndex());
    assertTrue(Double.isNaN(e.analytic()));
    assertEquals(Double.POSITIVE_INFINITY, e.relativeError());
    assertFalse(report.passes(1e300));
    assertTrue(report.toString().contains("NaN"), report::toString);
  }

  @Test
  void tiesReportTheFirstElement() {
    Report report = GradCheck.check(p -> 0.0, new double[] {1, 2, 3}, new double[] {1, 1, 1});
    assertEquals(0, report.parameters().get(0).worstIndex());
    assertEquals(1.0, report.worstRelativeError());
  }

  @Test
  void emptyParameterHasNoWorstElement() {
    Report report =
        GradCheck.check(p -> p[1][0], new String[] {"none", "s"},
            new double[][] {{}, {4}}, new double[][] {{}, {1}});
    ParameterError none = report.parameters().get(0);
    assertEquals(-1, none.worstIndex());
    assertEquals(0.0, none.relativeError());
    assertTrue(Double.isNaN(none.analytic()) && Double.isNaN(none.numeric()));
    assertTrue(report.passes(1e-8), report::toString);
    assertTrue(report.toString().lines().anyMatch(l -> l.matches("none\\s+-\\s.*")),
        report::toString);
  }

  @Test
  void emptyReportPasses() {
    Report report = GradCheck.check(p -> 1.0, new String[0], new double[0][], new double[0][]);
    assertEquals(0, report.parameters().size());
    assertEquals(0.0, report.worstRelativeError());
    assertTrue(report.passes(0));
  }

  @Test
  void toStringIsATableWithOneLinePerParameter() {
    double[][] params = {{0.5, -1.2, 2.0}, {0.3}, {1.5, 0.4, -0.8}};
    String table = report(params, threeParamGradient(params)).toString();
    List<String> lines = table.lines().toList();
    assertEquals(4, lines.size(), table);
    assertTrue(lines.get(0).contains("parameter") && lines.get(0).contains("index")
        && lines.get(0).contains("analytic") && lines.get(0).contains("numeric")
        && lines.get(0).contains("rel. error"), table);
    assertTrue(lines.get(1).startsWith("w "), table);
    assertTrue(lines.get(2).startsWith("b "), table);
    assertTrue(lines.get(3).startsWith("v "), table);
    assertFalse(table.contains("exceeds"), table);
  }

  @Test
  void reportListIsUnmodifiable() {
    Report report = GradCheck.check(GradCheckTest::sumOfSquares, new double[] {1}, new double[] {2});
    assertThrows(UnsupportedOperationException.class, () -> report.parameters().clear());
  }

  // ---- relative error ---------------------------------------------------------------------------

  @Test
  void relativeErrorDefinition() {
    assertEquals(0.5, GradCheck.relativeError(2, 1));
    assertEquals(0.5, GradCheck.relativeError(-1, -2));
    assertEquals(2.0, GradCheck.relativeError(1, -1));
    assertEquals(0.0, GradCheck.relativeError(0, 0));
    // below the floor of 1e-4 the error is the absolute difference times 1e4
    assertEquals(1e-2, GradCheck.relativeError(1e-6, 0), 1e-15);
    assertEquals(1.0, GradCheck.relativeError(0, 1e-4));
    assertEquals(GradCheck.ERROR_FLOOR, 1e-4);
  }

  @Test
  void relativeErrorSpecialValues() {
    double inf = Double.POSITIVE_INFINITY;
    assertEquals(0.0, GradCheck.relativeError(Double.NaN, Double.NaN));
    assertEquals(inf, GradCheck.relativeError(Double.NaN, 1));
    assertEquals(inf, GradCheck.relativeError(1, Double.NaN));
    assertEquals(inf, GradCheck.relativeError(Double.NaN, inf));
    assertEquals(0.0, GradCheck.relativeError(inf, inf));
    assertEquals(0.0, GradCheck.relativeError(-inf, -inf));
    assertEquals(inf, GradCheck.relativeError(inf, -inf));
    assertEquals(inf, GradCheck.relativeError(inf, 1e300));
    assertEquals(inf, GradCheck.relativeError(0, -inf));
    assertEquals(inf, GradCheck.relativeError(Double.MAX_VALUE, -Double.MAX_VALUE));
  }

  // ---- input validation -------------------------------------------------------------------------

  @Test
  void mismatchedCountsAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> GradCheck.check(p -> 0, new String[] {"a"}, new double[][] {{1}, {2}},
                new double[][] {{1}, {2}}));
    assertTrue(e.getMessage().contains("1, 2 and 2"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> GradCheck.check(p -> 0, new String[] {"a", "b"}, new double[][] {{1}, {2}},
            new double[][] {{1}}));
    assertTrue(e.getMessage().contains("2, 2 and 1"), e.getMessage());
  }

  @Test
  void mismatchedParameterLengthNamesTheParameterAndBothLengths() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> GradCheck.check(p -> 0, new String[] {"w", "bias"},
                new double[][] {{1, 2}, {1, 2, 3}}, new double[][] {{1, 2}, {1, 2}}));
    assertEquals("parameter 'bias' has length 3 but its gradient has length 2", e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> GradCheck.check(GradCheckTest::sumOfSquares, new double[] {1, 2},
            new double[] {1, 2, 3}));
    assertEquals("parameter 'x' has length 2 but its gradient has length 3", e.getMessage());
  }

  @Test
  void badStepIsRejected() {
    for (double step : new double[] {0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class,
              () -> GradCheck.check(GradCheckTest::sumOfSquares, new double[] {1},
                  new double[] {2}, step));
      assertTrue(e.getMessage().contains("step"), e.getMessage());
    }
  }

  @Test
  void nullsAreRejected() {
    double[][] one = {{1}};
    String[] name = {"a"};
    assertThrows(NullPointerException.class, () -> GradCheck.check(null, name, one, one));
    assertThrows(NullPointerException.class, () -> GradCheck.check(p -> 0, null, one, one));
    assertThrows(NullPointerException.class, () -> GradCheck.check(p -> 0, name, null, one));
    assertThrows(NullPointerException.class, () -> GradCheck.check(p -> 0, name, one, null));
    assertThrows(NullPointerException.class,
        () -> GradCheck.check(p -> 0, new String[] {null}, one, one));
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> GradCheck.check(p -> 0, name, new double[][] {null}, one));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    e = assertThrows(NullPointerException.class,
        () -> GradCheck.check(p -> 0, name, one, new double[][] {null}));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }

  // ---- the caller's arrays ----------------------------------------------------------------------

  @Test
  void callersArraysAreNotMutatedNorPassedToTheFunction() {
    double[][] params = {{0.5, -1.2, 2.0}, {0.3}, {1.5, 0.4, -0.8}};
    double[][] grad = threeParamGradient(params);
    grad[0][1] = 99; // make it fail too: the arrays must survive either way
    double[][] paramsBefore = deepCopy(params);
    double[][] gradBefore = deepCopy(grad);
    double[][] outerParams = params;

    GradCheck.check(
        p -> {
          assertNotSame(outerParams, p);
          for (int i = 0; i < p.length; i++) {
            assertNotSame(outerParams[i], p[i]);
          }
          return threeParam(p);
        },
        new String[] {"w", "b", "v"}, params, grad);

    assertArrayEquals(paramsBefore, params);
    assertArrayEquals(gradBefore, grad);
  }

  @Test
  void callersArraysSurviveAThrowingFunction() {
    double[] x = {1, 2, 3};
    int[] calls = {0};
    assertThrows(IllegalStateException.class,
        () -> GradCheck.check(p -> {
          if (++calls[0] == 6) {
            throw new IllegalStateException("boom");
          }
          return sumOfSquares(p);
        }, x, new double[] {2, 4, 6}));
    assertArrayEquals(new double[] {1, 2, 3}, x);
  }

  @Test
  void eachEvaluationPerturbsExactlyOneElement() {
    double[] x = {1, 2, 3};
    GradCheck.check(p -> {
      int changed = 0;
      for (int i = 0; i < p.length; i++) {
        if (p[i] != x[i]) {
          changed++;
        }
      }
      assertEquals(1, changed);
      return sumOfSquares(p);
    }, x, new double[] {2, 4, 6}).assertWithin(1e-8);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static double sumOfSquares(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return s;
  }

  /** f(w, b, v) = sum_i tanh(w_i v_i + b) + b^2 sum_i w_i. */
  private static double threeParam(double[][] p) {
    double[] w = p[0];
    double b = p[1][0];
    double[] v = p[2];
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += Math.tanh(w[i] * v[i] + b) + b * b * w[i];
    }
    return s;
  }

  private static double[][] threeParamGradient(double[][] p) {
    double[] w = p[0];
    double b = p[1][0];
    double[] v = p[2];
    double[] dw = new double[w.length];
    double[] dv = new double[v.length];
    double db = 0;
    for (int i = 0; i < w.length; i++) {
      double t = Math.tanh(w[i] * v[i] + b);
      double dt = 1 - t * t;
      dw[i] = dt * v[i] + b * b;
      dv[i] = dt * w[i];
      db += dt + 2 * b * w[i];
    }
    return new double[][] {dw, {db}, dv};
  }

  private static Report report(double[][] params, double[][] grad) {
    return GradCheck.check(GradCheckTest::threeParam, new String[] {"w", "b", "v"}, params, grad);
  }

  private static double[][] deepCopy(double[][] a) {
    double[][] copy = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      copy[i] = a[i].clone();
    }
    return copy;
  }
}
