package dev.adjoint.processor.parse;

import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import dev.adjoint.processor.analysis.LaterUses;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Expr.Ref;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Src;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.VariableElement;

/** Reads arrays: initializers of {@code double[]} and data arrays, copies ({@code arraycopy},
 * {@code clone}), and n-D arrays ({@code double[][]}, {@code double[][][]}): their declarations,
 * element reads and writes, rows, lengths and enhanced-for loops over them. */
abstract class ArrayReader extends ExpressionReader {
  ArrayReader(ProcessingEnvironment env, Diagnostics diag, CallResolver calls, SourceAccess sources) {
    super(env, diag, calls, sources);
  }

  /**
   * The statements that create array {@code var} from its initializer: {@code new T[n]},
   * {@code {a, b}} or {@code new T[] {a, b}} (a new array, then one store per element),
   * {@code x.clone()} (a new array and a copy loop), or a call of a method that returns a
   * {@code double[]}.
   */
  void arrayInit(Var var, ExpressionTree init, Src src, Consumer<Stmt> out) {
    while (init instanceof ParenthesizedTree p) {
      init = p.getExpression();
    }
    Type type = var.type();
    if (init instanceof NewArrayTree na) {
      Type made = na.getType() == null ? type : resolvedArrayType(na);
      if (made != type || na.getDimensions().size() > 1) {
        unsupported(init, "initialising a " + type.javaName() + " with " + sourceText(init),
            "create a one-dimensional array of the declared type");
        return;
      }
      if (na.getInitializers() == null) {
        Expr length = expr(na.getDimensions().get(0));
        if (length == null) {
          return;
        }
        if (length.type() != Type.INT) {
          unsupported(na.getDimensions().get(0), "an array length of type " + length.type().javaName(),
              "give the length as an int");
          return;
        }
        out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, List.of(length), type), true, null, src));
        return;
      }
      List<Expr> elements = new ArrayList<>();
      boolean failed = false;
      for (ExpressionTree e : na.getInitializers()) {
        Expr x = expr(e);
        if (x != null && !assignable(x.type(), type.element())) {
          unsupported(e, "a " + x.type().javaName() + " element in a " + type.javaName() + " initializer",
              "write the conversion explicitly");
          x = null;
        }
        failed |= x == null;
        elements.add(x);
      }
      if (failed) {
        return;
      }
      out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, List.of(Const.ofInt(elements.size())), type),
          true, null, src));
      for (int i = 0; i < elements.size(); i++) {
        Expr x = elements.get(i);
        if (x.type() != type.element()) {
          x = new Apply(Op.CAST, List.of(x), type.element());
        }
        out.accept(new Stmt.ArrayStore(var, Const.ofInt(i), x, null,
            src(na.getInitializers().get(i), var.name() + "[" + i + "] = " + na.getInitializers().get(i))));
      }
      return;
    }
    if (init instanceof MethodInvocationTree mi && mi.getArguments().isEmpty()
        && mi.getMethodSelect() instanceof MemberSelectTree ms && ms.getIdentifier().contentEquals("clone")) {
      Access from = copied(ms.getExpression());
      if (from == null) {
        return;
      }
      if (from.type() != type) {
        unsupported(init, "initialising a " + type.javaName() + " with a clone of a " + from.type().javaName(),
            "clone an array of the declared type");
        return;
      }
      Access to = new Access(var, List.of());
      out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, List.of(length(from)), type), true, null, src));
      out.accept(copyLoop(from, Const.ofInt(0), to, Const.ofInt(0), length(from), src));
      return;
    }
    if (init instanceof MethodInvocationTree mi) {
      Expr call = call(mi);
      if (call == null) {
        return;
      }
      if (call.type() != type) {
        unsupported(init, "initialising a " + type.javaName() + " with a " + call.type().javaName(),
            "call a method that returns a " + type.javaName());
        return;
      }
      out.accept(new Stmt.Assign(var, call, true, null, src));
      return;
    }
    unsupported(init, "initialising array '" + var.name() + "' with " + sourceText(init),
        "create a new array (new " + type.element().javaName() + "[n], {a, b}, x.clone()) or call a method "
            + "that returns one; arrays cannot alias each other");
  }

  static Expr plus(Expr a, Expr b) {
    if (a instanceof Const c && c.is(0)) {
      return b;
    }
    return new Apply(Op.ADD, List.of(a, b), Type.INT);
  }

  /**
   * {@code for (k = 0; k < n; k++) to[toPos + k] = from[fromPos + k]}: an element copy, which
   * differentiates like any store (the destination's adjoint moves to the source's). Either side
   * may be a row of an n-D array ({@code m[i]}): its elements are {@code m[i][toPos + k]}.
   */
  Stmt copyLoop(Access from, Expr fromPos, Access to, Expr toPos, Expr n, Src src) {
    Var k = new Var("k", Type.INT, Var.Kind.SYNTHETIC);
    Stmt store = elementCopy(from, fromPos, to, toPos, k, src);
    Expr cond = new Apply(Op.LT, List.of(new Ref(k), n), Type.BOOLEAN);
    return new Stmt.Loop(Stmt.Loop.Kind.FOR, k, Const.ofInt(0), 1, cond, new Block(List.of(store)), new Block(), src);
  }

  /** The same copy run from the last element down, for an overlapping copy within one array. */
  Stmt copyLoopDown(Access from, Expr fromPos, Access to, Expr toPos, Expr n, Src src) {
    Var k = new Var("k", Type.INT, Var.Kind.SYNTHETIC);
    Stmt store = elementCopy(from, fromPos, to, toPos, k, src);
    Expr cond = new Apply(Op.GE, List.of(new Ref(k), Const.ofInt(0)), Type.BOOLEAN);
    return new Stmt.Loop(Stmt.Loop.Kind.FOR, k, new Apply(Op.SUB, List.of(n, Const.ofInt(1)), Type.INT), -1, cond,
        new Block(List.of(store)), new Block(), src);
  }

  /** {@code to[toPos + k] = from[fromPos + k]}. */
  private Stmt elementCopy(Access from, Expr fromPos, Access to, Expr toPos, Var k, Src src) {
    Expr read = element(from.at(plus(fromPos, new Ref(k))));
    return new Stmt.ArrayStore(to.array(), to.at(plus(toPos, new Ref(k))).index(), read, null, src);
  }

  /**
   * The array a copy reads or writes ({@code System.arraycopy}, {@code Arrays.fill},
   * {@code clone()}): a 1-D array by name, or a row of an n-D array ({@code m[i]}, a row local),
   * whose elements are read and written in place like any n-D element. Null after reporting.
   */
  Access copied(ExpressionTree e) {
    ExpressionTree u = unparen(e);
    if (isRowArgument(u)) {
      Access a = access(u);
      if (a != null && a.type().rank() != 1) {
        unsupported(e, "copying the " + a.type().javaName() + " " + sourceText(e), "copy its rows one by one");
        return null;
      }
      return a;
    }
    if (ndRank(u) >= 2) {
      unsupported(e, "copying the whole n-D array " + sourceText(e), "copy its rows one by one");
      return null;
    }
    Var v = arrayVar(u);
    return v == null ? null : new Access(v, List.of());
  }

  /** The length of a 1-D array or of a row. */
  static Expr length(Access a) {
    return a.indexes().isEmpty()
        ? new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array())), Type.INT)
        : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array()), a.index()), Type.INT);
  }

  /** Dimensions left after the indexes of {@code e} on an n-D array or row alias; -1 otherwise. */
  int ndRank(ExpressionTree e) {
    e = unparen(e);
    int brackets = 0;
    while (e instanceof ArrayAccessTree a) {
      brackets++;
      e = unparen(a.getExpression());
    }
    if (e instanceof IdentifierTree || e instanceof MemberSelectTree) {
      VariableElement f = e instanceof IdentifierTree id && lookup(id.getName().toString()) != null ? null : arrayField(e);
      if (f != null) { // an n-D array field
        int rank = CallResolver.typeOf(f.asType()).map(Type::rank).orElse(0);
        return rank >= 2 ? rank - brackets : -1;
      }
    }
    if (!(e instanceof IdentifierTree id)) {
      return -1;
    }
    Var v = lookup(id.getName().toString());
    if (v == null || !(v.type().rank() >= 2 || rows.containsKey(v))) {
      return -1;
    }
    return v.type().rank() - brackets;
  }

  /** Whether an element access goes through an n-D array or a row alias. */
  boolean isNdAccess(ArrayAccessTree a) {
    return ndRank(a) >= 0;
  }

  /** Whether {@code e} names an n-D array, one of its rows, or a row alias. */
  boolean isNdIterable(ExpressionTree e) {
    return ndRank(e) >= 1;
  }

  /** The array and indexes {@code e} denotes, or null after reporting why not. */
  Access access(ExpressionTree e) {
    e = unparen(e);
    if (e instanceof IdentifierTree id) {
      Var v = lookup(id.getName().toString());
      if (v != null && poisoned.contains(v)) {
        return null;
      }
      if (v != null && rows.containsKey(v)) {
        Row r = rows.get(v);
        return new Access(r.array(), r.prefix());
      }
      if (v != null && v.type().rank() >= 1) {
        return new Access(v, List.of());
      }
    }
    if ((e instanceof IdentifierTree id ? lookup(id.getName().toString()) == null : e instanceof MemberSelectTree)
        && arrayField(e) != null) {
      // an n-D array field: read once into a local at the start, indexed there
      Expr read = expr(e);
      return read instanceof Ref r ? new Access(r.var(), List.of()) : null;
    }
    if (e instanceof ArrayAccessTree a) {
      Access inner = access(a.getExpression());
      Expr index = expr(a.getIndex());
      if (inner == null || index == null) {
        return null;
      }
      if (index.type() != Type.INT) {
        unsupported(a.getIndex(), "an array index of type " + index.type().javaName(),
            "index arrays with an int (cast with (int) where needed)");
        return null;
      }
      List<Expr> indexes = new ArrayList<>(inner.indexes());
      indexes.add(index);
      return new Access(inner.array(), indexes);
    }
    unsupported(e, "the array expression '" + e + "'", "index array parameters and locals by name: a[i][j]");
    return null;
  }

  Expr element(Access a) {
    return new Apply(Op.ARRAY_READ, List.of(new Ref(a.array()), a.index()), a.type());
  }

  /** {@code m[i][j]} read; a row used as a value is reported. */
  Expr ndRead(ArrayAccessTree t) {
    Access a = access(t);
    if (a == null) {
      return null;
    }
    if (a.type().rank() > 0) {
      return unsupported(t, "the row " + sourceText(t) + " used as a value", "index it fully ("
          + sourceText(t) + "[j]), read its length (" + sourceText(t) + ".length), or name it: "
          + a.type().javaName() + " row = " + sourceText(t) + ";");
    }
    return element(a);
  }

  /** Whether a call argument is a row of an n-D array ({@code a[i]}, {@code t[i][j]}, a row alias). */
  boolean isRowArgument(ExpressionTree a) {
    ExpressionTree e = unparen(a);
    return ndRank(e) >= 1 && (e instanceof ArrayAccessTree
        || e instanceof IdentifierTree id && rows.containsKey(lookup(id.getName().toString())));
  }

  /**
   * A row passed to a method ({@code f(a[i])}, {@code f(row)} for a row alias, {@code f(t[i])}
   * of a 3-D array): read where the call is, its adjoint is the same row of the array's adjoint.
   */
  Expr ndRowArgument(ExpressionTree t) {
    Access a = access(t);
    return a == null ? null : element(a);
  }

  /**
   * {@code m[i] = v}: storing a whole row into an n-D array. Returns whether it was one (then
   * lowered or reported). Every form becomes a row replacement ({@code m[i] = new double[n]}, see
   * {@code Stmt.ArrayStore.replacesRow}), then, when the row has values, an element copy into it:
   * <ul>
   *   <li>{@code m[i] = new double[k]} (also {@code t[i] = new double[a][b]}, {@code new double[a][]}):
   *       the replacement alone;
   *   <li>{@code m[i] = new double[] {a, b}}: the replacement and one store per element;
   *   <li>{@code m[i] = v}, {@code m[i] = m[j]}, {@code m[i] = row}, {@code m[i] = v.clone()},
   *       {@code m[i] = f(x)}: the replacement and a copy of the source's elements.
   * </ul>
   * Java makes {@code m[i]} and {@code v} one array; the copy keeps them apart, which is the same
   * thing exactly when no element of either is written while the other is still used: checked
   * once the method is read ({@link #checkRowCopies}), which reports the write otherwise.
   */
  boolean rowStore(ExpressionTree target, ExpressionTree value, Src src, Consumer<Stmt> out) {
    target = unparen(target);
    if (!(target instanceof ArrayAccessTree t) || !isNdAccess(t)) {
      return false;
    }
    Access a = access(t);
    if (a == null || a.type().rank() == 0) {
      return a == null;
    }
    if (readOnly(t, a.array())) {
      return true;
    }
    String row = sourceText(t);
    for (Map<String, Var> scope : scopes) {
      for (Var alias : scope.values()) {
        Row r = rows.get(alias);
        if (r != null && r.array() == a.array() && !poisoned.contains(alias)) {
          // the alias stands for a[prefix]: after the store Java's name would still be the old row
          unsupported(t, "replacing a row of '" + a.array().name() + "' (" + row + " = " + sourceText(value)
              + ") while '" + alias.name() + "' names one of its rows",
              "index the array directly (" + a.array().name() + "[i][j]) instead of naming its row, or name the "
                  + "row after the rows are stored");
          return true;
        }
      }
    }
    ExpressionTree bare = unparen(value);
    Type rowType = a.type();
    List<Stmt> body = new ArrayList<>();
    Access to = new Access(a.array(), CallReader.onceEach(a.indexes(), body, src));
    if (bare instanceof NewArrayTree na && na.getInitializers() == null) {
      // m[i] = new double[k]: a new zero row
      if (resolvedArrayType(na) != rowType) {
        unsupported(bare, "storing a " + resolvedArrayType(na).javaName() + " into a row of type "
            + rowType.javaName(), "create a " + rowType.javaName());
        return true;
      }
      List<Expr> dims = new ArrayList<>();
      for (ExpressionTree d : na.getDimensions()) {
        Expr x = expr(d);
        if (x == null) {
          return true;
        }
        if (x.type() != Type.INT) {
          unsupported(d, "an array dimension of type " + x.type().javaName(), "give dimensions as int");
          return true;
        }
        dims.add(x);
      }
      body.add(replaceRow(to, new Apply(Op.NEW_ARRAY, dims, rowType), src));
      emit(body, out);
      return true;
    }
    if (bare instanceof NewArrayTree na) {
      // m[i] = new double[] {a, b}: a new row, then its elements
      if (rowType.rank() != 1 || resolvedArrayType(na) != rowType) {
        unsupported(bare, "storing " + sourceText(bare) + " into a row of type " + rowType.javaName(),
            rowType.rank() == 1 ? "write a " + rowType.javaName() + " initializer"
                : "create the row with its dimensions (new " + rowType.element().javaName() + "[a][b]) and fill it");
        return true;
      }
      List<Expr> elements = new ArrayList<>();
      for (ExpressionTree e : na.getInitializers()) {
        Expr x = expr(e);
        if (x != null && !assignable(x.type(), rowType.element())) {
          unsupported(e, "a " + x.type().javaName() + " element in a " + rowType.javaName() + " initializer",
              "write the conversion explicitly");
          x = null;
        }
        if (x == null) {
          return true;
        }
        elements.add(x.type() == rowType.element() ? x : new Apply(Op.CAST, List.of(x), rowType.element()));
      }
      body.add(replaceRow(to, new Apply(Op.NEW_ARRAY, List.of(Const.ofInt(elements.size())), rowType), src));
      for (int i = 0; i < elements.size(); i++) {
        Stmt fill = new Stmt.ArrayStore(to.array(), to.at(Const.ofInt(i)).index(), elements.get(i), null, src);
        rowFills.add(fill);
        body.add(fill);
      }
      emit(body, out);
      return true;
    }
    if (rowType.rank() != 1) {
      unsupported(t, "storing " + sourceText(value) + " as the " + rowType.javaName() + " " + row,
          "create the row (" + row + " = new " + rowType.element().javaName() + "[r][]) and store its rows one "
              + "by one (" + row + "[j] = ...)");
      return true;
    }
    Access from;
    boolean fresh;
    if (bare instanceof MethodInvocationTree mi && mi.getArguments().isEmpty()
        && mi.getMethodSelect() instanceof MemberSelectTree ms && ms.getIdentifier().contentEquals("clone")) {
      from = copied(ms.getExpression()); // m[i] = v.clone(): a copy of its own
      fresh = true;
    } else if (bare instanceof MethodInvocationTree mi) {
      // m[i] = f(x): the result in a local of its own, then copied
      Var result = new Var(unused("row"), rowType, Var.Kind.LOCAL);
      int before = errors;
      arrayInit(result, mi, src, body::add);
      if (errors > before) {
        return true;
      }
      from = new Access(result, List.of());
      fresh = true;
    } else if (bare instanceof IdentifierTree || bare instanceof ArrayAccessTree) {
      from = copied(bare); // a 1-D array, a row alias or a row m[j]
      fresh = false;
    } else {
      unsupported(bare, "storing " + sourceText(value) + " into the row " + row,
          "store a named array, a row, a new array or a call's result: " + row + " = v");
      return true;
    }
    if (from == null) {
      return true;
    }
    if (from.type() != rowType) {
      unsupported(bare, "storing a " + from.type().javaName() + " into a row of type " + rowType.javaName(),
          "store a " + rowType.javaName());
      return true;
    }
    from = new Access(from.array(), CallReader.onceEach(from.indexes(), body, src));
    body.add(replaceRow(to, new Apply(Op.NEW_ARRAY, List.of(length(from)), rowType), src));
    Stmt.Loop copy = (Stmt.Loop) copyLoop(from, Const.ofInt(0), to, Const.ofInt(0), length(to), src);
    rowFills.add(copy.body.stmts.get(0));
    body.add(copy);
    Stmt anchor = emit(body, out);
    if (!fresh) {
      rowCopies.add(new RowCopy(t, row + " = " + sourceText(value), a.array(), from.array(), anchor));
    }
    return true;
  }

  /** {@code m[i] = new double[n]}, the row replacement itself. */
  private static Stmt replaceRow(Access row, Expr made, Src src) {
    return new Stmt.ArrayStore(row.array(), row.index(), made, null, src);
  }

  /** The statements of a row store: as they are, or in a block of their own when they declare temporaries. */
  private static Stmt emit(List<Stmt> body, Consumer<Stmt> out) {
    if (body.stream().anyMatch(x -> x instanceof Stmt.Assign)) {
      Stmt nested = new Stmt.Nested(new Block(body), Src.NONE);
      out.accept(nested);
      return nested;
    }
    body.forEach(out);
    return body.get(body.size() - 1);
  }

  /**
   * A row store that copies a named array or row ({@code m[i] = v}): Java would make the row and
   * the source one array. {@code anchor} is its last statement.
   */
  record RowCopy(Tree at, String text, Var matrix, Var source, Stmt anchor) {}

  /** The row copies of the method being read, checked when it is read whole. */
  final List<RowCopy> rowCopies = new ArrayList<>();
  /** The element stores that fill a row just made by a row store (never a write through an alias). */
  final Set<Stmt> rowFills = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /**
   * After {@code m[i] = v}, Java's {@code m[i]} and {@code v} are one array; the generated code
   * copied {@code v} into a row of its own. The two agree unless an element of one is written
   * while the other is still used afterwards: a write into {@code v} (or, for a row source, into
   * its matrix) after the store, or a write into {@code m} while {@code v} is still read (a
   * parameter always is: the caller holds it). Reports each such store with the write.
   */
  void checkRowCopies(Block body) {
    for (RowCopy c : rowCopies) {
      Stmt write = LaterUses.first(body, c.anchor(), c.source(), x -> writes(x, c.source()));
      String through = c.source().name();
      if (write == null && (c.source().isParameter()
          || LaterUses.first(body, c.anchor(), c.source(), x -> LaterUses.uses(x, c.source())) != null)) {
        write = LaterUses.first(body, c.anchor(), c.matrix(), x -> writes(x, c.matrix()));
        through = c.matrix().name();
      }
      if (write == null) {
        continue;
      }
      String other = through.equals(c.source().name()) ? c.matrix().name() : c.source().name();
      String copy = c.text().substring(c.text().indexOf(" = ") + 3);
      unsupported(c.at(), "storing a row that stays shared (" + c.text() + ") and is written through '" + through
          + "' later (" + (write.src.known() ? "line " + write.src.line() + ": " + write.src.text() : "a later write")
          + ")", "in Java both names are one array, so that write would change '" + other + "' too; store a copy if "
              + "the row should keep its own values (" + c.text().substring(0, c.text().indexOf(" = ")) + " = "
              + copy + ".clone()), or write the elements where both should see them");
    }
  }

  /** Whether {@code s} writes an element of {@code array} (the fill of a new row aside). */
  private boolean writes(Stmt s, Var array) {
    return s instanceof Stmt.ArrayStore st && st.array == array && !st.replacesRow() && !rowFills.contains(st)
        || s instanceof Stmt.Eval e && e.call.reads(array);
  }

  /** {@code m[i][j] = value} or {@code row[j] = value} (row naming a row of m). */
  void ndStore(ArrayAccessTree t, Expr value, Op compound, Src src, Consumer<Stmt> out) {
    Access a = access(t);
    if (a == null) {
      return;
    }
    if (a.type().rank() > 0) {
      unsupported(t, "assigning a whole row (" + sourceText(t) + ") with an operator",
          "store the row (" + sourceText(t) + " = v) or write its elements");
      return;
    }
    if (readOnly(t, a.array())) {
      return;
    }
    out.accept(new Stmt.ArrayStore(a.array(), a.index(), value, compound, src));
  }

  /**
   * Whether {@code array} may not be written, after reporting it: a parameter (an input) or an
   * array field (data the method reads; a write would outlive the call).
   */
  boolean readOnly(Tree at, Var array) {
    boolean field = arrayFields.containsValue(array);
    if (!field && !array.isParameter()) {
      return false;
    }
    Type type = array.type();
    String copy = type.javaName() + " y = new " + type.element().javaName()
        + (type.rank() == 1 ? "[" + array.name() + ".length]" : "[n]".repeat(type.rank()));
    unsupported(at, (field ? "writing into field array '" : "writing to parameter array '") + array.name() + "'",
        (field ? "fields are data the method reads" : "parameters are inputs") + ": copy into a local array ("
            + copy + ";) and write that");
    return true;
  }

  /** {@code a[i].length}, {@code row.length}, {@code m.length}. */
  Expr ndLength(MemberSelectTree m) {
    Access a = access(m.getExpression());
    if (a == null) {
      return null;
    }
    return a.indexes().isEmpty()
        ? new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array())), Type.INT)
        : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array()), a.index()), Type.INT);
  }

  /**
   * Whether the indexes naming a row stay what they were while the row is used: they read int
   * variables that {@code scope} never assigns, and no array element.
   */
  boolean stable(Tree at, String row, List<Expr> indexes, List<? extends Tree> scope) {
    for (Expr index : indexes) {
      boolean[] readsElement = {false};
      index.forEach(x -> readsElement[0] |= x instanceof Apply ap && ap.op() == Op.ARRAY_READ);
      if (readsElement[0]) {
        unsupported(at, "naming a row by an index read from an array (" + row + ")",
            "copy the index into an int local first: int k = idx[i];");
        return false;
      }
      for (Var v : vars(index)) {
        if (v.kind() == Var.Kind.SYNTHETIC) {
          continue; // an enhanced for's own index
        }
        boolean changes = scope == null || scope.stream().anyMatch(s -> writes(s, v.name()));
        if (changes) {
          unsupported(at, "naming row " + row + " while '" + v.name() + "' changes in its scope",
              "index the array directly (a[" + v.name() + "][j]) where '" + v.name() + "' changes");
          return false;
        }
      }
    }
    return true;
  }

  static Set<Var> vars(Expr e) {
    Set<Var> out = new LinkedHashSet<>();
    e.forEach(x -> {
      if (x instanceof Ref r) {
        out.add(r.var());
      }
    });
    return out;
  }

  /**
   * An n-D local ({@code double[][] m = new double[r][c];}) or a row alias ({@code double[] row =
   * a[i];}); false when the declaration is neither (the 1-D path reads it).
   */
  boolean ndDeclaration(VariableTree v, List<? extends StatementTree> rest, Consumer<Stmt> out) {
    String name = v.getName().toString();
    ExpressionTree init = v.getInitializer() == null ? null : unparen(v.getInitializer());
    boolean isVar = v.getType() == null || v.getType() instanceof IdentifierTree id
        && id.getName().contentEquals("var") && resolver.type("var") == null;
    if (init != null && ndRank(init) >= 1 && init instanceof ArrayAccessTree) {
      // a row alias
      Type type = isVar ? null : declaredType(v.getType());
      Access a = access(init);
      if (a == null) {
        Var bad = new Var(name, Type.OBJECT, Var.Kind.LOCAL);
        poisoned.add(bad);
        scopes.peek().put(name, bad);
        return true;
      }
      Var row = new Var(name, a.type(), Var.Kind.LOCAL);
      scopes.peek().put(name, row);
      if (type != null && type != a.type()) {
        unsupported(v, "a " + type.javaName() + " naming a " + a.type().javaName(),
            "declare it as " + a.type().javaName() + " " + name);
        poisoned.add(row);
        return true;
      }
      if (!stable(v, name + " = " + sourceText(init), a.indexes(), rest)) {
        poisoned.add(row);
        return true;
      }
      rows.put(row, new Row(a.array(), a.indexes()));
      return true;
    }
    Type type = isVar ? (init instanceof NewArrayTree na ? resolvedArrayType(na) : null)
        : declaredType(v.getType());
    if (type == null || type.rank() < 2) {
      return false;
    }
    Var var = new Var(name, type, Var.Kind.LOCAL);
    scopes.peek().put(name, var);
    if (!type.isNdDoubleArray() && !type.isDataTable()) {
      unsupported(v, "a local of type " + type.javaName(),
          "use double[][], double[][][], int[][], long[][] and boolean[][] locals");
      poisoned.add(var);
      return true;
    }
    // declared anywhere, in loops and branches too: a fresh array (and adjoint) each time the
    // declaration runs, as for 1-D arrays
    if (init instanceof NewArrayTree na && na.getInitializers() != null && na.getDimensions().isEmpty()) {
      ndInitializer(var, na, src(v, v.toString()), out); // {{a, b}, {c}}, new double[][] {...}
      return true;
    }
    if (init instanceof MethodInvocationTree) {
      // a call returning an n-D array: a fresh array, differentiated through the callee's VJP
      Expr call = expr(init);
      if (call == null) {
        poisoned.add(var);
      } else if (call.type() != type) {
        unsupported(v, "a " + type.javaName() + " holding a " + call.type().javaName(), "declare it as "
            + call.type().javaName() + " " + name);
        poisoned.add(var);
      } else {
        out.accept(new Stmt.Assign(var, call, true, null, src(v, v.toString())));
      }
      return true;
    }
    if (!(init instanceof NewArrayTree na) || na.getInitializers() != null
        || na.getDimensions().isEmpty() || resolvedArrayType(na) != type) {
      unsupported(v, "this array initializer", "create " + type.javaName() + " locals with their "
          + "dimensions (new double" + "[n]".repeat(type.rank()) + ", or new double[n]" + "[]".repeat(type.rank() - 1)
          + " and store the rows: m[i] = ...) or an initializer ({{a, b}, {c, d}})");
      poisoned.add(var);
      return true;
    }
    List<Expr> dims = new ArrayList<>();
    for (ExpressionTree d : na.getDimensions()) {
      Expr x = expr(d);
      if (x == null) {
        poisoned.add(var);
        return true;
      }
      if (x.type() != Type.INT) {
        unsupported(d, "an array dimension of type " + x.type().javaName(), "give dimensions as int");
        poisoned.add(var);
        return true;
      }
      dims.add(x);
    }
    out.accept(new Stmt.Assign(var, new Apply(Op.NEW_ARRAY, dims, type), true, null, src(v, v.toString())));
    return true;
  }

  /**
   * {@code double[][] m = {{a, b}, {c}};} or {@code new double[][] {...}}: the array, shaped by
   * the initializer (ragged rows included), then one store per element, as for 1-D initializers.
   */
  void ndInitializer(Var var, NewArrayTree na, Src src, Consumer<Stmt> out) {
    if (na.getType() != null && resolvedArrayType(na) != var.type()) {
      unsupported(na, "initialising a " + var.type().javaName() + " with " + sourceText(na),
          "write an initializer of the declared type");
      poisoned.add(var);
      return;
    }
    List<Stmt> stores = new ArrayList<>();
    Expr shape = ndShape(var, na, var.type(), new ArrayList<>(), stores);
    if (shape == null) {
      poisoned.add(var);
      return;
    }
    out.accept(new Stmt.Assign(var, shape, true, null, src));
    stores.forEach(out);
  }

  /**
   * The array an initializer of type {@code type} (at {@code indexes} in {@code var}) makes,
   * zero-filled: {@code new double[n]} for a row, {@code new double[r][c]} when every row below
   * has the same length, otherwise NEW_ARRAY of its rows; the element stores go to {@code stores}.
   */
  Expr ndShape(Var var, NewArrayTree na, Type type, List<Expr> indexes, List<Stmt> stores) {
    List<? extends ExpressionTree> items = na.getInitializers();
    if (type.rank() == 1) {
      boolean failed = false;
      for (int i = 0; i < items.size(); i++) {
        ExpressionTree e = items.get(i);
        Expr x = expr(e);
        if (x != null && !assignable(x.type(), type.element())) {
          unsupported(e, "a " + x.type().javaName() + " element in a " + var.type().javaName() + " initializer",
              "write the conversion explicitly");
          x = null;
        }
        if (x == null) {
          failed = true;
          continue;
        }
        if (x.type() != type.element()) {
          x = new Apply(Op.CAST, List.of(x), type.element());
        }
        List<Expr> at = new ArrayList<>(indexes);
        at.add(Const.ofInt(i));
        String where = var.name() + at.stream().map(k -> "[" + ((Const) k).value() + "]").reduce("", String::concat);
        stores.add(new Stmt.ArrayStore(var, new Access(var, at).index(), x, null, src(e, where + " = " + e)));
      }
      return failed ? null : new Apply(Op.NEW_ARRAY, List.of(Const.ofInt(items.size())), type);
    }
    List<Expr> rows = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < items.size(); i++) {
      ExpressionTree e = unparen(items.get(i));
      Type rowType = type.indexed(1);
      if (!(e instanceof NewArrayTree row) || row.getInitializers() == null || !row.getDimensions().isEmpty()
          || row.getType() != null && resolvedArrayType(row) != rowType) {
        unsupported(e, "the row " + sourceText(e) + " in a " + var.type().javaName() + " initializer",
            "write each row as an initializer of its own ({a, b}): rows cannot be aliased");
        failed = true;
        continue;
      }
      List<Expr> at = new ArrayList<>(indexes);
      at.add(Const.ofInt(i));
      Expr made = ndShape(var, row, rowType, at, stores);
      failed |= made == null;
      rows.add(made);
    }
    if (failed) {
      return null;
    }
    // rectangular below: new double[r][c](...) as the n-D locals are made
    List<Expr> dims = rows.isEmpty() ? null : rectangular(rows);
    if (dims != null) {
      List<Expr> all = new ArrayList<>();
      all.add(Const.ofInt(rows.size()));
      all.addAll(dims);
      return new Apply(Op.NEW_ARRAY, all, type);
    }
    return new Apply(Op.NEW_ARRAY, rows, type); // its rows, as given: new double[][] {row0, row1}
  }

  /** The common dimensions of same-shaped rectangular rows, or null. */
  static List<Expr> rectangular(List<Expr> rows) {
    List<Expr> first = ((Apply) rows.get(0)).args();
    if (first.isEmpty() || first.get(0).type() != Type.INT) {
      return null;
    }
    for (Expr r : rows) {
      List<Expr> dims = ((Apply) r).args();
      if (dims.size() != first.size() || dims.get(0).type() != Type.INT) {
        return null;
      }
      for (int k = 0; k < dims.size(); k++) {
        if (!((Const) dims.get(k)).value().equals(((Const) first.get(k)).value())) {
          return null;
        }
      }
    }
    return first;
  }

  /** {@code for (double[] row : a)}, {@code for (double x : a[i])}, {@code for (double x : row)}. */
  void ndForEach(EnhancedForLoopTree t, Consumer<Stmt> out) {
    Src src = src(t, "for (" + t.getVariable() + " : " + t.getExpression() + ")");
    Access a = access(t.getExpression());
    if (a == null || !stable(t.getExpression(), sourceText(t.getExpression()), a.indexes(),
        List.of(t.getStatement()))) {
      return;
    }
    Type elemType = a.type().indexed(1);
    VariableTree vt = t.getVariable();
    boolean isVar = vt.getType() == null || vt.getType() instanceof IdentifierTree id
        && id.getName().contentEquals("var") && resolver.type("var") == null;
    Type declared = isVar ? null : declaredType(vt.getType());
    if (declared != null && declared != elemType) {
      unsupported(vt, "a loop variable of type " + vt.getType(),
          "iterate over a " + a.type().javaName() + " with a " + elemType.javaName() + " loop variable");
      return;
    }
    scopes.push(new HashMap<>());
    Var index = new Var("i", Type.INT, Var.Kind.SYNTHETIC);
    List<Expr> indexes = new ArrayList<>(a.indexes());
    indexes.add(new Ref(index));
    Access each = new Access(a.array(), indexes);
    Var element = new Var(vt.getName().toString(), elemType, Var.Kind.LOCAL);
    if (elemType.rank() > 0) {
      rows.put(element, new Row(a.array(), indexes)); // the loop variable names row i
    }
    loopDepth++;
    scopes.push(new HashMap<>(Map.of(element.name(), element)));
    Block body = body(t.getStatement());
    scopes.pop();
    loopDepth--;
    scopes.pop();
    if (elemType.rank() == 0) {
      body.stmts.add(0, new Stmt.Assign(element, element(each), true, null,
          src(t, vt.getName() + " = " + t.getExpression() + "[i]")));
    }
    Expr length = a.indexes().isEmpty()
        ? new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array())), Type.INT)
        : new Apply(Op.ARRAY_LENGTH, List.of(new Ref(a.array()), a.index()), Type.INT);
    Expr cond = new Apply(Op.LT, List.of(new Ref(index), length), Type.BOOLEAN);
    out.accept(new Stmt.Loop(Stmt.Loop.Kind.FOR, index, Const.ofInt(0), 1, cond, body, new Block(), src));
  }
}
