package dev.adjoint.maven.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckerTest {
  private static final Checker.Settings SETTINGS = new Checker.Settings(-2, 2, 1, 3, 4, 1e-6);

  private static Map<String, Checker.Outcome> check(boolean differentiable, List<String> skipped) {
    return CheckTargets.find(Fixtures.class, differentiable, skipped::add).stream()
        .map(t -> Checker.check(t, SETTINGS))
        .collect(Collectors.toMap(o -> o.target().checked().getName(), Function.identity()));
  }

  @Test
  void aCorrectDerivativePassesAtItsPoints() {
    Checker.Outcome o = check(false, new ArrayList<>()).get("softplusDerivative");
    assertTrue(o.passed());
    assertEquals(3, o.points().size());
    assertEquals(12.0, o.points().get(2).args()[0]);
    assertTrue(o.worst().maxRelativeError() < 1e-9);
  }

  @Test
  void aWrongDerivativeFailsAtRandomPointsWithExpectedAndActual() {
    Checker.Outcome o = check(false, new ArrayList<>()).get("productDerivative");
    assertFalse(o.passed());
    assertEquals(3, o.points().size());
    Checker.PointResult p = o.worst();
    double x = (Double) p.args()[0];
    double y = (Double) p.args()[1];
    assertTrue(x >= -2 && x <= 2 && y >= -2 && y <= 2);
    assertEquals(y, p.expected()[0][0], 1e-9);
    assertEquals(x, p.expected()[1][0], 1e-9);
    assertArrayEquals(new double[] {y}, p.actual()[1]);
  }

  @Test
  void randomPointsAreSeeded() {
    Object[] first = check(false, new ArrayList<>()).get("productDerivative").points().get(0).args();
    Object[] again = check(false, new ArrayList<>()).get("productDerivative").points().get(0).args();
    assertArrayEquals(first, again);
  }

  @Test
  void pointsOutsideTheDomainAreDrawnAgain() {
    Checker.Outcome o = check(false, new ArrayList<>()).get("logSquareDerivative");
    assertTrue(o.passed(), () -> String.valueOf(o.worst()));
    assertEquals(3, o.points().size());
    o.points().forEach(p -> assertTrue((Double) p.args()[0] > 0));
  }

  @Test
  void intParametersNeedPoints() {
    Map<String, Checker.Outcome> outcomes = check(false, new ArrayList<>());
    assertEquals("parameter arg1 (int): random points are only drawn for double and double[]"
        + " parameters; give points with @CheckAt", outcomes.get("powerDerivative").skipped());
    Checker.Outcome scaled = outcomes.get("scaledDerivative");
    assertNull(scaled.skipped());
    assertTrue(scaled.passed());
    assertEquals(2, scaled.points().size());
  }

  @Test
  void differentiableMethodsOnlyWhenAsked() {
    assertFalse(check(false, new ArrayList<>()).containsKey("loss"));
    List<String> skipped = new ArrayList<>();
    Map<String, Checker.Outcome> outcomes = check(true, skipped);
    Checker.Outcome loss = outcomes.get("loss");
    assertTrue(loss.passed(), () -> String.valueOf(loss.worst()));
    // random double[] of the configured length, and the scalar b
    assertEquals(4, ((double[]) loss.points().get(0).args()[0]).length);
    assertEquals(2, loss.worst().actual().length);
    // wrt = "y": without -parameters the check cannot tell which parameter the partial is for
    assertFalse(outcomes.containsKey("onlyY"));
    assertEquals(List.of("Fixtures.onlyY: cannot tell which parameters OnlyY differentiates"
        + " (compile with -parameters)"), skipped);
  }

  @Test
  void resultsFileHasOneLinePerMethodWithItsWorstPoint(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("check/results.tsv");
    List<Checker.Outcome> outcomes = new ArrayList<>(check(false, new ArrayList<>()).values());
    outcomes.sort((a, b) -> a.target().name().compareTo(b.target().name()));
    ResultsFile.write(file, outcomes);
    List<String> lines = Files.readAllLines(file);
    assertEquals(ResultsFile.HEADER, lines.get(0));
    // powerDerivative was skipped: no line
    assertEquals(5, lines.size());
    String[] softplus = lines.stream().filter(l -> l.contains("\tsoftplusDerivative\t"))
        .findFirst().orElseThrow().split("\t");
    assertEquals("dev.adjoint.maven.check.Fixtures", softplus[0]);
    assertEquals("PASS", softplus[6]);
    String[] product = lines.stream().filter(l -> l.contains("\tproductDerivative\t"))
        .findFirst().orElseThrow().split("\t");
    assertEquals(2, product[2].split(",").length);
    assertEquals(2, product[3].split(",").length);
    assertEquals("FAIL", product[6]);
    Double.parseDouble(product[5]);
  }
}
