package dev.adjoint.maven;

import dev.adjoint.maven.check.CheckTarget;
import dev.adjoint.maven.check.CheckTargets;
import dev.adjoint.maven.check.Checker;
import dev.adjoint.maven.check.ResultsFile;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

/**
 * Checks every {@code @Derivative} of the project (and, with {@code checkDifferentiable}, every
 * static {@code @Differentiable} method's generated gradient) against finite differences, at the
 * points of its {@code @CheckAt} or else at seeded random points. A derivative that disagrees
 * fails the build, naming the method, the point, the expected and the actual values. The results
 * go to {@code target/adjoint/check/results.tsv}, for the report.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY,
    requiresDependencyResolution = ResolutionScope.TEST, threadSafe = true)
public class CheckMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  /** Also check the generated gradient of every static {@code @Differentiable} method. */
  @Parameter(property = "adjoint.check.differentiable", defaultValue = "false")
  private boolean checkDifferentiable;

  /** Random points are drawn uniformly in this range: {@code low,high}. */
  @Parameter(property = "adjoint.check.range", defaultValue = "-2,2")
  private String range;

  /** Seed of the random points (the same points in every build). */
  @Parameter(property = "adjoint.check.seed", defaultValue = "1")
  private long seed;

  /** How many random points per method without {@code @CheckAt} points. */
  @Parameter(property = "adjoint.check.points", defaultValue = "3")
  private int points;

  /** Length of each random {@code double[]} argument, unless {@code @CheckAt(length = n)}. */
  @Parameter(property = "adjoint.check.arrayLength", defaultValue = "3")
  private int arrayLength;

  /** Largest relative error that passes, unless {@code @CheckAt(tolerance = t)}. */
  @Parameter(property = "adjoint.check.tolerance", defaultValue = "1e-6")
  private double tolerance;

  @Parameter(defaultValue = "${project.build.directory}/adjoint/check/results.tsv", readonly = true)
  private File resultsFile;

  /** Skips the check; so does {@code -DskipTests}. */
  @Parameter(property = "adjoint.check.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(property = "skipTests", defaultValue = "false")
  private boolean skipTests;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip || skipTests) {
      getLog().info("adjoint:check skipped");
      return;
    }
    Checker.Settings settings = settings();
    List<Checker.Outcome> outcomes = new ArrayList<>();
    try (URLClassLoader loader = projectLoader()) {
      for (String name : classNames()) {
        Class<?> c;
        List<CheckTarget> targets;
        try {
          c = Class.forName(name, false, loader);
          targets = CheckTargets.find(c, checkDifferentiable,
              why -> getLog().info("adjoint:check: skipped " + why));
        } catch (ClassNotFoundException | LinkageError e) {
          getLog().debug("adjoint:check: cannot load " + name + ": " + e);
          continue;
        }
        for (CheckTarget t : targets) {
          Checker.Outcome o = Checker.check(t, settings);
          outcomes.add(o);
          log(o);
        }
      }
      ResultsFile.write(resultsFile.toPath(), outcomes);
    } catch (IOException e) {
      throw new MojoExecutionException("adjoint:check: " + e.getMessage(), e);
    }
    List<String> failures = new ArrayList<>();
    for (Checker.Outcome o : outcomes) {
      if (!o.passed()) {
        failures.add(failure(o));
      }
    }
    long checked = outcomes.stream().filter(o -> o.skipped() == null).count();
    getLog().info("adjoint:check: " + checked + " derivatives checked, " + failures.size()
        + " wrong; results in " + resultsFile);
    if (!failures.isEmpty()) {
      throw new MojoFailureException("adjoint:check: " + failures.size() + " of " + checked
          + " derivatives disagree with finite differences:\n" + String.join("\n", failures));
    }
  }

  private void log(Checker.Outcome o) {
    if (o.skipped() != null) {
      getLog().info("adjoint:check: skipped " + o.target().name() + ": " + o.skipped());
    } else if (o.passed()) {
      getLog().info(String.format(Locale.ROOT, "adjoint:check: %s passed at %d points "
          + "(largest relative error %.1e)", o.target().name(), o.points().size(),
          o.worst() == null ? 0.0 : o.worst().maxRelativeError()));
    }
    // a failure is reported once, in the exception that fails the build
  }

  /** Names the method, the point, expected and actual values, and the tolerance. */
  private static String failure(Checker.Outcome o) {
    Checker.PointResult p = o.worst();
    CheckTarget t = o.target();
    String what = t.checked().equals(t.function()) ? t.name() + " (generated gradient)"
        : t.name() + " (derivative of " + t.function().getName() + ")";
    StringBuilder point = new StringBuilder();
    for (int i = 0; i < p.args().length; i++) {
      boolean named = t.function().getParameters()[i].isNamePresent();
      point.append(i == 0 ? "" : ", ").append(named ? t.parameterName(i) + " = " : "")
          .append(argument(p.args()[i]));
    }
    if (p.problem() != null) {
      return "  " + what + " at (" + point + "): " + p.problem();
    }
    return String.format(Locale.ROOT, "  %s is wrong at (%s): expected %s (finite differences), "
        + "actual %s, relative error %.3e > tolerance %.1e", what, point,
        bracket(p.expected()), bracket(p.actual()), p.maxRelativeError(), o.tolerance());
  }

  private static String argument(Object a) {
    String values = ResultsFile.doubles(new Object[] {a}).replace(",", ", ");
    return a instanceof double[] ? "[" + values + "]" : values;
  }

  private static String bracket(double[][] values) {
    return "[" + ResultsFile.doubles(values).replace(",", ", ") + "]";
  }

  private Checker.Settings settings() throws MojoExecutionException {
    String[] bounds = range.split(",");
    try {
      double low = Double.parseDouble(bounds[0].strip());
      double high = Double.parseDouble(bounds[1].strip());
      if (bounds.length != 2 || !(low < high)) {
        throw new NumberFormatException();
      }
      return new Checker.Settings(low, high, seed, points, arrayLength, tolerance);
    } catch (RuntimeException e) {
      throw new MojoExecutionException("adjoint:check: <range> must be 'low,high' with low < high,"
          + " got '" + range + "'");
    }
  }

  /** Main and test classes and the test class path, in a loader of their own. */
  private URLClassLoader projectLoader() throws MojoExecutionException {
    try {
      List<URL> urls = new ArrayList<>();
      for (String e : project.getTestClasspathElements()) {
        urls.add(Paths.get(e).toUri().toURL());
      }
      return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    } catch (DependencyResolutionRequiredException | MalformedURLException e) {
      throw new MojoExecutionException("adjoint:check: " + e.getMessage(), e);
    }
  }

  /** The classes compiled from the project's main and test sources. */
  private List<String> classNames() throws IOException {
    List<String> names = new ArrayList<>();
    for (String dir : List.of(project.getBuild().getOutputDirectory(),
        project.getBuild().getTestOutputDirectory())) {
      Path root = Paths.get(dir);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files.map(root::relativize).map(Path::toString)
            .filter(f -> f.endsWith(".class") && !f.endsWith("module-info.class")
                && !f.endsWith("package-info.class"))
            .sorted()
            .forEach(f -> names.add(f.substring(0, f.length() - ".class".length())
                .replace(File.separatorChar, '.')));
      }
    }
    return names;
  }
}
