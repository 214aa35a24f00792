package dev.adjoint.maven.check;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;

/**
 * A derivative the check compares with finite differences: a {@code @Derivative} method against
 * the method it is the derivative of, or a {@code @Differentiable} method's generated gradient
 * against the method itself.
 *
 * @param name {@code Class.method}, as the messages name it
 * @param checked the method that carries the derivative (and the {@code @CheckAt}, if any)
 * @param function the function that is differentiated
 * @param differentiated positions of the parameters the derivative has an entry for
 * @param gradient the derivative at a point: one array per differentiated parameter
 * @param checkAt the {@code @CheckAt} of the checked method (or of the function), or null
 */
public record CheckTarget(String name, Method checked, Method function, int[] differentiated,
    Gradient gradient, CheckAtValues checkAt) {

  /** The derivative under test. */
  @FunctionalInterface
  public interface Gradient {
    double[][] at(Object[] args) throws ReflectiveOperationException;
  }

  /** What a {@code @CheckAt} says (read by name: the project's runtime is not the plugin's). */
  public record CheckAtValues(String[] points, int length, double tolerance) {}

  /** The function's value at args. */
  public double value(Object[] args) throws ReflectiveOperationException {
    return ((Number) invoke(function, args)).doubleValue();
  }

  /** The parameter names for messages: the source names if compiled with -parameters. */
  public String parameterName(int i) {
    Parameter p = function.getParameters()[i];
    return p.isNamePresent() ? p.getName() : "arg" + i;
  }

  /** The differentiated arguments at args, as GradCheck takes them (a double as a double[1]). */
  public double[][] differentiatedValues(Object[] args) {
    double[][] out = new double[differentiated.length][];
    for (int k = 0; k < differentiated.length; k++) {
      Object a = args[differentiated[k]];
      out[k] = a instanceof double[] d ? d.clone() : new double[] {(Double) a};
    }
    return out;
  }

  /** args with the differentiated arguments replaced by values (the inverse of the above). */
  public Object[] with(Object[] args, double[][] values) {
    Object[] out = args.clone();
    for (int k = 0; k < differentiated.length; k++) {
      out[differentiated[k]] = args[differentiated[k]] instanceof double[] ? values[k] : values[k][0];
    }
    return out;
  }

  /** Calls m, making what it threw the exception (not an InvocationTargetException around it). */
  static Object invoke(Method m, Object[] args) throws ReflectiveOperationException {
    try {
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return name + Arrays.toString(function.getParameterTypes());
  }
}
