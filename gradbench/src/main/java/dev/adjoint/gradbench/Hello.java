package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/** GradBench's {@code hello}: the square and its derivative. */
public final class Hello {
  private Hello() {}

  @Differentiable
  public static double square(double x) {
    return x * x;
  }

  static final Tool.Module MODULE = (function, input) -> {
    double x = input.getAsDouble();
    return switch (function) {
      case "square" -> () -> square(x);
      case "double" -> () -> HelloGrad.square(x).x();
      default -> null;
    };
  };
}
