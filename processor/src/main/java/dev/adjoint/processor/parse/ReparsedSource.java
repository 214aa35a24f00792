package dev.adjoint.processor.parse;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Method sources under a compiler without javac's Tree API (Eclipse's ECJ, which Eclipse and VS
 * Code run): the unit's text, as the compiler holds it (an editor's unsaved buffer included), is
 * parsed again with the JDK's own parser, so the parser reads the same trees as under javac.
 * Parsing only: nothing is attributed. Messages go to the method's element, with the line.
 */
final class ReparsedSource implements SourceAccess {
  private final ProcessingEnvironment env;
  private final Map<TypeElement, Unit> units = new HashMap<>();
  /** The units by text: the top-level types of one file share one parse. */
  private final Map<String, Unit> byText = new HashMap<>();

  ReparsedSource(ProcessingEnvironment env) {
    this.env = env;
  }

  @Override
  public boolean isSource(TypeElement type) {
    try {
      return field(field(type, "_binding"), "scope") != null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void newRound() {
    units.clear();
    byText.clear();
  }

  @Override
  public SourceUnit unitMentioning(TypeElement top, String word) {
    if (!isSource(top)) {
      return null;
    }
    String text = sourceText(top);
    if (text == null || !text.contains(word)) {
      return null;
    }
    return units.computeIfAbsent(top, this::parse);
  }

  @Override
  public MethodSource find(ExecutableElement method) {
    List<TypeElement> nesting = new ArrayList<>();
    for (Element e = method.getEnclosingElement(); e instanceof TypeElement t; e = t.getEnclosingElement()) {
      nesting.add(0, t);
    }
    if (nesting.isEmpty()) {
      return null;
    }
    TypeElement top = nesting.get(0);
    Unit unit = units.computeIfAbsent(top, this::parse);
    if (unit == null) {
      return null;
    }
    // the class tree of each nesting level, by name
    List<? extends Tree> members = unit.tree().getTypeDecls();
    ClassTree owner = null;
    for (TypeElement level : nesting) {
      owner = null;
      for (Tree m : members) {
        if (m instanceof ClassTree c && c.getSimpleName().contentEquals(level.getSimpleName())) {
          owner = c;
        }
      }
      if (owner == null) {
        return null;
      }
      members = owner.getMembers();
    }
    for (Tree m : members) {
      if (m instanceof MethodTree t && t.getName().contentEquals(method.getSimpleName())
          && sameParameters(t, method)) {
        return new MethodSource(unit, t);
      }
    }
    return null;
  }

  /** Parameters match by count and by the simple name of their erased types. */
  private boolean sameParameters(MethodTree tree, ExecutableElement method) {
    if (tree.getParameters().size() != method.getParameters().size()) {
      return false;
    }
    Types types = env.getTypeUtils();
    for (int i = 0; i < tree.getParameters().size(); i++) {
      VariableTree p = tree.getParameters().get(i);
      VariableElement q = method.getParameters().get(i);
      // a type variable T is T as written, Object (its bound) erased
      String written = simpleName(p.getType().toString());
      if (!written.equals(simpleName(types.erasure(q.asType()))) && !written.equals(simpleName(q.asType()))) {
        return false;
      }
    }
    return true;
  }

  private static String simpleName(TypeMirror t) {
    return simpleName(t.getKind() == TypeKind.DECLARED || t.getKind() == TypeKind.ARRAY ? t.toString() : t.toString());
  }

  /** {@code java.util.List<String>[]} → {@code List[]}. */
  private static String simpleName(String type) {
    String s = type.replaceAll("<.*>", "").replaceAll("\\s+", "").replace("...", "[]");
    if (s.startsWith("final")) {
      s = s.substring(5);
    }
    int dims = s.indexOf('[');
    String base = dims < 0 ? s : s.substring(0, dims);
    String suffix = dims < 0 ? "" : s.substring(dims);
    return base.substring(base.lastIndexOf('.') + 1) + suffix;
  }

  private Unit parse(TypeElement top) {
    String text = sourceText(top);
    if (text == null) {
      return null;
    }
    Unit known = byText.get(text);
    if (known != null) {
      return known;
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      return null;
    }
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + top.getSimpleName() + ".java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return text;
      }
    };
    JavacTask task = (JavacTask) javac.getTask(null, null, d -> { }, List.of("-proc:none"), null, List.of(file));
    try {
      for (CompilationUnitTree unit : task.parse()) {
        Unit parsed = new Unit(unit, text, Trees.instance(task).getSourcePositions(), packageOf(top));
        byText.put(text, parsed);
        return parsed;
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /**
   * The text of a type's compilation unit. ECJ keeps it on the type's binding (its compilation
   * result's unit), which is what Eclipse compiles, saved or not; the file it names is the
   * fallback.
   */
  static String sourceText(TypeElement top) {
    try {
      Object binding = field(top, "_binding");
      Object scope = field(binding, "scope");
      Object unitDecl = scope.getClass().getMethod("referenceCompilationUnit").invoke(scope);
      Object result = field(unitDecl, "compilationResult");
      Object unit = field(result, "compilationUnit");
      Method contents = unit.getClass().getMethod("getContents");
      contents.setAccessible(true);
      char[] chars = (char[]) contents.invoke(unit);
      if (chars != null) {
        return new String(chars);
      }
    } catch (ReflectiveOperationException | RuntimeException notEcj) {
      // try the file below
    }
    try {
      Method fileName = top.getClass().getMethod("getFileName");
      Object name = fileName.invoke(top);
      if (name != null) {
        return Files.readString(Path.of(name.toString()));
      }
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      // no source known
    }
    return null;
  }

  private static String packageOf(TypeElement top) {
    Element p = top.getEnclosingElement();
    return p instanceof javax.lang.model.element.PackageElement pkg && !pkg.isUnnamed()
        ? pkg.getQualifiedName() + "." : "";
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }

  /**
   * A re-parsed unit. A message goes to the element declared where it points (the method, else
   * the field or class around it), since the compiler's positions are not those of this parse,
   * and names the line and the code it points at.
   */
  private final class Unit implements SourceUnit {
    private final CompilationUnitTree unit;
    private final String text;
    private final SourcePositions positions;
    private final String packagePrefix;

    Unit(CompilationUnitTree unit, String text, SourcePositions positions, String packagePrefix) {
      this.unit = unit;
      this.text = text;
      this.positions = positions;
      this.packagePrefix = packagePrefix;
    }

    @Override
    public CompilationUnitTree tree() {
      return unit;
    }

    @Override
    public long line(Tree t) {
      long pos = positions.getStartPosition(unit, t);
      return pos < 0 ? -1 : unit.getLineMap().getLineNumber(pos);
    }

    @Override
    public String text(Tree t) {
      long start = positions.getStartPosition(unit, t);
      long end = positions.getEndPosition(unit, t);
      if (start >= 0 && end > start && end <= text.length()) {
        return text.substring((int) start, (int) end);
      }
      return t.toString();
    }

    @Override
    public void report(Diagnostic.Kind kind, String message, Tree at) {
      String code = text(at).replaceAll("\\s+", " ");
      if (code.length() > 80) {
        code = code.substring(0, 77) + "...";
      }
      long pos = position(at);
      String located = message + " (line " + (pos < 0 ? -1 : unit.getLineMap().getLineNumber(pos)) + ": " + code + ")";
      Element where = elementAt(pos);
      if (where != null) {
        env.getMessager().printMessage(kind, located, where);
      } else {
        env.getMessager().printMessage(kind, located);
      }
    }

    /**
     * Where javac would place a message at the tree: a declaration's name (its annotations and
     * modifiers may stand on lines before), else the tree's start.
     */
    private long position(Tree t) {
      long start = positions.getStartPosition(unit, t);
      Tree before = null;
      CharSequence name = null;
      if (t instanceof MethodTree m && !m.getName().contentEquals("<init>")) {
        before = m.getReturnType() != null ? m.getReturnType() : m.getModifiers();
        name = m.getName();
      } else if (t instanceof VariableTree v) {
        before = v.getType();
        name = v.getName();
      } else if (t instanceof ClassTree c) {
        before = c.getModifiers();
        name = c.getSimpleName();
      }
      long from = before == null ? -1 : positions.getEndPosition(unit, before);
      if (from >= 0 && name.length() > 0) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name.toString()) + "\\b").matcher(text);
        if (m.find((int) from)) {
          return m.start();
        }
      }
      return start;
    }

    /** The innermost member declaration (method, field, member class) around a position. */
    private Element elementAt(long pos) {
      List<? extends Tree> members = unit.getTypeDecls();
      TypeElement type = null;
      while (true) {
        Tree holder = null;
        for (Tree m : members) {
          if (positions.getStartPosition(unit, m) <= pos && pos < positions.getEndPosition(unit, m)) {
            holder = m;
          }
        }
        if (holder instanceof ClassTree c) {
          TypeElement inner = null;
          if (type == null) {
            inner = env.getElementUtils().getTypeElement(packagePrefix + c.getSimpleName());
          } else {
            for (TypeElement t : ElementFilter.typesIn(type.getEnclosedElements())) {
              if (t.getSimpleName().contentEquals(c.getSimpleName())) {
                inner = t;
              }
            }
          }
          if (inner == null) {
            return type;
          }
          type = inner;
          members = c.getMembers();
        } else if (holder instanceof MethodTree t && type != null) {
          for (Element e : type.getEnclosedElements()) {
            if (e instanceof ExecutableElement m && m.getSimpleName().contentEquals(t.getName())
                && sameParameters(t, m)) {
              return m;
            }
          }
          return type;
        } else if (holder instanceof VariableTree v && type != null) {
          for (VariableElement f : ElementFilter.fieldsIn(type.getEnclosedElements())) {
            if (f.getSimpleName().contentEquals(v.getName())) {
              // ECJ places a message on an enum constant at line 0: the enum instead
              return f.getKind() == ElementKind.ENUM_CONSTANT ? type : f;
            }
          }
          return type;
        } else {
          return type;
        }
      }
    }
  }
}
