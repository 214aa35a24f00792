package dev.adjoint.maven;

import dev.adjoint.maven.report.InspectionReport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.maven.doxia.sink.Sink;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.reporting.AbstractMavenReport;
import org.apache.maven.reporting.MavenReportException;

/**
 * {@code mvn adjoint:report}: an HTML page per class with {@code @Differentiable} methods (source
 * beside generated adjoint, what the tape keeps per loop iteration, the planner's decisions,
 * compile time, the computation graph as SVG, the {@code check} goal's results) and an index,
 * written into {@code target/adjoint/report}. Read from the inspection files the processor writes
 * with {@code -Aadjoint.inspect} (which the {@code generate} goal passes). Also a site report:
 * {@code mvn site} links the same pages from the project's reports.
 */
@Mojo(name = "report", defaultPhase = LifecyclePhase.SITE, threadSafe = true)
public final class ReportMojo extends AbstractMavenReport {
  /** Where the processor wrote its inspection files ({@code -Aadjoint.inspect}). */
  @Parameter(property = "adjoint.inspectDirectory", defaultValue = "${project.build.directory}/adjoint/inspect")
  private File inspectDirectory;

  /** The {@code check} goal's results, shown when present. */
  @Parameter(property = "adjoint.checkResults",
      defaultValue = "${project.build.directory}/adjoint/check/results.tsv")
  private File checkResults;

  /** Where {@code mvn adjoint:report} writes the pages. */
  @Parameter(property = "adjoint.reportDirectory", defaultValue = "${project.build.directory}/adjoint/report")
  private File reportDirectory;

  /** Skips the report. */
  @Parameter(property = "adjoint.report.skip", defaultValue = "false")
  private boolean skip;

  /** Run on its own: the standalone pages, no site skin. */
  @Override
  public void execute() throws MojoExecutionException {
    if (skip) {
      getLog().info("adjoint:report skipped");
      return;
    }
    InspectionReport report = read();
    if (report.isEmpty()) {
      throw new MojoExecutionException(missing());
    }
    try {
      Path index = report.write(reportDirectory.toPath());
      int classes = report.classes().size();
      getLog().info("Adjoint inspection report: " + index + " (" + classes + (classes == 1 ? " class)" : " classes)"));
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write the report into " + reportDirectory + ": " + e.getMessage(), e);
    }
  }

  private InspectionReport read() throws MojoExecutionException {
    try {
      return InspectionReport.read(inspectDirectory.toPath(), checkResults.toPath());
    } catch (IOException e) {
      throw new MojoExecutionException("cannot read the inspection files in " + inspectDirectory + ": "
          + e.getMessage(), e);
    }
  }

  private String missing() {
    return "No Adjoint inspection files in " + inspectDirectory + ": the report shows what the processor recorded"
        + " while compiling, so compile first with the plugin: mvn compile adjoint:report (adjoint:generate in the"
        + " pom's adjoint-maven-plugin entry records them), or mvn adjoint:generate adjoint:report, or pass the"
        + " processor option -Aadjoint.inspect=" + inspectDirectory + " in maven-compiler-plugin's <compilerArgs>.";
  }

  @Override
  public boolean canGenerateReport() {
    return !skip;
  }

  /** In the site: the pages under {@code adjoint/}, and a summary page that links them. */
  @Override
  protected void executeReport(Locale locale) throws MavenReportException {
    InspectionReport report;
    try {
      report = read();
    } catch (MojoExecutionException e) {
      throw new MavenReportException(e.getMessage(), e);
    }
    Sink sink = getSink();
    sink.head();
    sink.title();
    sink.text(getName(locale));
    sink.title_();
    sink.head_();
    sink.body();
    sink.section1();
    sink.sectionTitle1();
    sink.text(getName(locale));
    sink.sectionTitle1_();
    if (report.isEmpty()) {
      sink.paragraph();
      sink.text(missing());
      sink.paragraph_();
    } else {
      try {
        report.write(new File(getReportOutputDirectory(), "adjoint").toPath());
      } catch (IOException e) {
        throw new MavenReportException("cannot write the report pages: " + e.getMessage(), e);
      }
      sink.paragraph();
      sink.link("adjoint/index.html");
      sink.text("The full inspection report");
      sink.link_();
      sink.text(": each @Differentiable method's source beside its generated adjoint, the tape per loop"
          + " iteration, the planner's decisions and the computation graph.");
      sink.paragraph_();
      sink.list();
      for (var f : report.classes()) {
        sink.listItem();
        sink.link("adjoint/" + InspectionReport.pageName(f));
        sink.text(f.path("class").asText());
        sink.link_();
        sink.text(" (" + f.path("methods").size() + " methods)");
        sink.listItem_();
      }
      sink.list_();
    }
    sink.section1_();
    sink.body_();
    sink.flush();
    sink.close();
  }

  @Override
  public String getOutputName() {
    return "adjoint-report";
  }

  @Override
  public String getName(Locale locale) {
    return "Adjoint inspection";
  }

  @Override
  public String getDescription(Locale locale) {
    return "The gradients Adjoint generated: source beside generated code, tape per loop, computation graphs";
  }
}
