package dev.adjoint.processor.numeric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * One row of a numerical test table: a {@code @Differentiable} method of double parameters, the
 * points at which its gradient is checked, and optionally the closed-form gradient.
 *
 * <p>The body is either a list of statements (it contains a {@code ;}) or a single expression,
 * which becomes {@code return <expression>;}.
 */
final class Fn {
  /** A closed-form gradient: one partial derivative per parameter, in parameter order. */
  @FunctionalInterface
  interface Grad {
    double[] at(double[] p);
  }

  final String name;
  final List<String> params;
  final String body;
  final List<double[]> points = new ArrayList<>();
  Grad grad;

  private Fn(String name, List<String> params, String body) {
    this.name = name;
    this.params = params;
    this.body = body;
  }

  /** A function {@code name} of the double parameters named in {@code params} ("x, y"). */
  static Fn fn(String name, String params, String body) {
    List<String> names = Arrays.stream(params.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new Fn(name, names, body);
  }

  /** Adds a point at which the gradient is checked. */
  Fn at(double... point) {
    if (point.length != params.size()) {
      throw new IllegalArgumentException(name + ": point of arity " + point.length);
    }
    points.add(point.clone());
    return this;
  }

  /** The closed-form gradient, compared at 1e-12 relative. */
  Fn grad(Grad g) {
    this.grad = g;
    return this;
  }

  /** The closed-form derivative of a function of one parameter. */
  Fn grad1(DoubleUnaryOperator d) {
    return grad(p -> new double[] {d.applyAsDouble(p[0])});
  }

  /** A copy under another name with another body, same params, points and closed form. */
  Fn copy(String newName, String newBody) {
    Fn f = new Fn(newName, params, newBody);
    f.points.addAll(points);
    f.grad = grad;
    return f;
  }

  String statements() {
    String b = body.strip();
    return b.contains(";") ? b : "return " + b + ";";
  }

  /** The Java source of the method, as it appears in the compiled class. */
  String source() {
    StringBuilder sb = new StringBuilder();
    sb.append("  @Differentiable\n  public static double ").append(name).append('(');
    for (int i = 0; i < params.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append("double ").append(params.get(i));
    }
    sb.append(") {\n");
    for (String line : statements().split("\n")) {
      sb.append("    ").append(line.strip()).append('\n');
    }
    sb.append("  }\n");
    return sb.toString();
  }
}
