package com.example.inc;

import dev.adjoint.Differentiable;

/** Deleted in step "change": GoneGrad must disappear with it. */
public final class Gone {
  private Gone() {}

  @Differentiable
  public static double square(double x) {
    return x * x;
  }
}
