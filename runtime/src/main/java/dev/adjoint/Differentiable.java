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
}
