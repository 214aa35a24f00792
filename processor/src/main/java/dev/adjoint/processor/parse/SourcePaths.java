package dev.adjoint.processor.parse;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;

/**
 * The source paths of methods. {@code Trees.getPath(method)} searches the whole compilation unit
 * on every call, which makes a file of many differentiable methods quadratic; this finds the
 * paths of all methods of a unit in one scan, the first time one of them is asked for.
 */
public final class SourcePaths {
  private final Trees trees;
  private final Map<Element, TreePath> methods = new HashMap<>();
  private final Set<CompilationUnitTree> scanned = new HashSet<>();

  public SourcePaths(Trees trees) {
    this.trees = trees;
  }

  /** The method's path, or null when it has no source in this compilation. */
  public TreePath of(ExecutableElement method) {
    TreePath path = methods.get(method);
    if (path != null) {
      return path;
    }
    Element top = method;
    while (top.getEnclosingElement() != null && top.getEnclosingElement().getKind() != ElementKind.PACKAGE
        && top.getEnclosingElement().getKind() != ElementKind.MODULE) {
      top = top.getEnclosingElement();
    }
    TreePath topPath = trees.getPath(top); // a top-level class is found at once
    if (topPath != null && scanned.add(topPath.getCompilationUnit())) {
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethod(MethodTree tree, Void unused) {
          Element e = trees.getElement(getCurrentPath());
          if (e != null) {
            methods.put(e, getCurrentPath());
          }
          return null; // classes declared inside method bodies are not processed
        }
      }.scan(topPath.getCompilationUnit(), null);
      path = methods.get(method);
    }
    return path != null ? path : trees.getPath(method);
  }
}
