package dev.adjoint.processor.diag;

/**
 * The code generated for a method would exceed what javac or the JVM accepts (64 KB of bytecode
 * per method), or what can be built in reasonable time and memory. Thrown where that is found
 * (propagating adjoints, printing a method) and reported as {@link Message#TOO_LARGE} on the
 * method, instead of writing code that does not compile.
 */
public final class TooLarge extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** {@code what}: the size found, for the message ("about 90 KB of bytecode"). */
  public TooLarge(String what) {
    super(what, null, false, false);
  }
}
