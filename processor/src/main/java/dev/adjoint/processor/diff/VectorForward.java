package dev.adjoint.processor.diff;

import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.emit.Names;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.MethodGraph;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Vector forward mode: many directional derivatives over one primal sweep. It rewrites the body
 * forward mode wrote for one direction so that every tangent carries all directions: a scalar's
 * tangent {@code _dot_x} becomes an array over the directions, an array's tangent holds element
 * i of direction k at {@code i * _nd + k}, and each tangent statement becomes a loop over the
 * directions, with the partials (which read primal values only) computed once before it. The
 * primal statements run once, whatever the number of directions.
 *
 * <p>Tangents that flow through a call (a callee's own forward mode, a gradient record) are not
 * rewritten: such a method gets no vector mode ({@link #problems()} says why).
 */
public final class VectorForward {
  private final Names names;
  private final Var directions;
  /** Scalar tangents, each with the array over the directions that replaces it. */
  private final Map<Var, Var> scalarTangents = new LinkedHashMap<>();
  /** Array tangents, now interleaved. */
  private final Set<Var> arrayTangents = new LinkedHashSet<>();
  private final List<String> problems = new ArrayList<>();
  /** The direction indices of the loops written so far. */
  private final Set<Var> indices = new java.util.HashSet<>();

  private VectorForward(Names names, Var directions) {
    this.names = names;
    this.directions = directions;
  }

  /** What a vector forward transform built: the body, or the reasons it could not. */
  public record Built(Block body, List<String> problems) {}

  /**
   * The body of {@code fJvps(params..., tangents...)}: each tangent parameter holds one direction
   * per row ({@code double[][]} for an array parameter, {@code double[]} for a double), the
   * result is {@code new record(value, tangents)} with {@code tangents[k]} the derivative of the
   * value along direction k.
   */
  public static Built build(MethodGraph graph, Names names, List<Var> vectorTangents, TypeName record) {
    return build(graph, names, vectorTangents, record, null, null);
  }

  /**
   * The body of {@code fJvpsRows(params..., tangents..., rows, column)}: as {@link #build}, but
   * the derivative of value[i] along direction k goes into {@code rows[i][column + k]} (a
   * Jacobian's row, or a block of it) and the result is the value. The interleaved tangent
   * already holds each output's directions side by side, so every row is one contiguous copy:
   * no array of columns to allocate and then transpose into rows.
   */
  public static Built buildRows(MethodGraph graph, Names names, List<Var> vectorTangents, Var rows, Var column) {
    return build(graph, names, vectorTangents, null, rows, column);
  }

  private static Built build(MethodGraph graph, Names names, List<Var> vectorTangents, TypeName record,
      Var rows, Var column) {
    Var nd = new Var(names.fresh("_nd", false), Type.INT, Var.Kind.SYNTHETIC);
    VectorForward v = new VectorForward(names, nd);
    // forward mode for one direction, seeded with locals that will hold all directions
    Map<Var, Var> seeds = new LinkedHashMap<>();
    for (Var p : graph.wrt()) {
      seeds.put(p, new Var(names.fresh("_dot_" + p.name(), false), p.type(), Var.Kind.SYNTHETIC));
    }
    Forward forward = new Forward(names, null, Map.of());
    Block scalar = forward.transform(graph.body(), seeds);
    Expr resultTangent = forward.tangent(new Ref(graph.result()));
    v.problems.addAll(forward.problems());
    for (Var t : forward.tangentVars()) {
      if (t.type() == Type.DOUBLE) {
        v.scalarTangents.put(t, new Var(t.name(), Type.DOUBLE_ARRAY, Var.Kind.SYNTHETIC));
      } else if (t.type() == Type.DOUBLE_ARRAY) {
        v.arrayTangents.add(t);
      } else {
        v.problems.add("the tangent of a " + t.type().javaName());
      }
    }
    Block out = new Block();
    Var first = vectorTangents.get(0);
    out.stmts.add(new Stmt.Assign(nd, new Apply(Op.ARRAY_LENGTH, List.of(new Ref(first)), Type.INT), true, null, Src.NONE));
    // the seeds, interleaved: element i of direction k at i * _nd + k
    for (int j = 0; j < graph.wrt().size(); j++) {
      Var p = graph.wrt().get(j);
      Var seed = seeds.get(p);
      Var given = vectorTangents.get(j);
      if (p.type() == Type.DOUBLE) {
        out.stmts.add(new Stmt.Assign(v.scalarTangents.get(seed), new Expr.Invoke(null, new Ref(given), "clone", List.of(), Type.DOUBLE_ARRAY),
            true, null, Src.NONE));
        continue;
      }
      Expr length = new Apply(Op.ARRAY_LENGTH, List.of(new Ref(p)), Type.INT);
      out.stmts.add(new Stmt.Assign(seed, new Apply(Op.NEW_ARRAY, List.of(mul(length, new Ref(nd))), Type.DOUBLE_ARRAY),
          true, null, Src.NONE));
      Var k = new Var(names.fresh("_k", false), Type.INT, Var.Kind.SYNTHETIC);
      Var i = new Var(names.fresh("_i", false), Type.INT, Var.Kind.SYNTHETIC);
      // element-major, so the interleaved array is written in order
      Stmt.Loop overK = loop(k, new Ref(nd));
      Stmt.Loop overI = loop(i, length);
      overK.body.stmts.add(new Stmt.ArrayStore(seed, add(mul(new Ref(i), new Ref(nd)), new Ref(k)),
          new Apply(Op.ARRAY_READ, List.of(new Apply(Op.ARRAY_READ, List.of(new Ref(given), new Ref(k)),
              Type.DOUBLE_ARRAY), new Ref(i)), Type.DOUBLE), null, Src.NONE));
      overI.body.stmts.add(overK);
      out.stmts.add(overI);
    }
    // every scalar tangent is an array over the directions, allocated once
    for (Var t : v.scalarTangents.keySet()) {
      if (!seeds.containsValue(t)) {
        out.stmts.add(new Stmt.Assign(v.scalarTangents.get(t), new Apply(Op.NEW_ARRAY, List.of(new Ref(nd)), Type.DOUBLE_ARRAY),
            true, null, Src.NONE));
      }
    }
    v.block(scalar, out);
    if (rows != null) {
      v.writeRows(out, graph, resultTangent, rows, column);
      Reverse.dropUnreadTemporaries(out);
      return new Built(out, v.problems);
    }
    // the result: tangents[k][i] = d value[i] along direction k
    Var tangents = new Var(names.fresh("_tangents", false), Type.DOUBLE_ARRAY_2D, Var.Kind.SYNTHETIC);
    Expr outputs = new Apply(Op.ARRAY_LENGTH, List.of(new Ref(graph.result())), Type.INT);
    out.stmts.add(new Stmt.Assign(tangents, new Apply(Op.NEW_ARRAY, List.of(new Ref(nd), outputs), Type.DOUBLE_ARRAY_2D),
        true, null, Src.NONE));
    if (resultTangent instanceof Ref r && v.arrayTangents.contains(r.var())) {
      Var k = new Var(names.fresh("_k", false), Type.INT, Var.Kind.SYNTHETIC);
      Var i = new Var(names.fresh("_i", false), Type.INT, Var.Kind.SYNTHETIC);
      // element-major, so the interleaved array is read in order (direction-major read it once
      // per direction, with a stride of _nd: 28 passes over 34 MB for hand tracking's Jacobian)
      Stmt.Loop overI = loop(i, outputs);
      Stmt.Loop overK = loop(k, new Ref(nd));
      overK.body.stmts.add(new Stmt.ArrayStore(rowOf(tangents, k, overK), new Ref(i),
          new Apply(Op.ARRAY_READ, List.of(new Ref(r.var()), add(mul(new Ref(i), new Ref(nd)), new Ref(k))), Type.DOUBLE),
          null, Src.NONE));
      overI.body.stmts.add(overK);
      out.stmts.add(overI);
    } else if (!Sym.isZero(resultTangent) && !(resultTangent instanceof Apply a && a.op() == Op.NEW_ARRAY)) {
      v.problems.add("the result's tangent '" + dev.adjoint.processor.emit.ExprWriter.text(resultTangent) + "'");
    }
    out.stmts.add(new Stmt.Return(new Expr.New(record, List.of(new Ref(graph.result()), new Ref(tangents)),
        Type.OBJECT), Src.NONE));
    Reverse.dropUnreadTemporaries(out);
    return new Built(out, v.problems);
  }

  public List<String> problems() {
    return problems;
  }

  /** rows[i][column + k] = d value[i] along direction k, then {@code return value}. */
  private void writeRows(Block out, MethodGraph graph, Expr resultTangent, Var rows, Var column) {
    Expr outputs = new Apply(Op.ARRAY_LENGTH, List.of(new Ref(graph.result())), Type.INT);
    if (resultTangent instanceof Ref r && arrayTangents.contains(r.var())) {
      Var i = new Var(names.fresh("_i", false), Type.INT, Var.Kind.SYNTHETIC);
      Var k = new Var(names.fresh("_k", false), Type.INT, Var.Kind.SYNTHETIC);
      // output i's directions are side by side in the interleaved tangent: one copy per row
      Stmt.Loop overI = loop(i, outputs);
      Var row = new Var(names.fresh("_row", false), Type.DOUBLE_ARRAY, Var.Kind.SYNTHETIC);
      overI.body.stmts.add(new Stmt.Assign(row, new Apply(Op.ARRAY_READ, List.of(new Ref(rows), new Ref(i)),
          Type.DOUBLE_ARRAY), true, null, Src.NONE));
      Stmt.Loop overK = loop(k, new Ref(directions));
      overK.body.stmts.add(new Stmt.ArrayStore(row, add(new Ref(column), new Ref(k)),
          new Apply(Op.ARRAY_READ, List.of(new Ref(r.var()), add(mul(new Ref(i), new Ref(directions)), new Ref(k))), Type.DOUBLE),
          null, Src.NONE));
      overI.body.stmts.add(overK);
      out.stmts.add(overI);
    } else if (Sym.isZero(resultTangent) || resultTangent instanceof Apply a && a.op() == Op.NEW_ARRAY) {
      // no output depends on the inputs: the block of each row is zero
      Var i = new Var(names.fresh("_i", false), Type.INT, Var.Kind.SYNTHETIC);
      Var k = new Var(names.fresh("_k", false), Type.INT, Var.Kind.SYNTHETIC);
      Stmt.Loop overI = loop(i, outputs);
      Var row = new Var(names.fresh("_row", false), Type.DOUBLE_ARRAY, Var.Kind.SYNTHETIC);
      overI.body.stmts.add(new Stmt.Assign(row, new Apply(Op.ARRAY_READ, List.of(new Ref(rows), new Ref(i)),
          Type.DOUBLE_ARRAY), true, null, Src.NONE));
      Stmt.Loop overK = loop(k, new Ref(directions));
      overK.body.stmts.add(new Stmt.ArrayStore(row, add(new Ref(column), new Ref(k)), Const.of(0.0), null, Src.NONE));
      overI.body.stmts.add(overK);
      out.stmts.add(overI);
    } else {
      problems.add("the result's tangent '" + dev.adjoint.processor.emit.ExprWriter.text(resultTangent) + "'");
    }
    out.stmts.add(new Stmt.Return(new Ref(graph.result()), Src.NONE));
  }

  /** The row {@code tangents[k]}, bound at the top of the loop over k. */
  private static Var rowOf(Var tangents, Var k, Stmt.Loop overK) {
    Var row = new Var(tangents.name() + "_" + k.name(), Type.DOUBLE_ARRAY, Var.Kind.SYNTHETIC);
    overK.body.stmts.add(new Stmt.Assign(row, new Apply(Op.ARRAY_READ, List.of(new Ref(tangents), new Ref(k)),
        Type.DOUBLE_ARRAY), true, null, Src.NONE));
    return row;
  }

  private static Stmt.Loop loop(Var index, Expr bound) {
    return new Stmt.Loop(Stmt.Loop.Kind.FOR, index, Const.ofInt(0), 1,
        new Apply(Op.LT, List.of(new Ref(index), bound), Type.BOOLEAN), new Block(), new Block(), Src.NONE);
  }

  private static Expr mul(Expr a, Expr b) {
    return new Apply(Op.MUL, List.of(a, b), Type.INT);
  }

  private static Expr add(Expr a, Expr b) {
    return new Apply(Op.ADD, List.of(a, b), Type.INT);
  }

  private boolean isTangent(Var v) {
    return scalarTangents.containsKey(v) || arrayTangents.contains(v);
  }

  private void block(Block in, Block out) {
    for (Stmt s : in.stmts) {
      statement(s, out);
    }
  }

  private void statement(Stmt s, Block out) {
    if (s instanceof Stmt.Assign a && isTangent(a.target)) {
      if (scalarTangents.containsKey(a.target)) {
        // _dot_x[k] = tangent along k, for every k
        tangentLoop(out, k -> new Stmt.ArrayStore(scalarTangents.get(a.target), new Ref(k), a.value, null, Src.NONE));
      } else if (a.value instanceof Apply n && n.op() == Op.NEW_ARRAY && n.args().size() == 1) {
        out.stmts.add(new Stmt.Assign(a.target, new Apply(Op.NEW_ARRAY, List.of(mul(n.arg(0), new Ref(directions))),
            Type.DOUBLE_ARRAY), a.declaration, null, a.src));
      } else {
        problems.add("the array tangent '" + dev.adjoint.processor.emit.ExprWriter.text(a.value) + "'");
      }
    } else if (s instanceof Stmt.ArrayStore st && arrayTangents.contains(st.array)) {
      // the element's base index once, then one store per direction
      Var at = new Var(names.fresh("_at", false), Type.INT, Var.Kind.SYNTHETIC);
      out.stmts.add(new Stmt.Assign(at, mul(st.index, new Ref(directions)), true, null, Src.NONE));
      tangentLoop(out, k -> new Stmt.ArrayStore(st.array, add(new Ref(at), new Ref(k)), st.value, null, Src.NONE));
    } else if (s instanceof Stmt.If f) {
      Stmt.If copy = new Stmt.If(f.cond, new Block(), new Block(), f.src);
      block(f.then, copy.then);
      block(f.otherwise, copy.otherwise);
      out.stmts.add(copy);
    } else if (s instanceof Stmt.Loop l) {
      Stmt.Loop copy = new Stmt.Loop(l.kind, l.index, l.start, l.step, l.cond, new Block(), new Block(), l.src);
      copy.counter = l.counter;
      copy.startCopy = l.startCopy;
      block(l.body, copy.body);
      block(l.update, copy.update);
      out.stmts.add(copy);
    } else if (s instanceof Stmt.Nested n) {
      Stmt.Nested copy = new Stmt.Nested(new Block(), n.src);
      block(n.block, copy.block);
      out.stmts.add(copy);
    } else {
      for (Expr e : dev.adjoint.processor.analysis.Blocks.exprs(s)) {
        e.forEach(x -> {
          if (x instanceof Ref r && isTangent(r.var())) {
            problems.add("a tangent read by '" + dev.adjoint.processor.emit.ExprWriter.text(e) + "'");
          }
        });
      }
      out.stmts.add(s);
    }
  }

  /**
   * {@code for (k...) store(k)}, where store's value is rewritten for direction k and its parts
   * that read no tangent (the partials) are bound to locals before the loop.
   */
  private void tangentLoop(Block out, java.util.function.Function<Var, Stmt.ArrayStore> store) {
    Var k = new Var(names.fresh("_k", false), Type.INT, Var.Kind.SYNTHETIC);
    indices.add(k);
    Stmt.ArrayStore st = store.apply(k);
    List<Stmt> before = new ArrayList<>();
    Expr value = hoist(perDirection(st.value, k), before);
    Stmt.Loop overK = loop(k, new Ref(directions));
    overK.body.stmts.add(new Stmt.ArrayStore(st.array, st.index, value, null, Src.NONE));
    out.stmts.addAll(before);
    out.stmts.add(overK);
  }

  /** The tangent expression along direction k. */
  private Expr perDirection(Expr e, Var k) {
    return e.map(x -> {
      if (x instanceof Ref r && scalarTangents.containsKey(r.var())) {
        return new Apply(Op.ARRAY_READ, List.of(new Ref(scalarTangents.get(r.var())), new Ref(k)), Type.DOUBLE);
      }
      if (x instanceof Apply a && a.op() == Op.ARRAY_READ && a.arg(0) instanceof Ref r
          && arrayTangents.contains(r.var())) {
        return new Apply(Op.ARRAY_READ, List.of(a.arg(0), add(mul(a.arg(1), new Ref(directions)), new Ref(k))),
            Type.DOUBLE);
      }
      if (x instanceof Expr.Invoke || x instanceof Expr.Call || x instanceof Expr.New || x instanceof Expr.RecordGet) {
        if (readsTangent(x)) {
          problems.add("a tangent passed to a call");
        }
      }
      return x;
    });
  }

  private boolean readsTangent(Expr e) {
    boolean[] found = {false};
    e.forEach(x -> found[0] |= x instanceof Ref r && (isTangent(r.var()) || scalarTangents.containsValue(r.var())));
    return found[0];
  }

  /**
   * Binds the largest double-valued parts of e that read neither a tangent nor the direction
   * index to locals (emitted into {@code before}): the partials, computed once for all directions.
   */
  private Expr hoist(Expr e, List<Stmt> before) {
    if (!(e instanceof Apply a) || e.type() != Type.DOUBLE) {
      return e;
    }
    if (!readsTangentOrIndex(e)) {
      Var p = new Var(names.fresh("_p", false), Type.DOUBLE, Var.Kind.SYNTHETIC);
      before.add(new Stmt.Assign(p, e, true, null, Src.NONE));
      return new Ref(p);
    }
    if (a.op() == Op.ARRAY_READ || a.op() == Op.COND) {
      // a branch of ?: may hold what only its condition makes safe to evaluate (a[i] for i < n)
      return e;
    }
    List<Expr> args = new ArrayList<>();
    for (Expr x : a.args()) {
      args.add(x.type() == Type.DOUBLE ? hoist(x, before) : x);
    }
    return new Apply(a.op(), args, a.type(), a.strict());
  }

  private boolean readsTangentOrIndex(Expr e) {
    boolean[] found = {false};
    e.forEach(x -> found[0] |= x instanceof Ref r && (isTangent(r.var()) || indices.contains(r.var())
        || scalarTangents.containsValue(r.var())));
    return found[0];
  }
}
