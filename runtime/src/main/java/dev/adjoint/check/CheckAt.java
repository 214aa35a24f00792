package dev.adjoint.check;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where the build's gradient check ({@code mvn verify} with the {@code adjoint-maven-plugin}'s
 * {@code check} goal) compares a derivative with finite differences.
 *
 * <p>Put it on a {@link dev.adjoint.Derivative @Derivative} method (or on the method it is the
 * derivative of), or on a {@link dev.adjoint.Differentiable @Differentiable} method:
 *
 * <pre>{@code
 * @Derivative(of = "softplus")
 * @CheckAt({"0", "-3.5", "12"})
 * static double softplusDerivative(double x) { return 1 / (1 + Math.exp(-x)); }
 *
 * @Differentiable
 * @CheckAt({"[1, 2, 3], 0.5", "[0.1, -0.2, 4], 2"})
 * static double loss(double[] w, double b) { ... }
 * }</pre>
 *
 * <p><b>Points.</b> Each string of {@link #value()} is one point: the method's arguments in
 * declaration order, separated by commas. A {@code double}, {@code int} or {@code long}
 * argument is a Java number ({@code 1.5}, {@code -2}, {@code 1e-3}, {@code NaN} and
 * {@code Infinity} too), a {@code boolean} is {@code true} or {@code false}, and a
 * {@code double[]} is a bracketed list ({@code [1, 2, 3]}; {@code []} is empty). A point that
 * does not fit the parameters fails the check with a message saying why.
 *
 * <p>Without points the check samples random points, uniformly in the range configured in the
 * plugin ({@code <range>}, seeded by {@code <seed>}); only methods whose parameters are all
 * {@code double} or {@code double[]} can be sampled ({@code double[]} ones with
 * {@link #length()} elements), the others are skipped with a message. A sampled point at which
 * the function is not finite (outside its domain, e.g. {@code log} of a negative number) is
 * drawn again; given points are always checked.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CheckAt {
  /** The points, one argument list each; empty: random points. */
  String[] value() default {};

  /**
   * Length of each {@code double[]} argument at random points; {@code 0}: the plugin's
   * {@code <arrayLength>}.
   */
  int length() default 0;

  /**
   * The largest relative error that passes (see {@link GradCheck} for its definition);
   * {@code 0}: the plugin's {@code <tolerance>} (default {@code 1e-6}).
   */
  double tolerance() default 0;
}
