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
  /** {@code long[]}: data, never differentiated. */
  LONG_ARRAY("long[]", false),
  /** {@code boolean[]}: data, never differentiated. */
  BOOLEAN_ARRAY("boolean[]", false),
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

  /** Whether this is a one-dimensional Java array ({@code double[] int[] long[] boolean[]}). */
  public boolean isArray() {
    return this == DOUBLE_ARRAY || this == INT_ARRAY || this == LONG_ARRAY || this == BOOLEAN_ARRAY;
  }

  /** The element type of an array type (DOUBLE for anything else). */
  public Type element() {
    return switch (this) {
      case INT_ARRAY -> INT;
      case LONG_ARRAY -> LONG;
      case BOOLEAN_ARRAY -> BOOLEAN;
      default -> DOUBLE;
    };
  }

  /** The array type whose elements are of this type, or null. */
  public Type arrayOf() {
    return switch (this) {
      case DOUBLE -> DOUBLE_ARRAY;
      case INT -> INT_ARRAY;
      case LONG -> LONG_ARRAY;
      case BOOLEAN -> BOOLEAN_ARRAY;
      default -> null;
    };
  }

  public boolean isNumeric() {
    return this == DOUBLE || this == INT || this == LONG;
  }
}
