package dev.adjoint.processor.numeric;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.check.GradCheck;
import dev.adjoint.processor.testing.Compiled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * Compiles a table of {@link Fn}s as {@code @Differentiable} methods of one class {@code p.Model}
 * (once), and turns every function × point into a dynamic test that compares the generated
 * gradient with finite differences ({@link GradCheck}, 1e-6) and with the closed form (1e-12
 * relative), and the generated value with the original method's result (exactly).
 *
 * <p>If the class does not compile as a whole, every function is compiled on its own, so that
 * only the functions the processor rejects fail, each with javac's diagnostics.
 */
final class FunctionSuite {
  static final double FD_TOLERANCE = 1e-6;
  static final double EXACT_TOLERANCE = 1e-12;

  static final String MODEL = "p.Model";
  static final String GRAD = "p.ModelGrad";

  private final List<Fn> fns;
  private String imports = "";
  private String members = "";
  private final List<String> extraSources = new ArrayList<>();

  private Map<String, Compiled> compiled;
  private Map<String, String> failures;

  FunctionSuite(List<Fn> fns) {
    this.fns = List.copyOf(fns);
    Map<String, Fn> seen = new HashMap<>();
    for (Fn f : fns) {
      if (seen.put(f.name, f) != null) {
        throw new IllegalArgumentException("duplicate function " + f.name);
      }
      if (f.points.size() < 3) {
        throw new IllegalArgumentException(f.name + " has fewer than 3 points");
      }
    }
  }

  /** Extra import lines of {@code p.Model}. */
  FunctionSuite imports(String text) {
    this.imports = text;
    return this;
  }

  /** Extra members (constants) of {@code p.Model}. */
  FunctionSuite members(String text) {
    this.members = text;
    return this;
  }

  /** Another compilation unit compiled together with {@code p.Model}. */
  FunctionSuite source(String className, String text) {
    extraSources.add(className);
    extraSources.add(text);
    return this;
  }

  List<Fn> functions() {
    return fns;
  }

  String modelSource(List<Fn> which) {
    StringBuilder sb = new StringBuilder();
    sb.append("package p;\n\nimport dev.adjoint.Differentiable;\n").append(imports).append('\n');
    sb.append("public final class Model {\n").append(members).append('\n');
    for (Fn f : which) {
      sb.append(f.source()).append('\n');
    }
    return sb.append("}\n").toString();
  }

  private static Compiled tryCompile(String[] sources, StringBuilder error) {
    try {
      return Compiled.of(sources);
    } catch (Throwable t) {
      error.append(t instanceof AssertionError ? t.getMessage() : t.toString());
      return null;
    }
  }

  /** All sources, with every {@code @Differentiable} replaced by {@code annotation}. */
  String[] sourcesAnnotated(String annotation) {
    String[] all = sources(fns);
    all[1] = all[1].replace("@Differentiable\n", annotation + "\n").replace("@Differentiable ", annotation + " ");
    return all;
  }

  private String[] sources(List<Fn> which) {
    List<String> all = new ArrayList<>(List.of(MODEL, modelSource(which)));
    all.addAll(extraSources);
    return all.toArray(String[]::new);
  }

  /** Compiles everything once; on failure, each function separately. */
  synchronized void compile() {
    if (compiled != null) {
      return;
    }
    compiled = new HashMap<>();
    failures = new HashMap<>();
    Compiled all = tryCompile(sources(fns), new StringBuilder());
    if (all != null) {
      fns.forEach(f -> compiled.put(f.name, all));
      return;
    }
    for (Fn f : fns) {
      StringBuilder error = new StringBuilder();
      Compiled one = tryCompile(sources(List.of(f)), error);
      if (one != null) {
        compiled.put(f.name, one);
      } else {
        failures.put(f.name, error.toString());
      }
    }
  }

  /** The compilation holding {@code f}; fails the test with javac's output if there is none. */
  Compiled compiledFor(Fn f) {
    compile();
    Compiled c = compiled.get(f.name);
    if (c == null) {
      fail("the processor did not compile\n" + f.source() + "\n" + failures.get(f.name));
    }
    return c;
  }

  Stream<DynamicNode> tests() {
    return fns.stream().map(this::container);
  }

  private DynamicContainer container(Fn f) {
    List<DynamicNode> nodes = new ArrayList<>();
    nodes.add(DynamicTest.dynamicTest("record components", () -> checkComponents(f)));
    for (double[] p : f.points) {
      nodes.add(DynamicTest.dynamicTest(f.name + describe(f, p), () -> checkPoint(f, p)));
    }
    return DynamicContainer.dynamicContainer(f.name, nodes);
  }

  static String describe(Fn f, double[] p) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < p.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(f.params.get(i)).append('=').append(p[i]);
    }
    return sb.append(')').toString();
  }

  private void checkComponents(Fn f) {
    Compiled c = compiledFor(f);
    Map<String, Object> g = Compiled.components(c.call(GRAD, f.name, boxed(f.points.get(0))));
    List<String> expected = new ArrayList<>(List.of("value"));
    expected.addAll(f.params);
    assertEquals(expected, new ArrayList<>(g.keySet()), "record components of " + f.name);
    g.forEach((k, v) -> assertEquals(Double.class, v.getClass(), "type of component " + k));
  }

  /** The generated record's components, as doubles, in parameter order; index 0 is the value. */
  static double[] generated(Compiled c, Fn f, double[] p) {
    Map<String, Object> g = Compiled.components(c.call(GRAD, f.name, boxed(p)));
    double[] out = new double[f.params.size() + 1];
    out[0] = asDouble(g, "value", f);
    for (int i = 0; i < f.params.size(); i++) {
      out[i + 1] = asDouble(g, f.params.get(i), f);
    }
    return out;
  }

  private static double asDouble(Map<String, Object> g, String key, Fn f) {
    Object v = g.get(key);
    if (!(v instanceof Double d)) {
      throw new AssertionError(f.name + ": record has no double component '" + key + "': " + g);
    }
    return d;
  }

  static Object[] boxed(double[] p) {
    return Arrays.stream(p).boxed().toArray();
  }

  /** Calls the original method {@code p.Model.name}. */
  static double primal(Method m, double[] p) {
    try {
      return (double) m.invoke(null, boxed(p));
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    } catch (InvocationTargetException e) {
      throw new AssertionError(e.getCause());
    }
  }

  static Method primalMethod(Compiled c, Fn f) {
    Class<?>[] types = new Class<?>[f.params.size()];
    Arrays.fill(types, double.class);
    try {
      return c.load(MODEL).getMethod(f.name, types);
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  private void checkPoint(Fn f, double[] p) {
    Compiled c = compiledFor(f);
    Method m = primalMethod(c, f);
    double[] g = generated(c, f, p);
    String where = "\n" + f.source() + "at " + f.name + describe(f, p) + "\n";
    List<Executable> checks = new ArrayList<>();

    double value = primal(m, p);
    checks.add(() -> {
      if (!same(value, g[0])) {
        fail(where + "value: generated " + g[0] + " but the method returns " + value);
      }
    });

    checks.add(() -> {
      double[][] params = new double[p.length][];
      double[][] gradient = new double[p.length][];
      for (int i = 0; i < p.length; i++) {
        params[i] = new double[] {p[i]};
        gradient[i] = new double[] {g[i + 1]};
      }
      GradCheck.Report r = GradCheck.check(
          q -> primal(m, Arrays.stream(q).mapToDouble(a -> a[0]).toArray()),
          f.params.toArray(String[]::new), params, gradient);
      if (!r.passes(FD_TOLERANCE)) {
        fail(where + "finite differences disagree:\n" + r);
      }
    });

    if (f.grad != null) {
      double[] exact = f.grad.at(p.clone());
      for (int i = 0; i < p.length; i++) {
        int k = i;
        checks.add(() -> assertClose(exact[k], g[k + 1], EXACT_TOLERANCE,
            where + "d/d" + f.params.get(k) + " vs closed form"));
      }
    }
    assertAll(checks.stream());
  }

  /** Equal as doubles ({@code 0.0 == -0.0}), or both NaN. */
  static boolean same(double a, double b) {
    return a == b || (Double.isNaN(a) && Double.isNaN(b));
  }

  static void assertClose(double expected, double actual, double rel, String what) {
    if (expected == actual) {
      return;
    }
    double err = Math.abs(expected - actual) / Math.max(Math.abs(expected), Math.abs(actual));
    if (!(err <= rel)) {
      fail(String.format(Locale.ROOT, "%s: expected %.17g but generated %.17g (relative error %.3e)",
          what, expected, actual, err));
    }
  }
}
