package dev.adjoint.processor.constructs;

import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.processor.AdjointProcessor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;
import dev.adjoint.processor.testing.Compiled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller's reverse sweep calls a library callee's accumulating overload {@code
 * fAccumulate(params..., seed, adjoint arrays...)} only where the library's generated class has
 * it: a library compiled before the overload existed has only the gradient record, and the caller
 * then adds that dense gradient instead (its generated code must compile either way). The old
 * library is reproduced honestly: the library compiled by this processor, its generated source
 * compiled again without the processor after removing the one method an earlier processor did not
 * write. Gradients checked against finite differences.
 */
class AccumulatingAcrossCompilationsTest {
  @TempDir Path dir;

  private static final String LIBRARY = """
      package lib;
      import dev.adjoint.Differentiable;
      public final class Pairs {
        /** Reads two elements of x. */
        @Differentiable(wrt = "x")
        public static double pair(double[] x, int i) {
          return Math.sin(x[i]) * x[i + 1];
        }
      }
      """;

  private static final String CONSUMER = """
      package app;
      import dev.adjoint.Differentiable;
      import lib.Pairs;
      public final class Chain {
        @Differentiable
        public static double loss(double[] x) {
          double s = 0;
          for (int i = 0; i + 1 < x.length; i++) {
            s += Pairs.pair(x, i) * x[i];
          }
          return s;
        }
      }
      """;

  @Test
  void aLibraryWithoutTheAccumulatingOverloadGetsTheDenseGradientCall() throws Exception {
    Compilation lib = javac().withProcessors(new AdjointProcessor())
        .compile(JavaFileObjects.forSourceString("lib.Pairs", LIBRARY));
    assertEquals(Compilation.Status.SUCCESS, lib.status(), lib.diagnostics().toString());
    String generated = lib.generatedSourceFile("lib.PairsGrad").orElseThrow().getCharContent(true).toString();
    String old = withoutMethod(generated, "pairAccumulate");
    assertFalse(old.contains("pairAccumulate"), old);
    // the library as an earlier processor left it: its source and generated source, no processor
    Compilation oldLib = javac().withProcessors().withOptions("-proc:none").compile(
        JavaFileObjects.forSourceString("lib.Pairs", LIBRARY),
        JavaFileObjects.forSourceString("lib.PairsGrad", old));
    assertEquals(Compilation.Status.SUCCESS, oldLib.status(), oldLib.diagnostics().toString());
    Path libClasses = write(oldLib, dir.resolve("lib-classes"));

    Compilation app = consumer(libClasses);
    assertEquals(Compilation.Status.SUCCESS, app.status(), app.diagnostics().toString());
    String caller = app.generatedSourceFile("app.ChainGrad").orElseThrow().getCharContent(true).toString();
    assertFalse(caller.contains("pairAccumulate"), caller);
    assertTrue(caller.contains("Pairs.pair(") || caller.contains("PairsGrad.pair("), caller);
    checkGradient(write(app, dir.resolve("app-classes")), libClasses);
  }

  @Test
  void aLibraryWithTheAccumulatingOverloadIsCalledThroughIt() throws Exception {
    Compilation lib = javac().withProcessors(new AdjointProcessor())
        .compile(JavaFileObjects.forSourceString("lib.Pairs", LIBRARY));
    assertEquals(Compilation.Status.SUCCESS, lib.status(), lib.diagnostics().toString());
    Path libClasses = write(lib, dir.resolve("lib-classes"));

    Compilation app = consumer(libClasses);
    assertEquals(Compilation.Status.SUCCESS, app.status(), app.diagnostics().toString());
    String caller = app.generatedSourceFile("app.ChainGrad").orElseThrow().getCharContent(true).toString();
    assertTrue(caller.contains("PairsGrad.pairAccumulate("), caller);
    checkGradient(write(app, dir.resolve("app-classes")), libClasses);
  }

  private static Compilation consumer(Path libClasses) throws Exception {
    String runtime = new File(dev.adjoint.Differentiable.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()).getPath();
    String runtimeSupport = new File(dev.adjoint.runtime.Differentiated.class.getProtectionDomain()
        .getCodeSource().getLocation().toURI()).getPath();
    return javac().withProcessors(new AdjointProcessor())
        .withClasspath(List.of(libClasses.toFile(), new File(runtime), new File(runtimeSupport)))
        .compile(JavaFileObjects.forSourceString("app.Chain", CONSUMER));
  }

  /** The source without the member named {@code method} (and its javadoc). */
  private static String withoutMethod(String source, String method) {
    int at = source.indexOf(" " + method + "(");
    assertTrue(at >= 0, source);
    int lineStart = source.lastIndexOf('\n', at) + 1;
    int doc = source.lastIndexOf("/**", lineStart);
    int docEnd = source.lastIndexOf("*/", lineStart);
    int start = doc >= 0 && docEnd > doc && source.substring(docEnd + 2, lineStart).isBlank()
        ? source.lastIndexOf('\n', doc) + 1 : lineStart;
    int depth = 0;
    int end = source.indexOf('{', at);
    do {
      char ch = source.charAt(end++);
      depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
    } while (depth > 0);
    return source.substring(0, start) + source.substring(end);
  }

  private static Path write(Compilation c, Path classes) throws IOException {
    for (JavaFileObject f : c.generatedFiles()) {
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
    return classes;
  }

  private void checkGradient(Path appClasses, Path libClasses) throws Exception {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {appClasses.toUri().toURL(),
        libClasses.toUri().toURL()}, getClass().getClassLoader())) {
      Method grad = loader.loadClass("app.ChainGrad").getMethod("loss", double[].class);
      Method primal = loader.loadClass("app.Chain").getMethod("loss", double[].class);
      double[] x = {0.3, -1.2, 0.8, 2.1, -0.4, 1.7};
      Map<String, Object> g = Compiled.components(grad.invoke(null, (Object) x));
      double[] dx = (double[]) g.get("x");
      double h = 1e-6;
      for (int i = 0; i < x.length; i++) {
        double[] up = x.clone();
        double[] down = x.clone();
        up[i] += h;
        down[i] -= h;
        double fd = ((double) primal.invoke(null, (Object) up) - (double) primal.invoke(null, (Object) down)) / (2 * h);
        assertEquals(fd, dx[i], 1e-6 * Math.max(1, Math.abs(fd)), () -> "x[" + Arrays.toString(x) + "]");
      }
    }
  }
}
