package dev.adjoint.processor.testing;

import dev.adjoint.check.GradCheck;
import dev.adjoint.tensor.Tensor;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks a generated gradient against finite differences of the source method: every
 * differentiated parameter (a record component after {@code value}), scalar or array.
 */
public final class Gradients {
  private Gradients() {}

  /** The report of GradCheck for {@code cls.method(args)}, and the value must match the primal. */
  public static GradCheck.Report check(Compiled c, String cls, String method, Object... args) {
    Method primal = Arrays.stream(c.load(cls).getMethods())
        .filter(m -> m.getName().equals(method)).findFirst().orElseThrow();
    Map<String, Object> grad = Compiled.components(c.call(gradClass(cls), method, args));
    Object primalValue = c.call(cls, method, args);
    if (primalValue instanceof Tensor t) {
      // a layer: the generated f(...) gives the gradient of the sum of its elements
      if (!t.equals(grad.get("value"))) {
        throw new AssertionError(method + ": value " + grad.get("value") + " but the method returns " + t);
      }
    } else {
      double value = (double) primalValue;
      double got = (double) grad.get("value");
      if (!(Double.compare(value, got) == 0 || Math.abs(value - got) <= 1e-12 * Math.max(1, Math.abs(value)))) {
        throw new AssertionError(method + ": value " + got + " but the method returns " + value);
      }
    }
    Parameter[] params = primal.getParameters();
    List<String> names = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    List<double[]> points = new ArrayList<>();
    List<double[]> gradients = new ArrayList<>();
    List<String> wrt = new ArrayList<>(grad.keySet());
    wrt.remove("value");
    for (String w : wrt) {
      int i = indexOf(params, w);
      names.add(w);
      positions.add(i);
      Object a = args[i];
      points.add(a instanceof double[] arr ? arr.clone()
          : a instanceof Tensor t ? t.toArray() : isNested(a) ? flatten(a) : new double[] {(double) a});
      Object g = grad.get(w);
      if (g instanceof Tensor gt && a instanceof Tensor at && !java.util.Arrays.equals(gt.shape(), at.shape())) {
        throw new AssertionError(method + ": gradient of " + w + " has shape "
            + java.util.Arrays.toString(gt.shape()) + ", the parameter " + java.util.Arrays.toString(at.shape()));
      }
      if (isNested(a)) {
        // an n-D gradient has the parameter's shape, ragged rows included
        if (!sameShape(a, g)) {
          throw new AssertionError(method + ": gradient of " + w + " is shaped " + shape(g)
              + ", the parameter " + shape(a));
        }
        gradients.add(flatten(g));
        continue;
      }
      gradients.add(g instanceof double[] arr ? arr : g instanceof Tensor t ? t.toArray() : new double[] {(double) g});
    }
    GradCheck.Function f = p -> {
      Object[] call = args.clone();
      for (int k = 0; k < positions.size(); k++) {
        int i = positions.get(k);
        call[i] = args[i] instanceof double[] ? p[k]
            : args[i] instanceof Tensor t ? Tensor.of(p[k], t.shape())
            : isNested(args[i]) ? unflatten(p[k], args[i]) : (Object) p[k][0];
      }
      Object v = c.call(cls, method, call);
      return v instanceof Tensor t ? t.sum() : (double) v;
    };
    return GradCheck.check(f, names.toArray(String[]::new), points.toArray(double[][]::new),
        gradients.toArray(double[][]::new));
  }

  /** Asserts the gradient matches finite differences to {@code tolerance} (relative). */
  public static void assertMatches(Compiled c, String cls, String method, double tolerance, Object... args) {
    GradCheck.Report r = check(c, cls, method, args);
    if (!r.passes(tolerance)) {
      throw new AssertionError(method + Arrays.deepToString(args) + "\n" + r);
    }
  }

  /** A double[][] or double[][][] (any nesting of double arrays). */
  static boolean isNested(Object a) {
    return a instanceof Object[] arr && arr.getClass().getComponentType().isArray()
        && (arr.getClass().getComponentType() == double[].class || isNestedClass(arr.getClass().getComponentType()));
  }

  private static boolean isNestedClass(Class<?> c) {
    return c.isArray() && (c.getComponentType() == double[].class || isNestedClass(c.getComponentType()));
  }

  /** The elements of a nested double array in row-major order. */
  public static double[] flatten(Object a) {
    List<Double> out = new ArrayList<>();
    flatten(a, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void flatten(Object a, List<Double> out) {
    if (a instanceof double[] d) {
      for (double x : d) {
        out.add(x);
      }
    } else {
      for (Object row : (Object[]) a) {
        flatten(row, out);
      }
    }
  }

  /** A nested array shaped like {@code like} holding {@code flat} in row-major order. */
  public static Object unflatten(double[] flat, Object like) {
    int[] at = {0};
    return unflatten(flat, like, at);
  }

  private static Object unflatten(double[] flat, Object like, int[] at) {
    if (like instanceof double[] d) {
      double[] out = Arrays.copyOfRange(flat, at[0], at[0] + d.length);
      at[0] += d.length;
      return out;
    }
    Object[] rows = (Object[]) like;
    Object[] out = (Object[]) java.lang.reflect.Array.newInstance(rows.getClass().getComponentType(), rows.length);
    for (int i = 0; i < rows.length; i++) {
      out[i] = unflatten(flat, rows[i], at);
    }
    return out;
  }

  /** Whether two nested double arrays have the same shape, ragged rows included. */
  public static boolean sameShape(Object a, Object b) {
    return shape(a).equals(shape(b));
  }

  private static String shape(Object a) {
    if (a instanceof double[] d) {
      return Integer.toString(d.length);
    }
    if (!(a instanceof Object[] rows)) {
      return String.valueOf(a);
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < rows.length; i++) {
      sb.append(i > 0 ? " " : "").append(shape(rows[i]));
    }
    return sb.append(']').toString();
  }

  public static String gradClass(String cls) {
    int dot = cls.lastIndexOf('.');
    return cls.substring(0, dot + 1) + cls.substring(dot + 1).replace('$', '_') + "Grad";
  }

  private static int indexOf(Parameter[] params, String name) {
    for (int i = 0; i < params.length; i++) {
      if (params[i].getName().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no parameter " + name + " (compile with -parameters)");
  }
}
