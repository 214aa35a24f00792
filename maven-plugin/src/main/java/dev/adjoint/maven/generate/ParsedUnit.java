package dev.adjoint.maven.generate;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import dev.adjoint.processor.parse.SourceUnit;
import java.io.IOException;
import java.util.List;
import javax.tools.Diagnostic;

/**
 * A compilation unit javac only parsed, for the processor's declaration-site check; what the check
 * reports is added to {@code messages} as the processor's own, at {@code file:[line,column]}.
 */
final class ParsedUnit implements SourceUnit {
  private final CompilationUnitTree tree;
  private final SourcePositions positions;
  private final List<ProcessorRun.Message> messages;

  ParsedUnit(CompilationUnitTree tree, SourcePositions positions, List<ProcessorRun.Message> messages) {
    this.tree = tree;
    this.positions = positions;
    this.messages = messages;
  }

  @Override
  public CompilationUnitTree tree() {
    return tree;
  }

  @Override
  public long line(Tree t) {
    long pos = positions.getStartPosition(tree, t);
    return pos < 0 ? -1 : tree.getLineMap().getLineNumber(pos);
  }

  @Override
  public String text(Tree t) {
    try {
      CharSequence all = tree.getSourceFile().getCharContent(true);
      return all.subSequence((int) positions.getStartPosition(tree, t),
          (int) positions.getEndPosition(tree, t)).toString();
    } catch (IOException | RuntimeException e) {
      return t.toString();
    }
  }

  @Override
  public void report(Diagnostic.Kind kind, String message, Tree at) {
    long pos = positions.getStartPosition(tree, at);
    String where = tree.getSourceFile().toUri().getPath();
    if (pos >= 0) {
      where += ":[" + tree.getLineMap().getLineNumber(pos) + ","
          + tree.getLineMap().getColumnNumber(pos) + "]";
    }
    messages.add(new ProcessorRun.Message(kind, true, where + " " + message));
  }
}
