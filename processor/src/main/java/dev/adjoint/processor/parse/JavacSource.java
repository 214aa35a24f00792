package dev.adjoint.processor.parse;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.tools.Diagnostic;

/**
 * Method sources under javac: the compiler's own parse trees through the Tree API. Only
 * declarations are asked for ({@code Trees.getPath}, {@code getElement} of a method declaration),
 * which javac answers from what it entered, so no class is ever attributed during processing.
 * {@code Trees.getPath(method)} searches the whole unit on every call, which makes a file of many
 * methods quadratic; the methods of a unit are found in one scan instead.
 */
public final class JavacSource implements SourceAccess {
  private final Trees trees;
  private final Map<Element, MethodSource> methods = new HashMap<>();
  private final Map<CompilationUnitTree, Unit> units = new HashMap<>();

  JavacSource(ProcessingEnvironment env) {
    this.trees = Trees.instance(env);
  }

  static boolean supports(ProcessingEnvironment env) {
    try {
      Trees.instance(env);
      return true;
    } catch (IllegalArgumentException | LinkageError notJavac) {
      return false;
    }
  }

  @Override
  public boolean isSource(javax.lang.model.element.TypeElement type) {
    return trees.getTree(type) != null;
  }

  @Override
  public void newRound() {
    methods.clear();
    units.clear();
  }

  @Override
  public MethodSource find(ExecutableElement method) {
    MethodSource found = methods.get(method);
    if (found != null) {
      return found;
    }
    Element top = method;
    while (top.getEnclosingElement() != null && top.getEnclosingElement().getKind() != ElementKind.PACKAGE
        && top.getEnclosingElement().getKind() != ElementKind.MODULE) {
      top = top.getEnclosingElement();
    }
    TreePath topPath = trees.getPath(top); // a top-level class is found at once
    if (topPath != null && !units.containsKey(topPath.getCompilationUnit())) {
      Unit unit = new Unit(trees, topPath.getCompilationUnit());
      units.put(unit.tree(), unit);
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethod(MethodTree tree, Void unused) {
          Element e = trees.getElement(getCurrentPath());
          if (e != null) {
            methods.put(e, new MethodSource(unit, tree));
          }
          return null; // classes declared inside method bodies are not processed
        }
      }.scan(unit.tree(), null);
      found = methods.get(method);
    }
    if (found == null) {
      TreePath path = trees.getPath(method);
      if (path != null && path.getLeaf() instanceof MethodTree tree) {
        found = new MethodSource(units.computeIfAbsent(path.getCompilationUnit(), u -> new Unit(trees, u)), tree);
      }
    }
    return found;
  }

  /** A unit of this javac compilation: messages go to javac at the tree's own position. */
  public static final class Unit implements SourceUnit {
    private final Trees trees;
    private final CompilationUnitTree unit;
    private CharSequence text;

    public Unit(Trees trees, CompilationUnitTree unit) {
      this.trees = trees;
      this.unit = unit;
    }

    @Override
    public CompilationUnitTree tree() {
      return unit;
    }

    @Override
    public long line(Tree t) {
      long pos = positions().getStartPosition(unit, t);
      // javac -g:none keeps no line map
      return pos < 0 || unit.getLineMap() == null ? -1 : unit.getLineMap().getLineNumber(pos);
    }

    @Override
    public String text(Tree t) {
      long start = positions().getStartPosition(unit, t);
      long end = positions().getEndPosition(unit, t);
      try {
        if (text == null) {
          text = unit.getSourceFile().getCharContent(true);
        }
        if (start >= 0 && end > start && end <= text.length()) {
          return text.subSequence((int) start, (int) end).toString();
        }
      } catch (IOException e) {
        // fall back to javac's rendering
      }
      return t.toString();
    }

    @Override
    public void report(Diagnostic.Kind kind, String message, Tree at) {
      trees.printMessage(kind, message, at, unit);
    }

    private SourcePositions positions() {
      return trees.getSourcePositions();
    }
  }
}
