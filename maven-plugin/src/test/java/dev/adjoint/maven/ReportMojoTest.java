package dev.adjoint.maven;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportMojoTest {
  static ReportMojo mojo(Path inspect, Path out) throws Exception {
    ReportMojo mojo = new ReportMojo();
    set(mojo, "inspectDirectory", inspect.toFile());
    set(mojo, "checkResults", inspect.resolve("none.tsv").toFile());
    set(mojo, "reportDirectory", out.toFile());
    return mojo;
  }

  private static void set(Object o, String name, Object value) throws Exception {
    Field f = ReportMojo.class.getDeclaredField(name);
    f.setAccessible(true);
    f.set(o, value);
  }

  @Test
  void withoutInspectionFilesItFailsSayingHowToRecordThem(@TempDir Path dir) throws Exception {
    MojoExecutionException e = assertThrows(MojoExecutionException.class,
        () -> mojo(dir.resolve("inspect"), dir.resolve("report")).execute());
    assertTrue(e.getMessage().contains("No Adjoint inspection files in " + dir.resolve("inspect")), e.getMessage());
    assertTrue(e.getMessage().contains("adjoint:generate") && e.getMessage().contains("-Aadjoint.inspect="),
        e.getMessage());
    assertTrue(!Files.exists(dir.resolve("report")), "nothing written");
  }

  @Test
  void withThemItWritesTheIndexAndAPagePerClass(@TempDir Path dir) throws Exception {
    Path inspect = Path.of(ReportMojoTest.class.getResource("/inspect").toURI());
    mojo(inspect, dir).execute();
    assertTrue(new File(dir.toFile(), "index.html").isFile());
    assertTrue(new File(dir.toFile(), "dev.adjoint.gradbench.Gmm.html").isFile());
    assertTrue(new File(dir.toFile(), "dev.adjoint.samples.LogisticRegressionDemo.html").isFile());
  }
}
