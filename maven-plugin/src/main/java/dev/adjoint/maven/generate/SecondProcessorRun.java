package dev.adjoint.maven.generate;

import dev.adjoint.processor.AdjointProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * Whether the compile step would run the processor again (it is then a project dependency, on
 * the compile class path, or in the compiler's annotationProcessorPaths): both runs would write
 * the same {@code ...Grad} classes and the compile would fail on duplicate classes.
 */
public final class SecondProcessorRun {
  private static final String ARTIFACT = "adjoint-processor";
  private static final String FIX = " With adjoint-maven-plugin the processor is the plugin's:"
      + " remove it there (only dev.adjoint:adjoint-runtime is a project dependency).";

  private SecondProcessorRun() {}

  /** Why the compile step would run Adjoint a second time, or null if it would not. */
  public static String reason(MavenProject project, List<String> classPath) {
    for (Artifact a : project.getArtifacts()) {
      if (a.getArtifactId().equals(ARTIFACT) && "dev.adjoint".equals(a.getGroupId())
          && !"pom".equals(a.getType()) && !Artifact.SCOPE_TEST.equals(a.getScope())) {
        return "dev.adjoint:adjoint-processor is a dependency of " + project.getArtifactId()
            + ", so the compile step would run Adjoint a second time." + FIX;
      }
    }
    for (String e : classPath) {
      if (e.endsWith(".jar") && registersProcessor(Path.of(e))) {
        return e + " registers the Adjoint processor on the compile class path, so the compile"
            + " step would run Adjoint a second time." + FIX;
      }
    }
    for (Xpp3Dom config : CompilerPlugin.configurations(project)) {
      Xpp3Dom paths = config.getChild("annotationProcessorPaths");
      for (Xpp3Dom path : paths == null ? new Xpp3Dom[0] : paths.getChildren()) {
        Xpp3Dom id = path.getChild("artifactId");
        if (id != null && ARTIFACT.equals(id.getValue())) {
          return "maven-compiler-plugin lists adjoint-processor in annotationProcessorPaths, so"
              + " the compile step would run Adjoint a second time." + FIX;
        }
      }
    }
    return null;
  }

  private static boolean registersProcessor(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      var entry = zip.getEntry("META-INF/services/javax.annotation.processing.Processor");
      if (entry == null) {
        return false;
      }
      String services = new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
      return services.contains(AdjointProcessor.class.getName());
    } catch (IOException e) {
      return false;
    }
  }
}
