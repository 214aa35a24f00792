package dev.adjoint.processor.diag;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import dev.adjoint.processor.parse.JavacSource;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;

/**
 * {@code @Differentiable} methods that annotation processing never hands to the processor: those
 * of local classes and records, anonymous classes and enum-constant bodies. javac's
 * {@code getElementsAnnotatedWith} does not look into method bodies and initializers, and when
 * such a method is the only use of the annotation javac does not even call the processor; without
 * this check the method would be silently ignored and its caller would meet "cannot find symbol
 * ...Grad". So a task listener, installed when the processor starts, scans each compilation unit
 * once with the Tree API when javac has analyzed it (its trees are then attributed), and every
 * such method gets an error at its name. Other compilers (ECJ) do not look into method bodies
 * either; there the processor sees every round ({@code "*"}) and scans the re-parsed units that
 * mention the annotation ({@link #scanRound}), with the annotation known by its name as written.
 */
public final class DeclarationSites implements TaskListener {
  static final String ANNOTATION = "dev.adjoint.Differentiable";

  private final Trees trees;
  private final Diagnostics diag;
  private final Set<CompilationUnitTree> seen = Collections.newSetFromMap(new IdentityHashMap<>());

  private DeclarationSites(Trees trees, Diagnostics diag) {
    this.trees = trees;
    this.diag = diag;
  }

  /**
   * Watches the compilation of {@code env} under javac; false under another compiler, whose
   * rounds must then be scanned with {@link #scanRound}.
   */
  public static boolean install(ProcessingEnvironment env, Diagnostics diag) {
    try {
      JavacTask.instance(env).addTaskListener(new DeclarationSites(Trees.instance(env), diag));
      return true;
    } catch (IllegalArgumentException | IllegalStateException | LinkageError notJavac) {
      return false;
    }
  }

  /**
   * Under a compiler without the Tree API: scans the parsed units of the round's top-level types
   * whose text mentions the annotation, once per unit.
   */
  public static void scanRound(javax.annotation.processing.RoundEnvironment round,
      dev.adjoint.processor.parse.SourceAccess sources, Diagnostics diag) {
    Set<dev.adjoint.processor.parse.SourceUnit> units = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Element root : round.getRootElements()) {
      if (root instanceof TypeElement top && (top.getEnclosingElement() == null
          || top.getEnclosingElement().getKind() == ElementKind.PACKAGE)) {
        dev.adjoint.processor.parse.SourceUnit unit = sources.unitMentioning(top, "Differentiable");
        if (unit != null && units.add(unit)) {
          new Scanner(null, diag, unit).scan(unit.tree(), null);
        }
      }
    }
  }

  /**
   * Scans a unit that javac parsed but will never analyze ({@code -proc:only}, as the Maven
   * plugin runs it): its listener gets no ANALYZE event, so the sites are found on the parse
   * trees, with the annotation known by its name as written, as under ECJ.
   */
  public static void scanParsed(dev.adjoint.processor.parse.SourceUnit unit, Diagnostics diag) {
    new Scanner(null, diag, unit).scan(unit.tree(), null);
  }

  @Override
  public void finished(TaskEvent e) {
    if (e.getKind() == TaskEvent.Kind.ANALYZE && e.getCompilationUnit() != null && seen.add(e.getCompilationUnit())) {
      new Scanner(trees, diag, new JavacSource.Unit(trees, e.getCompilationUnit())).scan(e.getCompilationUnit(), null);
    }
  }

  /** Scans one unit; {@code trees} is null for parse trees of another compiler. */
  private static final class Scanner extends TreePathScanner<Void, Void> {
    private final Trees trees;
    private final Diagnostics diag;
    private final dev.adjoint.processor.parse.SourceUnit unit;
    private final boolean imported;

    Scanner(Trees trees, Diagnostics diag, dev.adjoint.processor.parse.SourceUnit unit) {
      this.trees = trees;
      this.diag = diag;
      this.unit = unit;
      boolean named = false;
      for (ImportTree i : unit.tree().getImports()) {
        String name = i.getQualifiedIdentifier().toString();
        named |= !i.isStatic() && (name.equals(ANNOTATION) || name.equals("dev.adjoint.*"));
      }
      this.imported = named;
    }

    @Override
    public Void visitMethod(MethodTree method, Void unused) {
      String site = site(getCurrentPath());
      if (site != null && differentiable(method)) {
        CharSequence owner = ((ClassTree) getCurrentPath().getParentPath().getLeaf()).getSimpleName();
        String name = owner.length() == 0 ? method.getName().toString() : owner + "." + method.getName();
        diag.report(unit, method, Message.UNREACHABLE_SITE, name, site);
      }
      return super.visitMethod(method, unused);
    }

    /**
     * What the method's class is declared in when that is code (a method body, an initializer, a
     * {@code new} expression) rather than a package or class body: the innermost such class names
     * the site. Null for top-level and member types, which the processor handles.
     */
    private String site(TreePath method) {
      TreePath owner = method.getParentPath();
      for (TreePath p = owner; p.getParentPath() != null; p = p.getParentPath()) {
        Tree parent = p.getParentPath().getLeaf();
        if (!(p.getLeaf() instanceof ClassTree c) || parent instanceof ClassTree || parent instanceof CompilationUnitTree) {
          continue;
        }
        String kind = !(parent instanceof NewClassTree) ? "a local " + kindOf(c)
            : enumConstant(p) ? "an enum constant's body" : "an anonymous class";
        return p == owner ? kind : "a class nested in " + kind;
      }
      return null;
    }

    /** Whether a class body is that of an enum constant ({@code A { ... }}), not an anonymous class. */
    private boolean enumConstant(TreePath body) {
      TreePath variable = body.getParentPath().getParentPath();
      if (variable == null || variable.getLeaf().getKind() != Tree.Kind.VARIABLE) {
        return false;
      }
      if (trees == null) {
        // parse trees only: in an enum E, 'new E(...) { ... }' can only be a constant's body
        return variable.getParentPath().getLeaf() instanceof ClassTree e && e.getKind() == Tree.Kind.ENUM
            && body.getParentPath().getLeaf() instanceof NewClassTree n
            && n.getIdentifier().toString().contentEquals(e.getSimpleName());
      }
      Element e = trees.getElement(variable);
      return e != null && e.getKind() == ElementKind.ENUM_CONSTANT;
    }

    private static String kindOf(ClassTree c) {
      return switch (c.getKind()) {
        case RECORD -> "record";
        case ENUM -> "enum";
        case INTERFACE -> "interface";
        default -> "class";
      };
    }

    /** Whether one of the method's annotations is {@code dev.adjoint.Differentiable}. */
    private boolean differentiable(MethodTree method) {
      for (AnnotationTree a : method.getModifiers().getAnnotations()) {
        TreePath type = new TreePath(new TreePath(new TreePath(getCurrentPath(), method.getModifiers()), a),
            a.getAnnotationType());
        Element e = null;
        try {
          e = trees == null ? null : trees.getElement(type);
        } catch (RuntimeException ex) {
          // not attributed: fall back to the name as written
        }
        if (e instanceof TypeElement t) {
          if (t.getQualifiedName().contentEquals(ANNOTATION)) {
            return true;
          }
          continue;
        }
        String written = a.getAnnotationType().toString();
        if (written.equals(ANNOTATION) || imported && written.equals("Differentiable")) {
          return true;
        }
      }
      return false;
    }
  }
}
