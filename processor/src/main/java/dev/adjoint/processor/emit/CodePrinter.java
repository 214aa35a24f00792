package dev.adjoint.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
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

  public static CodeBlock print(Block b) {
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
      if (rhs instanceof Const c && c.is(1) && c.type() != Type.DOUBLE) {
        return CodeBlock.of("$L", compound == Op.ADD ? "++" : "--");
      }
      if (compound == Op.T_ADD) {
        return CodeBlock.of(" = $L", ExprWriter.write(value));
      }
      return CodeBlock.of(" $L= $L", compound.symbol(), ExprWriter.write(rhs));
    }
    return CodeBlock.of(" = $L", ExprWriter.write(value));
  }
}
