package dev.adjoint.maven.check;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds the derivatives of a class to check: every {@code @Derivative} method and, if asked,
 * every static {@code @Differentiable} method with its generated gradient. The annotations are
 * read by name, because the class comes from the project's class loader, with its own copy of
 * adjoint-runtime. What cannot be checked is told to {@code skipped} with the reason.
 */
public final class CheckTargets {
  static final String DERIVATIVE = "dev.adjoint.Derivative";
  static final String DIFFERENTIABLE = "dev.adjoint.Differentiable";
  static final String CHECK_AT = "dev.adjoint.check.CheckAt";

  private CheckTargets() {}

  public static List<CheckTarget> find(Class<?> c, boolean differentiable, Consumer<String> skipped) {
    List<CheckTarget> out = new ArrayList<>();
    Method[] methods = c.getDeclaredMethods();
    Arrays.sort(methods, (a, b) -> a.toString().compareTo(b.toString()));
    for (Method m : methods) {
      Annotation derivative = annotation(m, DERIVATIVE);
      if (derivative != null) {
        derivative(c, m, (String) attribute(derivative, "of"), skipped, out);
      } else if (differentiable && annotation(m, DIFFERENTIABLE) != null) {
        differentiable(c, m, skipped, out);
      }
    }
    return out;
  }

  private static void derivative(Class<?> c, Method d, String of, Consumer<String> skipped,
      List<CheckTarget> out) {
    String name = simpleName(c) + "." + d.getName();
    Method original = null;
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(of) && !m.equals(d)
          && Arrays.equals(m.getParameterTypes(), d.getParameterTypes())) {
        original = m;
      }
    }
    if (original == null || !Modifier.isStatic(d.getModifiers())
        || !Modifier.isStatic(original.getModifiers()) || original.getReturnType() != double.class) {
      skipped.accept(name + ": not a static derivative of a static double method " + of
          + " with the same parameters (the compile reports why)");
      return;
    }
    List<Integer> doubles = new ArrayList<>();
    Class<?>[] types = original.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      if (types[i] == double.class) {
        doubles.add(i);
      }
    }
    d.setAccessible(true);
    original.setAccessible(true);
    boolean scalar = d.getReturnType() == double.class;
    CheckTarget.Gradient gradient = args -> {
      Object r = CheckTarget.invoke(d, args);
      if (scalar) {
        return new double[][] {{(Double) r}};
      }
      double[] partials = (double[]) r;
      if (partials == null || partials.length != doubles.size()) {
        throw new IllegalStateException(name + " returned " + (partials == null ? "null"
            : partials.length + " partials") + " for " + doubles.size() + " double parameters");
      }
      double[][] g = new double[partials.length][];
      for (int k = 0; k < partials.length; k++) {
        g[k] = new double[] {partials[k]};
      }
      return g;
    };
    out.add(new CheckTarget(name, d, original,
        doubles.stream().mapToInt(Integer::intValue).toArray(), gradient, checkAt(d, original)));
  }

  private static void differentiable(Class<?> c, Method f, Consumer<String> skipped,
      List<CheckTarget> out) {
    String name = simpleName(c) + "." + f.getName();
    if (!Modifier.isStatic(f.getModifiers())) {
      skipped.accept(name + ": an instance method, the check has no instance to call it on");
      return;
    }
    if (f.getReturnType() != double.class) {
      skipped.accept(name + ": returns " + f.getReturnType().getSimpleName() + ", not double");
      return;
    }
    Method generated = generated(c, f);
    if (generated == null) {
      skipped.accept(name + ": no generated gradient " + gradClassName(c) + "." + f.getName()
          + " on the test class path");
      return;
    }
    Class<?> record = generated.getReturnType();
    RecordComponent[] components = record.getRecordComponents();
    if (components == null) {
      skipped.accept(name + ": " + record.getName() + " is not a record");
      return;
    }
    Class<?>[] types = f.getParameterTypes();
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      if (types[i] == double.class || types[i] == double[].class) {
        candidates.add(i);
      } else if (!PointParser.supported(types[i])) {
        skipped.accept(name + ": parameter " + (i + 1) + " is a " + types[i].getSimpleName()
            + ", which the check cannot give");
        return;
      }
    }
    List<RecordComponent> partials = new ArrayList<>(Arrays.asList(components));
    partials.removeIf(rc -> rc.getName().equals("value"));
    int[] differentiated = match(f, candidates, partials);
    if (differentiated == null) {
      skipped.accept(name + ": cannot tell which parameters " + record.getSimpleName()
          + " differentiates (compile with -parameters)");
      return;
    }
    generated.setAccessible(true);
    f.setAccessible(true);
    CheckTarget.Gradient gradient = args -> {
      Object r = CheckTarget.invoke(generated, args);
      double[][] g = new double[partials.size()][];
      for (int k = 0; k < g.length; k++) {
        RecordComponent rc = partials.get(k);
        rc.getAccessor().setAccessible(true);
        Object v = rc.getAccessor().invoke(r);
        g[k] = v instanceof double[] a ? a : new double[] {(Double) v};
      }
      return g;
    };
    out.add(new CheckTarget(name, f, f, differentiated, gradient, checkAt(f, null)));
  }

  /**
   * The parameter behind each partial: by name when the class has parameter names, else in
   * order when every double/double[] parameter has one (the default wrt); null if unknown.
   */
  private static int[] match(Method f, List<Integer> candidates, List<RecordComponent> partials) {
    int[] out = new int[partials.size()];
    var params = f.getParameters();
    if (params.length > 0 && params[0].isNamePresent()) {
      for (int k = 0; k < out.length; k++) {
        out[k] = -1;
        for (int i : candidates) {
          if (params[i].getName().equals(partials.get(k).getName())) {
            out[k] = i;
          }
        }
        if (out[k] < 0) {
          return null;
        }
      }
      return out;
    }
    if (candidates.size() != partials.size()) {
      return null;
    }
    for (int k = 0; k < out.length; k++) {
      out[k] = candidates.get(k);
    }
    return out;
  }

  private static Method generated(Class<?> c, Method f) {
    try {
      Class<?> grad = Class.forName(gradClassName(c), false, c.getClassLoader());
      return grad.getDeclaredMethod(f.getName(), f.getParameterTypes());
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
      return null;
    }
  }

  /** ModelGrad for Model, Outer_InnerGrad for Outer.Inner, in the same package. */
  static String gradClassName(Class<?> c) {
    String pkg = c.getPackageName();
    String nested = simpleName(c).replace('.', '_');
    return (pkg.isEmpty() ? "" : pkg + ".") + nested + "Grad";
  }

  /** Outer.Inner for a nested class. */
  static String simpleName(Class<?> c) {
    return c.getEnclosingClass() == null ? c.getSimpleName()
        : simpleName(c.getEnclosingClass()) + "." + c.getSimpleName();
  }

  private static CheckTarget.CheckAtValues checkAt(Method m, Method fallback) {
    Annotation a = annotation(m, CHECK_AT);
    if (a == null && fallback != null) {
      a = annotation(fallback, CHECK_AT);
    }
    if (a == null) {
      return null;
    }
    return new CheckTarget.CheckAtValues((String[]) attribute(a, "value"),
        (Integer) attribute(a, "length"), (Double) attribute(a, "tolerance"));
  }

  private static Annotation annotation(Method m, String type) {
    for (Annotation a : m.getAnnotations()) {
      if (a.annotationType().getName().equals(type)) {
        return a;
      }
    }
    return null;
  }

  private static Object attribute(Annotation a, String name) {
    try {
      Method m = a.annotationType().getMethod(name);
      m.setAccessible(true);
      return m.invoke(a);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("@" + a.annotationType().getSimpleName() + "." + name
          + " of another version of adjoint-runtime", e);
    }
  }
}
