package dev.adjoint;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Supplies the derivative of another static method of the same class, which
 * {@code @Differentiable} callers then use instead of differentiating that method's body (in the
 * spirit of Swift's {@code @derivative(of:)} and JAX's {@code custom_jvp}).
 *
 * <p>The annotated method takes exactly the parameters of the method named by {@link #of()} and
 * returns its partial derivatives at those arguments: a {@code double} when the original has one
 * {@code double} parameter, otherwise a {@code double[]} with one entry per {@code double}
 * parameter, in declaration order ({@code int}, {@code long} and {@code boolean} parameters get
 * no entry).
 *
 * <pre>{@code
 * static double softplus(double x) { return Math.log1p(Math.exp(x)); }
 *
 * @Derivative(of = "softplus")
 * static double softplusDerivative(double x) { return 1 / (1 + Math.exp(-x)); }
 * }</pre>
 *
 * The original method need not be {@code @Differentiable}; if it is, callers still use this
 * derivative.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Derivative {
  /** Simple name of the static method, in the same class, whose derivative this is. */
  String of();
}
