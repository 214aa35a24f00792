package dev.adjoint.processor.parse;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import javax.tools.Diagnostic;

/**
 * A compilation unit's syntax tree as the parser reads it: parse trees only, never attributed.
 * It hides which compiler supplied them (javac's own trees, or the unit re-parsed from its text
 * under another compiler), so every later stage sees the same graph whichever compiler ran.
 */
public interface SourceUnit {
  CompilationUnitTree tree();

  /** The 1-based line of a tree, or -1 when unknown. */
  long line(Tree t);

  /** The source text of a tree as the user wrote it. */
  String text(Tree t);

  /** Reports a message at the tree's exact position (or as near to it as the compiler allows). */
  void report(Diagnostic.Kind kind, String message, Tree at);
}
