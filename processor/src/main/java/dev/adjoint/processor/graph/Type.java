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
  OBJECT("Object", false),
  // n-D arrays (rectangular or ragged): differentiated like double[], element by element
  DOUBLE_ARRAY_2D("double[][]", true),
  DOUBLE_ARRAY_3D("double[][][]", true),
  /** {@code int[][]}: data only, never differentiated. */
  INT_ARRAY_2D("int[][]", false),
  /** {@code long[][]}: data only, never differentiated. */
  LONG_ARRAY_2D("long[][]", false),
  /** {@code boolean[][]}: data only, never differentiated. */
  BOOLEAN_ARRAY_2D("boolean[][]", false);

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

  /** Number of array dimensions: 0 for scalars and tensors, 1 for double[] and int[], 2, 3. */
  public int rank() {
    return switch (this) {
      case DOUBLE_ARRAY, INT_ARRAY, LONG_ARRAY, BOOLEAN_ARRAY -> 1;
      case DOUBLE_ARRAY_2D, INT_ARRAY_2D, LONG_ARRAY_2D, BOOLEAN_ARRAY_2D -> 2;
      case DOUBLE_ARRAY_3D -> 3;
      default -> 0;
    };
  }

  /** An array of doubles of rank 2 or more ({@code double[][]}, {@code double[][][]}). */
  public boolean isNdDoubleArray() {
    return this == DOUBLE_ARRAY_2D || this == DOUBLE_ARRAY_3D;
  }

  /** An array of doubles of any rank, whose adjoint is an array of its shape. */
  public boolean isDoubleArray() {
    return this == DOUBLE_ARRAY || isNdDoubleArray();
  }

  /** {@code double[]...} of the given rank (1 to 3), else null. */
  public static Type doubleArray(int rank) {
    return switch (rank) {
      case 1 -> DOUBLE_ARRAY;
      case 2 -> DOUBLE_ARRAY_2D;
      case 3 -> DOUBLE_ARRAY_3D;
      default -> null;
    };
  }

  /** Whether this is a one-dimensional Java array ({@code double[] int[] long[] boolean[]}). */
  public boolean isArray() {
    return this == DOUBLE_ARRAY || this == INT_ARRAY || this == LONG_ARRAY || this == BOOLEAN_ARRAY;
  }

  /** The scalar element type of an array type of any rank (DOUBLE for anything else). */
  public Type element() {
    return switch (this) {
      case INT_ARRAY, INT_ARRAY_2D -> INT;
      case LONG_ARRAY, LONG_ARRAY_2D -> LONG;
      case BOOLEAN_ARRAY, BOOLEAN_ARRAY_2D -> BOOLEAN;
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

  /** What indexing an array of this type with {@code k} indexes gives (k at most its rank). */
  public Type indexed(int k) {
    int left = rank() - k;
    if (k == 0) {
      return this;
    }
    if (left == 0) {
      return element();
    }
    return isDataTable() ? element().arrayOf() : doubleArray(left);
  }

  /** {@code int[][]}, {@code long[][]}, {@code boolean[][]}: tables of data, never differentiated. */
  public boolean isDataTable() {
    return this == INT_ARRAY_2D || this == LONG_ARRAY_2D || this == BOOLEAN_ARRAY_2D;
  }

  /** The 2-D array whose rows are of this 1-D type, or null. */
  public Type rowsOf() {
    return switch (this) {
      case DOUBLE_ARRAY -> DOUBLE_ARRAY_2D;
      case DOUBLE_ARRAY_2D -> DOUBLE_ARRAY_3D;
      case INT_ARRAY -> INT_ARRAY_2D;
      case LONG_ARRAY -> LONG_ARRAY_2D;
      case BOOLEAN_ARRAY -> BOOLEAN_ARRAY_2D;
      default -> null;
    };
  }

  public boolean isNumeric() {
    return this == DOUBLE || this == INT || this == LONG;
  }
}
