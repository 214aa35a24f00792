package dev.adjoint.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import com.palantir.javapoet.WildcardTypeName;
import com.palantir.javapoet.ArrayTypeName;
import dev.adjoint.processor.analysis.Blocks;
import dev.adjoint.processor.diag.TooLarge;
import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Stmt;
import dev.adjoint.processor.graph.Stmt.Block;
import dev.adjoint.processor.graph.Type;
import dev.adjoint.processor.graph.Var;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.lang.model.element.Modifier;

/**
 * Keeps generated methods JIT-compilable: HotSpot never compiles a method of more than 8,000
 * bytes of bytecode ({@code HugeMethodLimit}; {@code -XX:-DontCompileHugeMethods} is off by
 * default), so such a method would run interpreted forever, 10-50 times slower.
 *
 * <p>When the size estimate of a body ({@link CodePrinter.Size}, from above) exceeds the limit,
 * its top-level statements are cut into consecutive segments of bounded estimated size, and
 * each segment but the one holding the final {@code return} moves into a {@code private static
 * void} helper, called in order. A helper gets the method's parameters it reads as parameters;
 * a local that one segment sets and a later one uses (and a parameter that a segment assigns)
 * crosses the cut through a frame array per kind of value ({@code double[] _doubles}, ...,
 * {@code Object[] _objects}): a segment loads the crossing locals it uses into locals of the
 * same name when it starts and stores those it sets when it ends, so its statements print as
 * they would unsplit, with their {@code // line N} comments.
 *
 * <p>The size is estimated rather than measured by compiling: the estimate is an upper bound of
 * javac's output (measured 0-30% above), costs a walk over the statements, and the decision has
 * to be made before anything is written. Splitting is refused (the body is printed whole) when
 * it cannot be done soundly: a {@code break} or {@code continue} at any depth, or a
 * {@code return} before the last statement (a helper cannot leave its caller), a crossing local
 * whose type cannot be cast back from {@code Object} without an unchecked warning, or a helper
 * that would need more than the JVM's 255 parameter slots. One statement larger than the limit
 * alone (a sum of thousands of terms) is not split further, nor is a loop body. A body over the
 * JVM's 64 KB is not split either: {@link CodePrinter} refuses it with {@link TooLarge}, as
 * before (split, it would compile, but javac takes minutes over such code).
 */
final class MethodSplitter {
  /** HotSpot's {@code HugeMethodLimit}. */
  static final int HUGE_METHOD_LIMIT = 8_000;
  /** Bytes of a load or store of a frame slot, from above: aload, sipush, xaload, checkcast, wide store. */
  private static final int FRAME_ACCESS = 13;

  /** The printed body and the helpers it calls. */
  record Split(CodeBlock code, List<MethodSpec> helpers) {}


  /**
   * Prints {@code body}, split when its estimate exceeds {@code limit} bytes (but not the JVM's
   * 64 KB: such a gradient is refused whole); {@code names} gives each helper its (unique) name.
   *
   * @throws TooLarge when a method it writes would exceed the JVM's 64 KB
   */
  static Split print(Block body, int limit, Supplier<String> names) {
    long whole = new CodePrinter.Size().block(body);
    // over the JVM's 64 KB the whole method is refused as before (CodePrinter throws TooLarge):
    // cut into helpers it would compile, but javac takes minutes over such a gradient
    if (whole > limit - 500 && whole <= CodePrinter.MAX_BYTES) { // the estimate is 0-30% above javac's count
      Split s = new MethodSplitter(body, limit, names).split();
      if (s != null) {
        return s;
      }
    }
    return new Split(CodePrinter.print(body), List.of());
  }

  // ------------------------------------------------------------------ analysis

  private final Block body;
  private final List<Stmt> stmts;
  private final int limit;
  private final int budget;
  private final Supplier<String> names;
  /** Locals declared by a top-level statement: its index. */
  private final Map<Var, Integer> topLevel = new IdentityHashMap<>();
  /** Variables read or written by each top-level statement, at any depth, in order of first use. */
  private final List<Set<Var>> used = new ArrayList<>();
  /** Variables assigned by each top-level statement (declarations included), at any depth. */
  private final List<Set<Var>> assigned = new ArrayList<>();
  /** Variables declared inside a top-level statement's nested blocks: local to it. */
  private final Set<Var> nested = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  private MethodSplitter(Block body, int limit, Supplier<String> names) {
    this.body = body;
    this.stmts = body.stmts;
    // a segment's own statements get this much; loads, stores and the call sites take the rest
    this.limit = limit;
    this.budget = Math.max(limit * 3 / 4 - 200, 1);
    this.names = names;
  }

  private Split split() {
    if (!splittable()) {
      return null;
    }
    for (int i = 0; i < stmts.size(); i++) {
      Set<Var> u = new LinkedHashSet<>();
      Set<Var> a = new LinkedHashSet<>();
      Stmt s = stmts.get(i);
      if (s instanceof Stmt.Assign as && as.declaration) {
        topLevel.put(as.target, i);
      }
      collect(s, u, a, true);
      used.add(u);
      assigned.add(a);
    }
    List<int[]> segments = segments();
    if (segments.size() < 2) {
      return null;
    }
    return write(segments);
  }

  /** No break or continue, no return but the last statement. */
  private boolean splittable() {
    boolean[] ok = {true};
    Blocks.walk(body, s -> {
      if (s instanceof Stmt.Break || s instanceof Stmt.Continue
          || s instanceof Stmt.Return && s != stmts.get(stmts.size() - 1)) {
        ok[0] = false;
      }
    });
    return ok[0];
  }

  private void collect(Stmt s, Set<Var> u, Set<Var> a, boolean top) {
    if (s instanceof Stmt.Assign as) {
      if (as.declaration && !top) {
        nested.add(as.target);
      }
      u.add(as.target);
      a.add(as.target);
    } else if (s instanceof Stmt.ArrayStore st) {
      u.add(st.array);
    } else if (s instanceof Stmt.Loop l && l.index != null) {
      nested.add(l.index);
      u.add(l.index);
      a.add(l.index);
    } else if (s instanceof Stmt.Eval e) {
      reads(e.call, u);
    }
    for (Expr e : Blocks.exprs(s)) {
      reads(e, u);
    }
    for (Block b : Blocks.children(s)) {
      for (Stmt c : b.stmts) {
        collect(c, u, a, false);
      }
    }
  }

  private static void reads(Expr e, Set<Var> u) {
    e.forEach(x -> {
      if (x instanceof Expr.Ref r) {
        u.add(r.var());
      } else if (x instanceof Expr.RecordGet g) {
        u.add(g.record());
      } else if (x instanceof Expr.Call c && c.derivative() != null) {
        u.add(c.derivative());
      }
    });
  }

  /** Whether {@code v} lives outside one statement: a top-level local or a parameter. */
  private boolean crossable(Var v) {
    return !nested.contains(v);
  }

  /**
   * Consecutive runs of statements, each within the budget by a wide-slot estimate (every local
   * access counted at its widest) plus a load and a store for every variable it touches.
   */
  private List<int[]> segments() {
    List<int[]> out = new ArrayList<>();
    int start = 0;
    long size = 0;
    CodePrinter.Size estimate = new CodePrinter.Size(true);
    Set<Var> touched = new HashSet<>();
    for (int i = 0; i < stmts.size(); i++) {
      long own = estimate.stmt(stmts.get(i));
      int fresh = 0;
      for (Var v : used.get(i)) {
        if (crossable(v) && touched.add(v)) {
          fresh++;
        }
      }
      long grown = size + own + 2L * FRAME_ACCESS * fresh;
      if (i > start && grown > budget) {
        out.add(new int[] {start, i});
        start = i;
        touched.clear();
        used.get(i).stream().filter(this::crossable).forEach(touched::add);
        grown = own + 2L * FRAME_ACCESS * touched.size();
      }
      size = grown;
    }
    out.add(new int[] {start, stmts.size()});
    return out;
  }

  // ------------------------------------------------------------------ writing

  /** The frame array of one kind of value. */
  private static final class Frame {
    final String kind;
    final TypeName element;
    String name;
    final Map<Var, Integer> slots = new LinkedHashMap<>();

    Frame(String kind, TypeName element) {
      this.kind = kind;
      this.element = element;
    }
  }

  private Split write(List<int[]> segments) {
    int last = segments.size() - 1;
    boolean returns = stmts.get(stmts.size() - 1) instanceof Stmt.Return;
    // which segment each variable is used in
    Map<Var, Integer> firstSegment = new IdentityHashMap<>();
    Map<Var, Integer> lastSegment = new IdentityHashMap<>();
    Set<Var> assignedAnywhere = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Var> all = new LinkedHashSet<>();
    for (int k = 0; k < segments.size(); k++) {
      for (int i = segments.get(k)[0]; i < segments.get(k)[1]; i++) {
        for (Var v : used.get(i)) {
          firstSegment.putIfAbsent(v, k);
          lastSegment.put(v, k);
          all.add(v);
        }
        assignedAnywhere.addAll(assigned.get(i));
      }
    }
    // parameters: what is used but declared nowhere in the body
    List<Var> params = new ArrayList<>();
    for (Var v : all) {
      if (crossable(v) && !topLevel.containsKey(v)) {
        params.add(v);
      }
    }
    Set<String> taken = new HashSet<>();
    all.forEach(v -> taken.add(v.name()));
    Frame doubles = new Frame("doubles", TypeName.DOUBLE);
    Frame ints = new Frame("ints", TypeName.INT);
    Frame longs = new Frame("longs", TypeName.LONG);
    Frame booleans = new Frame("booleans", TypeName.BOOLEAN);
    Frame objects = new Frame("objects", ClassName.OBJECT);
    List<Frame> frames = List.of(doubles, ints, longs, booleans, objects);
    Map<Var, Frame> frameOf = new IdentityHashMap<>();
    for (Var v : all) {
      boolean crosses = crossable(v) && (topLevel.containsKey(v)
          ? !firstSegment.get(v).equals(lastSegment.get(v))
          : assignedAnywhere.contains(v));
      if (!crosses) {
        continue;
      }
      Frame f = switch (v.type()) {
        case DOUBLE -> doubles;
        case INT -> ints;
        case LONG -> longs;
        case BOOLEAN -> booleans;
        default -> objects;
      };
      if (f == objects && !castable(GradClassWriter.javaType(v)) || v.type() == Type.OBJECT && v.objectType() == null) {
        return null;
      }
      f.slots.put(v, f.slots.size());
      frameOf.put(v, f);
    }
    for (Frame f : frames) {
      String n = "_" + f.kind;
      for (int k = 1; taken.contains(n); k++) {
        n = "_" + f.kind + k;
      }
      f.name = n;
    }
    for (Var p : params) {
      if (!frameOf.containsKey(p) && !declarable(p)) {
        return null;
      }
    }

    List<MethodSpec> helpers = new ArrayList<>();
    CodeBlock.Builder main = CodeBlock.builder();
    int helperCount = returns ? last : segments.size();
    String first = null;
    String lastName = null;
    List<CodeBlock> calls = new ArrayList<>();
    for (int k = 0; k < helperCount; k++) {
      int[] seg = segments.get(k);
      Set<Var> segUsed = new LinkedHashSet<>();
      Set<Var> segAssigned = new LinkedHashSet<>();
      for (int i = seg[0]; i < seg[1]; i++) {
        segUsed.addAll(used.get(i));
        segAssigned.addAll(assigned.get(i));
      }
      String name = names.get();
      if (first == null) {
        first = name;
      }
      lastName = name;
      MethodSpec.Builder m = MethodSpec.methodBuilder(name)
          .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .addJavadoc("$L of a generated method, moved here: as one method it would exceed HotSpot's "
              + "$L-byte limit for JIT compilation.\n", range(seg), limit);
      List<String> args = new ArrayList<>();
      int slots = 0;
      for (Var p : params) {
        if (segUsed.contains(p) && !frameOf.containsKey(p)) {
          m.addParameter(GradClassWriter.javaType(p), p.name());
          args.add(p.name());
          slots += p.type() == Type.DOUBLE || p.type() == Type.LONG ? 2 : 1;
        }
      }
      CodeBlock.Builder b = CodeBlock.builder();
      Set<Frame> needed = new LinkedHashSet<>();
      for (Var v : segUsed) {
        Frame f = frameOf.get(v);
        boolean declaredHere = topLevel.containsKey(v) && topLevel.get(v) >= seg[0] && topLevel.get(v) < seg[1];
        if (f != null && !declaredHere) {
          needed.add(f);
          load(b, v, f, true);
        }
      }
      b.add(CodePrinter.print(new Block(stmts.subList(seg[0], seg[1]))));
      for (Var v : segAssigned) {
        Frame f = frameOf.get(v);
        if (f != null && lastSegment.get(v) > k) {
          needed.add(f);
          b.addStatement("$N[$L] = $N", f.name, f.slots.get(v), v.name());
        }
      }
      for (Frame f : frames) {
        if (needed.contains(f)) {
          m.addParameter(ArrayTypeName.of(f.element), f.name);
          args.add(f.name);
          slots++;
        }
      }
      if (slots > 255) {
        return null;
      }
      helpers.add(m.addCode(b.build()).build());
      calls.add(CodeBlock.of("$N($L);\n", name, String.join(", ", args)));
    }
    main.add("// split into $L$L so that no method exceeds HotSpot's $L-byte limit for JIT compilation\n",
        first, helperCount > 1 ? " ... " + lastName : "", limit);
    for (Frame f : frames) {
      if (!f.slots.isEmpty()) {
        main.addStatement("$T $N = new $T[$L]", ArrayTypeName.of(f.element), f.name, f.element, f.slots.size());
      }
    }
    for (Var p : params) {
      Frame f = frameOf.get(p);
      if (f != null) {
        main.addStatement("$N[$L] = $N", f.name, f.slots.get(p), p.name());
      }
    }
    calls.forEach(main::add);
    if (returns) {
      int[] seg = segments.get(last);
      Set<Var> segUsed = new LinkedHashSet<>();
      for (int i = seg[0]; i < seg[1]; i++) {
        segUsed.addAll(used.get(i));
      }
      for (Var v : segUsed) {
        Frame f = frameOf.get(v);
        boolean declaredHere = topLevel.containsKey(v) && topLevel.get(v) >= seg[0];
        if (f != null && !declaredHere) {
          load(main, v, f, topLevel.containsKey(v));
        }
      }
      main.add(CodePrinter.print(new Block(stmts.subList(seg[0], seg[1]))));
    }
    CodeBlock printed = main.build();
    return new Split(printed, helpers);
  }

  /** {@code double v = _doubles[3];}, or without the type for a parameter of the method itself. */
  private static void load(CodeBlock.Builder b, Var v, Frame f, boolean declare) {
    TypeName t = GradClassWriter.javaType(v);
    CodeBlock read = f.element.equals(ClassName.OBJECT)
        ? CodeBlock.of("($T) $N[$L]", t, f.name, f.slots.get(v))
        : CodeBlock.of("$N[$L]", f.name, f.slots.get(v));
    if (declare) {
      b.addStatement("$T $N = $L", t, v.name(), read);
    } else {
      b.addStatement("$N = $L", v.name(), read);
    }
  }

  /** Source lines a segment covers, for the helper's comment. */
  private String range(int[] seg) {
    long lo = Long.MAX_VALUE;
    long hi = -1;
    for (Stmt s : Blocks.all(new Block(stmts.subList(seg[0], seg[1])))) {
      if (s.src.known()) {
        lo = Math.min(lo, s.src.line());
        hi = Math.max(hi, s.src.line());
      }
    }
    String statements = seg[1] - seg[0] == 1 ? "statement " + seg[1] : "statements " + (seg[0] + 1) + "-" + seg[1];
    if (hi < 0) {
      return Character.toUpperCase(statements.charAt(0)) + statements.substring(1);
    }
    return (lo == hi ? "Line " + lo : "Lines " + lo + "-" + hi) + " (" + statements + ")";
  }

  /** A type a parameter can be declared with ({@code var} cannot). */
  private static boolean declarable(Var v) {
    return v.type() != Type.OBJECT || v.objectType() != null;
  }

  /** A cast from {@code Object} to {@code t} is checked: no type arguments or variables in it. */
  private static boolean castable(TypeName t) {
    if (t instanceof ArrayTypeName a) {
      return castable(a.componentType());
    }
    return !(t instanceof ParameterizedTypeName || t instanceof TypeVariableName || t instanceof WildcardTypeName);
  }
}
