package dev.adjoint.processor.diag;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import com.palantir.javapoet.ClassName;
import com.sun.source.util.Trees;
import dev.adjoint.processor.emit.Naming;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * To read a {@code @Differentiable} method, the processor has javac attribute its class during
 * annotation processing, before the generated classes exist. javac (17 to 25 at least) then
 * crashes in a later round on code of that class that infers a type from a generated class: a
 * {@code var} initialised from {@code ModelGrad.f(x)}, a lambda with implicit parameter types
 * or a method reference in a statement that names it. This finds such code first, so that the
 * user gets an error at its line instead of a compiler crash.
 */
public final class InferenceHazards {
  private InferenceHazards() {}

  /**
   * The compilation units of {@code owners} (the classes with {@code @Differentiable} methods of
   * this round) with code that infers a type from a class generated in this round, each
   * such place reported.
   */
  public static Set<CompilationUnitTree> find(Collection<TypeElement> owners, Elements elements,
      Trees trees, Diagnostics diag) {
    Set<String> generated = new HashSet<>();
    Set<CompilationUnitTree> units = new LinkedHashSet<>();
    for (TypeElement owner : owners) {
      ClassName grad = Naming.gradClass(owner);
      if (elements.getTypeElement(grad.canonicalName()) == null) {
        generated.add(grad.simpleName());
      }
      TreePath path = trees.getPath(owner);
      if (path != null) {
        units.add(path.getCompilationUnit());
      }
    }
    Set<CompilationUnitTree> hazardous = new HashSet<>();
    for (CompilationUnitTree unit : generated.isEmpty() ? Set.<CompilationUnitTree>of() : units) {
      if (check(unit, generated, diag)) {
        hazardous.add(unit);
      }
    }
    return hazardous;
  }

  /**
   * Reports each statement of {@code unit} that infers a type while naming one of {@code
   * generated} (simple names of classes generated in this round that do not exist yet); returns
   * whether there was one.
   */
  private static boolean check(CompilationUnitTree unit, Set<String> generated, Diagnostics diag) {
    boolean[] found = {false};
    Set<Tree> reported = new HashSet<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(VariableTree tree, Void unused) {
        if (tree.getType() == null) {
          hazard(getCurrentPath(), getCurrentPath().getParentPath().getLeaf() instanceof LambdaExpressionTree
              ? "a lambda parameter without a type" : "'var " + tree.getName() + "'");
        }
        return super.visitVariable(tree, unused);
      }

      @Override
      public Void visitMemberReference(MemberReferenceTree tree, Void unused) {
        hazard(getCurrentPath(), "a method reference");
        return super.visitMemberReference(tree, unused);
      }

      private void hazard(TreePath at, String what) {
        Tree statement = statement(at);
        String name = statement == null ? null : named(statement, generated);
        if (name != null && reported.add(statement)) {
          found[0] = true;
          String fix = what.startsWith("'var")
              ? "declare '" + ((VariableTree) at.getLeaf()).getName() + "' with its type (the record named after"
                  + " the method: " + name + ".F for a method f)"
              : what.startsWith("a lambda") ? "give the lambda's parameters their types"
              : "write a lambda with typed parameters instead";
          diag.report(at, at.getLeaf(), Message.INFERENCE_HAZARD, what, name, fix);
        }
      }
    }.scan(unit, null);
    return found[0];
  }

  /** The statement (or field) the tree belongs to: the child of a block or of a class. */
  private static Tree statement(TreePath path) {
    for (TreePath p = path; p.getParentPath() != null; p = p.getParentPath()) {
      Tree parent = p.getParentPath().getLeaf();
      if (parent instanceof BlockTree || parent instanceof ClassTree || parent instanceof MethodTree) {
        return p.getLeaf();
      }
    }
    return null;
  }

  /** The first of {@code names} the tree mentions, or null. */
  private static String named(Tree tree, Set<String> names) {
    String[] found = {null};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree t, Void unused) {
        check(t.getName().toString());
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree t, Void unused) {
        check(t.getIdentifier().toString());
        return super.visitMemberSelect(t, unused);
      }

      private void check(String name) {
        if (found[0] == null && names.contains(name)) {
          found[0] = name;
        }
      }
    }.scan(tree, null);
    return found[0];
  }
}
