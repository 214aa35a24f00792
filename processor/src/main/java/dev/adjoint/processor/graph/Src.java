package dev.adjoint.processor.graph;

/** Where a statement came from: its line and its source text, for comments and messages. */
public record Src(long line, String text) {
  public static final Src NONE = new Src(-1, "");

  public boolean known() {
    return line > 0;
  }
}
