package dev.adjoint.benchmarks.baseline;

/**
 * BASELINE (run-time tape AD, not Adjoint): one node of the graph recorded while a function runs.
 * It keeps its value, the adjoint accumulated so far, up to two inputs and the local partial
 * derivative of this node with respect to each (computed when the node is created, so the
 * backward walk is the same two multiply-adds for every operation).
 */
public final class Value {
  /** The value computed in the forward run. */
  public final double data;
  /** ∂output/∂this, accumulated by {@link Graph#backward}. */
  public double grad;
  final Value a;
  final double da;
  final Value b;
  final double db;

  Value(double data, Value a, double da, Value b, double db) {
    this.data = data;
    this.a = a;
    this.da = da;
    this.b = b;
    this.db = db;
  }
}
