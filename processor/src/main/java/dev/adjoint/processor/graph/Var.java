package dev.adjoint.processor.graph;

import com.palantir.javapoet.TypeName;

/**
 * A variable of the method: a parameter, a source local, or one the pipeline introduced (a
 * hoisted temporary, a branch flag, a loop counter). Compared by identity: two source locals
 * with the same name in different scopes are different variables.
 */
public final class Var {
  public enum Kind { PARAMETER, LOCAL, SYNTHETIC }

  private String name;
  private final Type type;
  private final Kind kind;
  /** The Java type for {@link Type#OBJECT} variables, else null. */
  private final TypeName objectType;

  public Var(String name, Type type, Kind kind, TypeName objectType) {
    this.name = name;
    this.type = type;
    this.kind = kind;
    this.objectType = objectType;
  }

  public Var(String name, Type type, Kind kind) {
    this(name, type, kind, null);
  }

  public String name() {
    return name;
  }

  /** Renames a local whose name would clash in the generated reverse sweep. */
  public void rename(String newName) {
    this.name = newName;
  }

  public Type type() {
    return type;
  }

  public Kind kind() {
    return kind;
  }

  public TypeName objectType() {
    return objectType;
  }

  public boolean isParameter() {
    return kind == Kind.PARAMETER;
  }

  @Override
  public String toString() {
    return name;
  }
}
