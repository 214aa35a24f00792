package dev.adjoint.benchmarks.baseline;

import java.util.Arrays;

/**
 * BASELINE (run-time tape AD, not Adjoint): records every operation as a {@link Value} node in
 * creation order while the function runs, then {@link #backward} walks the nodes in reverse and
 * pushes each node's adjoint to its inputs ({@code input.grad += local * grad}, so a value used
 * twice receives both contributions). One graph per gradient evaluation, as in autograd; the
 * operations are the ones the scalar suite needs.
 */
public final class Graph {
  private Value[] nodes = new Value[64];
  private int size;

  /** An input to differentiate with respect to; its gradient is in {@link Value#grad}. */
  public Value variable(double value) {
    return new Value(value, null, 0, null, 0);
  }

  private Value record(Value v) {
    if (size == nodes.length) {
      nodes = Arrays.copyOf(nodes, size * 2);
    }
    nodes[size++] = v;
    return v;
  }

  private Value unary(double value, Value a, double da) {
    return record(new Value(value, a, da, null, 0));
  }

  private Value binary(double value, Value a, double da, Value b, double db) {
    return record(new Value(value, a, da, b, db));
  }

  public Value add(Value a, Value b) {
    return binary(a.data + b.data, a, 1, b, 1);
  }

  public Value sub(Value a, Value b) {
    return binary(a.data - b.data, a, 1, b, -1);
  }

  public Value mul(Value a, Value b) {
    return binary(a.data * b.data, a, b.data, b, a.data);
  }

  public Value div(Value a, Value b) {
    double inv = 1 / b.data;
    double q = a.data * inv;
    return binary(q, a, inv, b, -q * inv);
  }

  public Value add(Value a, double c) {
    return unary(a.data + c, a, 1);
  }

  public Value add(double c, Value a) {
    return unary(c + a.data, a, 1);
  }

  /** {@code c - a}. */
  public Value sub(double c, Value a) {
    return unary(c - a.data, a, -1);
  }

  public Value sub(Value a, double c) {
    return unary(a.data - c, a, 1);
  }

  public Value mul(double c, Value a) {
    return unary(c * a.data, a, c);
  }

  public Value neg(Value a) {
    return unary(-a.data, a, -1);
  }

  public Value square(Value a) {
    return unary(a.data * a.data, a, 2 * a.data);
  }

  public Value sin(Value a) {
    return unary(Math.sin(a.data), a, Math.cos(a.data));
  }

  public Value exp(Value a) {
    double e = Math.exp(a.data);
    return unary(e, a, e);
  }

  public Value log(Value a) {
    return unary(Math.log(a.data), a, 1 / a.data);
  }

  public Value log1p(Value a) {
    return unary(Math.log1p(a.data), a, 1 / (1 + a.data));
  }

  public Value sqrt(Value a) {
    double r = Math.sqrt(a.data);
    return unary(r, a, 0.5 / r);
  }

  public Value tanh(Value a) {
    double t = Math.tanh(a.data);
    return unary(t, a, 1 - t * t);
  }

  /** Number of recorded nodes. */
  public int size() {
    return size;
  }

  /** Sets {@code output.grad = 1} and propagates adjoints to every recorded node's inputs. */
  public void backward(Value output) {
    output.grad = 1;
    for (int i = size - 1; i >= 0; i--) {
      Value v = nodes[i];
      double g = v.grad;
      if (g == 0) {
        continue;
      }
      if (v.a != null) {
        v.a.grad += v.da * g;
      }
      if (v.b != null) {
        v.b.grad += v.db * g;
      }
    }
  }
}
