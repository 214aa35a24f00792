package dev.adjoint.gradbench;

import com.google.gson.JsonElement;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Each evaluation runs on its own copy of Adjoint's classes (the evals, their generated code and
 * the runtime), loaded afresh, so that the JIT profiles and compiles them for that input alone, as
 * it would in a program that solves one problem size; shared classes would keep the code that C2
 * compiled for the first, smallest input (HotSpot sizes loop unrolling and vectorisation from the
 * trip counts it profiled, and does not recompile when they grow). Nothing is kept between
 * evaluations: each one parses its input and runs every timed call from scratch. Opt-in, with
 * {@code ADJOINT_GRADBENCH_JAVA_OPTS=-Dadjoint.gradbench.freshClasses=true}: every input then pays
 * its own JIT warm-up inside the timed window, which a 2 s window does not always cover for the
 * large inputs (gmm's gradient at d = 64, k = 50 ran interpreted for seconds under load).
 */
final class FreshClasses {
  static final boolean ON = Boolean.getBoolean("adjoint.gradbench.freshClasses");

  private FreshClasses() {}

  /** {@code module}'s function {@code name} for {@code input}, from a fresh copy of the classes. */
  @SuppressWarnings("unchecked")
  static Supplier<Object> prepare(String module, String name, JsonElement input) {
    ClassLoader loader = new ChildFirst(classPath(), Tool.class.getClassLoader());
    try {
      Class<?> tool = loader.loadClass(Tool.class.getName());
      Field modules = tool.getDeclaredField("MODULES");
      modules.setAccessible(true);
      Object m = ((Map<?, ?>) modules.get(null)).get(module);
      if (m == null) return null;
      Method prepare = loader.loadClass(Tool.Module.class.getName())
          .getMethod("prepare", String.class, JsonElement.class);
      return (Supplier<Object>) prepare.invoke(m, name, input);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static URL[] classPath() {
    String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
    URL[] urls = new URL[entries.length];
    try {
      for (int i = 0; i < entries.length; i++) urls[i] = new File(entries[i]).toURI().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(new IOException(e));
    }
    return urls;
  }

  /** Loads {@code dev.adjoint.*} itself; everything else (Gson, the JDK) from the parent. */
  private static final class ChildFirst extends URLClassLoader {
    ChildFirst(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("dev.adjoint.")) return super.loadClass(name, resolve);
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) c = findClass(name);
        if (resolve) resolveClass(c);
        return c;
      }
    }
  }
}
