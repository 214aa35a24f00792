package dev.adjoint.processor.constructs;

import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.processor.AdjointProcessor;
import java.io.File;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;
import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library compiled earlier (here without {@code -parameters}, so its class files have lost
 * the parameter names) is called from a {@code @Differentiable} method compiled later: the caller
 * finds the library's generated gradient class and its record components.
 */
class SeparateCompilationTest {
  @TempDir Path dir;

  @Test
  void callsIntoALibraryCompiledEarlier() throws Exception {
    Compilation lib = javac().withProcessors(new AdjointProcessor()).compile(
        JavaFileObjects.forSourceString("lib.Kernels", """
            package lib;
            import dev.adjoint.Differentiable;
            import dev.adjoint.Derivative;
            public final class Kernels {
              @Differentiable
              public static double bump(double center, double width, double[] weights) {
                double s = 0;
                for (double w : weights) {
                  s += w * w;
                }
                return Math.exp(-center * center / width) * s;
              }
              public static double stable(double t) {
                return Math.log1p(Math.exp(t));
              }
              @Derivative(of = "stable")
              public static double stableDerivative(double t) {
                return 1 / (1 + Math.exp(-t));
              }
            }
            """));
    assertEquals(Compilation.Status.SUCCESS, lib.status(), lib.diagnostics().toString());
    Path classes = dir.resolve("lib-classes");
    for (JavaFileObject f : lib.generatedFiles()) {
      if (f.getKind() == JavaFileObject.Kind.CLASS) {
        String path = f.toUri().getPath();
        String rel = path.substring(path.indexOf("/CLASS_OUTPUT/") + "/CLASS_OUTPUT/".length());
        Path out = classes.resolve(rel);
        Files.createDirectories(out.getParent());
        try (InputStream in = f.openInputStream()) {
          Files.write(out, in.readAllBytes());
        }
      }
    }

    String runtime = new File(dev.adjoint.Differentiable.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()).getPath();
    Compilation app = javac().withProcessors(new AdjointProcessor())
        .withClasspath(List.of(classes.toFile(), new File(runtime)))
        .compile(JavaFileObjects.forSourceString("app.Model", """
            package app;
            import dev.adjoint.Differentiable;
            import lib.Kernels;
            public final class Model {
              @Differentiable
              public static double loss(double a, double b, double[] w) {
                return Kernels.bump(a, b, w) * a + Kernels.stable(b * a);
              }
            }
            """));
    assertEquals(Compilation.Status.SUCCESS, app.status(), app.diagnostics().toString());

    Path appClasses = dir.resolve("app-classes");
    for (JavaFileObject f : app.generatedFiles()) {
      if (f.getKind() == JavaFileObject.Kind.CLASS) {
        String path = f.toUri().getPath();
        String rel = path.substring(path.indexOf("/CLASS_OUTPUT/") + "/CLASS_OUTPUT/".length());
        Path out = appClasses.resolve(rel);
        Files.createDirectories(out.getParent());
        try (InputStream in = f.openInputStream()) {
          Files.write(out, in.readAllBytes());
        }
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {appClasses.toUri().toURL(),
        classes.toUri().toURL()}, getClass().getClassLoader())) {
      Method grad = loader.loadClass("app.ModelGrad").getMethod("loss", double.class, double.class, double[].class);
      Method primal = loader.loadClass("app.Model").getMethod("loss", double.class, double.class, double[].class);
      double a = 0.7;
      double b = 1.3;
      double[] w = {0.5, -1.5, 2.0};
      Map<String, Object> g = Compiled.components(grad.invoke(null, a, b, w));
      double h = 1e-6;
      double da = ((double) primal.invoke(null, a + h, b, w) - (double) primal.invoke(null, a - h, b, w)) / (2 * h);
      double db = ((double) primal.invoke(null, a, b + h, w) - (double) primal.invoke(null, a, b - h, w)) / (2 * h);
      assertEquals(da, (double) g.get("a"), 1e-6 * Math.max(1, Math.abs(da)));
      assertEquals(db, (double) g.get("b"), 1e-6 * Math.max(1, Math.abs(db)));
      double[] dw = (double[]) g.get("w");
      for (int i = 0; i < w.length; i++) {
        double[] up = w.clone();
        double[] down = w.clone();
        up[i] += h;
        down[i] -= h;
        double fd = ((double) primal.invoke(null, a, b, up) - (double) primal.invoke(null, a, b, down)) / (2 * h);
        assertEquals(fd, dw[i], 1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  }

}
