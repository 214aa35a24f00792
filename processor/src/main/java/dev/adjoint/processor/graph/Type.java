package dev.adjoint.processor.graph;

/** The value types a differentiable method may compute with. */
public enum Type {
  DOUBLE("double", true),
  INT("int", false),
  LONG("long", false),
  BOOLEAN("boolean", false),
  DOUBLE_ARRAY("double[]", true),
  /** {@code dev.adjoint.tensor.Tensor}: an immutable dense array of doubles of any shape. */
  TENSOR("Tensor", true),
  /** {@code int[]}, such as a tensor's shape; never differentiated. */
  INT_ARRAY("int[]", false),
  /** A value the generated code keeps but never differentiates: a callee's gradient record. */
  OBJECT("Object", false);

  private final String javaName;
  private final boolean differentiable;

  Type(String javaName, boolean differentiable) {
    this.javaName = javaName;
    this.differentiable = differentiable;
  }

  public String javaName() {
    return javaName;
  }

  /** Whether values of this type can carry a derivative (int, long and boolean never do). */
  public boolean differentiable() {
    return differentiable;
  }

  public boolean isNumeric() {
    return this == DOUBLE || this == INT || this == LONG;
  }
}
