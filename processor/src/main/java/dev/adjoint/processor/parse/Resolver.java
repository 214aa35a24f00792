package dev.adjoint.processor.parse;

import com.sun.source.tree.ArrayTypeTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.ParameterizedTypeTree;
import com.sun.source.tree.PrimitiveTypeTree;
import com.sun.source.tree.Tree;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Resolves the names a method body uses but does not declare (types, fields, methods) the way
 * the JLS scopes them, from declarations alone: the enclosing classes and their supertypes, the
 * unit's imports, its package and {@code java.lang}, all read through {@link Elements}. This is
 * what lets the parser type a body without having the compiler attribute the user's class.
 */
final class Resolver {
  private final Elements elements;
  private final Types types;
  private final Declarations declarations;
  private final CompilationUnitTree unit;
  /** The method's class, then the classes enclosing it, innermost first. */
  private final List<TypeElement> enclosing = new ArrayList<>();
  private final String packageName;

  Resolver(Elements elements, Types types, Declarations declarations, CompilationUnitTree unit, TypeElement owner) {
    this.elements = elements;
    this.types = types;
    this.declarations = declarations;
    this.unit = unit;
    for (Element e = owner; e instanceof TypeElement t; e = t.getEnclosingElement()) {
      enclosing.add(t);
    }
    PackageElement pkg = elements.getPackageOf(owner);
    this.packageName = pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString();
  }

  TypeElement owner() {
    return enclosing.get(0);
  }

  // ---------------------------------------------------------------- types

  /** The type a type tree names (a declaration's type), or null when it is not one we resolve. */
  TypeMirror typeOf(Tree t) {
    if (t instanceof PrimitiveTypeTree p) {
      return switch (p.getPrimitiveTypeKind()) {
        case BOOLEAN, BYTE, SHORT, INT, LONG, CHAR, FLOAT, DOUBLE -> types.getPrimitiveType(p.getPrimitiveTypeKind());
        default -> null;
      };
    }
    if (t instanceof ArrayTypeTree a) {
      TypeMirror c = typeOf(a.getType());
      return c == null ? null : types.getArrayType(c);
    }
    if (t instanceof ParameterizedTypeTree p) {
      TypeMirror raw = typeOf(p.getType());
      return raw == null ? null : types.erasure(raw);
    }
    if (t instanceof IdentifierTree || t instanceof MemberSelectTree) {
      TypeElement e = typeNamed((ExpressionTree) t);
      return e == null ? null : types.erasure(e.asType());
    }
    return null;
  }

  /** The class a (simple or qualified) name denotes, or null. */
  /** A class by its qualified name. */
  TypeElement qualified(String name) {
    return declarations.type(name);
  }

  TypeElement typeNamed(ExpressionTree name) {
    if (name instanceof IdentifierTree id) {
      return type(id.getName().toString());
    }
    if (name instanceof MemberSelectTree m) {
      TypeElement byName = declarations.type(m.toString());
      if (byName != null) {
        return byName;
      }
      TypeElement outer = typeNamed(m.getExpression());
      return outer == null ? null : memberType(outer, m.getIdentifier().toString());
    }
    return null;
  }

  /** A class by simple name, in the JLS's order of scopes. */
  TypeElement type(String name) {
    for (TypeElement c : enclosing) {
      if (c.getSimpleName().contentEquals(name)) {
        return c;
      }
      TypeElement member = memberType(c, name);
      if (member != null) {
        return member;
      }
    }
    for (ImportTree i : unit.getImports()) {
      if (!i.isStatic() && i.getQualifiedIdentifier() instanceof MemberSelectTree m
          && m.getIdentifier().contentEquals(name)) {
        TypeElement t = declarations.type(m.toString());
        if (t != null) {
          return t;
        }
      }
    }
    TypeElement same = declarations.type(packageName.isEmpty() ? name : packageName + "." + name);
    if (same != null) {
      return same;
    }
    for (ImportTree i : unit.getImports()) {
      if (!i.isStatic() && i.getQualifiedIdentifier() instanceof MemberSelectTree m
          && m.getIdentifier().contentEquals("*")) {
        String container = m.getExpression().toString();
        TypeElement t = declarations.type(container + "." + name);
        if (t != null) {
          return t;
        }
        TypeElement outer = declarations.type(container);
        if (outer != null && (t = memberType(outer, name)) != null) {
          return t;
        }
      }
    }
    return declarations.type("java.lang." + name);
  }

  private TypeElement memberType(TypeElement c, String name) {
    for (TypeElement t : ElementFilter.typesIn(declarations.members(c))) {
      if (t.getSimpleName().contentEquals(name)) {
        return t;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- fields and methods

  /** A field by simple name: of the enclosing classes (inherited ones too), then static imports. */
  VariableElement field(String name) {
    for (TypeElement c : enclosing) {
      VariableElement f = field(c, name);
      if (f != null) {
        return f;
      }
    }
    for (TypeElement from : staticImports(name)) {
      VariableElement f = field(from, name);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  VariableElement field(TypeElement c, String name) {
    for (VariableElement f : ElementFilter.fieldsIn(declarations.members(c))) {
      if (f.getSimpleName().contentEquals(name)) {
        return f;
      }
    }
    return null;
  }

  /**
   * The methods an unqualified call {@code name(...)} can mean: those of the innermost enclosing
   * class that has a method of that name (JLS 15.12.1), else the statically imported ones.
   */
  List<ExecutableElement> methods(String name) {
    for (TypeElement c : enclosing) {
      List<ExecutableElement> found = methods(c, name);
      if (!found.isEmpty()) {
        return found;
      }
    }
    List<ExecutableElement> imported = new ArrayList<>();
    for (TypeElement from : staticImports(name)) {
      for (ExecutableElement m : methods(from, name)) {
        if (m.getModifiers().contains(javax.lang.model.element.Modifier.STATIC)) {
          imported.add(m);
        }
      }
    }
    return imported;
  }

  List<ExecutableElement> methods(TypeElement c, String name) {
    List<ExecutableElement> out = new ArrayList<>();
    for (ExecutableElement m : ElementFilter.methodsIn(declarations.members(c))) {
      if (m.getSimpleName().contentEquals(name)) {
        out.add(m);
      }
    }
    return out;
  }

  /** The classes whose static member {@code name} a static import brings in, single ones first. */
  private List<TypeElement> staticImports(String name) {
    List<TypeElement> single = new ArrayList<>();
    List<TypeElement> demand = new ArrayList<>();
    for (ImportTree i : unit.getImports()) {
      if (i.isStatic() && i.getQualifiedIdentifier() instanceof MemberSelectTree m) {
        boolean all = m.getIdentifier().contentEquals("*");
        if (all || m.getIdentifier().contentEquals(name)) {
          TypeElement t = declarations.type(m.getExpression().toString());
          if (t != null) {
            (all ? demand : single).add(t);
          }
        }
      }
    }
    single.addAll(demand);
    return single;
  }

  /** Whether {@code e} is a class (or interface, enum, record). */
  static boolean isType(Element e) {
    return e != null && (e.getKind().isClass() || e.getKind().isInterface());
  }

  static boolean isArray(TypeMirror t) {
    return t != null && t.getKind() == TypeKind.ARRAY;
  }

  static boolean isField(Element e) {
    return e != null && e.getKind() == ElementKind.FIELD;
  }
}
