package dev.adjoint.maven.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report in a real browser: headless Chromium (Debian's package, which CI installs) loads a
 * class page and the index; the DOM it built has the method, both code panels and the SVG graph,
 * and it renders a screenshot. Skipped only where no chromium is installed.
 */
class ChromiumReportTest {
  static String chromium;

  @BeforeAll
  static void findChromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          chromium = f.getPath();
          return;
        }
      }
    }
  }

  static String run(Path profile, String... args) throws Exception {
    Assumptions.assumeTrue(chromium != null, "no chromium on the PATH (CI installs Debian's package)");
    List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    assertEquals(0, p.exitValue(), "chromium failed: " + String.join(" ", command));
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void aClassPageLoadsWithItsMethodPanelsAndGraph(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("report");
    PagesTest.writeReport(report, true);
    Path page = report.resolve("dev.adjoint.samples.LogisticRegressionDemo.html");
    String dom = run(dir.resolve("profile1"), "--dump-dom", page.toUri().toString());
    assertTrue(dom.contains("<h1>LogisticRegressionDemo</h1>"), dom);
    assertTrue(dom.contains("<h2>loss<code>"), dom);
    assertTrue(dom.contains("class=\"panel source-panel\"") && dom.contains("<h4>Source</h4>"), dom);
    assertTrue(dom.contains("class=\"panel generated-panel\"") && dom.contains("<h4>Generated</h4>"), dom);
    assertTrue(dom.contains("<b>public</b> <b>static</b> <b>double</b> loss("), dom);
    assertTrue(dom.contains("// line 21: for (int i = 0; i &lt; n; i++)"), dom);
    assertTrue(dom.contains("<svg") && dom.contains("class=\"node loop"), dom);
    Path shot = dir.resolve("page.png");
    run(dir.resolve("profile2"), "--screenshot=" + shot, "--window-size=1400,1000", "--hide-scrollbars",
        page.toUri().toString());
    assertTrue(Files.size(shot) > 20_000, "a blank screenshot? " + Files.size(shot) + " bytes");
  }

  @Test
  void theIndexLoadsWithEveryClass(@TempDir Path dir) throws Exception {
    Path index = PagesTest.writeReport(dir.resolve("report"), true);
    String dom = run(dir.resolve("profile"), "--dump-dom", index.toUri().toString());
    assertTrue(dom.contains("Adjoint inspection report"), dom);
    assertTrue(dom.contains("dev.adjoint.gradbench.Gmm") && dom.contains("logPosterior"), dom);
    assertTrue(dom.contains("dev.adjoint.samples.LogisticRegressionDemo") && dom.contains(">loss<"), dom);
  }
}
