package dev.adjoint.maven;

import dev.adjoint.maven.generate.CompilerPlugin;
import dev.adjoint.maven.generate.Fingerprint;
import dev.adjoint.maven.generate.LeftOvers;
import dev.adjoint.maven.generate.OutputSync;
import dev.adjoint.maven.generate.ProcessorRun;
import dev.adjoint.maven.generate.SecondProcessorRun;
import dev.adjoint.processor.AdjointProcessor;
import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

/**
 * Runs the Adjoint processor, and only it, over the project's main sources into
 * {@code target/generated-sources/adjoint}, and adds that folder as a source root, so that the
 * compile step compiles the generated {@code ...Grad} classes with the rest. The processor is a
 * dependency of this plugin, not of the project: the compile step's own processor discovery
 * (Lombok, AutoValue, MapStruct on the class path) is left exactly as it was and never runs
 * Adjoint a second time.
 *
 * <p>Incremental: when neither a source file, nor the class path, nor the configuration changed
 * since the last run (a fingerprint in {@code target/adjoint/generate.stamp}), nothing is run and
 * nothing is touched. Otherwise everything is regenerated, unchanged files are left as they were
 * and files no longer produced are deleted.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES,
    requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public class GenerateMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  /** Where the generated sources go; added to the project's compile source roots. */
  @Parameter(property = "adjoint.outputDirectory",
      defaultValue = "${project.build.directory}/generated-sources/adjoint")
  private File outputDirectory;

  /** The plugin's working files: the stamp, the fresh run's output, the inspection files. */
  @Parameter(defaultValue = "${project.build.directory}/adjoint", readonly = true)
  private File workDirectory;

  /** Java release of the sources; as the compiler plugin's (from its property or configuration). */
  @Parameter(property = "maven.compiler.release")
  private String release;

  @Parameter(property = "maven.compiler.source")
  private String source;

  @Parameter(property = "maven.compiler.target")
  private String target;

  @Parameter(property = "encoding", defaultValue = "${project.build.sourceEncoding}")
  private String encoding;

  /**
   * Options for the processor, passed as {@code -Akey=value}: for example
   * {@code <adjoint.timing>true</adjoint.timing>} or {@code <adjoint.graphs>true</adjoint.graphs>}.
   */
  @Parameter
  private Map<String, String> processorOptions;

  /** Skips the goal (the project then compiles without generated gradients). */
  @Parameter(property = "adjoint.skip", defaultValue = "false")
  private boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("adjoint: skipped");
      return;
    }
    Path output = outputDirectory.toPath();
    project.addCompileSourceRoot(output.toString());
    try {
      generate(output);
    } catch (IOException e) {
      throw new MojoExecutionException("adjoint: " + e.getMessage(), e);
    }
  }

  private void generate(Path output) throws IOException, MojoExecutionException, MojoFailureException {
    List<Path> sources = sources(output);
    List<String> classPath = classPath();
    List<String> options = options();
    Path work = workDirectory.toPath();
    Path stamp = work.resolve("generate.stamp");
    String fingerprint = new Fingerprint()
        .text(String.join(" ", options))
        .text(String.valueOf(processorJar()))
        .stamp(processorJar())
        .contents(sources)
        .text("class path")
        .stampEach(classPath)
        .hex();
    if (upToDate(stamp, fingerprint, output)) {
      getLog().info("adjoint: generated sources up to date (" + sources.size()
          + " source files unchanged), nothing regenerated");
      return;
    }
    String twice = SecondProcessorRun.reason(project, classPath);
    if (twice != null) {
      throw new MojoFailureException("adjoint: " + twice);
    }
    for (String f : LeftOvers.delete(compilerGeneratedSources())) {
      getLog().info("adjoint: deleted " + f + ", left in the compiler's generated sources by the "
          + "annotationProcessorPaths set-up");
    }
    if (sources.isEmpty()) {
      getLog().info("adjoint: no Java sources");
    }
    Path fresh = work.resolve("fresh");
    Path classes = work.resolve("no-classes");
    OutputSync.deleteTree(fresh);
    // every run rewrites the inspection files of all classes: none may outlive its class
    OutputSync.deleteTree(inspectDirectory());
    Files.createDirectories(fresh);
    Files.createDirectories(classes);
    Files.deleteIfExists(stamp);
    long start = System.nanoTime();
    ProcessorRun.Result result = sources.isEmpty()
        ? new ProcessorRun.Result(true, List.of())
        : ProcessorRun.run(sources, classPath, options, fresh, classes, charset());
    List<String> errors = report(result);
    if (!errors.isEmpty()) {
      // javac stops after the round with the error, so the run is incomplete: keep the last
      // complete output (the compile step is not reached) and no stamp, so the next build reruns
      OutputSync.deleteTree(fresh);
      throw new MojoFailureException("adjoint: the processor reported " + errors.size()
          + (errors.size() == 1 ? " error" : " errors") + ":\n" + String.join("\n", errors));
    }
    OutputSync.Changes changes = OutputSync.sync(fresh, output);
    OutputSync.deleteTree(fresh);
    long millis = (System.nanoTime() - start) / 1_000_000;
    getLog().info("adjoint: processed " + sources.size() + " source files in " + millis + " ms: "
        + changes.written().size() + " generated files written, " + changes.unchanged().size()
        + " unchanged, " + changes.deleted().size() + " stale deleted");
    for (String f : changes.written()) {
      getLog().debug("adjoint: wrote " + f);
    }
    for (String f : changes.deleted()) {
      getLog().info("adjoint: deleted stale " + f);
    }
    // javac's own errors (names other processors generate) recur with the same inputs: stamped
    Files.writeString(stamp, fingerprint + "\n" + String.join("\n", changes.produced()) + "\n");
  }

  /** The fingerprint matches and every file of the last run is still there. */
  private static boolean upToDate(Path stamp, String fingerprint, Path output) throws IOException {
    if (!Files.isRegularFile(stamp)) {
      return false;
    }
    List<String> lines = Files.readAllLines(stamp);
    if (lines.isEmpty() || !lines.get(0).equals(fingerprint)) {
      return false;
    }
    List<String> produced = lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
    return produced.stream().allMatch(f -> Files.isRegularFile(output.resolve(f)))
        && OutputSync.files(output).size() == produced.size();
  }

  /** Logs every message; returns the processor's errors (javac's own are the compile's business). */
  private List<String> report(ProcessorRun.Result result) {
    List<String> errors = new ArrayList<>();
    int javacErrors = 0;
    for (ProcessorRun.Message m : result.messages()) {
      if (!m.fromProcessor()) {
        if (m.isError()) {
          javacErrors++;
        }
        getLog().debug("adjoint: javac: " + m.text());
        continue;
      }
      switch (m.kind()) {
        case ERROR -> {
          getLog().error(m.text());
          errors.add(m.text());
        }
        case WARNING, MANDATORY_WARNING -> getLog().warn(m.text());
        default -> getLog().info(m.text());
      }
    }
    if (javacErrors > 0) {
      // Typically names that another processor generates (AutoValue_X): the compile step runs
      // every processor and reports what is really missing.
      getLog().info("adjoint: javac reported " + javacErrors + " unresolved names or other errors "
          + "while only Adjoint ran; the compile step reports them if they are real (-X shows them)");
    }
    return errors;
  }

  /** Every .java file of the compile source roots, except this goal's own output. */
  private List<Path> sources(Path output) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String root : project.getCompileSourceRoots()) {
      Path dir = Paths.get(root).toAbsolutePath().normalize();
      if (dir.equals(output.toAbsolutePath().normalize()) || !Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> all = Files.walk(dir)) {
        all.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).forEach(files::add);
      }
    }
    files.sort(null);
    return files;
  }

  /**
   * The compile class path, without the project's own output directory: a class compiled by the
   * last build (an old {@code ModelGrad} among them) must not stand in for the current sources.
   */
  private List<String> classPath() throws MojoExecutionException {
    try {
      Path own = Paths.get(project.getBuild().getOutputDirectory()).toAbsolutePath().normalize();
      List<String> out = new ArrayList<>();
      for (String e : project.getCompileClasspathElements()) {
        if (!Paths.get(e).toAbsolutePath().normalize().equals(own)) {
          out.add(e);
        }
      }
      return out;
    } catch (org.apache.maven.artifact.DependencyResolutionRequiredException e) {
      throw new MojoExecutionException("adjoint: " + e.getMessage(), e);
    }
  }

  private List<String> options() {
    List<String> out = new ArrayList<>();
    String rel = setting(release, "release");
    String src = setting(source, "source");
    String tgt = setting(target, "target");
    if (rel != null) {
      out.add("--release");
      out.add(rel);
    } else {
      if (src != null) {
        out.add("-source");
        out.add(src);
      }
      if (tgt != null) {
        out.add("-target");
        out.add(tgt);
      }
    }
    out.add("-encoding");
    out.add(charset().name());
    // contract with the report goal: the processor writes one inspection file per class here
    out.add("-Aadjoint.inspect=" + inspectDirectory());
    for (Map.Entry<String, String> o : new TreeMap<>(processorOptions == null
        ? Map.<String, String>of() : processorOptions).entrySet()) {
      out.add("-A" + o.getKey() + "=" + o.getValue());
    }
    return out;
  }

  /** maven-compiler-plugin's generatedSourcesDirectory (its default unless configured). */
  private Path compilerGeneratedSources() {
    String configured = setting(null, "generatedSourcesDirectory");
    return configured != null ? Paths.get(configured)
        : Paths.get(project.getBuild().getDirectory(), "generated-sources", "annotations");
  }

  private Path inspectDirectory() {
    return workDirectory.toPath().resolve("inspect");
  }

  /** Our parameter (from the maven.compiler.* property), else the compiler plugin's configuration. */
  private String setting(String ours, String name) {
    return ours != null && !ours.isBlank() ? ours.strip() : CompilerPlugin.setting(project, name);
  }

  private Charset charset() {
    return encoding == null || encoding.isBlank() ? StandardCharsets.UTF_8 : Charset.forName(encoding);
  }

  /** The jar (or directory) this plugin loads the processor from. */
  private static Path processorJar() {
    try {
      return Paths.get(AdjointProcessor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      return Paths.get("unknown");
    }
  }
}
