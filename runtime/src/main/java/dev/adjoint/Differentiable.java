package dev.adjoint;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code public static} method whose derivative Adjoint generates at compile time.
 *
 * <p>For a method {@code f} in class {@code Model}, the annotation processor writes
 * {@code ModelGrad.f(...)} with the same parameters, returning a record whose component
 * {@code value} is f's result and which has one component per differentiated parameter, named
 * exactly like that parameter and holding the partial derivative of the value with respect to it.
 *
 * <p>The annotation is retained in class files so that methods compiled earlier (in a library
 * jar) can be called from {@code @Differentiable} methods compiled later.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Differentiable {
  /**
   * Names of the parameters to differentiate with respect to. Empty (the default) means every
   * parameter of type {@code double} or {@code double[]}; {@code int}, {@code long} and
   * {@code boolean} parameters are never differentiated.
   */
  String[] wrt() default {};

  /**
   * Also generate forward mode: {@code fJvp(params..., tangents...)} returns the value and the
   * directional derivative along the given tangents (one per differentiated parameter, of the
   * same type), computed in one sweep with dual numbers written inline.
   */
  boolean forward() default false;

  /**
   * Also generate second derivatives (scalar functions of {@code double} parameters):
   * {@code fHessian(params)} returns value, gradient and Hessian; {@code fHvp(params...,
   * directions...)} a Hessian-vector product without forming the matrix. Both apply forward
   * mode to the generated reverse sweep (forward over reverse).
   */
  boolean hessian() default false;
}
