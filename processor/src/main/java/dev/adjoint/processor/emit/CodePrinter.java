package dev.adjoint.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.diag.TooLarge;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;

/**
 * Prints graph statements as Java with JavaPoet. A statement that came from the source carries
 * its line, printed as a comment above it (once per line), so a reader can map generated code
 * back to the method it came from.
 */
public final class CodePrinter {
  private final CodeBlock.Builder out = CodeBlock.builder();
  private long lastLine = -1;

  /**
   * Bytecode a generated method may hold: the JVM's 64 KB limit, less room for what
   * {@link GradClassWriter} adds around the body (the result record, the tape).
   */
  static final long MAX_BYTES = 65_535 - 1_024;

  /**
   * Prints a method body.
   *
   * @throws TooLarge when its bytecode would exceed the JVM's 64 KB per method ({@link Size})
   */
  public static CodeBlock print(Block b) {
    long bytes = new Size().block(b);
    if (bytes > MAX_BYTES) {
      throw new TooLarge("about " + (bytes >= 10L << 20 ? bytes / (1 << 20) + " MB" : bytes / 1024 + " KB")
          + " of bytecode by an estimate that javac's output rarely exceeds");
    }
    CodePrinter p = new CodePrinter();
    p.block(b);
    return p.out.build();
  }

  private void block(Block b) {
    for (Stmt s : b.stmts) {
      statement(s);
    }
  }

  private void statement(Stmt s) {
    if (s.src.known() && s.src.line() != lastLine) {
      out.add("// line $L: $L\n", s.src.line(), s.src.text());
      lastLine = s.src.line();
    }
    if (s instanceof Stmt.Comment c) {
      if (c.text.isEmpty()) {
        out.add("\n");
      } else {
        out.add("// $L\n", c.text);
      }
    } else if (s instanceof Stmt.Assign a) {
      Var v = a.target;
      if (a.declaration) {
        out.addStatement("$L $N = $L", declaredType(v), v.name(), ExprWriter.write(a.value));
      } else {
        out.addStatement("$N$L", v.name(), assignment(a.value, a.compound));
      }
    } else if (s instanceof Stmt.ArrayStore st) {
      out.addStatement("$N[$L]$L", st.array.name(), ExprWriter.write(st.index),
          assignment(st.value, st.compound));
    } else if (s instanceof Stmt.Eval e) {
      out.addStatement("$L", ExprWriter.write(e.call));
    } else if (s instanceof Stmt.Return r) {
      out.addStatement("return $L", ExprWriter.write(r.value));
    } else if (s instanceof Stmt.If f) {
      out.beginControlFlow("if ($L)", ExprWriter.write(f.cond));
      block(f.then);
      if (!f.otherwise.stmts.isEmpty()) {
        out.nextControlFlow("else");
        block(f.otherwise);
      }
      out.endControlFlow();
    } else if (s instanceof Stmt.Loop l) {
      loop(l);
    } else if (s instanceof Stmt.Nested n) {
      out.add("{\n$>");
      block(n.block);
      out.add("$<}\n");
    } else {
      throw new IllegalStateException("cannot print " + s.getClass().getSimpleName());
    }
  }

  private void loop(Stmt.Loop l) {
    CodeBlock cond = ExprWriter.write(l.cond);
    if (l.kind == Stmt.Loop.Kind.DO_WHILE) {
      out.beginControlFlow("do");
    } else if (l.counted()) {
      String i = l.index.name();
      CodeBlock update = l.step == 1 ? CodeBlock.of("$N++", i) : l.step == -1 ? CodeBlock.of("$N--", i)
          : l.step > 0 ? CodeBlock.of("$N += $L", i, l.step) : CodeBlock.of("$N -= $L", i, -l.step);
      out.beginControlFlow("for (int $N = $L; $L; $L)", i, ExprWriter.write(l.start), cond, update);
    } else {
      out.beginControlFlow("while ($L)", cond);
    }
    block(l.body);
    block(l.update);
    if (l.kind == Stmt.Loop.Kind.DO_WHILE) {
      out.endControlFlow("while ($L)", cond);
    } else {
      out.endControlFlow();
    }
  }

  private static Object declaredType(Var v) {
    if (v.type() == Type.OBJECT) {
      return v.objectType() == null ? "var" : CodeBlock.of("$T", v.objectType());
    }
    TypeName t = GradClassWriter.javaType(v.type());
    return CodeBlock.of("$T", t);
  }

  /** {@code = value}, or {@code += rhs} / {@code ++} for a compound update. */
  private static CodeBlock assignment(Expr value, Op compound) {
    if (compound != null && value instanceof Expr.Apply a && a.args().size() == 2) {
      Expr rhs = a.arg(1);
      if (rhs instanceof Const c && c.is(1) && c.type() != Type.DOUBLE
          && (compound == Op.ADD || compound == Op.SUB)) { // not i *= 1, m |= 1, m >>= 1
        return CodeBlock.of("$L", compound == Op.ADD ? "++" : "--");
      }
      if (compound == Op.T_ADD) {
        return CodeBlock.of(" = $L", ExprWriter.write(value));
      }
      return CodeBlock.of(" $L= $L", compound.symbol(), ExprWriter.write(rhs));
    }
    return CodeBlock.of(" = $L", ExprWriter.write(value));
  }

  /**
   * An estimate of the bytecode javac makes of a block, from above: each node of an expression
   * written out (a subtree used twice counts twice, so a shared adjoint costs what its text
   * does) costs the largest instruction javac may use for it: a local's load 1, 2 or 4 bytes by
   * its slot (slots given in order of declaration, never reused, after room for the
   * parameters), a literal 1 or 3, arithmetic 1 plus 1 for an int operand's conversion, a call 3,
   * a comparison or condition as a value 10 (branches and pushes); statements add their store
   * or branches. Measured against javac on generated methods it comes out 0-30% above, so
   * code under {@link #MAX_BYTES} by this count compiles.
   */
  static final class Size {
    private final java.util.Map<Var, Integer> slots = new java.util.IdentityHashMap<>();
    private final java.util.Map<Expr, Long> memo = new java.util.IdentityHashMap<>();
    private int next = 32; // parameters first
    /** Every local access counted at its widest (4 bytes): for code whose slots are not known yet. */
    private final boolean wide;

    Size() {
      this(false);
    }

    Size(boolean wide) {
      this.wide = wide;
    }

    long block(Block b) {
      long n = 0;
      for (Stmt s : b.stmts) {
        n = add(n, stmt(s));
      }
      return n;
    }

    long stmt(Stmt s) {
      if (s instanceof Stmt.Assign a) {
        if (a.declaration) {
          declare(a.target);
        }
        long n = expr(a.value) + load(a.target);
        return a.compound != null ? add(n, load(a.target) + 2) : n;
      }
      if (s instanceof Stmt.ArrayStore st) {
        long n = add(add(load(st.array) + 1, expr(st.index)), expr(st.value));
        return st.compound != null ? add(n, 4) : n;
      }
      if (s instanceof Stmt.Eval e) {
        return add(expr(e.call), 2);
      }
      if (s instanceof Stmt.Return r) {
        return add(expr(r.value), 1);
      }
      if (s instanceof Stmt.If f) {
        return add(add(expr(f.cond), 6), add(block(f.then), block(f.otherwise)));
      }
      if (s instanceof Stmt.Loop l) {
        if (l.index != null) {
          declare(l.index);
        }
        long n = add(expr(l.cond), 16);
        if (l.start != null) {
          n = add(n, expr(l.start));
        }
        return add(n, add(block(l.body), block(l.update)));
      }
      if (s instanceof Stmt.Nested n) {
        return block(n.block);
      }
      return 0;
    }

    private void declare(Var v) {
      if (!slots.containsKey(v)) {
        slots.put(v, next);
        next += v.type() == Type.DOUBLE || v.type() == Type.LONG ? 2 : 1;
      }
    }

    /** A load or store of a local. */
    private int load(Var v) {
      Integer slot = slots.get(v);
      if (wide) {
        return 4;
      }
      if (slot == null) {
        return 2; // a parameter
      }
      return slot < 4 ? 1 : slot < 256 ? 2 : 4;
    }

    private long expr(Expr e) {
      if (e instanceof Expr.Ref r) {
        return load(r.var());
      }
      if (e instanceof Const c) {
        Object v = c.value();
        return v instanceof Boolean || v instanceof Integer i && i >= -1 && i <= 5
            || v instanceof Double d && (d == 0 && 1 / d > 0 || d == 1) ? 1 : 3;
      }
      if (e instanceof Expr.Field) {
        return 3;
      }
      if (e instanceof Expr.RecordGet g) {
        return load(g.record()) + 3;
      }
      Long known = memo.get(e);
      if (known != null) {
        return known;
      }
      long n;
      if (e instanceof Expr.Apply a) {
        n = own(a);
        for (Expr x : a.args()) {
          n = add(n, expr(x));
          if (a.type() == Type.DOUBLE && (x.type() == Type.INT || x.type() == Type.LONG)) {
            n++; // i2d
          }
        }
      } else if (e instanceof Expr.Call c) {
        n = 3;
        for (Expr x : c.args()) {
          n = add(n, expr(x) + 1);
        }
      } else if (e instanceof Expr.Invoke i) {
        n = i.receiver() == null ? 3 : add(3, expr(i.receiver()));
        for (Expr x : i.args()) {
          n = add(n, expr(x) + 1);
        }
      } else if (e instanceof Expr.New nw) {
        n = 7;
        for (Expr x : nw.args()) {
          n = add(n, expr(x) + 1);
        }
      } else {
        n = 3;
      }
      memo.put(e, n);
      return n;
    }

    /** The operation's own instructions, beyond its operands'. */
    private static long own(Expr.Apply a) {
      return switch (a.op()) {
        case ADD, SUB, MUL, DIV, REM, NEG, ARRAY_READ, ARRAY_LENGTH, CAST -> 1;
        case NEW_ARRAY -> 2;
        case LT, LE, GT, GE, EQ, NE, AND, OR, NOT, COND -> 10;
        default -> 3; // Math.f, a tensor method
      };
    }

    private static long add(long a, long b) {
      return Math.min(a + b, Long.MAX_VALUE / 4);
    }
  }
}
