package dev.adjoint.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a generated gradient method with the positions of the parameters it differentiates,
 * so that callers compiled later find them even in a jar compiled without parameter names.
 * Written by the processor; not for use in source.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Differentiated {
  /** Zero-based positions of the differentiated parameters, in order. */
  int[] value();
}
