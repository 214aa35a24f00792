package dev.adjoint.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.adjoint.processor.graph.CallTarget;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Type;

/**
 * Writes an expression as Java source with the fewest parentheses that keep the tree's exact
 * grouping (floating-point arithmetic is not associative, so grouping is never changed).
 */
public final class ExprWriter {
  private ExprWriter() {}

  /**
   * Collects an expression's text in one format string, so JavaPoet parses one format per
   * expression instead of one per token: names and literals go in as text, types stay {@code $T}
   * (for imports).
   */
  private static final class Sink {
    private final StringBuilder format = new StringBuilder();
    private final java.util.List<Object> types = new java.util.ArrayList<>();

    /** The subset of JavaPoet's placeholders used here: $L and $N as text, $T kept. */
    void add(String fmt, Object... args) {
      int next = 0;
      for (int i = 0; i < fmt.length(); i++) {
        char ch = fmt.charAt(i);
        if (ch == '$' && i + 1 < fmt.length()) {
          char kind = fmt.charAt(++i);
          Object arg = args[next++];
          if (kind == 'T' && qualified(arg) != null) {
            format.append(qualified(arg).replace("$", "$$"));
          } else if (kind == 'T') {
            format.append("$T");
            types.add(arg);
          } else {
            format.append(String.valueOf(arg).replace("$", "$$"));
          }
        } else {
          format.append(ch);
        }
      }
    }

    CodeBlock build() {
      return CodeBlock.of(format.toString(), types.toArray());
    }
  }

  /** The identifiers in scope in the method being written; see {@link #inScope}. */
  private static final ThreadLocal<java.util.Set<String>> SCOPE = ThreadLocal.withInitial(java.util.Set::of);

  /**
   * Declares the identifiers (parameters, locals) of the method written next on this thread. A
   * variable shadows a type of the same simple name in an expression ({@code Math.sin(x)} with a
   * parameter {@code Math}, JLS 6.4.2), so such types are then written qualified
   * ({@code java.lang.Math.sin(x)}); other types keep their simple names and imports.
   */
  public static void inScope(java.util.Set<String> identifiers) {
    SCOPE.set(java.util.Set.copyOf(identifiers));
  }

  /**
   * A type named before a dot in an expression ({@code Model.f(x)}): {@code $T}, or its
   * qualified name where one of {@code identifiers} would shadow the simple name.
   */
  public static CodeBlock qualifier(com.palantir.javapoet.ClassName type, java.util.Set<String> identifiers) {
    return shadowed(type, identifiers) ? CodeBlock.of("$L", type.canonicalName()) : CodeBlock.of("$T", type);
  }

  /** The qualified name of a class the method's identifiers shadow, else null. */
  private static String qualified(Object type) {
    com.palantir.javapoet.ClassName c = type instanceof com.palantir.javapoet.ClassName n ? n
        : type instanceof Class<?> k && !k.isPrimitive() && !k.isArray() ? com.palantir.javapoet.ClassName.get(k)
        : null;
    return c != null && shadowed(c, SCOPE.get()) ? c.canonicalName() : null;
  }

  /** Whether a class's simple name is shadowed (a class of the default package cannot be qualified). */
  private static boolean shadowed(com.palantir.javapoet.ClassName c, java.util.Set<String> identifiers) {
    return identifiers.contains(c.topLevelClassName().simpleName()) && !c.packageName().isEmpty();
  }

  /** How the class being written reaches the user's members (private ones through handles). */
  private static final ThreadLocal<Access> ACCESS = new ThreadLocal<>();

  /** Sets (or with null, clears) the {@link Access} of the class written next on this thread. */
  public static void access(Access access) {
    if (access == null) {
      ACCESS.remove();
    } else {
      ACCESS.set(access);
    }
  }

  /** {@code Owner.name}, or the bridge that calls it where the generated class may not name it. */
  private static void staticMember(Sink b, com.palantir.javapoet.TypeName owner, String name,
      java.util.List<Type> params, int arity) {
    Access access = ACCESS.get();
    String bridge = access == null ? null : access.method(owner, name, params, arity);
    if (bridge != null) {
      b.add("$N", bridge);
    } else {
      b.add("$T.$N", owner, name);
    }
  }

  public static CodeBlock write(Expr e) {
    Sink b = new Sink();
    write(e, b, 0, null);
    return b.build();
  }


  private static void write(Expr e, Sink b, int outer, Expr sibling) {
    int prec = precedence(e);
    boolean parens = prec < outer;
    if (parens) {
      b.add("(");
    }
    if (e instanceof Const c && literal(c, sibling).startsWith("Double.")) {
      b.add("$T.$L", Double.class, literal(c, sibling).substring("Double.".length())); // NaN, infinities
    } else if (e instanceof Const c) {
      b.add("$L", literal(c, sibling));
    } else if (e instanceof Expr.Ref r) {
      b.add("$N", r.var().name());
    } else if (e instanceof Expr.Field f && f.receiver() != null) {
      Access access = ACCESS.get();
      String bridge = access == null ? null : access.field(f.owner(), f.name(), true);
      if (bridge != null) {
        b.add("$N(", bridge);
        write(f.receiver(), b, 0, null);
        b.add(")");
      } else {
        write(f.receiver(), b, 16, null);
        b.add(".$N", f.name());
      }
    } else if (e instanceof Expr.Field f) {
      Access access = ACCESS.get();
      String bridge = access == null ? null : access.field(f.owner(), f.name());
      if (bridge != null) {
        b.add("$N()", bridge);
      } else {
        b.add("$T.$N", f.owner(), f.name());
      }
    } else if (e instanceof Expr.RecordGet g) {
      b.add("$N.$N()", g.record().name(), g.accessor());
    } else if (e instanceof Expr.New n && n.javaType() instanceof com.palantir.javapoet.ArrayTypeName) {
      b.add("new $T {", n.javaType());
      list(n.args(), b);
      b.add("}");
    } else if (e instanceof Expr.New n) {
      b.add("new $T(", n.javaType());
      list(n.args(), b);
      b.add(")");
    } else if (e instanceof Expr.Invoke i) {
      if (i.receiver() != null) {
        write(i.receiver(), b, 16, null);
        b.add(".$N(", i.method());
      } else {
        staticMember(b, i.owner(), i.method(), null, i.args().size());
        b.add("(");
      }
      list(i.args(), b);
      b.add(")");
    } else if (e instanceof Expr.Call c) {
      if (c.target().kind() == CallTarget.Kind.GENERATED && c.derivative() != null) {
        b.add("$N.value()", c.derivative().name());
      } else if (c.target().kind() == CallTarget.Kind.SECOND_ORDER) {
        CallTarget.Nested n = c.target().nested();
        if (c.derivative() != null && n.component() >= 0) {
          // the Hessian-vector product computed the gradient too
          b.add("$N.gradient()[$L]", c.derivative().name(), n.component());
        } else {
          b.add("$T.$N(", c.target().derivativeOwner(), n.method());
          args(c, b);
          b.add(").$N()", n.accessor());
        }
      } else if (c.target().instance()) {
        Access access = ACCESS.get();
        java.util.List<Type> params = c.target().paramTypes().subList(1, c.target().paramTypes().size());
        String bridge = access == null ? null
            : access.method(c.target().owner(), c.target().name(), params, params.size(), true);
        if (bridge != null) {
          b.add("$N(", bridge);
          args(c, b);
        } else {
          write(c.args().get(0), b, 16, null);
          b.add(".$N(", c.target().name());
          list(c.args().subList(1, c.args().size()), b);
        }
        b.add(")");
      } else {
        staticMember(b, c.target().owner(), c.target().name(), c.target().paramTypes(), c.args().size());
        b.add("(");
        args(c, b);
        b.add(")");
      }
    } else {
      apply((Apply) e, b, prec, sibling);
    }
    if (parens) {
      b.add(")");
    }
  }

  private static void args(Expr.Call c, Sink b) {
    for (int i = 0; i < c.args().size(); i++) {
      if (i > 0) {
        b.add(", ");
      }
      write(c.args().get(i), b, 0, null);
    }
  }

  private static void apply(Apply a, Sink b, int prec, Expr sibling) {
    Op op = a.op();
    switch (op.form()) {
      case INFIX -> {
        write(a.arg(0), b, prec, a.arg(1));
        b.add(" $L ", op.symbol());
        // the right operand keeps its own group even at equal precedence: a - (b - c)
        write(a.arg(1), b, prec + 1, a.arg(0));
      }
      case PREFIX -> {
        b.add("$L", op.symbol());
        Expr x = a.arg(0);
        boolean clash = x instanceof Apply inner && inner.op().form() == Op.Form.PREFIX
            || x instanceof Const c && c.value() instanceof Number n && n.doubleValue() < 0;
        write(x, b, clash ? 99 : prec, sibling); // -3.0 / n must stay -3.0
      }
      case METHOD -> {
        write(a.arg(0), b, 16, null); // calls chain: a.matmul(b).add(c)
        b.add(".$N(", op.symbol());
        list(a.args().subList(1, a.args().size()), b);
        b.add(")");
      }
      case STATIC -> {
        b.add("$T.$N(", GradClassWriter.TENSOR, op.symbol());
        list(a.args(), b);
        b.add(")");
      }
      case MATH_CALL -> {
        b.add("$T.$N(", a.strict() ? StrictMath.class : Math.class, op.symbol());
        for (int i = 0; i < a.args().size(); i++) {
          if (i > 0) {
            b.add(", ");
          }
          write(a.arg(i), b, 0, null);
        }
        b.add(")");
      }
      case SPECIAL -> {
        switch (op) {
          case COND -> {
            write(a.arg(0), b, prec + 1, null);
            b.add(" ? ");
            write(a.arg(1), b, prec + 1, null);
            b.add(" : ");
            write(a.arg(2), b, prec, null);
          }
          case CAST -> {
            b.add("($L) ", a.type().javaName());
            write(a.arg(0), b, prec, null);
          }
          case ARRAY_READ -> {
            write(a.arg(0), b, 99, null);
            b.add("[");
            write(a.arg(1), b, 0, null);
            b.add("]");
          }
          case ARRAY_LENGTH -> {
            write(a.arg(0), b, 99, null);
            if (a.args().size() > 1) { // a row's length: a[i].length
              b.add("[");
              write(a.arg(1), b, 0, null);
              b.add("]");
            }
            b.add(".length");
          }
          case NEW_ARRAY -> {
            if (a.type().rank() > 1 && (a.args().isEmpty() || a.arg(0).type().rank() > 0)) {
              // its rows, made by the operands (a ragged initializer): new double[][] {r0, r1}
              b.add("new $L {", a.type().javaName());
              for (int i = 0; i < a.args().size(); i++) {
                if (i > 0) {
                  b.add(", ");
                }
                write(a.arg(i), b, 0, null);
              }
              b.add("}");
              break;
            }
            // the element type, then one [n] per dimension given: new long[n], new double[r][c]
            b.add("new $L", a.type().element().javaName());
            for (Expr dim : a.args()) {
              b.add("[");
              write(dim, b, 0, null);
              b.add("]");
            }
            // rows made later (new double[n][]): stored one by one with m[i] = ...
            b.add("[]".repeat(a.type().rank() - a.args().size()));
          }
          case INDICES -> {
            // only ever inside the brackets of an element read or store: a[ i][j ]
            for (int i = 0; i < a.args().size(); i++) {
              if (i > 0) {
                b.add("][");
              }
              write(a.arg(i), b, 0, null);
            }
          }
          default -> throw new IllegalStateException("no form for " + op);
        }
      }
    }
  }

  private static void list(java.util.List<Expr> args, Sink b) {
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        b.add(", ");
      }
      write(args.get(i), b, 0, null);
    }
  }

  private static int precedence(Expr e) {
    if (e instanceof Apply a) {
      return a.op().precedence();
    }
    if (e instanceof Const c && c.value() instanceof Number n && n.doubleValue() < 0) {
      return 13; // written with a leading minus
    }
    return 99;
  }

  /**
   * A literal. A whole double is written without ".0" only next to another double operand,
   * where Java's promotion keeps the arithmetic in double ({@code 2 * a}); beside an int it
   * keeps the ".0" so that {@code 1.0 / n} never becomes integer division.
   */
  static String literal(Const c, Expr sibling) {
    Object v = c.value();
    if (v == null) {
      return "null";
    }
    if (v instanceof Boolean bool) {
      return bool.toString();
    }
    if (v instanceof String str) {
      return com.palantir.javapoet.CodeBlock.of("$S", str).toString(); // a case label of a String switch
    }
    if (c.type() == Type.LONG) {
      return v + "L";
    }
    if (c.type() == Type.INT) {
      return v.toString();
    }
    double d = ((Number) v).doubleValue();
    if (Double.isNaN(d)) {
      return "Double.NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
    }
    boolean whole = d == Math.rint(d) && Math.abs(d) < 1e15;
    // beside a double that is not itself a literal, Java's promotion keeps the arithmetic double
    boolean safeAsInt = sibling == null || sibling.type() == Type.DOUBLE && !literal(sibling);
    if (whole && safeAsInt && !(d == 0 && 1 / d < 0)) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /** A literal, possibly negated: printed without ".0" it could make the arithmetic int. */
  private static boolean literal(Expr e) {
    return e instanceof Const || e instanceof Apply a && a.op() == Op.NEG && literal(a.arg(0));
  }

  /** For tests and diagnostics: the expression as plain text. */
  public static String text(Expr e) {
    return write(e).toString();
  }

}
