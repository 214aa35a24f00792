package com.example.oneentry;

import dev.adjoint.Differentiable;

/** Deleted by the third build: its GoneGrad.java must go with it. */
public final class Gone {
  private Gone() {}

  @Differentiable
  public static double square(double x) {
    return x * x;
  }
}
