package dev.adjoint.maven.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's pages from real inspection files (written by the processor for a sample and an eval). */
class PagesTest {
  static Path resource(String name) throws URISyntaxException {
    return Path.of(PagesTest.class.getResource("/" + name).toURI());
  }

  static Path writeReport(Path out, boolean withChecks) throws Exception {
    InspectionReport report = InspectionReport.read(resource("inspect"),
        withChecks ? resource("results.tsv") : out.resolve("absent.tsv"));
    return report.write(out);
  }

  @Test
  void aClassPageShowsSourceBesideGeneratedCodeLinkedByLine(@TempDir Path out) throws Exception {
    writeReport(out, true);
    String page = Files.readString(out.resolve("dev.adjoint.samples.LogisticRegressionDemo.html"));
    assertTrue(page.startsWith("<!DOCTYPE html>"), page);
    assertTrue(page.contains("<h1>LogisticRegressionDemo</h1>"), page);
    assertTrue(page.contains("class=\"panel source-panel\"") && page.contains("class=\"panel generated-panel\""), page);
    // source line 21 (the loop) and its generated block link to each other
    String section = Pages.sectionId(new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(resource("inspect/dev.adjoint.samples.LogisticRegressionDemo.json").toFile()).path("methods").get(0));
    assertTrue(page.contains("id=\"s-" + section + "-21\" data-l=\"21\"><a class=\"no\" href=\"#g-" + section + "-21\""),
        page);
    assertTrue(page.contains("id=\"g-" + section + "-21\""), page);
    assertTrue(page.contains("<a class=\"cm\" href=\"#s-" + section + "-21\">"), page);
    // hovering either side lights up both
    assertTrue(page.contains("#" + section + ":has([data-l=\"21\"]:hover) [data-l=\"21\"]{"), page);
    // source text is escaped: the loop's condition i < n never appears raw
    assertTrue(page.contains("i &lt; n"), page);
    assertFalse(page.contains("i < n"), "unescaped '<' in the page");
    // the loops' table, the decisions in the user's terms, the compile time, the graph
    assertTrue(page.contains("Loops: what the tape keeps per iteration"), page);
    assertTrue(page.contains("Fused: each iteration"), page);
    assertTrue(page.contains("compile time"), page);
    assertTrue(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\""), page);
    assertTrue(page.contains("class=\"node loop active"), page);
    assertTrue(page.contains("<path class=\"edge\""), page);
    // the check result of this class only
    assertTrue(page.contains("Gradient check") && page.contains("0.5,-1.0,0.25") && page.contains(">PASS<"), page);
    assertFalse(page.contains(">FAIL<"), page);
    // self-contained: no script, no external resource
    assertFalse(page.contains("<script") || page.contains("http://") && !page.contains("http://www.w3.org/2000/svg"), page);
    assertFalse(page.contains("https://"), page);
  }

  @Test
  void theIndexListsEveryClassAndTheCheckResults(@TempDir Path out) throws Exception {
    Path index = writeReport(out, true);
    String html = Files.readString(index);
    assertTrue(html.contains("href=\"dev.adjoint.gradbench.Gmm.html\""), html);
    assertTrue(html.contains("href=\"dev.adjoint.samples.LogisticRegressionDemo.html#m-loss-"), html);
    assertTrue(html.contains("gradient checks: 1 passed, 1 failed"), html);
    assertTrue(html.contains("<td class=\"fail\">FAIL</td>"), html);
    assertTrue(html.contains("-4.0,2.5"), html);
    String gmm = Files.readString(out.resolve("dev.adjoint.gradbench.Gmm.html"));
    assertTrue(gmm.contains("gradient check FAILED"), gmm);
    assertTrue(gmm.contains("Running maximum/minimum of"), gmm);
    assertTrue(gmm.contains("(Refills)"), gmm);
  }

  @Test
  void withoutCheckResultsThereIsNoCheckSection(@TempDir Path out) throws Exception {
    Path index = writeReport(out, false);
    assertFalse(Files.readString(index).contains("Gradient checks"));
    assertFalse(Files.readString(out.resolve("dev.adjoint.gradbench.Gmm.html")).contains("Gradient check"));
  }

  @Test
  void noInspectionFilesMeansAnEmptyReport(@TempDir Path dir) throws IOException {
    assertTrue(InspectionReport.read(dir.resolve("missing"), dir.resolve("missing.tsv")).isEmpty());
  }

  @Test
  void escapingCoversMarkupCharacters() {
    assertEquals("a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;", Html.escape("a < b && c > \"d\" 'e'"));
    assertEquals("x <b>double</b> &lt;<i>// a < b</i>", CodePanels.highlight("x double <// a < b").replace("&lt;<i>// a &lt; b</i>", "&lt;<i>// a < b</i>"));
    assertEquals("<b>for</b> (<b>int</b> i = 0; i &lt; n; i++)", CodePanels.highlight("for (int i = 0; i < n; i++)"));
    assertEquals("s = &quot;//x&quot;; <i>// c</i>", CodePanels.highlight("s = \"//x\"; // c"));
  }
}
