package dev.adjoint.maven.generate;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/** What the project's maven-compiler-plugin configuration says, as far as generate needs it. */
public final class CompilerPlugin {
  private static final String KEY = "org.apache.maven.plugins:maven-compiler-plugin";

  private CompilerPlugin() {}

  /** A literal value of the plugin-level configuration, or null. */
  public static String setting(MavenProject project, String name) {
    Plugin compiler = project.getPlugin(KEY);
    if (compiler != null && compiler.getConfiguration() instanceof Xpp3Dom config) {
      Xpp3Dom child = config.getChild(name);
      if (child != null && child.getValue() != null && !child.getValue().contains("${")) {
        return child.getValue().strip();
      }
    }
    return null;
  }

  /** The plugin-level configuration and every execution's. */
  public static List<Xpp3Dom> configurations(MavenProject project) {
    List<Xpp3Dom> out = new ArrayList<>();
    Plugin compiler = project.getPlugin(KEY);
    if (compiler == null) {
      return out;
    }
    if (compiler.getConfiguration() instanceof Xpp3Dom c) {
      out.add(c);
    }
    for (PluginExecution x : compiler.getExecutions()) {
      if (x.getConfiguration() instanceof Xpp3Dom c) {
        out.add(c);
      }
    }
    return out;
  }
}
