package com.example.inc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Differentiable;
import dev.adjoint.check.GradCheck;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Whatever the sources are after the latest edit, what the rebuild left in target/ matches them:
 * every class with {@code @Differentiable} methods has its {@code ...Grad} class (source and class
 * file) with exactly those methods, nothing is left of removed methods or classes, and every
 * gradient is that of the current method body. Runs unchanged after every step of the
 * incremental integration test.
 */
class GeneratedClassesTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path CLASSES = Path.of("target/classes");
  private static final Path GENERATED = Path.of("target/generated-sources/annotations");

  @Test
  void generatedClassesAreExactlyThoseOfTheCurrentSources() throws Exception {
    Set<String> expected = new TreeSet<>();
    for (String name : sourceClasses()) {
      if (!differentiableMethods(Class.forName(name)).isEmpty()) {
        expected.add(name + "Grad");
      }
    }
    assertFalse(expected.isEmpty());
    assertEquals(expected, typeNames(GENERATED, ".java"), "generated sources");

    Set<String> classes = new TreeSet<>(sourceClasses());
    classes.addAll(expected);
    assertEquals(classes, typeNames(CLASSES, ".class"), "top-level class files");
  }

  /** A nested class file (a gradient record) belongs to its current outer class. */
  @Test
  void noNestedClassFileIsLeftOver() throws Exception {
    try (Stream<Path> files = Files.walk(CLASSES)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = CLASSES.relativize(p).toString().replace('/', '.');
        Class<?> nested = Class.forName(name.substring(0, name.length() - ".class".length()));
        Class<?> outer = nested.getDeclaringClass();
        if (name.contains("$")) {
          assertTrue(outer != null && Arrays.asList(outer.getDeclaredClasses()).contains(nested),
              "left-over class file " + p);
        }
      }
    }
  }

  @Test
  void gradClassesHaveExactlyTheDifferentiableMethods() throws Exception {
    for (String name : sourceClasses()) {
      Class<?> type = Class.forName(name);
      List<Method> methods = differentiableMethods(type);
      if (methods.isEmpty()) {
        continue;
      }
      Class<?> grad = Class.forName(name + "Grad");
      Set<String> names = methods.stream().map(Method::getName)
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(names, Arrays.stream(grad.getDeclaredMethods())
          .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName)
          .collect(Collectors.toCollection(TreeSet::new)), grad.getName() + " methods");
      for (Method m : methods) {
        Class<?> record = grad.getMethod(m.getName(), m.getParameterTypes()).getReturnType();
        assertEquals(grad, record.getDeclaringClass(), m + " returns a record of " + grad);
      }
      Set<String> records = methods.stream()
          .map(m -> Character.toUpperCase(m.getName().charAt(0)) + m.getName().substring(1))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(records, Arrays.stream(grad.getDeclaredClasses()).map(Class::getSimpleName)
          .collect(Collectors.toCollection(TreeSet::new)), grad.getName() + " records");
    }
  }

  @Test
  void gradientsAreThoseOfTheCurrentBodies() throws Exception {
    for (String name : sourceClasses()) {
      for (Method m : differentiableMethods(Class.forName(name))) {
        double[] x = new double[m.getParameterCount()];
        for (int i = 0; i < x.length; i++) {
          x[i] = 0.7 + 0.4 * i;
        }
        Object record = Class.forName(name + "Grad")
            .getMethod(m.getName(), m.getParameterTypes()).invoke(null, box(x));
        RecordComponent[] parts = record.getClass().getRecordComponents();
        assertEquals("value", parts[0].getName());
        assertEquals(invoke(m, x), (double) parts[0].getAccessor().invoke(record), 1e-12,
            m + " value");
        assertEquals(x.length + 1, parts.length, m + " record components");
        double[] gradient = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          gradient[i] = (double) parts[i + 1].getAccessor().invoke(record);
        }
        GradCheck.check(p -> invoke(m, p), x, gradient).assertWithin(1e-7);
      }
    }
  }

  /** Top-level classes of src/main/java, by qualified name. */
  private static Set<String> sourceClasses() throws IOException {
    return typeNames(SOURCES, ".java");
  }

  private static Set<String> typeNames(Path root, String suffix) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(suffix))
          .map(p -> root.relativize(p).toString())
          .map(s -> s.substring(0, s.length() - suffix.length()).replace('/', '.'))
          .filter(s -> !s.contains("$"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static List<Method> differentiableMethods(Class<?> type) {
    List<Method> result = new ArrayList<>();
    for (Method m : type.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Differentiable.class)) {
        result.add(m);
      }
    }
    return result;
  }

  private static Object[] box(double[] x) {
    return Arrays.stream(x).boxed().toArray();
  }

  private static double invoke(Method m, double[] x) {
    try {
      return (double) m.invoke(null, box(x));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
