package dev.adjoint.processor.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * A statement of the structured computation graph. Java source is structured, so control flow
 * stays structured: branches and loops are regions holding blocks of statements. Statements
 * are mutable so that the analysis passes can record their decisions on them.
 */
public abstract sealed class Stmt {
  public final Src src;

  protected Stmt(Src src) {
    this.src = src;
  }

  /** How an overwritten value that the reverse sweep needs is kept. */
  public enum Save {
    /** Not needed (or not overwritten). */
    NONE,
    /** In a local of the forward sweep (code outside every branch and loop runs once). */
    LOCAL,
    /** On the value tape (code inside a branch or loop). */
    TAPE,
    /**
     * Not kept: the reverse sweep undoes the assignment ({@code idx++} by {@code idx--}), see
     * {@code Assign.undo}.
     */
    INVERT
  }

  /** {@code target = value} (a declaration when {@code declaration}). */
  public static final class Assign extends Stmt {
    public final Var target;
    public Expr value;
    public final boolean declaration;
    /** For display: the compound operator the source used ({@code +=}), or null. */
    public final Op compound;
    public Save save = Save.NONE;
    /** The local that holds the old value when {@code save == LOCAL}. */
    public Var saved;
    /** When {@code save == INVERT}: the assignment that restores the old value. */
    public Assign undo;

    public Assign(Var target, Expr value, boolean declaration, Op compound, Src src) {
      super(src);
      this.target = target;
      this.value = value;
      this.declaration = declaration;
      this.compound = compound;
    }
  }

  /** {@code array[index] = value}. */
  public static final class ArrayStore extends Stmt {
    public final Var array;
    public Expr index;
    public Expr value;
    public final Op compound;
    public Save save = Save.NONE;
    public Var saved;

    public ArrayStore(Var array, Expr index, Expr value, Op compound, Src src) {
      super(src);
      this.array = array;
      this.index = index;
      this.value = value;
      this.compound = compound;
    }

    /**
     * A row replacement, {@code m[i] = new double[k]} (or {@code t[i] = new double[a][b]}): the
     * index names a row of an n-D array and the value is a new array of the row's type, zero-filled.
     * The parser lowers every row store ({@code m[i] = v}, {@code m[i] = f(x)}) to one of these
     * and an element copy. What it overwrites is the old row (an array reference), not a double.
     */
    public boolean replacesRow() {
      return value.type().rank() > 0;
    }

    /** The type of what the store overwrites: the element type, or the row's array type. */
    public Type overwrittenType() {
      return replacesRow() ? value.type() : array.type().element();
    }
  }

  /** {@code if (cond) then else otherwise}. */
  public static final class If extends Stmt {
    public Expr cond;
    public final Block then;
    public final Block otherwise;

    public If(Expr cond, Block then, Block otherwise, Src src) {
      super(src);
      this.cond = cond;
      this.then = then;
      this.otherwise = otherwise;
    }
  }

  /**
   * A loop. {@code for} loops over an int index that the body never assigns are "counted": the
   * reverse sweep recomputes the index instead of taping it.
   */
  public static final class Loop extends Stmt {
    public enum Kind { WHILE, DO_WHILE, FOR }

    public final Kind kind;
    /** For counted loops: the index variable, its start and its constant step; else null. */
    public final Var index;
    public Expr start;
    public final int step;
    public Expr cond;
    public final Block body;
    /** The update statements of a non-counted {@code for} (run after the body). */
    public final Block update;
    /** Counts the iterations, so the reverse sweep runs the body's adjoint as often. */
    public Var counter;
    /** Holds the start of a counted loop whose start is not a literal. */
    public Var startCopy;
    /**
     * The reverse sweep computes the trip count again from the start and bound (see {@code
     * analysis.Recompute}): the forward sweep does not count.
     */
    public boolean tripsRecomputed;
    /** What its breaks and continues name, before lowering (which removes them); else null. */
    public Label label;
    /** A loop of the reverse sweep (run backwards), which may be skipped when its adjoints are zero. */
    public boolean adjoint;

    public Loop(Kind kind, Var index, Expr start, int step, Expr cond, Block body, Block update,
        Src src) {
      super(src);
      this.kind = kind;
      this.index = index;
      this.start = start;
      this.step = step;
      this.cond = cond;
      this.body = body;
      this.update = update;
    }

    public boolean counted() {
      return index != null;
    }
  }

  /** A nested scope, from {@code { ... }} in the source or a desugared {@code for}. */
  public static final class Nested extends Stmt {
    public final Block block;
    /**
     * Before lowering: set when {@code break} can leave this block (a labelled block, or a
     * desugared {@code switch}); else null.
     */
    public Label label;

    public Nested(Block block, Src src) {
      super(src);
      this.block = block;
    }
  }

  /** A call made for its effect, such as {@code _tape.pushDouble(x)}. */
  public static final class Eval extends Stmt {
    public final Expr call;

    public Eval(Expr call) {
      super(Src.NONE);
      this.call = call;
    }
  }

  /** A comment line in generated code (empty text: a blank line). */
  public static final class Comment extends Stmt {
    public final String text;

    public Comment(String text) {
      super(Src.NONE);
      this.text = text;
    }
  }

  /** {@code return value}; after lowering only as the method's last statement. */
  public static final class Return extends Stmt {
    public Expr value;

    public Return(Expr value, Src src) {
      super(src);
      this.value = value;
    }
  }

  /**
   * What a {@code break} leaves or a {@code continue} continues: a loop, a {@code switch} or a
   * labelled block. The parser resolves every break and continue (labelled or not) to one, so
   * the lowering never has to guess which statement "innermost" meant. Compared by identity.
   */
  public static final class Label {
    /** The source label ({@code outer}), or null for an unlabelled loop or switch. */
    public final String name;

    public Label(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name == null ? "(unlabelled)" : name;
    }
  }

  /** {@code break} or {@code break label}: leaves {@code target}. */
  public static final class Break extends Stmt {
    public final Label target;

    public Break(Label target, Src src) {
      super(src);
      this.target = target;
    }
  }

  /** {@code continue} or {@code continue label}: ends this iteration of loop {@code target}. */
  public static final class Continue extends Stmt {
    public final Label target;

    public Continue(Label target, Src src) {
      super(src);
      this.target = target;
    }
  }

  /** A scope: a list of statements and the locals declared directly in it. */
  public static final class Block {
    public final List<Stmt> stmts;
    /**
     * Locals declared in this block that the reverse sweep needs: pushed on the tape when the
     * block ends and popped when its adjoint begins (filled in by the planner).
     */
    public final List<Var> carried = new ArrayList<>();
    /**
     * Locals declared in this block (a loop's start and trip count) that the reverse sweep needs
     * and computes again where its adjoint begins, from these expressions, instead of taping them.
     */
    public final java.util.Map<Var, Expr> recomputed = new java.util.LinkedHashMap<>();
    /**
     * Loops of this block that fill a scratch array from values the reverse sweep still has
     * ({@code xc[j] = x[i][j] - mu[c][j]}): run again where the block's adjoint begins instead of
     * taping what they overwrite (see {@code analysis.Refills}).
     */
    public final List<Loop> refilled = new ArrayList<>();

    public Block(List<Stmt> stmts) {
      this.stmts = new ArrayList<>(stmts);
    }

    public Block() {
      this(List.of());
    }
  }
}
