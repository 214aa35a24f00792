package dev.adjoint.processor.diag;

import javax.tools.Diagnostic;

/**
 * Every message the processor gives, with a searchable id. Texts are format strings: they say
 * what is wrong and what to write instead.
 */
public enum Message {
  BAD_RETURN("AdjointReturnType", "@Differentiable method %s returns %s; supported are double (a loss, "
      + "an objective) and dev.adjoint.tensor.Tensor (a layer)"),
  BAD_PARAM("AdjointParamType", "parameter %s of @Differentiable method %s has type %s; "
      + "supported parameter types are double, double[], double[][], double[][][], Tensor, int, long, boolean, "
      + "int[], long[], boolean[], int[][], long[][], boolean[][], enums and String (pass a collection of numbers as a double[])"),
  GENERIC("AdjointGeneric", "@Differentiable method %s must not be generic; write it for double"),
  VARARGS("AdjointVarargs", "@Differentiable method %s must not take varargs; take a double[] instead"),
  THROWS("AdjointThrows", "@Differentiable method %s must not declare thrown exceptions"),
  RESERVED_PARAM("AdjointReservedName", "parameter '%s' of %s cannot name a component of the generated "
      + "record (value, gradients and Object's methods are taken); rename the parameter"),
  WRT_UNKNOWN("AdjointWrtUnknown", "wrt names '%s', which is not a parameter of %s; parameters: %s"),
  WRT_NOT_DIFFERENTIABLE("AdjointWrtType", "wrt names '%s' of type %s in %s; only double and "
      + "double[] parameters can be differentiated"),
  WRT_DUPLICATE("AdjointWrtDuplicate", "wrt names '%s' twice in %s"),
  NOTHING_TO_DIFFERENTIATE("AdjointNoInputs", "%s has no double or double[] parameter to "
      + "differentiate with respect to"),
  NESTED_NOT_STATIC("AdjointInnerClass", "@Differentiable method %s is in an inner (non-static) "
      + "class; move it to a top-level or static nested class"),
  UNREACHABLE_SITE("AdjointLocalClass", "@Differentiable method %s is declared in %s, which Adjoint "
      + "cannot see or name a generated class for; move it to a top-level or static nested class"),
  NAME_CLASH("AdjointNameClash", "generated class %s would clash with an existing class; "
      + "rename the class holding the @Differentiable methods"),
  UNSUPPORTED("AdjointUnsupported", "%s is not supported in @Differentiable method %s; %s"),
  NOT_DIFFERENTIABLE_CALL("AdjointCall", "call to %s in @Differentiable method %s passes a value that "
      + "depends on a differentiated input, but %s is not differentiable; annotate it with "
      + "@Differentiable (static), or give it a derivative with @Derivative(of = \"%s\")"),
  CALL_NOT_WRT("AdjointCallWrt", "call to %s passes a differentiated value as parameter '%s', which %s "
      + "does not differentiate; add '%s' to its wrt, or pass a value that does not depend on %s's inputs"),
  NOT_DIFFERENTIABLE_OP("AdjointNotDifferentiable", "%s in @Differentiable method %s receives a value "
      + "that depends on a differentiated input, but %s; %s"),
  MODE_UNSUPPORTED("AdjointMode", "%s: %s (reverse mode supports it: drop forward/hessian, "
      + "or use wrt to leave the parameter out)"),
  FORWARD_UNSUPPORTED("AdjointForward", "%s: the %s transform cannot differentiate %s; %s"),
  BAD_DERIVATIVE("AdjointDerivative", "@Derivative method %s: %s"),
  UNINITIALIZED("AdjointUninitialized", "local '%s' must be initialized where it is declared in "
      + "@Differentiable method %s; write '%s %s = ...;'"),
  TOO_LARGE("AdjointTooLarge", "the gradient of %s would be too large to compile: %s, and the JVM "
      + "limits a method to 64 KB of bytecode; split %s into smaller @Differentiable methods that it "
      + "calls (each gets its own gradient method), or name intermediate results in locals"),
  NO_SOURCE("AdjointNoSource", "Adjoint cannot read the body of @Differentiable method %s: %s"),
  INTERNAL("AdjointInternal", "internal error while differentiating %s: %s; please report this with "
      + "the method's source"),
  LONG_TAPE("AdjointTapeNote", "%s: the loop at line %d tapes %d values per iteration, so the "
      + "reverse sweep's memory grows with its trip count; %s",
      Diagnostic.Kind.NOTE);

  private final String id;
  private final String format;
  private final Diagnostic.Kind kind;

  Message(String id, String format) {
    this(id, format, Diagnostic.Kind.ERROR);
  }

  Message(String id, String format, Diagnostic.Kind kind) {
    this.id = id;
    this.format = format;
    this.kind = kind;
  }

  public Diagnostic.Kind kind() {
    return kind;
  }

  public String format(Object... args) {
    return "[" + id + "] " + String.format(format, args);
  }
}
