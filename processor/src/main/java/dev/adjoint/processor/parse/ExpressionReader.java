package dev.adjoint.processor.parse;

import com.palantir.javapoet.ClassName;
import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/** Reads expressions: operators typed by the JLS rules, literals, locals, fields and constants
 * (through the {@link Resolver}), casts and conditions. */
abstract class ExpressionReader extends ParserState {
  ExpressionReader(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    super(env, diag, calls, sources);
  }

  /**
   * The enum class of a parameter of enum type (data, like an int: it selects a {@code switch}
   * case and is compared with {@code ==}), else null.
   */
  ClassName enumType(TypeMirror t) {
    Element e = t.getKind() == TypeKind.DECLARED ? env.getTypeUtils().asElement(t) : null;
    if (e instanceof TypeElement te && te.getQualifiedName().contentEquals("java.lang.String")) {
      return STRING; // a String parameter: data too, it selects a switch case
    }
    return e != null && e.getKind() == ElementKind.ENUM ? ClassName.get((TypeElement) e) : null;
  }

  static final ClassName STRING = ClassName.get(String.class);

  /** Whether {@code e} is a String: a String constant, or a String parameter. */
  static boolean isString(Expr e) {
    return e instanceof Const c && c.value() instanceof String
        || e instanceof Ref r && STRING.equals(r.var().objectType());
  }

  /** The graph type of a declaration's type tree; null for {@code var}; OBJECT when unsupported. */
  Type declaredType(Tree typeTree) {
    if (typeTree == null || typeTree instanceof IdentifierTree id && id.getName().contentEquals("var")
        && resolver.type("var") == null) {
      return null;
    }
    TypeMirror t = resolver.typeOf(typeTree);
    return t == null ? Type.OBJECT : CallResolver.typeOf(t).orElse(Type.OBJECT);
  }

  Type resolvedArrayType(NewArrayTree na) {
    if (na.getType() == null) {
      return Type.OBJECT;
    }
    TypeMirror elem = resolver.typeOf(na.getType());
    if (elem == null) {
      return Type.OBJECT;
    }
    TypeMirror t = elem;
    for (int i = 0; i < Math.max(1, na.getDimensions().size()); i++) {
      t = env.getTypeUtils().getArrayType(t);
    }
    return CallResolver.typeOf(t).orElse(Type.OBJECT);
  }

  /** Assignment conversion between graph types (JLS 5.2: identity and widening). */
  static boolean assignable(Type from, Type to) {
    return from == to || to == Type.DOUBLE && (from == Type.INT || from == Type.LONG)
        || to == Type.LONG && from == Type.INT;
  }

  static Expr zero(Type t) {
    return switch (t) {
      case BOOLEAN -> Const.ofBoolean(false);
      case INT -> Const.ofInt(0);
      case LONG -> new Const(Type.LONG, 0L);
      default -> Const.ZERO;
    };
  }

  // ---------------------------------------------------------------- expressions
  Expr condition(ExpressionTree e) {
    Expr c = expr(e);
    if (c != null && c.type() != Type.BOOLEAN) {
      unsupported(e, "the condition " + sourceText(e) + " of type " + c.type().javaName(), "write a boolean condition");
      return Const.ofBoolean(true);
    }
    return c == null ? Const.ofBoolean(true) : c;
  }

  /** The graph of an expression, or null after reporting what is unsupported in it. */
  Expr expr(ExpressionTree e) {
    switch (e.getKind()) {
      case PARENTHESIZED:
        return expr(((ParenthesizedTree) e).getExpression());
      case INT_LITERAL:
        return new Const(Type.INT, ((LiteralTree) e).getValue());
      case LONG_LITERAL:
        return new Const(Type.LONG, ((LiteralTree) e).getValue());
      case DOUBLE_LITERAL:
        return new Const(Type.DOUBLE, ((LiteralTree) e).getValue());
      case BOOLEAN_LITERAL:
        return new Const(Type.BOOLEAN, ((LiteralTree) e).getValue());
      case FLOAT_LITERAL:
        return unsupported(e, "the float literal " + sourceText(e), "write a double literal (drop the 'f')");
      case IDENTIFIER: {
        String name = ((IdentifierTree) e).getName().toString();
        Var v = lookup(name);
        if (v != null && rows.containsKey(v)) { // n-D arrays: a row alias used as a whole
          return unsupported(e, "using row '" + name + "' as a whole", "read its elements ("
              + name + "[j]) and its length (" + name + ".length) only");
        }
        if (v != null) {
          return poisoned.contains(v) ? null : new Ref(v);
        }
        if (name.equals("this")) {
          return unsupported(e, "'this' as a value", "read the instance's fields (this.w) and call its methods");
        }
        VariableElement f = resolver.field(name);
        return f != null ? field(e, f) : unsupported(e, "'" + name + "'",
            "only parameters, locals, fields and static final constants can be read");
      }
      case MEMBER_SELECT: {
        MemberSelectTree m = (MemberSelectTree) e;
        String member = m.getIdentifier().toString();
        if (member.equals("length") && isNdIterable(m.getExpression())) {
          return ndLength(m); // n-D arrays: a[i].length, row.length
        }
        Var local = m.getExpression() instanceof IdentifierTree id ? lookup(id.getName().toString()) : null;
        if (local != null) {
          if (poisoned.contains(local)) {
            return null;
          }
          if (member.equals("length") && local.type() != Type.TENSOR && local.type() != Type.OBJECT
              && !local.type().isNumeric() && local.type() != Type.BOOLEAN) {
            return new Apply(Op.ARRAY_LENGTH, List.of(new Ref(local)), Type.INT);
          }
          return unsupported(e, "'" + sourceText(e) + "'", "read array lengths (a.length) and elements only");
        }
        if (member.equals("length") && arrayField(m.getExpression()) != null) {
          Var a = arrayVar(m.getExpression());
          return a == null ? null : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a)), Type.INT);
        }
        if (isThis(m.getExpression())) {
          VariableElement f = resolver.field(resolver.owner(), member);
          return f != null ? field(e, f) : unsupported(e, "'" + sourceText(e) + "'",
              "no field '" + member + "' in " + resolver.owner().getSimpleName());
        }
        TypeElement owner = resolver.typeNamed(m.getExpression());
        if (owner == null) {
          owner = staticType(m.getExpression()); // an object's field: reported as such below
        }
        VariableElement f = owner == null ? null : resolver.field(owner, member);
        if (f != null && !f.getModifiers().contains(Modifier.STATIC)) {
          return unsupported(e, "reading field '" + member + "' of another object",
              "pass the values the method needs as parameters");
        }
        return f != null ? field(e, f) : unsupported(e, "'" + sourceText(e) + "'",
            "only parameters, locals and static final constants can be read");
      }
      case ARRAY_ACCESS: {
        ArrayAccessTree a = (ArrayAccessTree) e;
        if (isNdAccess(a)) {
          return ndRead(a); // n-D arrays: m[i][j], row[j]
        }
        Var array = arrayVar(a.getExpression());
        Expr index = expr(a.getIndex());
        if (array == null || index == null) {
          return null;
        }
        if (index.type() != Type.INT) {
          return unsupported(a.getIndex(), "an array index of type " + index.type().javaName(),
              "index arrays with an int (cast with (int) where needed)");
        }
        return new Apply(Op.ARRAY_READ, List.of(new Ref(array), index), elementType(array.type()));
      }
      case UNARY_MINUS: {
        Expr x = expr(((UnaryTree) e).getExpression());
        if (x == null) {
          return null;
        }
        if (!x.type().isNumeric()) {
          return unsupported(e, "'-' on a " + x.type().javaName(), "negate numbers only");
        }
        return new Apply(Op.NEG, List.of(x), x.type());
      }
      case UNARY_PLUS:
        return expr(((UnaryTree) e).getExpression());
      case LOGICAL_COMPLEMENT: {
        Expr x = expr(((UnaryTree) e).getExpression());
        return x == null ? null : new Apply(Op.NOT, List.of(x), Type.BOOLEAN);
      }
      case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT:
        return unsupported(e, "'" + e + "' inside an expression",
            "increment in a statement of its own (i++;) and use the variable after it");
      case PLUS, MINUS, MULTIPLY, DIVIDE, REMAINDER, LESS_THAN, LESS_THAN_EQUAL, GREATER_THAN,
          GREATER_THAN_EQUAL, EQUAL_TO, NOT_EQUAL_TO, CONDITIONAL_AND, CONDITIONAL_OR: {
        BinaryTree b = (BinaryTree) e;
        Expr l = expr(b.getLeftOperand());
        Expr r = expr(b.getRightOperand());
        if (l == null || r == null) {
          return null;
        }
        Op op = switch (e.getKind()) {
          case PLUS -> Op.ADD;
          case MINUS -> Op.SUB;
          case MULTIPLY -> Op.MUL;
          case DIVIDE -> Op.DIV;
          case REMAINDER -> Op.REM;
          case LESS_THAN -> Op.LT;
          case LESS_THAN_EQUAL -> Op.LE;
          case GREATER_THAN -> Op.GT;
          case GREATER_THAN_EQUAL -> Op.GE;
          case EQUAL_TO -> Op.EQ;
          case NOT_EQUAL_TO -> Op.NE;
          case CONDITIONAL_AND -> Op.AND;
          default -> Op.OR;
        };
        Type t = binaryType(op, l.type(), r.type());
        if (t == null) {
          return unsupported(e, "'" + op.symbol() + "' between " + l.type().javaName() + " and "
              + r.type().javaName() + " (" + sourceText(e) + ")",
              op == Op.AND || op == Op.OR ? "combine boolean conditions" : "compute with numbers");
        }
        return new Apply(op, List.of(l, r), t);
      }
      case CONDITIONAL_EXPRESSION: {
        ConditionalExpressionTree c = (ConditionalExpressionTree) e;
        Expr cond = condition(c.getCondition());
        Expr a = expr(c.getTrueExpression());
        Expr b = expr(c.getFalseExpression());
        if (a == null || b == null) {
          return null;
        }
        Type t = a.type() == b.type() ? a.type()
            : a.type().isNumeric() && b.type().isNumeric() ? promote(a.type(), b.type()) : null;
        if (t == null) {
          return unsupported(e, "?: choosing between a " + a.type().javaName() + " and a " + b.type().javaName(),
              "make both branches the same type");
        }
        if (t == Type.DOUBLE_ARRAY || t.rank() >= 2) {
          return unsupported(e, "choosing between arrays with ?:", "choose between their elements instead");
        }
        return new Apply(Op.COND, List.of(cond, a, b), t);
      }
      case TYPE_CAST: {
        TypeCastTree c = (TypeCastTree) e;
        Type t = declaredType(c.getType());
        Expr x = expr(c.getExpression());
        if (x == null) {
          return null;
        }
        if (t == null || !t.isNumeric() || !x.type().isNumeric()) {
          return unsupported(e, "the cast " + e, "only casts between double, int and long are supported");
        }
        return t == x.type() ? x : new Apply(Op.CAST, List.of(x), t);
      }
      case METHOD_INVOCATION:
        return call((MethodInvocationTree) e);
      case NEW_ARRAY:
        return unsupported(e, "creating an array inside an expression",
            "create it in a local declaration (double[] a = new double[n]; or double[] a = {x, y};) and use the local");
      case NEW_CLASS:
        return unsupported(e, "creating objects (new " + ((com.sun.source.tree.NewClassTree) e).getIdentifier() + ")",
            "differentiable code computes with double, int, long, boolean and double[] only");
      case LAMBDA_EXPRESSION, MEMBER_REFERENCE:
        return unsupported(e, "a lambda or method reference", "call a static method directly");
      case SWITCH_EXPRESSION:
        return switchExpression((com.sun.source.tree.SwitchExpressionTree) e);
      case LEFT_SHIFT, RIGHT_SHIFT, UNSIGNED_RIGHT_SHIFT, AND, OR, XOR: {
        BinaryTree b = (BinaryTree) e;
        Expr l = expr(b.getLeftOperand());
        Expr r = expr(b.getRightOperand());
        if (l == null || r == null) {
          return null;
        }
        Op op = bitOp(e.getKind());
        Type t = bitType(op, l.type(), r.type());
        if (t == null) {
          return unsupported(e, "'" + op.symbol() + "' between " + l.type().javaName() + " and "
              + r.type().javaName() + " (" + sourceText(e) + ")",
              "bit operations take int or long operands (&, |, ^ also two booleans)");
        }
        return new Apply(op, List.of(l, r), t);
      }
      case BITWISE_COMPLEMENT: {
        Expr x = expr(((UnaryTree) e).getExpression());
        if (x == null) {
          return null;
        }
        if (x.type() != Type.INT && x.type() != Type.LONG) {
          return unsupported(e, "'~' on a " + x.type().javaName(), "complement int or long values");
        }
        return new Apply(Op.BIT_NOT, List.of(x), x.type());
      }
      case ASSIGNMENT, PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT:
        return unsupported(e, "an assignment inside an expression", "assign in a statement of its own");
      case STRING_LITERAL, CHAR_LITERAL, NULL_LITERAL:
        return unsupported(e, "the literal " + e, "use numbers and booleans only");
      default:
        return unsupported(e, "'" + sourceText(e) + "'",
            "use arithmetic, comparisons, Math functions, array reads and calls of static methods");
    }
  }

  static Op bitOp(Tree.Kind kind) {
    return switch (kind) {
      case LEFT_SHIFT -> Op.SHL;
      case RIGHT_SHIFT -> Op.SHR;
      case UNSIGNED_RIGHT_SHIFT -> Op.USHR;
      case AND -> Op.BIT_AND;
      case OR -> Op.BIT_OR;
      default -> Op.BIT_XOR;
    };
  }

  /**
   * The type of a bit operation (JLS 15.19, 15.22), or null: a shift has its left operand's
   * type; &amp;, | and ^ promote two integers, or take two booleans.
   */
  static Type bitType(Op op, Type l, Type r) {
    boolean integral = (l == Type.INT || l == Type.LONG) && (r == Type.INT || r == Type.LONG);
    if (op == Op.SHL || op == Op.SHR || op == Op.USHR) {
      return integral ? l : null;
    }
    return integral ? promote(l, r) : l == Type.BOOLEAN && r == Type.BOOLEAN ? Type.BOOLEAN : null;
  }

  /** Binary numeric promotion (JLS 5.6.2). */
  static Type promote(Type a, Type b) {
    return a == Type.DOUBLE || b == Type.DOUBLE ? Type.DOUBLE
        : a == Type.LONG || b == Type.LONG ? Type.LONG : Type.INT;
  }

  /** The type of {@code l op r}, or null when Java or the graph has no such operation. */
  static Type binaryType(Op op, Type l, Type r) {
    boolean numeric = l.isNumeric() && r.isNumeric();
    return switch (op) {
      case ADD, SUB, MUL, DIV, REM -> numeric ? promote(l, r) : null;
      case LT, LE, GT, GE -> numeric ? Type.BOOLEAN : null;
      case EQ, NE -> numeric || l == Type.BOOLEAN && r == Type.BOOLEAN
          || l == Type.OBJECT && r == Type.OBJECT ? Type.BOOLEAN : null; // enum constants
      case AND, OR -> l == Type.BOOLEAN && r == Type.BOOLEAN ? Type.BOOLEAN : null;
      default -> null;
    };
  }

  static Type elementType(Type array) {
    return array.element();
  }

  /**
   * A field read: a {@code static final} field of primitive type, read where it is declared; a
   * compile-time constant the generated class may not access (private, or package-private in
   * another package) becomes its value.
   */
  Expr field(ExpressionTree e, VariableElement f) {
    if (f.getKind() == ElementKind.ENUM_CONSTANT) {
      // compared with == to an enum parameter
      return new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), f.getSimpleName().toString(),
          Type.OBJECT);
    }
    Optional<Type> t = CallResolver.typeOf(f.asType());
    boolean isStatic = f.getModifiers().contains(Modifier.STATIC);
    if (!isStatic && (self == null || !ownField(f))) {
      return unsupported(e, "reading field '" + f.getSimpleName() + "'" + (self == null
          ? " of an instance from a static method" : " of another object"),
          self == null ? "make the method an instance method, or pass the value as a parameter"
              : "pass other objects' values as parameters");
    }
    if (t.isEmpty() || t.get() == Type.OBJECT || isStatic && !f.getModifiers().contains(Modifier.FINAL)) {
      return unsupported(e, "reading field '" + f.getSimpleName() + "'",
          isStatic ? "only static final constants can be read; pass other values as parameters"
              : "fields of type double, int, long, boolean, arrays of those, or Tensor can be read; "
                  + "pass other values as parameters");
    }
    Object constant = f.getConstantValue();
    if (constant != null && !accessible(f)) {
      Object value = switch (t.get()) {
        case DOUBLE -> ((Number) constant).doubleValue();
        case INT -> ((Number) constant).intValue();
        case LONG -> ((Number) constant).longValue();
        default -> constant;
      };
      if (!(value instanceof Double d) || Double.isFinite(d)) {
        return new Const(t.get(), value);
      }
    }
    Expr read = isStatic
        ? new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), f.getSimpleName().toString(), t.get())
        : new Expr.Field(ClassName.get((TypeElement) f.getEnclosingElement()), new Ref(self),
            f.getSimpleName().toString(), t.get());
    if (t.get().rank() >= 1) {
      // an array field is data: copied into a local once, at the start, and indexed there
      return new Ref(arrayFields.computeIfAbsent(f, k -> {
        String name = f.getSimpleName().toString();
        while (declared.contains(name) || name.equals(self == null ? null : self.name())) {
          name = name + "_";
        }
        declared.add(name);
        Var local = new Var(name, t.get(), Var.Kind.LOCAL);
        prologue.add(new Stmt.Assign(local, read, true, null, new Src(unit.line(e),
            "field " + f.getSimpleName() + ", read once: " + (isStatic ? f.getEnclosingElement().getSimpleName() + "." : "this.")
                + f.getSimpleName())));
        return local;
      }));
    }
    return read;
  }

  /** Whether a field belongs to the method's own instance (declared in its class or inherited). */
  boolean ownField(VariableElement f) {
    // equals, not ==: ECJ makes a new element object on every lookup
    return f.equals(resolver.field(resolver.owner(), f.getSimpleName().toString()));
  }

  /** The array-typed field an expression names ({@code W}, {@code this.w}, {@code Table.W}), or null. */
  VariableElement arrayField(ExpressionTree e) {
    VariableElement f = null;
    if (e instanceof IdentifierTree id && lookup(id.getName().toString()) == null) {
      f = resolver.field(id.getName().toString());
    } else if (e instanceof MemberSelectTree m) {
      TypeElement owner = isThis(m.getExpression()) ? resolver.owner() : resolver.typeNamed(m.getExpression());
      f = owner == null ? null : resolver.field(owner, m.getIdentifier().toString());
    }
    return f != null && f.asType().getKind() == TypeKind.ARRAY ? f : null;
  }

  static boolean isThis(ExpressionTree e) {
    return e instanceof IdentifierTree id && id.getName().contentEquals("this");
  }

  /** Whether the generated class, in the method's package, may name {@code member}. */
  boolean accessible(Element member) {
    String here = env.getElementUtils().getPackageOf(method).getQualifiedName().toString();
    for (Element e = member; e instanceof VariableElement || e instanceof ExecutableElement
        || e instanceof TypeElement; e = e.getEnclosingElement()) {
      Set<Modifier> mods = e.getModifiers();
      if (mods.contains(Modifier.PRIVATE)) {
        return false;
      }
      if (!mods.contains(Modifier.PUBLIC)
          && !env.getElementUtils().getPackageOf(e).getQualifiedName().contentEquals(here)) {
        return false;
      }
    }
    return true;
  }

  Var arrayVar(ExpressionTree e) {
    while (e instanceof ParenthesizedTree p) {
      e = p.getExpression();
    }
    if (e instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v != null && poisoned.contains(v)) {
        return null;
      }
      if (v != null && v.type().isArray()) {
        return v;
      }
    }
    if (e instanceof NewArrayTree) {
      expr(e); // reported as an array made inside an expression
      return null;
    }
    if (e instanceof IdentifierTree && lookup(e.toString()) == null
        || e instanceof MemberSelectTree m && (isThis(m.getExpression()) || resolver.typeNamed(m.getExpression()) != null)) {
      // an array field
      Expr read = expr(e);
      if (read == null) {
        return null;
      }
      if (read instanceof Ref r && r.type().isArray()) {
        return r.var();
      }
    }
    unsupported(e, "the array expression '" + e + "'", "index array parameters and locals by name");
    return null;
  }

  /**
   * The class of an object-valued qualifier that is not a local ({@code new Model()}, a field
   * {@code INSTANCE}), so that what is selected from it can be named in a message; else null.
   */
  TypeElement staticType(ExpressionTree e) {
    TypeMirror t = null;
    if (e instanceof com.sun.source.tree.NewClassTree n) {
      t = resolver.typeOf(n.getIdentifier());
    } else if (e instanceof IdentifierTree id && lookup(id.getName().toString()) == null) {
      VariableElement f = resolver.field(id.getName().toString());
      t = f == null ? null : f.asType();
    } else if (e instanceof MemberSelectTree m) {
      TypeElement outer = resolver.typeNamed(m.getExpression());
      if (outer == null) {
        outer = staticType(m.getExpression());
      }
      VariableElement f = outer == null ? null : resolver.field(outer, m.getIdentifier().toString());
      t = f == null ? null : f.asType();
    }
    return t != null && t.getKind() == TypeKind.DECLARED
        ? (TypeElement) env.getTypeUtils().asElement(t) : null;
  }
}
