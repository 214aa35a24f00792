package dev.adjoint.processor.diff;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Builds the statements a transformation produces, as graph statements again: what the
 * reverse and forward transforms write can itself be transformed (forward over reverse gives
 * Hessians) and is printed in one place.
 */
final class Out {
  private final Deque<Block> blocks = new ArrayDeque<>();
  private final Deque<Stmt> open = new ArrayDeque<>();

  Out() {
    blocks.push(new Block());
  }

  Block result() {
    return blocks.getLast();
  }

  void add(Stmt s) {
    blocks.peek().stmts.add(s);
  }

  void declare(Var v, Expr value) {
    add(new Stmt.Assign(v, value, true, null, Src.NONE));
  }

  void declare(Var v, Expr value, Src src) {
    add(new Stmt.Assign(v, value, true, null, src));
  }

  void assign(Var v, Expr value) {
    add(new Stmt.Assign(v, value, false, null, Src.NONE));
  }

  /** {@code v op= rhs}. */
  void update(Var v, Op op, Expr rhs) {
    add(new Stmt.Assign(v, new Expr.Apply(op, java.util.List.of(new Expr.Ref(v), rhs), v.type()),
        false, op, Src.NONE));
  }

  void store(Var array, Expr index, Expr value) {
    add(new Stmt.ArrayStore(array, index, value, null, Src.NONE));
  }

  /** {@code array[index] op= rhs}. */
  void storeUpdate(Var array, Expr index, Op op, Expr rhs) {
    Expr read = new Expr.Apply(Op.ARRAY_READ, java.util.List.of(new Expr.Ref(array), index),
        dev.adjoint.processor.graph.Type.DOUBLE);
    add(new Stmt.ArrayStore(array, index, new Expr.Apply(op, java.util.List.of(read, rhs),
        dev.adjoint.processor.graph.Type.DOUBLE), op, Src.NONE));
  }

  void eval(Expr call) {
    add(new Stmt.Eval(call));
  }

  void comment(String text) {
    add(new Stmt.Comment(text));
  }

  /** Opens a region: its blocks are filled until {@link #close()}. */
  void openIf(Expr cond, Src src) {
    Stmt.If f = new Stmt.If(cond, new Block(), new Block(), src);
    add(f);
    open.push(f);
    blocks.push(f.then);
  }

  void otherwise() {
    blocks.pop();
    blocks.push(((Stmt.If) open.peek()).otherwise);
  }

  void openLoop(Stmt.Loop loop) {
    add(loop);
    open.push(loop);
    blocks.push(loop.body);
  }

  void openBlock() {
    Stmt.Nested n = new Stmt.Nested(new Block(), Src.NONE);
    add(n);
    open.push(n);
    blocks.push(n.block);
  }

  void close() {
    blocks.pop();
    open.pop();
  }

  /** Adds {@code s} to the current block right before {@code at}, a statement of it. */
  void insertBefore(Stmt at, Stmt s) {
    List<Stmt> stmts = blocks.peek().stmts;
    for (int i = 0; i < stmts.size(); i++) {
      if (stmts.get(i) == at) {
        stmts.add(i, s);
        return;
      }
    }
    throw new IllegalStateException("not in the current block");
  }

  /** Where the current block stands, for {@link #dropSinceIfEmpty}. */
  int mark() {
    return blocks.peek().stmts.size();
  }

  /**
   * After a region was closed: if nothing but comments was written since {@code mark} (a
   * branch or loop whose adjoint turned out to have nothing to do), removes it, comments and
   * all.
   */
  void dropSinceIfEmpty(int mark) {
    List<Stmt> stmts = blocks.peek().stmts;
    for (Stmt s : stmts.subList(mark, stmts.size())) {
      if (!onlyComments(s)) {
        return;
      }
    }
    stmts.subList(mark, stmts.size()).clear();
  }

  private static boolean onlyComments(Stmt s) {
    if (s instanceof Stmt.Comment) {
      return true;
    }
    if (s instanceof Stmt.If f) {
      return f.then.stmts.stream().allMatch(Out::onlyComments)
          && f.otherwise.stmts.stream().allMatch(Out::onlyComments);
    }
    if (s instanceof Stmt.Loop l) {
      return l.body.stmts.stream().allMatch(Out::onlyComments)
          && l.update.stmts.stream().allMatch(Out::onlyComments);
    }
    if (s instanceof Stmt.Nested n) {
      return n.block.stmts.stream().allMatch(Out::onlyComments);
    }
    return false;
  }
}
