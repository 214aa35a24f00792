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
          : a instanceof Tensor t ? t.toArray() : new double[] {(double) a});
      Object g = grad.get(w);
      if (g instanceof Tensor gt && a instanceof Tensor at && !java.util.Arrays.equals(gt.shape(), at.shape())) {
        throw new AssertionError(method + ": gradient of " + w + " has shape "
            + java.util.Arrays.toString(gt.shape()) + ", the parameter " + java.util.Arrays.toString(at.shape()));
      }
      gradients.add(g instanceof double[] arr ? arr : g instanceof Tensor t ? t.toArray() : new double[] {(double) g});
    }
    GradCheck.Function f = p -> {
      Object[] call = args.clone();
      for (int k = 0; k < positions.size(); k++) {
        int i = positions.get(k);
        call[i] = args[i] instanceof double[] ? p[k]
            : args[i] instanceof Tensor t ? Tensor.of(p[k], t.shape()) : (Object) p[k][0];
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
