package dev.adjoint.processor.graph;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import java.util.List;

/**
 * A static method called from a differentiable method, and how to get its derivative.
 *
 * @param owner the class declaring the method
 * @param name the method's name
 * @param paramTypes its parameter types
 * @param returnType its result type
 * @param kind how the derivative is obtained
 * @param derivativeOwner the class holding the derivative method: the generated {@code ...Grad}
 *     class, or {@code owner} for a custom derivative; null for a plain call
 * @param derivativeName the derivative method's name
 * @param derivativeType the type the derivative method returns (the gradient record, or
 *     {@code double}/{@code double[]} for a custom derivative)
 * @param partials for each parameter, the accessor of its partial on the gradient record (or the
 *     index into a custom derivative's array, as a string); null when the parameter is not
 *     differentiated
 * @param hessian whether the callee also has generated second derivatives ({@code fHvp})
 * @param forward whether the callee also has a generated forward mode ({@code fJvp})
 * @param instance whether the callee is an instance method: the call's first argument is then
 *     the receiver ({@code self.f(x)}), which its generated methods take as their first parameter
 * @param nested for {@link Kind#SECOND_ORDER}: which generated method is called and what is read
 *     from it; null otherwise
 * @param accumulates for {@link Kind#GENERATED}: the callee's generated class has (or, its
 *     source being compiled now, will have) the accumulating overload {@code fAccumulate}; false
 *     for a class compiled earlier without it, which callers then call for a dense gradient
 */
public record CallTarget(
    ClassName owner,
    String name,
    List<Type> paramTypes,
    Type returnType,
    Kind kind,
    ClassName derivativeOwner,
    String derivativeName,
    TypeName derivativeType,
    List<String> partials,
    boolean hessian,
    boolean forward,
    boolean instance,
    Nested nested,
    boolean accumulates) {

  public enum Kind {
    /** The callee is {@code @Differentiable}: call its generated gradient method. */
    GENERATED,
    /** The callee has a {@code @Derivative} method. */
    CUSTOM,
    /** Neither: callable only with arguments that carry no derivative. */
    PLAIN,
    /**
     * A generated first derivative of a {@code hessian = true} method, called by the user (nested
     * AD): a component of its gradient record, {@code FGrad.f(x, y).x()}, or the tangent of its
     * forward mode, {@code FGrad.fJvp(x, y, dx, dy).tangent()}. Its partials come from the
     * callee's Hessian-vector product ({@code fHvp}, forward over reverse), called once where the
     * caller needs them (see {@link Nested}).
     */
    SECOND_ORDER,
    /**
     * A {@code @Differentiable} callee returning double whose differentiated parameters are all
     * arrays, each passed an array of the caller: the forward sweep calls the method itself for
     * the value, and the reverse sweep calls its generated {@code fAccumulate(args..., seed,
     * adjoint arrays...)}, which adds seed × its gradient into the caller's adjoint arrays in
     * place, instead of a record holding a dense gradient per call (see {@link #accumulating}).
     */
    ACCUMULATE
  }

  /**
   * What a {@link Kind#SECOND_ORDER} call reads.
   *
   * @param method the generated method called for the value ({@code f} or {@code fJvp})
   * @param accessor the record component read ({@code x} or {@code tangent})
   * @param component for a gradient component, its position among the callee's differentiated
   *     parameters (the Hessian-vector product along that unit vector gives the row of second
   *     derivatives, the Hessian being symmetric); -1 for a tangent, whose direction is the
   *     call's tangent arguments (the last {@code directions} ones)
   * @param directions the number of differentiated parameters of the callee
   */
  public record Nested(String method, String accessor, int component, int directions) {
    /** The arguments of the callee's {@code fHvp} for a call with {@code args}. */
    public List<Expr> hvpArgs(List<Expr> args) {
      List<Expr> out = new java.util.ArrayList<>();
      if (component < 0) {
        out.addAll(args);
        return out;
      }
      out.addAll(args);
      for (int j = 0; j < directions; j++) {
        out.add(j == component ? Expr.Const.ONE : Expr.Const.ZERO);
      }
      return out;
    }
  }

  public CallTarget {
    paramTypes = List.copyOf(paramTypes);
    partials = partials == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(partials));
  }

  public CallTarget(ClassName owner, String name, List<Type> paramTypes, Type returnType, Kind kind,
      ClassName derivativeOwner, String derivativeName, TypeName derivativeType, List<String> partials,
      boolean hessian, boolean forward) {
    this(owner, name, paramTypes, returnType, kind, derivativeOwner, derivativeName, derivativeType,
        partials, hessian, forward, false, null, false);
  }

  /** A target without an accumulating overload. */
  public CallTarget(ClassName owner, String name, List<Type> paramTypes, Type returnType, Kind kind,
      ClassName derivativeOwner, String derivativeName, TypeName derivativeType, List<String> partials,
      boolean hessian, boolean forward, boolean instance, Nested nested) {
    this(owner, name, paramTypes, returnType, kind, derivativeOwner, derivativeName, derivativeType,
        partials, hessian, forward, instance, nested, false);
  }

  /** The same method called on a receiver, which becomes the first argument. */
  public CallTarget onReceiver() {
    List<Type> types = new java.util.ArrayList<>(paramTypes);
    types.add(0, Type.OBJECT);
    List<String> withSelf = null;
    if (partials != null) {
      withSelf = new java.util.ArrayList<>(partials);
      withSelf.add(0, null);
    }
    return new CallTarget(owner, name, types, returnType, kind, derivativeOwner, derivativeName,
        derivativeType, withSelf, hessian, forward, true, nested, accumulates);
  }

  /** The suffix of the generated method that adds a callee's gradient into the caller's arrays. */
  public static final String ACCUMULATE_SUFFIX = "Accumulate";

  /**
   * This generated callee called through its accumulating overload, when that applies: its
   * generated class has the overload ({@link #accumulates}), it returns double, every
   * differentiated parameter is an array and each gets a variable of the caller; else null.
   */
  public CallTarget accumulating(List<Expr> args) {
    if (kind != Kind.GENERATED || !accumulates || returnType != Type.DOUBLE || nested != null
        || partials == null) {
      return null;
    }
    boolean any = false;
    for (int i = 0; i < paramTypes.size(); i++) {
      if (hasPartial(i)) {
        if (!paramTypes.get(i).isDoubleArray() || !(args.get(i) instanceof Expr.Ref)) {
          return null;
        }
        any = true;
      }
    }
    return any ? new CallTarget(owner, name, paramTypes, returnType, Kind.ACCUMULATE, derivativeOwner,
        name + ACCUMULATE_SUFFIX, derivativeType, partials, hessian, forward, instance, null, true) : null;
  }

  public boolean differentiable() {
    return kind != Kind.PLAIN;
  }

  /** The arguments of the derivative method for a call with {@code args}. */
  public List<Expr> derivativeArgs(List<Expr> args) {
    return nested == null ? args : nested.hvpArgs(args);
  }

  /** Whether parameter {@code i} has a partial derivative. */
  public boolean hasPartial(int i) {
    return partials != null && partials.get(i) != null;
  }
}
