package dev.adjoint.processor.graph;

import com.palantir.javapoet.TypeName;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An expression of the computation graph: an immutable tree whose leaves are constants,
 * variables and static constant fields. Primal statements and the derivative expressions built
 * by the differentiator share this one representation. Structural equality (records) lets the
 * simplifier recognise equal terms.
 */
public sealed interface Expr {
  Type type();

  /** A literal: a {@code Double}, {@code Integer}, {@code Long} or {@code Boolean}. */
  record Const(Type type, Object value) implements Expr {
    public static final Const ZERO = new Const(Type.DOUBLE, 0.0);
    public static final Const ONE = new Const(Type.DOUBLE, 1.0);

    public static Const of(double v) {
      return new Const(Type.DOUBLE, v);
    }

    public static Const ofInt(int v) {
      return new Const(Type.INT, v);
    }

    public static Const ofBoolean(boolean v) {
      return new Const(Type.BOOLEAN, v);
    }

    public double asDouble() {
      return value instanceof Boolean b ? (b ? 1 : 0) : ((Number) value).doubleValue();
    }

    public boolean is(double v) {
      return type != Type.BOOLEAN && asDouble() == v;
    }
  }

  /** The current value of a variable. */
  record Ref(Var var) implements Expr {
    @Override
    public Type type() {
      return var.type();
    }
  }

  /** An operation applied to operands; {@code strict} selects StrictMath for math functions. */
  record Apply(Op op, List<Expr> args, Type type, boolean strict) implements Expr {
    public Apply {
      args = List.copyOf(args);
    }

    public Apply(Op op, List<Expr> args, Type type) {
      this(op, args, type, false);
    }

    public Expr arg(int i) {
      return args.get(i);
    }
  }

  /**
   * A field read, never differentiated: a {@code static final} one such as {@code Math.PI}
   * ({@code owner} set), or a field of the model instance ({@code receiver} set: {@code self.scale}).
   */
  record Field(TypeName owner, Expr receiver, String name, Type type) implements Expr {
    public Field(TypeName owner, String name, Type type) {
      this(owner, null, name, type);
    }
  }

  /**
   * A call of another static method. When the call is differentiated, {@code derivative} is the
   * variable that holds what the callee's derivative method returned (a gradient record, or the
   * partials of a custom derivative), computed once in the forward sweep.
   */
  record Call(CallTarget target, List<Expr> args, Var derivative) implements Expr {
    public Call {
      args = List.copyOf(args);
    }

    @Override
    public Type type() {
      return target.returnType();
    }

    public Call withDerivative(Var d) {
      return new Call(target, args, d);
    }
  }

  /**
   * A call that is not differentiated through: a static helper ({@code owner} set) or a method
   * of {@code receiver}. Used for tensor queries ({@code x.shape()}) and, in derivative
   * expressions, for the runtime's adjoint helpers.
   */
  record Invoke(TypeName owner, Expr receiver, String method, List<Expr> args, Type type) implements Expr {
    public Invoke {
      args = List.copyOf(args);
    }
  }

  /** {@code new Type(args)}: the tape, a result record. */
  record New(TypeName javaType, List<Expr> args, Type type) implements Expr {
    public New {
      args = List.copyOf(args);
    }
  }

  /** A component of a callee's gradient record, such as {@code _r0.x()}. */
  record RecordGet(Var record, String accessor, Type type) implements Expr {}

  /** Visits every node of the tree, parents before children. */
  default void forEach(Consumer<Expr> visitor) {
    visitor.accept(this);
    if (this instanceof Apply a) {
      a.args().forEach(e -> e.forEach(visitor));
    } else if (this instanceof Call c) {
      c.args().forEach(e -> e.forEach(visitor));
    } else if (this instanceof Invoke i) {
      if (i.receiver() != null) {
        i.receiver().forEach(visitor);
      }
      i.args().forEach(e -> e.forEach(visitor));
    } else if (this instanceof New n) {
      n.args().forEach(e -> e.forEach(visitor));
    } else if (this instanceof Field f && f.receiver() != null) {
      f.receiver().forEach(visitor); // the instance of a field read, {@code self.scale}
    }
  }

  /** Whether this tree reads {@code v}. */
  default boolean reads(Var v) {
    boolean[] found = {false};
    forEach(e -> {
      if (e instanceof Ref r && r.var() == v || e instanceof RecordGet g && g.record() == v
          || e instanceof Call c && c.derivative() == v) {
        found[0] = true;
      }
    });
    return found[0];
  }

  /** Rebuilds the tree bottom-up, replacing each node by what {@code f} returns for it. */
  default Expr map(Function<Expr, Expr> f) {
    Expr self = this;
    if (this instanceof Apply a) {
      self = new Apply(a.op(), a.args().stream().map(x -> x.map(f)).toList(), a.type(), a.strict());
    } else if (this instanceof Call c) {
      self = new Call(c.target(), c.args().stream().map(x -> x.map(f)).toList(), c.derivative());
    } else if (this instanceof Invoke i) {
      self = new Invoke(i.owner(), i.receiver() == null ? null : i.receiver().map(f), i.method(),
          i.args().stream().map(x -> x.map(f)).toList(), i.type());
    } else if (this instanceof New n) {
      self = new New(n.javaType(), n.args().stream().map(x -> x.map(f)).toList(), n.type());
    } else if (this instanceof Field fd && fd.receiver() != null) {
      self = new Field(fd.owner(), fd.receiver().map(f), fd.name(), fd.type());
    }
    return f.apply(self);
  }

  /** Number of nodes, a rough measure of what evaluating the tree costs. */
  default int size() {
    int[] n = {0};
    forEach(e -> n[0]++);
    return n[0];
  }
}
