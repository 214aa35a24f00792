package com.example.twice;

import dev.adjoint.Differentiable;

public final class Model {
  private Model() {}

  @Differentiable
  public static double square(double x) {
    return x * x;
  }
}
