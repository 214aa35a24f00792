package dev.adjoint.processor.testing;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.processor.AdjointProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;

/**
 * Compiles Java sources in-process with the Adjoint processor and runs what came out: the test
 * harness for numerical, error and property tests. Sources are given as (fully qualified class
 * name, source text) pairs.
 */
public final class Compiled {
  private final Compilation compilation;
  private final ClassLoader loader;

  private Compiled(Compilation compilation) {
    this.compilation = compilation;
    this.loader = new MemoryLoader(compilation);
  }

  /** Compiles and requires success; the failure message shows javac's diagnostics. */
  public static Compiled of(String... nameAndSource) {
    return ofWith(List.of(), nameAndSource);
  }

  /** Compiles with extra javac options and requires success. */
  public static Compiled ofWith(List<String> options, String... nameAndSource) {
    Compilation c = compileWith(options, nameAndSource);
    if (c.status() != Compilation.Status.SUCCESS) {
      StringBuilder sb = new StringBuilder("compilation failed:\n");
      c.diagnostics().forEach(d -> sb.append(d).append('\n'));
      throw new AssertionError(sb.toString());
    }
    return new Compiled(c);
  }

  /** Compiles without requiring success, for error tests. */
  public static Compilation compile(String... nameAndSource) {
    return compileWith(List.of(), nameAndSource);
  }

  /** Compiles with extra javac options (such as {@code -Aadjoint.graphs=true}). */
  public static Compilation compileWith(List<String> options, String... nameAndSource) {
    List<JavaFileObject> files = new ArrayList<>();
    for (int i = 0; i < nameAndSource.length; i += 2) {
      files.add(JavaFileObjects.forSourceString(nameAndSource[i], nameAndSource[i + 1]));
    }
    List<String> all = new ArrayList<>(List.of("-Xlint:all", "-parameters"));
    all.addAll(options);
    // -Dadjoint.methodLimit=N: every compilation splits generated methods above N bytes (to run
    // whole suites, such as the fuzzer, with every method split)
    String limit = System.getProperty("adjoint.methodLimit");
    if (limit != null && options.stream().noneMatch(o -> o.startsWith("-Aadjoint.methodLimit="))) {
      all.add("-Aadjoint.methodLimit=" + limit);
    }
    return javac().withProcessors(new AdjointProcessor()).withOptions(all).compile(files);
  }

  public Compilation compilation() {
    return compilation;
  }

  /** The generated source of a class, e.g. {@code "p.ModelGrad"}. */
  public String generatedSource(String className) {
    return compilation.generatedSourceFile(className)
        .map(Compiled::sourceOf)
        .orElseThrow(() -> new AssertionError("no generated source " + className));
  }

  public Class<?> load(String className) {
    try {
      return loader.loadClass(className);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  /** Calls a static method by name (the only one of that name). */
  public Object call(String className, String method, Object... args) {
    Class<?> c = load(className);
    Method m = Arrays.stream(c.getMethods())
        .filter(x -> x.getName().equals(method) && x.getParameterCount() == args.length)
        .findFirst().orElseThrow(() -> new AssertionError("no method " + method + " in " + className));
    try {
      return m.invoke(null, args);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(e.getCause());
    }
  }

  /** The components of a record, by name. */
  public static Map<String, Object> components(Object record) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (RecordComponent rc : record.getClass().getRecordComponents()) {
      try {
        out.put(rc.getName(), rc.getAccessor().invoke(record));
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  static String sourceOf(JavaFileObject f) {
    try {
      return f.getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads classes from the compilation's output, falling back to the test class path. */
  private static final class MemoryLoader extends ClassLoader {
    private final Map<String, JavaFileObject> classes = new HashMap<>();

    MemoryLoader(Compilation c) {
      super(Compiled.class.getClassLoader());
      for (JavaFileObject f : c.generatedFiles()) {
        if (f.getKind() == JavaFileObject.Kind.CLASS) {
          String path = f.toUri().getPath();
          int start = path.indexOf("/CLASS_OUTPUT/");
          String name = (start >= 0 ? path.substring(start + "/CLASS_OUTPUT/".length()) : path)
              .replaceFirst("^/", "").replace(".class", "").replace('/', '.');
          classes.put(name, f);
        }
      }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      JavaFileObject f = classes.get(name);
      if (f == null) {
        throw new ClassNotFoundException(name);
      }
      try (InputStream in = f.openInputStream()) {
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new ClassNotFoundException(name, e);
      }
    }
  }
}
