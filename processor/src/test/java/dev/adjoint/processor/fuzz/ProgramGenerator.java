package dev.adjoint.processor.fuzz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates random, well-typed {@code @Differentiable} programs in the supported subset, for the
 * property test {@link GeneratedProgramsTest}.
 *
 * <p>Programs come in batches: one batch is two classes, {@code p.FuzzB} (the programs and some
 * helpers) and {@code p.FuzzBLib} (the other helpers). Helpers are small {@code @Differentiable}
 * methods that the programs, and later helpers, call, within a class and across the two classes;
 * besides them every batch has a recursive helper {@code r0(a, b, k)} (calling itself, or
 * mutually {@code r1} in the library class, with a strictly decreasing depth {@code k}; callers
 * pass depths of at most 8) and two unannotated helpers, {@code private static p0} and
 * package-private {@code FuzzBLib.p1}, which the processor differentiates implicitly (they are
 * checked through the programs that call them). About one program in eight is an instance method
 * of the main class, reading its {@code private final} fields {@code scale} and {@code weights}.
 *
 * <p>Besides doubles, arrays, ints, longs and booleans, loops of every form, branches, calls and
 * Math, programs contain {@code double[][]} parameters ({@code mat}, {@code grid}; ragged at some
 * points) and top-level {@code new double[r][c]} locals, read and written through {@code m[i][j]},
 * row locals and enhanced-for rows; array initializers, clones, {@code System.arraycopy} and
 * {@code Arrays.fill}, arrays declared inside loops, branches and switch cases; {@code int[]}
 * index arrays and gathers {@code a[p[i]]}; switch statements (old form with fall-through and
 * {@code default} anywhere, arrow form) and switch expressions (block arms with {@code yield}
 * only as a declaration's whole initializer, the processor's documented limit); labelled
 * {@code break} / {@code continue} out of nested loops; int bit operations in conditions; the
 * class's {@code private static final} constant {@code RATE} and table {@code TABLE}.
 *
 * <p>Everything is a pure function of the seed: program {@code g} is generated from its own
 * random stream (seed and {@code g}), the helpers of batch {@code b} from theirs, so one program
 * can be regenerated alone from the seed, its index and the batch size.
 *
 * <p>Values are kept bounded so that finite differences are meaningful: the generator tracks a
 * bound on the magnitude of every expression and squashes or scales what would grow too large;
 * updates of variables carried around loops are contractive; Math functions only see arguments
 * inside their domains ({@code log(1 + a * a)}, {@code asin(0.9 * tanh(a))}, ...).
 */
final class ProgramGenerator {
  /**
   * Annotated, non-recursive helper methods per batch: even ones in the main class, odd ones in
   * the library class (the recursive and unannotated helpers come on top).
   */
  static final int HELPERS = 4;

  /** Largest magnitude a sub-expression may reach before it is scaled or squashed. */
  private static final double MAX_BOUND = 8;
  /** Largest magnitude of a value assigned to a variable or array element. */
  private static final double VAR_BOUND = 3;
  /** Largest magnitude of a variable updated around a loop (contractive updates). */
  private static final double CARRIED_BOUND = 4;
  /** Largest magnitude of a variable after straight-line updates. */
  private static final double MAX_VAR_BOUND = 6;

  /** Kinds of parameters and variables. */
  enum Kind {
    DOUBLE("double"), ARRAY("double[]"), MATRIX("double[][]"), INT("int"), LONG("long"),
    BOOLEAN("boolean"), STRING("String");

    final String java;

    Kind(String java) {
      this.java = java;
    }

    boolean differentiable() {
      return this == DOUBLE || this == ARRAY || this == MATRIX;
    }
  }

  /** A parameter of a generated method. */
  record Param(String name, Kind kind) {}

  /**
   * A generated method. {@code instance}: an instance method of the main class, whose generated
   * gradient takes the instance first; {@code checked}: false for the unannotated (implicitly
   * differentiated) helpers, whose generated methods are package-private and only checked
   * through their callers.
   */
  record Fn(String owner, String name, List<Param> params, List<String> wrt, String source,
      boolean helper, List<String> callees, boolean instance, boolean checked) {
    /** The names of the parameters the generated gradient differentiates, in parameter order. */
    List<String> differentiated() {
      List<String> out = new ArrayList<>();
      for (Param p : params) {
        if (p.kind().differentiable() && (wrt == null || wrt.contains(p.name()))) {
          out.add(p.name());
        }
      }
      return out;
    }

    String qualifiedOwner() {
      return "p." + owner;
    }
  }

  /** One compilation unit: programs and helpers of two classes. */
  record Batch(int index, String mainClass, String libClass, List<Fn> helpers, List<Fn> programs) {
    /** Sources of both classes: the given programs and helpers (in the classes they belong to). */
    String[] namesAndSources(Collection<Fn> which, Collection<Fn> withHelpers) {
      List<Fn> main = new ArrayList<>();
      List<Fn> lib = new ArrayList<>();
      for (Fn h : helpers) {
        if (withHelpers.contains(h)) {
          (h.owner().equals(mainClass) ? main : lib).add(h);
        }
      }
      main.addAll(which);
      return new String[] {"p." + mainClass, classSource(mainClass, main, true), "p." + libClass,
          classSource(libClass, lib, false)};
    }

    /** Sources with the given programs and every helper. */
    String[] namesAndSources(Collection<Fn> which) {
      return namesAndSources(which, helpers);
    }

    /** The helpers {@code fns} call, directly or through other helpers. */
    Set<Fn> helpersOf(Collection<Fn> fns) {
      Set<Fn> out = new LinkedHashSet<>();
      List<Fn> work = new ArrayList<>(fns);
      while (!work.isEmpty()) {
        Fn f = work.remove(work.size() - 1);
        for (String c : f.callees()) {
          for (Fn h : helpers) {
            if (h.name().equals(c) && out.add(h)) {
              work.add(h);
            }
          }
        }
      }
      return out;
    }
  }

  static final double C0 = 0.75;
  static final double C1 = -1.25;
  static final int K = 3;

  /** A private constant and a private table of every generated class. */
  static final double RATE = 0.35;
  static final double[] TABLE = {0.5, -1.25, 2.0, 0.75};

  /**
   * The source of one class. The main class is also a model: instance programs read its
   * {@code private final} fields {@code scale} and {@code weights} (never empty) as data; the
   * test constructs it with {@code new FuzzB(scale, weights)}.
   */
  private static String classSource(String name, List<Fn> methods, boolean main) {
    StringBuilder sb = new StringBuilder();
    sb.append("package p;\n\n");
    sb.append("import dev.adjoint.Differentiable;\n");
    sb.append("import java.util.Arrays;\n\n");
    sb.append("public final class ").append(name).append(" {\n");
    sb.append("  static final double C0 = ").append(C0).append(";\n");
    sb.append("  static final double C1 = ").append(C1).append(";\n");
    sb.append("  static final int K = ").append(K).append(";\n");
    sb.append("  private static final double RATE = ").append(RATE).append(";\n");
    sb.append("  private static final double[] TABLE = {");
    for (int i = 0; i < TABLE.length; i++) {
      sb.append(i > 0 ? ", " : "").append(TABLE[i]);
    }
    sb.append("};\n\n");
    if (main) {
      sb.append("  private final double scale;\n");
      sb.append("  private final double[] weights;\n\n");
      sb.append("  public ").append(name).append("(double scale, double[] weights) {\n");
      sb.append("    this.scale = scale;\n");
      sb.append("    this.weights = weights;\n");
      sb.append("  }\n");
    } else {
      sb.append("  private ").append(name).append("() {}\n");
    }
    for (Fn m : methods) {
      sb.append('\n').append(m.source());
    }
    sb.append("}\n");
    return sb.toString();
  }

  private final long seed;

  ProgramGenerator(long seed) {
    this.seed = seed;
  }

  /** A well-mixed seed for stream {@code index} of the run seeded with {@code seed}. */
  static long streamSeed(long seed, long index) {
    return new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L)).nextLong();
  }

  /** Batch {@code b}: programs {@code first .. first + count - 1}. */
  Batch batch(int b, int first, int count) {
    String main = "Fuzz" + b;
    String lib = main + "Lib";
    List<Fn> helpers = new ArrayList<>();
    for (int k = 0; k < HELPERS; k++) {
      SplittableRandom r = new SplittableRandom(streamSeed(seed, -1L - (long) b * HELPERS - k));
      String owner = k % 2 == 0 ? main : lib;
      helpers.add(new Gen(r, owner, main, lib, List.copyOf(helpers)).helper("h" + k));
    }
    List<Fn> regular = List.copyOf(helpers);
    // recursion (direct, or mutual across the two classes) and unannotated helpers
    SplittableRandom x = new SplittableRandom(streamSeed(seed ^ 0x7EC5L, b));
    // one batch in three recurses over an array (r0(w, k)): its gradient is the split form
    boolean overArray = new SplittableRandom(streamSeed(seed ^ 0xA77A7L, b)).nextInt(3) == 0;
    if (x.nextBoolean()) {
      helpers.add(new Gen(new SplittableRandom(x.nextLong()), main, main, lib, regular)
          .recursive("r0", "r0", main, overArray));
    } else {
      helpers.add(new Gen(new SplittableRandom(x.nextLong()), main, main, lib, regular)
          .recursive("r0", "r1", lib, overArray));
      helpers.add(new Gen(new SplittableRandom(x.nextLong()), lib, main, lib, regular)
          .recursive("r1", "r0", main, overArray));
    }
    helpers.add(new Gen(new SplittableRandom(x.nextLong()), main, main, lib, regular)
        .implicitHelper("p0", true));
    helpers.add(new Gen(new SplittableRandom(x.nextLong()), lib, main, lib, regular)
        .implicitHelper("p1", false));
    List<Fn> programs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int g = first + i;
      SplittableRandom r = new SplittableRandom(streamSeed(seed, g));
      programs.add(new Gen(r, main, main, lib, helpers).program("f" + g));
    }
    return new Batch(b, main, lib, List.copyOf(helpers), List.copyOf(programs));
  }

  // ------------------------------------------------------------------------------ census

  /** Constructs and a pattern that finds them in a method's source. */
  private static final String[][] CONSTRUCTS = {
      {"if/else", "\\belse\\b"},
      {"else if", "else if \\("},
      {"if without braces", "\\bif \\(.*\\) [^{]*;$"},
      {"classic for", "for \\(int "},
      {"reverse for", "for \\(int \\w+ = [^;]+; \\w+ >=? 0; \\w+--\\)"},
      {"nested loops", "(?s)(for|while|do) [({].*\\n\\s{6,}(for|while|do) [({]"},
      {"enhanced for", "for \\(double "},
      {"while", "^\\s*while \\("},
      {"do/while", "\\bdo \\{"},
      {"loop on a double (data-dependent)", "while \\(w\\d+ < 6 && "},
      {"break", "\\bbreak;"},
      {"continue", "\\bcontinue;"},
      {"early return", "(?s)return .*\\breturn\\b"},
      {"local array", "new double\\["},
      {"array param", "double\\[\\] [a-z]\\w*[,)]"},
      {"array element write", "\\w+\\[[^\\]]+\\] [-+*/]?= "},
      {"?:", " \\? "},
      {"compound assignment", " [-+*/%]= "},
      {"call (same class)", "[^.\\w]h\\d\\("},
      {"call (other class)", "Fuzz\\d+(Lib)?\\.h\\d\\("},
      {"int local", "\\bint k\\d+ = "},
      {"long", "\\blong "},
      {"boolean", "\\bboolean "},
      {"(int) cast", "\\(int\\)"},
      {"static final constant", "\\b(C0|C1|K)\\b"},
      {"wrt", "wrt = "},
      {"parameter reassigned", "^\\s*[xyzab] [-+*/]?= "},
      {"declared, assigned in branches", "double \\w+;"},
      {"accumulation loop", "(?s)double (d\\d+) = 0;\\n\\s*for \\(int i\\d+ = 0; [^\\n]*\\{\\n.*?\\1 [-+]?= "},
      {"mixture loop (per-component scratch arrays and log-sum-exp)", "\\+= 0\\.25 \\* \\(\\w+ \\+ Math\\.log\\(\\w+\\)\\);"},
      {"running index stepped in a packed triangle", "\\bk\\d+\\+\\+;"},
      {"step loop (state array, stage array filled per step)", "= 0\\.5 \\* t\\d+\\[i\\d+\\] \\+ [\\w.]+ \\* t\\d+\\[i\\d+\\] \\* t\\d+\\[i\\d+\\];"},
      {"scratch array overwritten per observation", "(?s)for \\(int (i\\d+) = 0; [^\\n]*\\{\\n(\\s+double\\[\\] t\\d+ = new double\\[[^\\n]*\\n)?\\s+for \\(int i\\d+ = 0; i\\d+ < t\\d+\\.length"},
      {"double[][] param", "double\\[\\]\\[\\] (mat|grid)[,)]"},
      {"double[][] local", "double\\[\\]\\[\\] g\\d+ = (new double\\[|\\{)"},
      {"double[][] local in a block", "^ {6,}double\\[\\]\\[\\] g\\d+ = "},
      {"double[][] initializer", "double\\[\\]\\[\\] g\\d+ = \\{"},
      {"double[][] rows stored one by one", "double\\[\\]\\[\\] g\\d+ = new double\\[[^\\]]+\\]\\[\\];"},
      {"row store (new row, initializer, local row)", "g\\d+\\[i\\d+\\] = (new double|t\\d+;)"},
      {"m[i].length", "\\]\\.length"},
      {"row local", "double\\[\\] row\\d+ = \\w+\\["},
      {"for over rows", "for \\(double\\[\\] "},
      {"array initializer", "(= \\{|new (double|int)\\[\\] \\{)"},
      {"array declared in a block", "^ {6,}double\\[\\] t\\d+ = "},
      {"int[] index array", "int\\[\\] p\\d+ = "},
      {"a[p[i]]", "\\w\\[p\\d+\\["},
      {"clone()", "\\.clone\\(\\)"},
      {"System.arraycopy", "System\\.arraycopy\\("},
      {"Arrays.fill", "Arrays\\.fill\\("},
      {"row cloned or copied", "(\\w+\\[i\\d+\\]|row\\d+)\\.clone\\(\\)|(System\\.arraycopy|Arrays\\.fill)\\((\\w+, 0, )?(\\w+\\[i\\d+\\]|row\\d+)[,)]"},
      {"int[][] local", "int\\[\\]\\[\\] p\\d+ = "},
      {"switch statement", "^\\s*switch \\("},
      {"switch fall-through", "(?m)^\\s*(?!break;)(?!case )[^\\n]*;\\n\\s*(case [^\\n>]*|default):$"},
      {"switch expression", "(\\(|= )switch \\("},
      {"yield", "\\byield\\b"},
      {"labelled break/continue", "(break|continue) outer\\d+;"},
      {"bit operation", "( >> | << | \\^ | & \\d| \\| 1)"},
      {"recursive call", "\\br[01]\\("},
      {"unannotated helper call", "\\bp[01]\\("},
      {"private constant", "\\b(RATE|TABLE)\\b"},
      {"instance method", "public double f\\d+\\("},
      {"vector-valued (double[] result, Jacobian)", "public static double\\[\\] f\\d+\\("},
      {"matrix passed to a call", "\\b[hp]\\d\\((?:[^()]*, )?(mat|grid|g\\d+)[,)]"},
      {"row passed to a call", "\\b[hp]\\d\\((?:[^()]*, )?(row\\d+|\\w+\\[i\\d+\\])[,)]"},
      {"String parameter", "String mode[,)]"},
      {"switch on a String", "switch \\(mode\\)"},
  };

  /** For each construct, in how many of {@code fns} it occurs. */
  static java.util.Map<String, Integer> census(Collection<Fn> fns) {
    java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
    for (String[] c : CONSTRUCTS) {
      java.util.regex.Pattern p = java.util.regex.Pattern.compile(c[1], java.util.regex.Pattern.MULTILINE);
      int n = 0;
      for (Fn f : fns) {
        if (p.matcher(f.source()).find()) {
          n++;
        }
      }
      out.put(c[0], n);
    }
    for (String m : new String[] {"sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh",
        "tanh", "exp", "expm1", "log", "log1p", "log10", "sqrt", "cbrt", "pow", "hypot", "abs", "max",
        "min", "floor", "ceil", "rint", "signum", "toRadians", "toDegrees"}) {
      String needle = "Math." + m + "(";
      int n = 0;
      for (Fn f : fns) {
        if (f.source().contains(needle)) {
          n++;
        }
      }
      out.put("Math." + m, n);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ points

  /** A random evaluation point for {@code fn}: arguments in parameter order. */
  static Object[] point(Fn fn, SplittableRandom r, int which) {
    Object[] args = new Object[fn.params().size()];
    for (int i = 0; i < args.length; i++) {
      Param p = fn.params().get(i);
      args[i] = switch (p.kind()) {
        case DOUBLE -> value(r);
        case ARRAY -> {
          // the first points favour the edge cases: empty and one-element arrays
          int len = which == 1 ? r.nextInt(2) : r.nextInt(10) < 2 ? r.nextInt(2) : 2 + r.nextInt(4);
          double[] a = new double[len];
          for (int j = 0; j < len; j++) {
            a[j] = value(r);
          }
          yield a;
        }
        case MATRIX -> {
          // rectangular, sometimes ragged (rows of different lengths, empty ones too)
          int rows = which == 1 ? r.nextInt(2) : r.nextInt(10) < 2 ? r.nextInt(2) : 2 + r.nextInt(3);
          int cols = 1 + r.nextInt(4);
          boolean ragged = r.nextInt(10) < 2;
          double[][] m = new double[rows][];
          for (int row = 0; row < rows; row++) {
            m[row] = new double[ragged ? r.nextInt(5) : cols];
            for (int j = 0; j < m[row].length; j++) {
              m[row][j] = value(r);
            }
          }
          yield m;
        }
        case INT -> which == 1 ? r.nextInt(2) : r.nextInt(5);
        case LONG -> (long) r.nextInt(4);
        case BOOLEAN -> r.nextBoolean();
        // a name selecting switch cases: one of the labels "s0".."s4", or none of them
        case STRING -> r.nextInt(6) < 5 ? "s" + r.nextInt(5) : "other";
      };
    }
    return args;
  }

  /**
   * A value in [-1.5, 1.5), at full precision. Not on a grid: rounded to 1e-3, as values once
   * were, two parameters drew the same value once in 3,000 pairs, and one parameter in 50 drew a
   * multiple of 0.05 (where the generated constants lie, and the integers and half-integers where
   * {@code floor}, {@code rint} and casts jump); a tie inside {@code Math.max} or on a comparison
   * is a kink, where the gradient's convention and finite differences differ. A failing point
   * still reproduces exactly: reports print values with {@link Double#toString}, which reads
   * back as the same double.
   */
  static double value(SplittableRandom r) {
    return r.nextDouble() * 3 - 1.5;
  }

  // ------------------------------------------------------------------------------ generator

  /** An expression and a bound on the magnitude of its value. */
  private record Ex(String code, double bound) {}

  /** A statement: its lines, and whether it is a single simple statement (braces optional). */
  private record Code(List<String> lines, boolean simple) {
    static Code simple(String line) {
      return new Code(List.of(line), true);
    }

    /** A declaration: cannot stand alone as the body of an if or a loop. */
    static Code simpleDecl(String line) {
      return new Code(List.of(line), false);
    }
  }

  private static final class DVar {
    final String name;
    /**
     * Bound on the magnitude; only grows, so after branches it covers every path. Entering a
     * loop raises it to CARRIED_BOUND: a read early in the body sees later iterations' values.
     */
    double bound;
    final boolean assignable;
    final int loopDepth;

    DVar(String name, double bound, boolean assignable, int loopDepth) {
      this.name = name;
      this.bound = bound;
      this.assignable = assignable;
      this.loopDepth = loopDepth;
    }
  }

  /** An int variable; {@code nonNeg} ones are at most {@code max} and usable as counts. */
  private static final class IVar {
    final String name;
    final boolean nonNeg;
    final int max;
    final boolean assignable;
    final int loopDepth;

    IVar(String name, boolean nonNeg, int max, boolean assignable, int loopDepth) {
      this.name = name;
      this.nonNeg = nonNeg;
      this.max = max;
      this.assignable = assignable;
      this.loopDepth = loopDepth;
    }
  }

  /**
   * A double[]: arrays with equal {@code key} have equal lengths. {@code row}: a row of a
   * {@code double[][]} ({@code m[i]}, a row local, an enhanced-for row), cloned and copied like
   * any array; {@code writable}: elements may be assigned (local arrays and the rows of
   * local matrices named by index).
   */
  private record AVar(String name, String key, boolean local, boolean row, boolean writable) {
    AVar(String name, String key, boolean local) {
      this(name, key, local, false, local);
    }
  }

  /**
   * A double[][]: {@code rowsKey} keys its length, {@code colsKey} its rows' lengths (null for a
   * parameter, whose rows may be ragged).
   */
  private record MVar(String name, String rowsKey, String colsKey, boolean local) {}

  /** An int[] of indices: its elements are valid indices of the arrays with the same key. */
  private record IArr(String name, String key) {}

  /** Within the current scope, {@code index} lies in [0, length of arrays with {@code key}). */
  private record Binding(String index, String key) {}

  private static final class Frame {
    final List<DVar> doubles = new ArrayList<>();
    final List<IVar> ints = new ArrayList<>();
    final List<String> longs = new ArrayList<>();
    final List<String> bools = new ArrayList<>();
    final List<AVar> arrays = new ArrayList<>();
    final List<MVar> mats = new ArrayList<>();
    final List<IArr> intArrays = new ArrayList<>();
    final List<Binding> bindings = new ArrayList<>();
  }

  /** An enclosing loop: whether {@code continue} may target it, and its label (or null). */
  private record Loop(boolean continueOk, String label) {
    Loop(boolean continueOk) {
      this(continueOk, null);
    }
  }

  /** How a method is declared. */
  enum Style {
    /** {@code @Differentiable public static}. */
    STATIC,
    /** {@code @Differentiable public}, an instance method of the main class. */
    INSTANCE,
    /** {@code private static}, unannotated: differentiated implicitly. */
    PRIVATE,
    /** {@code static} (package-private), unannotated: differentiated implicitly. */
    PACKAGE
  }

  /** Generates one method. */
  private static final class Gen {
    final SplittableRandom r;
    final String owner;
    final String mainClass;
    final String libClass;
    final List<Fn> callable;
    final Set<String> names = new HashSet<>();
    final List<Frame> frames = new ArrayList<>();
    final List<Loop> loops = new ArrayList<>();
    int branchDepth;
    int remaining;
    boolean helper;
    int maxNest;
    int calls;
    /** Rows of matrices passed to calls (for the statistics). */
    int rowArguments;
    final Set<String> called = new LinkedHashSet<>();
    /** An instance method: may read the fields {@code scale} and {@code weights}. */
    boolean instance;
    /** The method's String parameter, which switches may select on; null when it has none. */
    String stringParam;
    /**
     * A vector-valued program's result array ({@code double[] outN = new double[2];} at the top,
     * both elements set before every return); null for a double-valued method.
     */
    String vectorResult;

    Gen(SplittableRandom r, String owner, String mainClass, String libClass, List<Fn> callable) {
      this.r = r;
      this.owner = owner;
      this.mainClass = mainClass;
      this.libClass = libClass;
      this.callable = callable;
    }

    // ------------------------------------------------------------------ methods

    Fn helper(String name) {
      List<Param> params = new ArrayList<>();
      switch (r.nextInt(8)) {
        case 6 -> { // a matrix passed whole: its gradient goes back shaped like it
          params.add(new Param("mat", Kind.MATRIX));
          params.add(new Param("a", Kind.DOUBLE));
        }
        case 7 -> {
          params.add(new Param("a", Kind.DOUBLE));
          params.add(new Param("mat", Kind.MATRIX));
          params.add(new Param("w", Kind.ARRAY));
        }
        case 0 -> params.add(new Param("a", Kind.DOUBLE));
        case 1 -> {
          params.add(new Param("a", Kind.DOUBLE));
          params.add(new Param("b", Kind.DOUBLE));
        }
        case 2 -> {
          params.add(new Param("w", Kind.ARRAY));
          params.add(new Param("a", Kind.DOUBLE));
        }
        case 3 -> {
          params.add(new Param("a", Kind.DOUBLE));
          params.add(new Param("k", Kind.INT));
        }
        case 4 -> params.add(new Param("w", Kind.ARRAY));
        default -> {
          params.add(new Param("a", Kind.DOUBLE));
          params.add(new Param("w", Kind.ARRAY));
          params.add(new Param("k", Kind.INT));
        }
      }
      remaining = 2 + r.nextInt(5);
      maxNest = 2;
      return method(name, params, null, true, Style.STATIC);
    }

    Fn program(String name) {
      List<Param> params = new ArrayList<>();
      String[] doubleNames = {"x", "y", "z"};
      String[] arrayNames = {"u", "v"};
      String[] intNames = {"n", "m"};
      int doubles = r.nextInt(4);
      int arrays = r.nextInt(10) < 4 ? 0 : 1 + r.nextInt(2);
      if (doubles + arrays == 0) {
        doubles = 1;
      }
      for (int i = 0; i < doubles; i++) {
        params.add(new Param(doubleNames[i], Kind.DOUBLE));
      }
      for (int i = 0; i < arrays; i++) {
        params.add(new Param(arrayNames[i], Kind.ARRAY));
      }
      int ints = r.nextInt(10) < 3 ? 0 : 1 + r.nextInt(2);
      for (int i = 0; i < ints; i++) {
        params.add(new Param(intNames[i], Kind.INT));
      }
      if (r.nextInt(10) == 0) {
        params.add(new Param("q", Kind.LONG));
      }
      if (r.nextInt(10) == 0) {
        params.add(new Param("flag", Kind.BOOLEAN));
      }
      if (r.nextInt(100) < 15) {
        params.add(new Param("mode", Kind.STRING)); // switches may select on it
      }
      if (r.nextInt(25) == 0) {
        // names the processor uses for its own variables: they must not clash
        String[] clash = {"_d_x", "_t0", "_tape", "_d_u"};
        params.add(new Param(clash[r.nextInt(clash.length)], Kind.DOUBLE));
      }
      shuffle(params);
      List<String> wrt = null;
      if (r.nextInt(10) == 0) {
        List<String> diff = new ArrayList<>();
        for (Param p : params) {
          if (p.kind().differentiable() && r.nextBoolean()) {
            diff.add(p.name());
          }
        }
        if (!diff.isEmpty()) {
          wrt = diff;
        }
      }
      if (r.nextInt(100) < 18) {
        // a matrix, differentiated like the arrays
        params.add(r.nextInt(params.size() + 1), new Param(chance(50) ? "mat" : "grid", Kind.MATRIX));
      }
      remaining = 4 + r.nextInt(12);
      maxNest = 3;
      // some programs are instance methods of the main class, reading its fields as data
      Style style = r.nextInt(100) < 12 ? Style.INSTANCE : Style.STATIC;
      instance = style == Style.INSTANCE;
      // some are vector-valued: double[] of two outputs, checked through fJacobian
      vectorResult = style == Style.STATIC && r.nextInt(100) < 10 ? "out" + name.substring(1) : null;
      try {
        return method(name, params, wrt, false, style);
      } finally {
        vectorResult = null;
      }
    }

    /**
     * An unannotated helper ({@code private static} in the main class, package-private in the
     * library class), differentiated implicitly because programs call it with active arguments.
     */
    Fn implicitHelper(String name, boolean isPrivate) {
      List<Param> params = new ArrayList<>();
      switch (r.nextInt(5)) {
        case 4 -> {
          params.add(new Param("mat", Kind.MATRIX));
          params.add(new Param("a", Kind.DOUBLE));
        }
        case 0 -> params.add(new Param("a", Kind.DOUBLE));
        case 1 -> {
          params.add(new Param("a", Kind.DOUBLE));
          params.add(new Param("b", Kind.DOUBLE));
        }
        case 2 -> {
          params.add(new Param("w", Kind.ARRAY));
          params.add(new Param("a", Kind.DOUBLE));
        }
        default -> {
          params.add(new Param("a", Kind.DOUBLE));
          params.add(new Param("k", Kind.INT));
        }
      }
      remaining = 2 + r.nextInt(4);
      maxNest = 2;
      return method(name, params, null, true, isPrivate ? Style.PRIVATE : Style.PACKAGE);
    }

    /**
     * A recursive {@code @Differentiable} helper {@code name(a, b, k)}: returns a smooth
     * expression when {@code k <= 0}, else combines (contractively) the result of
     * {@code callee(.., .., k - 1)} (or {@code k - 2}, {@code k / 2}): itself (direct recursion)
     * or its partner (mutual). Callers pass small non-negative depths (at most 8).
     * {@code overArray}: {@code name(w, k)} instead, reading the array {@code w} and passing it
     * down whole (a method whose only differentiated parameter is an array recursing: split mode).
     */
    Fn recursive(String name, String callee, String calleeOwner, boolean overArray) {
      List<Param> params = overArray ? List.of(new Param("w", Kind.ARRAY), new Param("k", Kind.INT))
          : List.of(new Param("a", Kind.DOUBLE), new Param("b", Kind.DOUBLE), new Param("k", Kind.INT));
      helper = true;
      maxNest = 2;
      Frame top = new Frame();
      frames.add(top);
      for (Param p : params) {
        names.add(p.name());
      }
      if (overArray) {
        top.arrays.add(new AVar("w", "w", false));
      } else {
        top.doubles.add(new DVar("a", VAR_BOUND, false, 0));
        top.doubles.add(new DVar("b", VAR_BOUND, false, 0));
      }
      IVar depth = new IVar("k", true, 8, false, 0);
      if (!overArray) {
        top.ints.add(depth);
      }
      List<String> body = new ArrayList<>();
      body.add("if (k <= 0) {");
      // k may be negative here (k - 2 from 1): an index into w must not be computed from it
      body.add("  return " + limit(dexpr(2), VAR_BOUND).code() + ";");
      body.add("}");
      if (overArray) {
        top.ints.add(depth);
      }
      remaining = r.nextInt(3);
      while (remaining > 0) {
        body.addAll(statement(0).lines());
      }
      String q = calleeOwner.equals(owner) ? "" : calleeOwner + ".";
      String dec = chance(70) ? "k - 1" : chance(50) ? "k - 2" : "k / 2";
      String rec = freshDouble();
      body.add("double " + rec + " = " + q + callee + "(" + (overArray ? "w"
          : limit(dexpr(2), VAR_BOUND).code() + ", " + limit(dexpr(2), VAR_BOUND).code()) + ", " + dec + ");");
      String ret = switch (r.nextInt(3)) {
        case 0 -> "0.5 * " + rec + " + " + bounded(1.5);
        case 1 -> "3.0 * Math.tanh(" + rec + " * " + bounded(1) + " + " + bounded(1) + ")";
        default -> rec + " * Math.cos(" + bounded(2) + ")";
      };
      body.add("return " + ret + ";");
      called.add(callee);
      return new Fn(owner, name, params, null, header(name, params, null, Style.STATIC, body), true,
          List.copyOf(called), false, true);
    }

    /** Sums of accumulation loops that only the final return reads, linearly. */
    private final List<String> linearSums = new ArrayList<>();
    /** Top-level variables added to a program's result (matrix sums, gathers). */
    private final List<String> resultTerms = new ArrayList<>();

    private Fn method(String name, List<Param> params, List<String> wrt, boolean helper,
        Style style) {
      this.helper = helper;
      stringParam = null;
      linearSums.clear();
      resultTerms.clear();
      boolean assignParams = chance(25);
      Frame top = new Frame();
      frames.add(top);
      for (Param p : params) {
        names.add(p.name());
        switch (p.kind()) {
          // a helper's arguments are whatever its callers pass: anything up to VAR_BOUND
          // parameters may be reassigned like locals (in some methods)
          case DOUBLE -> top.doubles.add(new DVar(p.name(), helper ? VAR_BOUND : 1.5, assignParams, 0));
          case ARRAY -> top.arrays.add(new AVar(p.name(), p.name(), false));
          case MATRIX -> top.mats.add(new MVar(p.name(), p.name() + "#rows", null, false));
          case INT -> top.ints.add(new IVar(p.name(), true, 4, false, 0));
          case LONG -> top.longs.add(p.name());
          case BOOLEAN -> top.bools.add(p.name());
          case STRING -> stringParam = p.name();
        }
      }
      List<String> body = new ArrayList<>();
      if (vectorResult != null) {
        names.add(vectorResult);
        body.add("double[] " + vectorResult + " = new double[2];");
      }
      while (remaining > 0) {
        body.addAll(statement(0).lines());
      }
      StringBuilder result = new StringBuilder(returnExpr().code());
      for (String sum : linearSums) {
        result.append(" + 0.5 * ").append(sum);
      }
      for (String t : resultTerms) {
        result.append(" + 0.25 * ").append(t);
      }
      if (vectorResult != null) {
        body.addAll(vectorReturn(result.toString()));
      } else {
        body.add("return " + result + ";");
      }
      String source = header(name, params, wrt, style, body);
      if (vectorResult != null) {
        source = source.replace("  public static double " + name + "(", "  public static double[] " + name + "(");
      }
      return new Fn(owner, name, List.copyOf(params), wrt, source,
          helper, List.copyOf(called), style == Style.INSTANCE,
          style == Style.STATIC || style == Style.INSTANCE);
    }

    /** The two outputs of a vector-valued program set, then returned: {@code first} and another expression. */
    private List<String> vectorReturn(String first) {
      return List.of(vectorResult + "[0] = " + first + ";",
          vectorResult + "[1] = " + maybeLimit(dexpr(2), MAX_BOUND).code() + ";", "return " + vectorResult + ";");
    }

    private static String header(String name, List<Param> params, List<String> wrt, Style style,
        List<String> body) {
      StringBuilder sb = new StringBuilder();
      if (style == Style.STATIC || style == Style.INSTANCE) {
        sb.append("  @Differentiable");
        if (wrt != null) {
          sb.append("(wrt = {");
          for (int i = 0; i < wrt.size(); i++) {
            sb.append(i > 0 ? ", " : "").append('"').append(wrt.get(i)).append('"');
          }
          sb.append("})");
        }
        sb.append('\n');
      }
      sb.append(switch (style) {
        case STATIC -> "  public static double ";
        case INSTANCE -> "  public double ";
        case PRIVATE -> "  private static double ";
        case PACKAGE -> "  static double ";
      }).append(name).append('(');
      for (int i = 0; i < params.size(); i++) {
        sb.append(i > 0 ? ", " : "").append(params.get(i).kind().java).append(' ')
            .append(params.get(i).name());
      }
      sb.append(") {\n");
      for (String line : body) {
        sb.append("    ").append(line).append('\n');
      }
      sb.append("  }\n");
      return sb.toString();
    }

    private Ex returnExpr() {
      List<DVar> ds = doubles();
      int terms = 1 + r.nextInt(3);
      StringBuilder sb = new StringBuilder();
      double bound = 0;
      for (int i = 0; i < terms; i++) {
        Ex t;
        if (!ds.isEmpty() && r.nextInt(3) > 0) {
          DVar d = ds.get(r.nextInt(ds.size()));
          t = r.nextBoolean() ? new Ex(d.name, d.bound) : new Ex("0.5 * " + d.name, d.bound / 2);
        } else {
          t = dexpr(2);
        }
        if (i > 0) {
          sb.append(r.nextInt(3) == 0 ? " - " : " + ");
        }
        sb.append(t.code());
        bound += t.bound();
      }
      Ex e = new Ex(sb.toString(), bound);
      // a helper's result feeds its callers' expressions: keep it small
      return maybeLimit(e, VAR_BOUND);
    }

    private Ex maybeLimit(Ex e, double limit) {
      return e.bound() <= limit ? e : limit(paren(e), limit);
    }

    // ------------------------------------------------------------------ scope

    private List<DVar> doubles() {
      List<DVar> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.doubles));
      return out;
    }

    private List<IVar> ints() {
      List<IVar> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.ints));
      return out;
    }

    private List<AVar> arrays() {
      List<AVar> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.arrays));
      return out;
    }

    private List<MVar> mats() {
      List<MVar> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.mats));
      return out;
    }

    private List<IArr> intArrays() {
      List<IArr> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.intArrays));
      return out;
    }

    /** The double[] that may be passed to calls, cloned and copied: not rows of matrices. */
    private List<AVar> plainArrays() {
      List<AVar> out = new ArrayList<>();
      for (AVar a : arrays()) {
        if (!a.row()) {
          out.add(a);
        }
      }
      return out;
    }

    private List<String> bools() {
      List<String> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.bools));
      return out;
    }

    private List<String> longs() {
      List<String> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.longs));
      return out;
    }

    private List<Binding> bindings() {
      List<Binding> out = new ArrayList<>();
      frames.forEach(f -> out.addAll(f.bindings));
      return out;
    }

    private Frame frame() {
      return frames.get(frames.size() - 1);
    }

    private int loopDepth() {
      return loops.size();
    }

    private String fresh(String prefix) {
      for (int i = 0; ; i++) {
        String n = prefix + i;
        if (names.add(n)) {
          return n;
        }
      }
    }

    private String freshDouble() {
      if (r.nextInt(30) == 0) {
        String[] clash = {"_t0", "_t1", "_tape", "_d_x", "_d_y", "_d_d0", "d0_"};
        String n = clash[r.nextInt(clash.length)];
        if (names.add(n)) {
          return n;
        }
      }
      return fresh("d");
    }

    private <T> T pick(List<T> list) {
      return list.get(r.nextInt(list.size()));
    }

    private <T> void shuffle(List<T> list) {
      for (int i = list.size() - 1; i > 0; i--) {
        Collections.swap(list, i, r.nextInt(i + 1));
      }
    }

    private boolean chance(int percent) {
      return r.nextInt(100) < percent;
    }

    // ------------------------------------------------------------------ statements

    /** A block as a Code: remembers whether it is a single simple statement. */
    private Code blockCode(int nest, int max, List<String> extra) {
      frames.add(new Frame());
      List<String> out = new ArrayList<>();
      boolean simple = true;
      int n = 1 + r.nextInt(Math.max(1, max));
      int count = 0;
      for (int i = 0; i < n && (i == 0 || remaining > 0); i++) {
        Code c = statement(nest);
        simple &= c.simple();
        out.addAll(c.lines());
        count++;
      }
      frames.remove(frames.size() - 1);
      out.addAll(extra);
      count += extra.size();
      return new Code(out, simple && count == 1);
    }

    private static List<String> indent(List<String> lines) {
      List<String> out = new ArrayList<>();
      for (String l : lines) {
        out.add("  " + l);
      }
      return out;
    }

    /** {@code header} followed by the body, with braces or (for one simple statement) maybe not. */
    private List<String> braced(String header, Code body) {
      List<String> out = new ArrayList<>();
      if (body.simple() && body.lines().size() == 1 && chance(35)) {
        if (chance(50)) {
          out.add(header + " " + body.lines().get(0));
        } else {
          out.add(header);
          out.add("  " + body.lines().get(0));
        }
        return out;
      }
      out.add(header + " {");
      out.addAll(indent(body.lines()));
      out.add("}");
      return out;
    }

    private Code statement(int nest) {
      remaining--;
      boolean top = frames.size() == 1 && loops.isEmpty() && branchDepth == 0;
      boolean inLoop = !loops.isEmpty();
      for (int attempt = 0; attempt < 20; attempt++) {
        if (chance(16)) {
          Code c = newerConstruct(nest, top);
          if (c != null) {
            return c;
          }
          continue;
        }
        int w = r.nextInt(100);
        Code c = null;
        if (w < 18) {
          c = declareDouble();
        } else if (w < 34) {
          c = assignDouble();
        } else if (w < 44) {
          c = nest < maxNest ? ifStatement(nest) : null;
        } else if (w < 60) {
          c = nest >= maxNest ? null : top && chance(30)
              ? (chance(35) ? (chance(34) ? mixtureLoop() : chance(50) ? scratchSumLoop() : stepLoop())
              : sumLoop(nest)) : loop(nest);
        } else if (w < 68) {
          c = chance(top ? 70 : 25) ? anyLocalArray() : arrayWrite();
        } else if (w < 73) {
          c = declareInt();
        } else if (w < 77) {
          c = booleanStatement();
        } else if (w < 79) {
          c = longStatement();
        } else if (w < 83) {
          c = declareThenAssignInBranches(nest);
        } else if (w < 90) {
          c = inLoop ? jump(nest) : null;
        } else if (w < 93) {
          c = earlyReturn(nest);
        } else if (w < 97) {
          c = intUpdate();
        } else {
          c = top ? localArray() : declareDouble();
        }
        if (c != null) {
          return c;
        }
      }
      return declareDouble();
    }

    private Code declareDouble() {
      List<IVar> small = new ArrayList<>();
      for (IVar v : ints()) {
        if (v.nonNeg) {
          small.add(v);
        }
      }
      if (!small.isEmpty() && chance(8)) {
        // an int widened to double by the assignment
        IVar v = pick(small);
        String name = freshDouble();
        frame().doubles.add(new DVar(name, v.max, true, loopDepth()));
        return Code.simpleDecl("double " + name + " = " + v.name + ";");
      }
      Ex e = chance(5) ? switchExpr(2, true) : maybeLimit(dexpr(1 + r.nextInt(3)), VAR_BOUND);
      String name = freshDouble();
      frame().doubles.add(new DVar(name, Math.max(e.bound(), 0.01), true, loopDepth()));
      return Code.simpleDecl("double " + name + " = " + e.code() + ";");
    }

    /** {@code double r;} assigned in every branch of an if / else (if) / else. */
    private Code declareThenAssignInBranches(int nest) {
      if (nest >= maxNest) {
        return null;
      }
      String name = freshDouble();
      List<String> out = new ArrayList<>();
      out.add("double " + name + ";");
      int branches = 2 + (chance(30) ? 1 : 0);
      double bound = 0;
      for (int i = 0; i < branches; i++) {
        String head = i == 0 ? "if (" + cond(2) + ")" : i == branches - 1 ? "else" : "else if (" + cond(2) + ")";
        branchDepth++;
        Ex e = maybeLimit(dexpr(2), VAR_BOUND);
        bound = Math.max(bound, e.bound());
        List<String> extra = List.of(name + " = " + e.code() + ";");
        Code body = chance(50) ? new Code(extra, true) : blockCode(nest + 1, 2, extra);
        branchDepth--;
        out.addAll(braced(head, body));
      }
      frame().doubles.add(new DVar(name, bound, true, loopDepth()));
      return new Code(out, false);
    }

    private Code assignDouble() {
      List<DVar> targets = new ArrayList<>();
      for (DVar d : doubles()) {
        if (d.assignable) {
          targets.add(d);
        }
      }
      if (targets.isEmpty()) {
        return null;
      }
      DVar d = pick(targets);
      boolean carried = d.loopDepth < loopDepth();
      String s = d.name;
      if (carried) {
        // contractive updates keep a value carried around a loop bounded: from |s| <= b they
        // give |s| <= max(b, CARRIED_BOUND)
        d.bound = Math.max(d.bound, CARRIED_BOUND);
        return Code.simple(switch (r.nextInt(7)) {
          case 0 -> s + " = 0.5 * " + s + " + " + bounded(1.5) + ";";
          case 1 -> s + " *= 0.5 + 0.4 * Math.cos(" + dexpr(2).code() + ");";
          case 2 -> s + " /= 1.5 + " + square(limit(dexpr(2), 2)) + ";";
          case 3 -> s + " += 0.2 * Math.tanh(" + dexpr(2).code() + ") - 0.1 * " + s + ";";
          case 4 -> s + " -= 0.25 * Math.sin(" + dexpr(2).code() + ") + 0.1 * " + s + ";";
          case 5 -> s + " = Math.tanh(" + s + " + " + bounded(2) + ");";
          default -> s + " = " + s + " * " + bounded(0.6) + " + " + bounded(1) + ";";
        });
      }
      // straight-line updates: the bound grows with them, up to MAX_VAR_BOUND
      double room = MAX_VAR_BOUND - d.bound;
      int w = r.nextInt(6);
      if (w <= 1 && room > 0.2) {
        Ex e = limit(dexpr(1 + r.nextInt(2)), Math.min(1.5, room));
        d.bound += e.bound();
        return Code.simple(s + (w == 0 ? " += " : " -= ") + e.code() + ";");
      } else if (w == 2 && d.bound * 1.2 <= MAX_VAR_BOUND) {
        d.bound *= 1.2;
        return Code.simple(s + " *= " + bounded(1.2) + ";");
      } else if (w == 3) {
        if (chance(30) && room > 1) {
          // double -= int
          d.bound += 1;
          return Code.simple(s + " -= " + (chance(50) ? "1" : "K % 2") + ";");
        }
        return Code.simple(s + " /= 1 + " + square(limit(dexpr(2), 2)) + ";");
      }
      // sometimes a value that depends on no input: the variable's adjoint must stop here
      Ex e = chance(25) ? inactive() : limit(dexpr(1 + r.nextInt(2)), VAR_BOUND);
      d.bound = Math.max(d.bound, e.bound());
      return Code.simple(s + " = " + e.code() + ";");
    }

    /** An expression of constants and ints only: no derivative flows through it. */
    private Ex inactive() {
      List<IVar> is = ints();
      return switch (r.nextInt(3)) {
        case 0 -> new Ex(constant(-2, 2), 2);
        case 1 -> is.isEmpty() ? new Ex("C0", C0) : new Ex(pick(is).name + " * 0.25", 2);
        default -> new Ex("(" + constant(-2, 2) + " / " + constant(0.5, 2) + ")", 4);
      };
    }

    private Code ifStatement(int nest) {
      List<String> out = new ArrayList<>();
      int branches = chance(25) ? 3 : chance(50) ? 2 : 1;
      for (int i = 0; i < branches; i++) {
        boolean last = i == branches - 1 && branches > 1;
        String head = i == 0 ? "if (" + cond(2) + ")" : last ? "else" : "else if (" + cond(2) + ")";
        branchDepth++;
        Code body = blockCode(nest + 1, 3, List.of());
        branchDepth--;
        if (i > 0 && out.get(out.size() - 1).equals("}")) {
          // "} else {" on one line
          List<String> b = braced(head, body);
          out.set(out.size() - 1, "} " + b.get(0));
          out.addAll(b.subList(1, b.size()));
        } else {
          out.addAll(braced(head, body));
        }
      }
      return new Code(out, false);
    }

    /** {@code if (c) break;}, {@code if (c) { ...; continue; }} */
    private Code jump(int nest) {
      Loop l = loops.get(loops.size() - 1);
      String what = l.continueOk() && chance(50) ? "continue;" : "break;";
      List<Loop> labelled = new ArrayList<>();
      for (Loop o : loops) {
        if (o.label() != null) {
          labelled.add(o);
        }
      }
      if (!labelled.isEmpty() && chance(40)) {
        Loop o = pick(labelled);
        what = (o.continueOk() && chance(50) ? "continue " : "break ") + o.label() + ";";
      }
      String head = "if (" + cond(2) + ")";
      branchDepth++;
      Code body = chance(50) || nest >= maxNest ? new Code(List.of(what), true)
          : blockCode(nest + 1, 2, List.of(what));
      branchDepth--;
      return new Code(braced(head, body), false);
    }

    private Code earlyReturn(int nest) {
      String head = "if (" + cond(2) + ")";
      branchDepth++;
      Code body;
      if (vectorResult != null) {
        body = new Code(vectorReturn(maybeLimit(dexpr(2), MAX_BOUND).code()), false);
      } else if (chance(50) || nest >= maxNest) {
        body = Code.simple("return " + maybeLimit(dexpr(2), MAX_BOUND).code() + ";");
      } else {
        frames.add(new Frame());
        Code inner = statement(nest + 1);
        String ret = "return " + maybeLimit(dexpr(2), MAX_BOUND).code() + ";";
        frames.remove(frames.size() - 1);
        List<String> lines = new ArrayList<>(inner.lines());
        lines.add(ret);
        body = new Code(lines, false);
      }
      branchDepth--;
      return new Code(braced(head, body), false);
    }

    private Code declareInt() {
      String name = fresh("k");
      if (chance(25)) {
        // a signed int from a double: used only as a double again
        String init = chance(50) ? "(int) (" + dexpr(1).code() + ")"
            : "(int) Math.floor(" + bounded(4) + ")";
        frame().ints.add(new IVar(name, false, 8, true, loopDepth()));
        return Code.simpleDecl("int " + name + " = " + init + ";");
      }
      String init = switch (r.nextInt(6)) {
        case 5 -> "(" + cond(1) + " ? " + r.nextInt(3) + " : " + intExpr() + " % 4)";
        case 0 -> "(" + intExpr() + " + " + r.nextInt(3) + ") % " + (2 + r.nextInt(4));
        case 1 -> "Math.min(" + intExpr() + ", " + (1 + r.nextInt(4)) + ")";
        case 2 -> "(" + intExpr() + " * 2 + 1) / 3";
        case 3 -> chance(50) ? "Math.max(" + intExpr() + " - 1, 0)"
            : chance(50) ? "(" + intExpr() + " << 1 | 1) % 5" : "(" + intExpr() + " ^ " + intExpr() + ") & 3";
        default -> String.valueOf(r.nextInt(4));
      };
      frame().ints.add(new IVar(name, true, 5, true, loopDepth()));
      return Code.simpleDecl("int " + name + " = " + init + ";");
    }

    private Code intUpdate() {
      List<IVar> targets = new ArrayList<>();
      for (IVar v : ints()) {
        if (v.assignable && v.nonNeg) {
          targets.add(v);
        }
      }
      if (targets.isEmpty()) {
        return null;
      }
      String k = pick(targets).name;
      if (loops.isEmpty() && chance(25)) {
        return new Code(List.of(k + (chance(50) ? "++;" : " -= 1;"),
            k + " = Math.max(" + k + ", 0) % 5;"), false);
      }
      return Code.simple(switch (r.nextInt(3)) {
        case 0 -> k + " = (" + k + " + " + intExpr() + ") % 5;";
        case 1 -> k + " %= " + (2 + r.nextInt(3)) + ";";
        default -> k + " = Math.min(" + k + " + 1, 4);";
      });
    }

    private Code booleanStatement() {
      List<String> bs = new ArrayList<>();
      for (Frame f : frames) {
        for (String b : f.bools) {
          if (!b.equals("flag")) {
            bs.add(b);
          }
        }
      }
      if (!bs.isEmpty() && chance(40)) {
        String b = pick(bs);
        return Code.simple(switch (r.nextInt(3)) {
          case 0 -> b + " = " + b + " && " + cond(1) + ";";
          case 1 -> b + " = " + b + " || " + cond(1) + ";";
          default -> b + " = !" + b + ";";
        });
      }
      String name = fresh("b");
      String init = cond(2);
      frame().bools.add(name);
      return Code.simpleDecl("boolean " + name + " = " + init + ";");
    }

    private Code longStatement() {
      String name = fresh("L");
      List<String> ls = longs();
      String init = (ls.isEmpty() ? "2L" : pick(ls) + " * 2L") + " + " + intExpr();
      frame().longs.add(name);
      return Code.simpleDecl("long " + name + " = " + init + ";");
    }

    /** {@code double[] t = new double[len];} at the top level, often with a fill loop. */
    private Code localArray() {
      String[] spec = lengthSpec();
      return localArrayRest(fresh("t"), spec[0], spec[1]);
    }

    /** A length for a new array: {@code {code, key}}. */
    private String[] lengthSpec() {
      List<AVar> arrays = arrays();
      List<IVar> params = new ArrayList<>();
      for (IVar v : frames.get(0).ints) {
        if (!v.assignable) {
          params.add(v);
        }
      }
      String len;
      String key;
      int w = r.nextInt(10);
      if (w < 4 && !arrays.isEmpty()) {
        AVar a = pick(arrays);
        len = a.name() + ".length";
        key = a.key();
      } else if (w < 7 && !params.isEmpty()) {
        IVar n = pick(params);
        if (chance(50)) {
          len = n.name + " + 1";
          key = n.name + "+1";
        } else {
          len = "Math.max(" + n.name + ", 2)";
          key = "max(" + n.name + ",2)";
        }
      } else if (w < 8) {
        len = "K";
        key = "K";
      } else {
        int c = r.nextInt(5);
        len = String.valueOf(c);
        key = String.valueOf(c);
      }
      return new String[] {len, key};
    }

    private Code localArrayRest(String name, String len, String key) {
      List<String> out = new ArrayList<>();
      out.add("double[] " + name + " = new double[" + len + "];");
      frame().arrays.add(new AVar(name, key, true));
      if (chance(80)) {
        String i = fresh("i");
        Loop l = new Loop(true);
        loops.add(l);
        Frame body = new Frame();
        frames.add(body);
        body.ints.add(new IVar(i, true, 5, false, loopDepth()));
        body.bindings.add(new Binding(i, key));
        List<String> lines = new ArrayList<>();
        String prev = "(" + i + " > 0 ? " + name + "[" + i + " - 1] : " + bounded(1) + ")";
        lines.add(name + "[" + i + "] = " + (chance(40) ? "0.5 * " + prev + " + " + bounded(1.5)
            : bounded(VAR_BOUND)) + ";");
        frames.remove(frames.size() - 1);
        loops.remove(loops.size() - 1);
        out.addAll(braced("for (int " + i + " = 0; " + i + " < " + name + ".length; " + i + "++)",
            new Code(lines, true)));
      }
      return new Code(out, false);
    }

    private Code arrayWrite() {
      List<AVar> locals = new ArrayList<>();
      for (AVar a : arrays()) {
        if (a.writable()) {
          locals.add(a);
        }
      }
      if (locals.isEmpty()) {
        return null;
      }
      List<String[]> bound = new ArrayList<>();
      for (Binding b : bindings()) {
        for (AVar a : locals) {
          if (a.key().equals(b.key())) {
            bound.add(new String[] {a.name(), b.index()});
          }
        }
      }
      if (!bound.isEmpty() && chance(80)) {
        String[] ai = pick(bound);
        String t = ai[0];
        String idx = chance(80) ? ai[1] : t + ".length - 1 - " + ai[1];
        String el = t + "[" + idx + "]";
        // element values stay within 1.5 * VAR_BOUND, however often they are updated
        return Code.simple(switch (r.nextInt(6)) {
          case 0 -> el + " = 0.5 * " + el + " + " + bounded(1.5) + ";";
          case 1 -> el + " *= 0.5 + 0.4 * Math.sin(" + dexpr(2).code() + ");";
          case 2 -> el + " = " + (chance(15) ? inactive() : limit(dexpr(2), VAR_BOUND)).code() + ";";
          case 3 -> el + " += 0.1 * (" + bounded(1) + " - " + el + ");";
          case 4 -> el + " += " + bounded(1) + " - 0.25 * " + el + ";";
          default -> el + " -= " + bounded(1) + " + 0.25 * " + el + ";";
        });
      }
      AVar t = pick(locals);
      String idx;
      String guard;
      switch (r.nextInt(3)) {
        case 0 -> {
          idx = "0";
          guard = t.name() + ".length > 0";
        }
        case 1 -> {
          idx = t.name() + ".length - 1";
          guard = t.name() + ".length >= 1";
        }
        default -> {
          idx = "(" + intExpr() + ") % " + t.name() + ".length";
          guard = t.name() + ".length != 0";
        }
      }
      String el = t.name() + "[" + idx + "]";
      String store = loopDepth() > 0 ? el + " = 0.5 * " + el + " + " + bounded(1.5) + ";"
          : el + " = " + bounded(VAR_BOUND) + ";";
      return new Code(braced("if (" + guard + ")", Code.simple(store)), false);
    }

    // ------------------------------------------------------------------ newer constructs

    /**
     * Constructs the processor learned later: switch statements, labelled loops, matrices,
     * array copies, int[] index arrays.
     */
    private Code newerConstruct(int nest, boolean top) {
      if (!mats().isEmpty() && chance(35)) {
        Code c = matrixLoop(nest);
        if (c != null) {
          return c;
        }
      }
      int w = r.nextInt(100);
      if (w < 24) {
        return switchStatement(nest);
      } else if (w < 40) {
        return labelledLoops(nest);
      } else if (w < 62) {
        // a matrix local at the top level or (a fresh one each time) in a block
        Code c = mats().isEmpty() || chance(25) ? (top || nest + 2 <= maxNest ? localMatrix() : null)
            : matrixLoop(nest);
        return c;
      } else if (w < 72) {
        return copyStatement();
      } else if (w < 84) {
        return intArray();
      } else {
        return anyLocalArray();
      }
    }

    /** A local double[]: {@code new double[n]} (maybe filled), an initializer, a clone. */
    private Code anyLocalArray() {
      int w = r.nextInt(100);
      Code c = null;
      if (w < 25) {
        c = arrayInitializer();
      } else if (w < 45) {
        c = cloneArray();
      }
      return c != null ? c : localArray();
    }

    private Code arrayInitializer() {
      int n = 1 + r.nextInt(4);
      String name = fresh("t");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(i > 0 ? ", " : "").append(chance(20) ? constant(-2, 2)
            : limit(dexpr(1 + r.nextInt(2)), VAR_BOUND).code());
      }
      String init = chance(50) ? "{" + sb + "}" : "new double[] {" + sb + "}";
      frame().arrays.add(new AVar(name, String.valueOf(n), true));
      return Code.simpleDecl("double[] " + name + " = " + init + ";");
    }

    private Code cloneArray() {
      List<AVar> as = arrays(); // rows of matrices too: m[i].clone()
      if (as.isEmpty()) {
        return null;
      }
      AVar a = pick(as);
      String name = fresh("t");
      frame().arrays.add(new AVar(name, a.key(), true));
      return Code.simpleDecl("double[] " + name + " = " + a.name() + ".clone();");
    }

    /** {@code System.arraycopy} and {@code Arrays.fill} into a local array. */
    private Code copyStatement() {
      List<AVar> dsts = new ArrayList<>();
      for (AVar a : arrays()) { // rows of local matrices too: System.arraycopy(x, 0, m[i], 0, n)
        if (a.writable()) {
          dsts.add(a);
        }
      }
      if (dsts.isEmpty()) {
        return null;
      }
      AVar d = pick(dsts);
      List<AVar> srcs = new ArrayList<>(arrays());
      srcs.remove(d);
      int w = r.nextInt(4);
      if (w < 2 && !srcs.isEmpty()) {
        String s = pick(srcs).name();
        return Code.simple("System.arraycopy(" + s + ", 0, " + d.name() + ", 0, Math.min(" + s
            + ".length, " + d.name() + ".length));");
      } else if (w == 2) {
        return Code.simple("Arrays.fill(" + d.name() + ", 0, Math.min(" + (1 + r.nextInt(3)) + ", "
            + d.name() + ".length), " + bounded(VAR_BOUND) + ");");
      }
      return Code.simple("Arrays.fill(" + d.name() + ", " + bounded(VAR_BOUND) + ");");
    }

    /** An int[] of indices: a literal permutation, or {@code (i * c + d) % length}. */
    private Code intArray() {
      String name = fresh("p");
      List<AVar> as = plainArrays();
      if (as.isEmpty() || chance(30)) {
        int n = 2 + r.nextInt(3);
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          perm.add(i);
        }
        shuffle(perm);
        String els = perm.toString().replace("[", "").replace("]", "");
        if (chance(35)) {
          // an int[][] local: its row 1 indexes like an int[] (row 0 is the identity)
          List<Integer> ids = new ArrayList<>(perm);
          java.util.Collections.sort(ids);
          String first = ids.toString().replace("[", "").replace("]", "");
          frame().intArrays.add(new IArr(name + "[1]", String.valueOf(n)));
          return Code.simpleDecl("int[][] " + name + " = " + (chance(50) ? "{{" + first + "}, {" + els + "}}"
              : "new int[][] {{" + first + "}, {" + els + "}}") + ";");
        }
        frame().intArrays.add(new IArr(name, String.valueOf(n)));
        return Code.simpleDecl("int[] " + name + " = " + (chance(50) ? "{" + els + "}"
            : "new int[] {" + els + "}") + ";");
      }
      AVar a = pick(as);
      String i = fresh("i");
      List<String> out = new ArrayList<>();
      out.add("int[] " + name + " = new int[" + a.name() + ".length];");
      out.addAll(braced("for (int " + i + " = 0; " + i + " < " + name + ".length; " + i + "++)",
          Code.simple(name + "[" + i + "] = (" + i + " * " + (1 + r.nextInt(3)) + " + " + r.nextInt(3)
              + ") % " + name + ".length;")));
      frame().intArrays.add(new IArr(name, a.key()));
      if (chance(60)) {
        // a gather through the index array
        String g = freshDouble();
        String j = fresh("i");
        out.add("double " + g + " = 0;");
        frames.add(new Frame());
        frame().ints.add(new IVar(j, true, 5, false, loopDepth() + 1));
        frame().bindings.add(new Binding(j, a.key()));
        loops.add(new Loop(true));
        Ex e = limit(dexpr(1), 1.5);
        loops.remove(loops.size() - 1);
        frames.remove(frames.size() - 1);
        out.addAll(braced("for (int " + j + " = 0; " + j + " < " + name + ".length; " + j + "++)",
            Code.simple(g + " = 0.5 * " + g + " + " + a.name() + "[" + name + "[" + j + "]] * " + e.code() + ";")));
        frame().doubles.add(new DVar(g, CARRIED_BOUND, true, loopDepth()));
        if (!helper && frames.size() == 1) {
          resultTerms.add(g);
        }
      }
      return new Code(out, false);
    }

    /**
     * {@code double[][] g = new double[r][c];} or {@code double[][] g = {{e, e}, {e, e}};} (a
     * rectangular initializer of active values), filled or updated by nested loops.
     */
    private Code localMatrix() {
      List<String> out = new ArrayList<>();
      String name = fresh("g");
      String[] rows;
      String[] cols;
      boolean initializer = chance(35);
      if (initializer) {
        int nr = 1 + r.nextInt(3);
        int nc = 1 + r.nextInt(3);
        rows = new String[] {String.valueOf(nr), String.valueOf(nr)};
        cols = new String[] {String.valueOf(nc), String.valueOf(nc)};
        List<String> rs = new ArrayList<>();
        for (int a = 0; a < nr; a++) {
          List<String> es = new ArrayList<>();
          for (int b = 0; b < nc; b++) {
            es.add(bounded(VAR_BOUND));
          }
          rs.add("{" + String.join(", ", es) + "}");
        }
        out.add("double[][] " + name + " = {" + String.join(", ", rs) + "};");
      } else if (chance(40)) {
        return rowByRowMatrix(name);
      } else {
        rows = lengthSpec();
        cols = lengthSpec();
        out.add("double[][] " + name + " = new double[" + rows[0] + "][" + cols[0] + "];");
      }
      String i = fresh("i");
      String j = fresh("j");
      loops.add(new Loop(true));
      Frame f = new Frame();
      f.ints.add(new IVar(i, true, 5, false, loopDepth()));
      f.bindings.add(new Binding(i, rows[1]));
      frames.add(f);
      loops.add(new Loop(true));
      Frame g = new Frame();
      g.ints.add(new IVar(j, true, 5, false, loopDepth()));
      g.bindings.add(new Binding(j, cols[1]));
      frames.add(g);
      String el = name + "[" + i + "][" + j + "]";
      String store = initializer ? el + " = 0.5 * " + el + " + " + bounded(1.5) + ";"
          : el + " = " + bounded(VAR_BOUND) + ";";
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      out.add("for (int " + i + " = 0; " + i + " < " + name + ".length; " + i + "++) {");
      out.add("  for (int " + j + " = 0; " + j + " < " + name + "[" + i + "].length; " + j + "++) {");
      out.add("    " + store);
      out.add("  }");
      out.add("}");
      frame().mats.add(new MVar(name, rows[1], cols[1], true));
      return new Code(out, false);
    }

    /**
     * {@code double[][] g = new double[r][];} and a loop storing its rows: a new row filled in
     * place ({@code g[i] = new double[c]}, ragged {@code new double[i % 3 + 1]}), a row initializer
     * ({@code g[i] = new double[] {e, e}}), or a local row filled, then stored ({@code g[i] = t};
     * it is not used after, so the row and t are one array without it showing).
     */
    private Code rowByRowMatrix(String name) {
      List<String> out = new ArrayList<>();
      String[] rows = lengthSpec();
      String[] cols;
      int form = r.nextInt(4);
      if (form == 1) {
        cols = new String[] {null, null}; // ragged
      } else if (form == 2) {
        cols = new String[] {"2", "2"};
      } else {
        cols = lengthSpec();
      }
      out.add("double[][] " + name + " = new double[" + rows[0] + "][];");
      String i = fresh("i");
      String j = fresh("j");
      loops.add(new Loop(true));
      Frame f = new Frame();
      f.ints.add(new IVar(i, true, 5, false, loopDepth()));
      f.bindings.add(new Binding(i, rows[1]));
      frames.add(f);
      List<String> body = new ArrayList<>();
      String row = form == 3 ? fresh("t") : name + "[" + i + "]";
      if (form == 2) {
        body.add(name + "[" + i + "] = new double[] {" + bounded(VAR_BOUND) + ", " + bounded(VAR_BOUND) + "};");
      } else {
        String length = form == 1 ? i + " % 3 + 1" : cols[0];
        body.add(form == 3 ? "double[] " + row + " = new double[" + length + "];"
            : row + " = new double[" + length + "];");
        loops.add(new Loop(true));
        Frame g = new Frame();
        g.ints.add(new IVar(j, true, 5, false, loopDepth()));
        g.bindings.add(new Binding(j, cols[1] != null ? cols[1] : name + "[" + i + "]"));
        frames.add(g);
        String store = row + "[" + j + "] = " + bounded(VAR_BOUND) + ";";
        frames.remove(frames.size() - 1);
        loops.remove(loops.size() - 1);
        body.add("for (int " + j + " = 0; " + j + " < " + row + ".length; " + j + "++) {");
        body.add("  " + store);
        body.add("}");
        if (form == 3) {
          body.add(name + "[" + i + "] = " + row + ";");
        }
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      out.addAll(braced("for (int " + i + " = 0; " + i + " < " + name + ".length; " + i + "++)",
          new Code(body, false)));
      frame().mats.add(new MVar(name, rows[1], cols[1], true));
      return new Code(out, false);
    }

    /**
     * A loop over the rows of a matrix ({@code m[i]}, a row local {@code double[] row = m[i]}, or
     * {@code for (double[] row : m)}), with a loop over the row's elements inside that adds to a
     * sum declared before.
     */
    private Code matrixLoop(int nest) {
      if (nest + 2 > maxNest) {
        return null;
      }
      MVar m = pick(mats());
      String sum = freshDouble();
      List<String> out = new ArrayList<>();
      out.add("double " + sum + " = " + (chance(70) ? "0" : bounded(1)) + ";");
      frame().doubles.add(new DVar(sum, CARRIED_BOUND, true, loopDepth()));
      if (!helper && frames.size() == 1 && chance(60)) {
        resultTerms.add(sum); // the matrix reaches the result
      }
      for (DVar d : doubles()) {
        if (d.assignable) {
          d.bound = Math.max(d.bound, CARRIED_BOUND);
        }
      }
      loops.add(new Loop(true));
      Frame f = new Frame();
      frames.add(f);
      List<String> lines = new ArrayList<>();
      String header;
      AVar row;
      int w = r.nextInt(3);
      if (w == 0) {
        String rn = fresh("row");
        header = "for (double[] " + rn + " : " + m.name() + ")";
        row = new AVar(rn, m.colsKey() != null ? m.colsKey() : rn, m.local(), true, false);
      } else {
        String i = fresh("i");
        header = "for (int " + i + " = 0; " + i + " < " + m.name() + ".length; " + i + "++)";
        f.ints.add(new IVar(i, true, 5, false, loopDepth()));
        f.bindings.add(new Binding(i, m.rowsKey()));
        String key = m.colsKey() != null ? m.colsKey() : m.name() + "[" + i + "]";
        if (w == 1) {
          String rn = fresh("row");
          lines.add("double[] " + rn + " = " + m.name() + "[" + i + "];");
          row = new AVar(rn, key, m.local(), true, m.local());
        } else {
          row = new AVar(m.name() + "[" + i + "]", key, m.local(), true, m.local());
        }
      }
      f.arrays.add(row);
      if (chance(25)) {
        lines.addAll(rowCopy(row).lines());
      }
      if (chance(30) && remaining > 0) {
        lines.addAll(statement(nest + 1).lines());
      }
      String j = fresh("j");
      String rj = row.name() + "[" + j + "]";
      Ex e = limit(dexpr(1), 1.5);
      List<String> after = List.of(sum + " = 0.5 * " + sum + " + " + (chance(50)
          ? "Math.tanh(" + rj + " * " + e.code() + ")" : num(0.4) + " * " + rj + " * " + e.code())
          + ";");
      Code inner = loopBody(nest + 1, true, List.of(new IVar(j, true, 5, false, loopDepth() + 1)),
          List.of(new Binding(j, row.key())), List.of(), List.of(), after);
      lines.addAll(braced("for (int " + j + " = 0; " + j + " < " + row.name() + ".length; " + j + "++)",
          inner));
      if (chance(30) && remaining > 0) {
        lines.addAll(statement(nest + 1).lines());
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      out.addAll(braced(header, new Code(lines, false)));
      return new Code(out, false);
    }

    /** A row cloned ({@code row.clone()}), or filled or copied into when it may be written. */
    private Code rowCopy(AVar row) {
      if (!row.writable() || chance(40)) {
        String name = fresh("t");
        frame().arrays.add(new AVar(name, row.key(), true));
        return Code.simpleDecl("double[] " + name + " = " + row.name() + ".clone();");
      }
      List<AVar> srcs = new ArrayList<>(arrays());
      srcs.remove(row);
      if (srcs.isEmpty() || chance(30)) {
        return Code.simple("Arrays.fill(" + row.name() + ", " + bounded(VAR_BOUND) + ");");
      }
      String s = pick(srcs).name();
      return Code.simple("System.arraycopy(" + s + ", 0, " + row.name() + ", 0, Math.min(" + s
          + ".length, " + row.name() + ".length));");
    }

    /** Two nested for loops, the outer one labelled, with a labelled break or continue inside. */
    private Code labelledLoops(int nest) {
      if (nest + 2 > maxNest) {
        return null;
      }
      String label = fresh("outer");
      for (DVar d : doubles()) {
        if (d.assignable) {
          d.bound = Math.max(d.bound, CARRIED_BOUND);
        }
      }
      String i = fresh("i");
      Binding[] ob = new Binding[1];
      String outerHeader = forHeader(i, ob);
      loops.add(new Loop(true, label));
      Frame f = new Frame();
      f.ints.add(new IVar(i, true, 5, false, loopDepth()));
      if (ob[0] != null) {
        f.bindings.add(ob[0]);
      }
      frames.add(f);
      List<String> lines = new ArrayList<>();
      if (chance(40) && remaining > 0) {
        lines.addAll(statement(nest + 1).lines());
      }
      String j = fresh("j");
      Binding[] ib = new Binding[1];
      String innerHeader = forHeader(j, ib);
      loops.add(new Loop(true));
      Frame g = new Frame();
      g.ints.add(new IVar(j, true, 5, false, loopDepth()));
      if (ib[0] != null) {
        g.bindings.add(ib[0]);
      }
      frames.add(g);
      List<String> inner = new ArrayList<>();
      if (chance(60)) {
        inner.addAll(statement(nest + 2).lines());
      }
      String jump = (chance(50) ? "continue " : "break ") + label + ";";
      inner.addAll(braced("if (" + cond(2) + ")", Code.simple(jump)));
      inner.addAll(statement(nest + 2).lines());
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      lines.addAll(braced(innerHeader, new Code(inner, false)));
      if (chance(40) && remaining > 0) {
        lines.addAll(statement(nest + 1).lines());
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      List<String> out = new ArrayList<>();
      out.add(label + ":");
      out.addAll(braced(outerHeader, new Code(lines, false)));
      return new Code(out, false);
    }

    /** Whether the switch being written selects on the String parameter (its labels "s0".."s4"). */
    private boolean onString;

    /** A case label for value v: v, or "sv" in a switch on the String parameter. */
    private String label(int v) {
      return onString ? "\"s" + v + "\"" : Integer.toString(v);
    }

    private String labels(List<Integer> vs) {
      return String.join(", ", vs.stream().map(this::label).toList());
    }

    /** A switch selector: an int, or sometimes the method's String parameter. */
    private String selector() {
      onString = stringParam != null && chance(50);
      if (onString) {
        return stringParam;
      }
      List<IVar> is = ints();
      int w = r.nextInt(6);
      if (w < 2 && !is.isEmpty()) {
        return pick(is).name;
      } else if (w < 4) {
        return intExpr();
      } else if (w < 5) {
        return "(" + intExpr() + " & 3)";
      }
      return intExpr() + " % 3";
    }

    private List<Integer> caseValues() {
      List<Integer> vs = new ArrayList<>(List.of(0, 1, 2, 3, 4));
      shuffle(vs);
      return vs.subList(0, 2 + r.nextInt(3));
    }

    /**
     * A switch statement: old form (case groups, fall-through, {@code break}, {@code default}
     * anywhere) or arrow form.
     */
    private Code switchStatement(int nest) {
      if (nest >= maxNest) {
        return null;
      }
      List<String> out = new ArrayList<>();
      out.add("switch (" + selector() + ") {");
      boolean str = onString; // nested switches in the groups set their own
      List<Integer> values = caseValues();
      boolean arrow = chance(40);
      int groups = values.size() < 3 ? 1 + r.nextInt(values.size()) : 2 + r.nextInt(values.size() - 1);
      List<List<Integer>> labels = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        labels.add(new ArrayList<>());
      }
      for (int k = 0; k < values.size(); k++) {
        labels.get(k < groups ? k : r.nextInt(groups)).add(values.get(k));
      }
      int defaultAt = chance(75) ? r.nextInt(groups + 1) : -1;
      branchDepth++;
      int n = groups + (defaultAt >= 0 ? 1 : 0);
      int g = 0;
      for (int k = 0; k < n; k++) {
        boolean isDefault = k == defaultAt;
        List<Integer> ls = isDefault ? List.of() : labels.get(g++);
        Code body = blockCode(nest + 1, 2, List.of());
        onString = str;
        if (arrow) {
          String head = isDefault ? "default ->" : "case " + labels(ls) + " ->";
          String only = body.lines().get(0);
          if (body.simple() && body.lines().size() == 1 && !only.matches("(break|continue|return|if)\\b.*")) {
            out.add("  " + head + " " + only);
          } else {
            out.add("  " + head + " {");
            out.addAll(indent(indent(body.lines())));
            out.add("  }");
          }
        } else {
          if (isDefault) {
            out.add("  default:");
          } else {
            for (int v : ls) {
              out.add("  case " + label(v) + ":");
            }
          }
          out.addAll(indent(indent(body.lines())));
          // mostly break; sometimes fall through into the next group
          if (k < n - 1 ? chance(75) : chance(50)) {
            out.add("    break;");
          }
        }
      }
      branchDepth--;
      out.add("}");
      return new Code(out, false);
    }

    /**
     * A switch expression in arrow form; {@code whole}: it is a declaration's whole initializer
     * (not parenthesized), where an arm may also be a block that yields (the processor allows
     * block arms only there).
     */
    private Ex switchExpr(int depth, boolean whole) {
      List<Integer> values = caseValues();
      StringBuilder sb = new StringBuilder((whole ? "" : "(") + "switch (" + selector() + ") {");
      boolean str = onString; // nested switches in the arms set their own
      double bound = 0;
      int arms = 1 + r.nextInt(values.size());
      for (int k = 0; k < arms; k++) {
        List<Integer> ls = k == arms - 1 ? values.subList(k, values.size()) : values.subList(k, k + 1);
        Ex e = dexpr(depth - 1);
        bound = Math.max(bound, e.bound());
        onString = str;
        sb.append(" case ").append(labels(ls)).append(" -> ")
            .append(e.code()).append(';');
      }
      if (whole && chance(60)) {
        String t = freshDouble();
        Ex a = limit(dexpr(depth - 1), VAR_BOUND);
        Ex b = limit(dexpr(depth - 1), 1.5);
        sb.append(" default -> { double ").append(t).append(" = ").append(a.code()).append("; yield ")
            .append(t).append(" * ").append(b.code()).append("; }");
        bound = Math.max(bound, a.bound() * b.bound());
      } else {
        Ex e = dexpr(depth - 1);
        bound = Math.max(bound, e.bound());
        sb.append(" default -> ").append(e.code()).append(';');
      }
      return new Ex(sb.append(whole ? " }" : " })").toString(), bound);
    }

    // ------------------------------------------------------------------ loops

    private Code loop(int nest) {
      int w = r.nextInt(100);
      if (w < 40) {
        return forLoop(nest);
      } else if (w < 55) {
        return forEach(nest);
      } else if (w < 70) {
        return whileLoop(nest, false);
      } else if (w < 80) {
        return whileLoop(nest, true);
      } else if (w < 90) {
        return doWhile(nest);
      } else {
        Code c = dataDependentWhile(nest);
        return c != null ? c : forLoop(nest);
      }
    }

    /** A loop body with a fresh frame, the loop registered for break/continue. */
    private Code loopBody(int nest, boolean continueOk, List<IVar> ints, List<Binding> bindings,
        List<DVar> doubles, List<String> before, List<String> after) {
      for (DVar d : doubles()) {
        if (d.assignable) {
          d.bound = Math.max(d.bound, CARRIED_BOUND);
        }
      }
      loops.add(new Loop(continueOk));
      Frame f = new Frame();
      f.ints.addAll(ints);
      f.bindings.addAll(bindings);
      f.doubles.addAll(doubles);
      frames.add(f);
      List<String> lines = new ArrayList<>(before);
      boolean simple = before.isEmpty() && after.isEmpty();
      int n = 1 + r.nextInt(3);
      int count = 0;
      for (int i = 0; i < n && (i == 0 || remaining > 0); i++) {
        Code c = statement(nest + 1);
        simple &= c.simple();
        lines.addAll(c.lines());
        count++;
      }
      lines.addAll(after);
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      return new Code(lines, simple && count == 1);
    }

    /**
     * An accumulation loop, whose adjoint the generator runs inside the loop when the code after
     * it allows (analysis.Fusion): a new sum that the body only adds to, locals, maybe a branch.
     */
    private Code sumLoop(int nest) {
      String sum = freshDouble();
      String i = fresh("i");
      List<AVar> arrays = arrays();
      String header;
      List<Binding> binding = new ArrayList<>();
      if (!arrays.isEmpty() && chance(70)) {
        AVar a = pick(arrays);
        binding.add(new Binding(i, a.key()));
        header = "for (int " + i + " = 0; " + i + " < " + a.name() + ".length; " + i + "++)";
      } else {
        header = "for (int " + i + " = 0; " + i + " < " + countExpr() + "; " + i + "++)";
      }
      for (DVar d : doubles()) {
        if (d.assignable) {
          d.bound = Math.max(d.bound, CARRIED_BOUND);
        }
      }
      loops.add(new Loop(true));
      Frame f = new Frame();
      f.ints.add(new IVar(i, true, 5, false, loopDepth() + 1));
      f.bindings.addAll(binding);
      frames.add(f);
      List<String> lines = new ArrayList<>();
      for (int k = r.nextInt(3); k > 0; k--) {
        lines.addAll(declareDouble().lines());
      }
      String add = chance(60) ? sum + " += " + limit(dexpr(2), 2).code() + ";"
          : sum + " -= 0.5 * " + limit(dexpr(2), 2).code() + ";";
      if (chance(40)) {
        lines.add("if (" + cond(1) + ") {");
        lines.add("  " + add);
        lines.add("} else {");
        lines.add("  " + sum + " = " + sum + " + 0.25 * " + limit(dexpr(1), 2).code() + ";");
        lines.add("}");
      } else {
        lines.add(add);
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      List<String> out = new ArrayList<>();
      out.add("double " + sum + " = 0;");
      out.addAll(braced(header, new Code(lines, false)));
      if (!helper && chance(50)) {
        linearSums.add(sum); // its adjoint is 0.5 before the loop starts: the loop can be fused
      } else {
        // at most 6 iterations of at most 2 each
        frame().doubles.add(new DVar(sum, 12, false, loopDepth()));
      }
      return new Code(out, false);
    }

    /**
     * The shape of a mixture likelihood or a recurrent step: an accumulation over observations
     * whose body overwrites a scratch array in an inner loop (reading its old values, or a fresh
     * array per observation), sums over it in a nested accumulation and adds a non-linear
     * function of that sum. What the reverse sweep needs of the scratch array must be taped or
     * recomputed, and the outer loop may be fused.
     */
    private Code scratchSumLoop() {
      String[] spec = lengthSpec();
      String scratch = fresh("t");
      boolean perObservation = chance(40);
      String declare = "double[] " + scratch + " = new double[" + spec[0] + "];";
      List<String> out = new ArrayList<>();
      if (!perObservation) {
        out.add(declare);
      }
      String sum = freshDouble();
      out.add("double " + sum + " = 0;");
      // or a running peak over all observations so far, read by each one: its running maximum
      // then crosses the observation loop (run backwards) and is put back by the reverse sweep
      String peak = chance(25) ? freshDouble() : null;
      if (peak != null) {
        out.add("double " + peak + " = -3;");
      }
      String i = fresh("i");
      String header = "for (int " + i + " = 0; " + i + " < " + countExpr() + "; " + i + "++)";
      for (DVar d : doubles()) {
        if (d.assignable) {
          d.bound = Math.max(d.bound, CARRIED_BOUND);
        }
      }
      loops.add(new Loop(true));
      Frame body = new Frame();
      body.ints.add(new IVar(i, true, 5, false, loopDepth()));
      frames.add(body);
      List<String> lines = new ArrayList<>();
      if (perObservation) {
        lines.add(declare);
      }
      String j = fresh("i");
      Frame fill = new Frame();
      fill.ints.add(new IVar(j, true, 5, false, loopDepth() + 1));
      fill.bindings.add(new Binding(j, spec[1]));
      frames.add(fill);
      String element = scratch + "[" + j + "]";
      String value = limit(dexpr(2), 2).code();
      frames.remove(frames.size() - 1);
      String write = !perObservation && chance(40)
          ? element + " = 0.5 * " + element + " + " + value + ";"
          : element + " = " + value + ";";
      lines.addAll(braced("for (int " + j + " = 0; " + j + " < " + scratch + ".length; " + j + "++)",
          new Code(List.of(write), true)));
      String inner = freshDouble();
      String k = fresh("i");
      String e = scratch + "[" + k + "]";
      lines.add("double " + inner + " = 0;");
      lines.addAll(braced("for (int " + k + " = 0; " + k + " < " + scratch + ".length; " + k + "++)",
          new Code(List.of(inner + " += " + (chance(50) ? e + " * " + e : "Math.exp(0.5 * " + e + ")")
              + ";"), true)));
      // at most 6 elements of at most 4 each: each observation adds at most 1.7
      String add = sum + " += 0.5 * Math.log(1 + " + inner + ");";
      if (chance(30)) {
        lines.add("if (" + cond(1) + ") {");
        lines.add("  " + add);
        lines.add("} else {");
        lines.add("  " + sum + " -= 0.25 * Math.tanh(" + inner + ");");
        lines.add("}");
      } else {
        lines.add(add);
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      out.addAll(braced(header, new Code(lines, false)));
      if (!perObservation) {
        frame().arrays.add(new AVar(scratch, spec[1], true));
      }
      if (!helper && chance(50)) {
        linearSums.add(sum);
      } else {
        frame().doubles.add(new DVar(sum, 12, false, loopDepth()));
      }
      return new Code(out, false);
    }

    /**
     * The shape of an ODE solver's step loop (the loop the generator may checkpoint,
     * analysis.Checkpoints): a state array carried across steps, a stage array filled from it
     * each step (a scratch array), the state updated from the stage (contractive), maybe a
     * scalar carried too; code after the loop reads the state.
     */
    private Code stepLoop() {
      String[] spec = lengthSpec();
      String y = fresh("t");
      String k = fresh("t");
      List<String> out = new ArrayList<>();
      out.add("double[] " + y + " = new double[" + spec[0] + "];");
      out.add("double[] " + k + " = new double[" + spec[0] + "];");
      String j0 = fresh("i");
      out.addAll(braced("for (int " + j0 + " = 0; " + j0 + " < " + y + ".length; " + j0 + "++)",
          Code.simple(y + "[" + j0 + "] = " + bounded(1.5) + ";")));
      String carried = chance(50) ? freshDouble() : null;
      if (carried != null) {
        out.add("double " + carried + " = 0.5;");
      }
      String step = fresh("i");
      String header = "for (int " + step + " = 0; " + step + " < " + countExpr() + "; " + step + "++)";
      loops.add(new Loop(true));
      Frame body = new Frame();
      body.ints.add(new IVar(step, true, 5, false, loopDepth()));
      frames.add(body);
      List<String> lines = new ArrayList<>();
      String j = fresh("i");
      Frame stage = new Frame();
      stage.ints.add(new IVar(j, true, 5, false, loopDepth() + 1));
      stage.bindings.add(new Binding(j, spec[1]));
      frames.add(stage);
      String value = limit(dexpr(1), 2).code();
      frames.remove(frames.size() - 1);
      String scale = carried != null ? carried : "0.5";
      lines.addAll(braced("for (int " + j + " = 0; " + j + " < " + k + ".length; " + j + "++)",
          Code.simple(k + "[" + j + "] = Math.sin(" + y + "[" + j + "] * " + value + ");")));
      String j2 = fresh("i");
      lines.addAll(braced("for (int " + j2 + " = 0; " + j2 + " < " + y + ".length; " + j2 + "++)",
          Code.simple(y + "[" + j2 + "] = 0.5 * " + y + "[" + j2 + "] + " + scale + " * " + k + "[" + j2 + "] * "
              + k + "[" + j2 + "];")));
      if (carried != null) {
        lines.add(carried + " = 0.5 * " + carried + " + 0.25 * Math.cos(" + y + ".length > 0 ? " + y + "[0] : 0.3);");
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      out.addAll(braced(header, new Code(lines, false)));
      frame().arrays.add(new AVar(y, spec[1], true));
      if (carried != null) {
        frame().doubles.add(new DVar(carried, 1, false, loopDepth()));
      }
      return new Code(out, false);
    }

    /**
     * The shape of GMM's objective: per observation, per component, a scratch array refilled
     * (and, through a packed triangle with a running index {@code idx++}, updated: reading the
     * array or not), a nested sum over it stored into a second scratch array indexed by the
     * component, then a log-sum-exp over that array with the max trick added to the outer sum.
     * The reverse sweep needs the running index stepped back, inner trip counts recomputed, the
     * triangle's updates taped only when read, and the observation loop may be fused.
     */
    private Code mixtureLoop() {
      String[] spec = lengthSpec();
      String t = fresh("t");
      String b = fresh("t");
      String kc = String.valueOf(2 + r.nextInt(2));
      List<String> out = new ArrayList<>();
      out.add("double[] " + t + " = new double[" + spec[0] + "];");
      out.add("double[] " + b + " = new double[" + kc + "];");
      String sum = freshDouble();
      out.add("double " + sum + " = 0;");
      // or a running peak over all observations so far, read by each one: its running maximum
      // then crosses the observation loop (run backwards) and is put back by the reverse sweep
      String peak = chance(25) ? freshDouble() : null;
      if (peak != null) {
        out.add("double " + peak + " = -3;");
      }
      String i = fresh("i");
      String header = "for (int " + i + " = 0; " + i + " < " + countExpr() + "; " + i + "++)";
      for (DVar d : doubles()) {
        if (d.assignable) {
          d.bound = Math.max(d.bound, CARRIED_BOUND);
        }
      }
      loops.add(new Loop(true));
      Frame body = new Frame();
      body.ints.add(new IVar(i, true, 5, false, loopDepth()));
      frames.add(body);
      // an update term of the triangle below, from values outside the component loop
      String free = limit(dexpr(1), 1).code();
      String c = fresh("i");
      List<String> comp = new ArrayList<>();
      String j = fresh("i");
      Frame fill = new Frame();
      fill.ints.add(new IVar(c, true, 3, false, loopDepth() + 1));
      fill.ints.add(new IVar(j, true, 5, false, loopDepth() + 2));
      fill.bindings.add(new Binding(j, spec[1]));
      frames.add(fill);
      String value = limit(dexpr(2), 2).code();
      frames.remove(frames.size() - 1);
      // or, like GMM's centred point, from a parameter's elements only (recomputed, not taped)
      List<AVar> same = arrays().stream().filter(a -> !a.local() && a.key().equals(spec[1])).toList();
      boolean cheapFill = !same.isEmpty() && chance(50);
      if (cheapFill) {
        value = "0.5 * " + pick(same).name() + "[" + j + "] - 0.3";
      }
      comp.addAll(braced("for (int " + j + " = 0; " + j + " < " + t + ".length; " + j + "++)",
          new Code(List.of(t + "[" + j + "] = " + value + " + 0.1 * " + c + ";"), true)));
      if (chance(cheapFill ? 30 : 70)) {
        String idx = fresh("k");
        String q = fresh("i");
        String rr = fresh("i");
        comp.add("int " + idx + " = " + c + ";");
        // the update reads the array (its adjoint needs the old elements) or only other values
        String update = chance(50)
            ? t + "[" + rr + "] += 0.01 * " + idx + " * " + t + "[" + q + "];"
            : t + "[" + rr + "] += 0.05 * " + idx + " * (" + free + ");";
        List<String> tri = new ArrayList<>();
        tri.addAll(braced("for (int " + rr + " = " + q + " + 1; " + rr + " < " + t + ".length; " + rr + "++)",
            new Code(List.of(update, idx + "++;"), true)));
        comp.addAll(braced("for (int " + q + " = 0; " + q + " < " + t + ".length; " + q + "++)",
            new Code(tri, true)));
      }
      String inner = freshDouble();
      String k = fresh("i");
      String e = t + "[" + k + "]";
      comp.add("double " + inner + " = 0;");
      comp.addAll(braced("for (int " + k + " = 0; " + k + " < " + t + ".length; " + k + "++)",
          new Code(List.of(inner + " += " + e + " * " + e + ";"), true)));
      comp.add(b + "[" + c + "] = 0.2 * " + c + " - 0.02 * " + inner + ";");
      List<String> lines = new ArrayList<>(braced("for (int " + c + " = 0; " + c + " < " + kc + "; " + c + "++)",
          new Code(comp, true)));
      String mx = freshDouble();
      String se = freshDouble();
      String m = fresh("i");
      lines.add("double " + mx + " = " + b + "[0];");
      lines.addAll(braced("for (int " + m + " = 1; " + m + " < " + kc + "; " + m + "++)",
          new Code(List.of(chance(50) ? mx + " = Math.max(" + mx + ", " + b + "[" + m + "]);"
              : "if (" + b + "[" + m + "] > " + mx + ") { " + mx + " = " + b + "[" + m + "]; }"), true)));
      lines.add("double " + se + " = 0;");
      lines.addAll(braced("for (int " + m + " = 0; " + m + " < " + kc + "; " + m + "++)",
          new Code(List.of(se + " += Math.exp(" + b + "[" + m + "] - " + mx + ");"), true)));
      // |mx| is at most about 3 and log(se) at most log 3: each observation adds at most ~4.5
      lines.add(sum + " += 0.25 * (" + mx + " + Math.log(" + se + "));");
      if (peak != null) {
        lines.addAll(braced("for (int " + m + " = 0; " + m + " < " + kc + "; " + m + "++)",
            new Code(List.of(peak + " = Math.max(" + peak + ", " + b + "[" + m + "]);"), true)));
        lines.add(sum + " += 0.05 * " + peak + " * " + peak + ";");
      }
      frames.remove(frames.size() - 1);
      loops.remove(loops.size() - 1);
      out.addAll(braced(header, new Code(lines, false)));
      if (!helper && chance(50)) {
        linearSums.add(sum);
      } else {
        frame().doubles.add(new DVar(sum, 12, false, loopDepth()));
      }
      return new Code(out, false);
    }

    private Code forLoop(int nest) {
      String i = fresh("i");
      Binding[] b = new Binding[1];
      String header = forHeader(i, b);
      Binding binding = b[0];
      IVar iv = new IVar(i, true, 5, false, loopDepth() + 1);
      Code body = loopBody(nest, true, List.of(iv), binding == null ? List.of() : List.of(binding),
          List.of(), List.of(), List.of());
      return new Code(braced(header, body), false);
    }

    /** The header of a for loop with index {@code i}; {@code binding[0]}: what it indexes. */
    private String forHeader(String i, Binding[] out) {
      List<AVar> arrays = arrays();
      List<Binding> outer = bindings();
      String header;
      Binding binding = null;
      int w = r.nextInt(100);
      if (w < 35 && !arrays.isEmpty()) {
        AVar a = pick(arrays);
        binding = new Binding(i, a.key());
        switch (r.nextInt(4)) {
          case 0 -> header = "for (int " + i + " = " + a.name() + ".length - 1; " + i + " >= 0; " + i + "--)";
          case 1 -> header = "for (int " + i + " = 0; " + i + " < " + a.name() + ".length; " + i + " += 2)";
          default -> header = "for (int " + i + " = 0; " + i + " < " + a.name() + ".length; " + i + "++)";
        }
      } else if (w < 50 && !arrays.isEmpty()) {
        AVar a = pick(arrays);
        binding = new Binding(i, a.key());
        header = "for (int " + i + " = 0; " + i + " < Math.min(" + intExpr() + ", " + a.name()
            + ".length); " + i + "++)";
      } else if (w < 65 && !outer.isEmpty()) {
        // triangular: the inner index stays below the outer one, so it indexes the same arrays
        Binding o = pick(outer);
        binding = new Binding(i, o.key());
        header = chance(50)
            ? "for (int " + i + " = 0; " + i + " <= " + o.index() + "; " + i + "++)"
            : "for (int " + i + " = " + o.index() + "; " + i + " >= 0; " + i + "--)";
      } else {
        String n = countExpr();
        header = chance(25)
            ? "for (int " + i + " = " + n + "; " + i + " > 0; " + i + "--)"
            : "for (int " + i + " = 0; " + i + " < " + n + "; " + i + "++)";
      }
      out[0] = binding;
      return header;
    }

    private Code forEach(int nest) {
      List<AVar> arrays = arrays();
      if (arrays.isEmpty()) {
        return forLoop(nest);
      }
      AVar a = pick(arrays);
      String e = fresh("e");
      DVar ev = new DVar(e, boundOf(a.name()), false, loopDepth() + 1);
      Code body = loopBody(nest, true, List.of(), List.of(), List.of(ev), List.of(), List.of());
      return new Code(braced("for (double " + e + " : " + a.name() + ")", body), false);
    }

    /**
     * {@code int w = 0; while (w < n) { ...; w++; }}, or with the increment first
     * ({@code int j = w; w++; ...}), which allows continue.
     */
    private Code whileLoop(int nest, boolean incrementFirst) {
      String w = fresh("w");
      List<AVar> arrays = arrays();
      String bound;
      String key = null;
      if (!arrays.isEmpty() && chance(50)) {
        AVar a = pick(arrays);
        bound = a.name() + ".length";
        key = a.key();
      } else {
        bound = countExpr();
      }
      List<String> out = new ArrayList<>();
      out.add("int " + w + " = 0;");
      String inc = chance(50) ? w + "++;" : w + " += 1;";
      Code body;
      if (incrementFirst) {
        String j = fresh("j");
        IVar jv = new IVar(j, true, 5, false, loopDepth() + 1);
        body = loopBody(nest, true, List.of(jv), key == null ? List.of() : List.of(new Binding(j, key)),
            List.of(), List.of("int " + j + " = " + w + ";", inc), List.of());
      } else {
        IVar wv = new IVar(w, true, 5, false, loopDepth() + 1);
        body = loopBody(nest, false, List.of(wv), key == null ? List.of() : List.of(new Binding(w, key)),
            List.of(), List.of(), List.of(inc));
      }
      out.add("while (" + w + " < " + bound + ") {");
      out.addAll(indent(body.lines()));
      out.add("}");
      frame().ints.add(new IVar(w, true, 5, false, loopDepth()));
      return new Code(out, false);
    }

    /** Runs at least once: its counter indexes arrays only behind a guard. */
    private Code doWhile(int nest) {
      String w = fresh("w");
      List<String> out = new ArrayList<>();
      out.add("int " + w + " = 0;");
      IVar wv = new IVar(w, true, 5, false, loopDepth() + 1);
      Code body = loopBody(nest, false, List.of(wv), List.of(), List.of(), List.of(),
          List.of(chance(50) ? w + "++;" : w + " = " + w + " + 1;"));
      out.add("do {");
      out.addAll(indent(body.lines()));
      out.add("} while (" + w + " < " + countExpr() + ");");
      frame().ints.add(new IVar(w, true, 5, false, loopDepth()));
      return new Code(out, false);
    }

    /** A loop whose trip count depends on a double: {@code while (w < 6 && s < c)}. */
    private Code dataDependentWhile(int nest) {
      List<DVar> targets = new ArrayList<>();
      for (DVar d : doubles()) {
        if (d.assignable && d.loopDepth == loopDepth()) {
          targets.add(d);
        }
      }
      if (targets.isEmpty()) {
        return null;
      }
      DVar sv = pick(targets);
      sv.bound = Math.max(sv.bound, CARRIED_BOUND) + 0.7;
      String s = sv.name;
      String w = fresh("w");
      List<String> out = new ArrayList<>();
      out.add("int " + w + " = 0;");
      IVar wv = new IVar(w, true, 6, false, loopDepth() + 1);
      Code body = loopBody(nest, false, List.of(wv), List.of(), List.of(), List.of(),
          List.of(s + " += 0.4 + 0.3 * Math.sin(" + dexpr(1).code() + ");", w + "++;"));
      out.add("while (" + w + " < 6 && " + s + " < " + constant(0.5, 2.5) + ") {");
      out.addAll(indent(body.lines()));
      out.add("}");
      return new Code(out, false);
    }

    // ------------------------------------------------------------------ int and boolean expressions

    /** A small non-negative int expression. */
    private String intExpr() {
      List<IVar> ok = new ArrayList<>();
      for (IVar v : ints()) {
        if (v.nonNeg) {
          ok.add(v);
        }
      }
      List<AVar> arrays = arrays();
      int w = r.nextInt(10);
      if (w < 5 && !ok.isEmpty()) {
        return pick(ok).name;
      } else if (w < 7 && !arrays.isEmpty()) {
        return pick(arrays).name() + ".length";
      } else if (w < 8 && !ok.isEmpty()) {
        return "(" + pick(ok).name + " + " + r.nextInt(3) + ") % 3";
      } else if (w < 9) {
        return "K";
      }
      return String.valueOf(r.nextInt(4));
    }

    /** A loop trip count: small and non-negative. */
    private String countExpr() {
      List<IVar> params = new ArrayList<>();
      List<IVar> locals = new ArrayList<>();
      for (IVar v : ints()) {
        if (v.nonNeg && !v.assignable && frames.get(0).ints.contains(v)) {
          params.add(v);
        } else if (v.nonNeg) {
          locals.add(v);
        }
      }
      int w = r.nextInt(10);
      if (w < 5 && !params.isEmpty()) {
        IVar p = pick(params);
        return chance(70) ? p.name : p.name + " + 1";
      } else if (w < 7 && !locals.isEmpty()) {
        return pick(locals).name;
      } else if (w < 8 && !arrays().isEmpty()) {
        return pick(arrays()).name() + ".length";
      } else if (w < 9) {
        return "K";
      }
      return String.valueOf(r.nextInt(4));
    }

    private String cond(int depth) {
      int w = r.nextInt(100);
      if (depth > 0 && w < 15) {
        String op = chance(50) ? " && " : " || ";
        return "(" + cond(depth - 1) + op + cond(depth - 1) + ")";
      }
      if (depth > 0 && w < 20) {
        return "!(" + cond(depth - 1) + ")";
      }
      if (w < 30 && !bools().isEmpty()) {
        String b = pick(bools());
        if (depth > 0 && chance(20)) {
          return "(" + b + (chance(50) ? " == " : " != ") + "(" + cond(depth - 1) + "))";
        }
        return chance(30) ? "!" + b : b;
      }
      if (w < 45) {
        List<IVar> is = ints();
        String a = is.isEmpty() ? intExpr() : pick(is).name;
        return switch (r.nextInt(7)) {
          case 0 -> a + " % 2 == 0";
          case 1 -> a + " > " + r.nextInt(3);
          case 2 -> a + " != " + intExpr();
          // bit operations on ints, for masks and control flow
          case 3 -> "(" + a + " >> " + (chance(50) ? intExpr() : String.valueOf(r.nextInt(3))) + " & 1) == 1";
          case 4 -> "(" + a + " & " + (1 + r.nextInt(3)) + ") != 0";
          case 5 -> "(" + a + " ^ " + intExpr() + ") > 1";
          default -> a + " <= " + intExpr();
        };
      }
      if (w < 48 && !longs().isEmpty()) {
        return pick(longs()) + " > " + r.nextInt(3) + "L";
      }
      String[] ops = {" > ", " < ", " >= ", " <= "};
      Ex a = dexpr(1);
      String b = chance(50) ? constant(-1, 1) : dexpr(1).code();
      return a.code() + ops[r.nextInt(ops.length)] + b;
    }

    // ------------------------------------------------------------------ double expressions

    private String bounded(double limit) {
      return limit(dexpr(1 + r.nextInt(2)), limit).code();
    }

    private static Ex paren(Ex e) {
      return new Ex("(" + e.code() + ")", e.bound());
    }

    /** {@code e}, scaled or squashed so that its magnitude is at most {@code limit}. */
    private Ex limit(Ex e, double limit) {
      if (e.bound() <= limit) {
        return e;
      }
      String l = num(limit);
      if (e.bound() > 4 * limit || chance(25)) {
        double s = 1;
        while (e.bound() * s > limit) {
          s /= 2;
        }
        Ex scaled = new Ex("(" + num(s) + " * " + e.code() + ")", e.bound() * s);
        return scaled;
      }
      return switch (r.nextInt(3)) {
        case 0 -> new Ex(limit == 1 ? "Math.tanh(" + e.code() + ")" : "(" + l + " * Math.tanh(" + e.code() + "))", limit);
        case 1 -> new Ex("(" + l + " * Math.sin(" + e.code() + "))", limit);
        default -> new Ex("(" + num(limit * 0.63) + " * Math.atan(" + e.code() + "))", limit);
      };
    }

    private String square(Ex e) {
      if (e.code().length() < 20 || chance(30)) {
        return "(" + e.code() + ") * (" + e.code() + ")";
      }
      return "Math.pow(" + e.code() + ", 2)";
    }


    private static String num(double c) {
      String s;
      if (c == Math.rint(c) && Math.abs(c) < 1e6) {
        s = String.format(Locale.ROOT, "%.1f", c);
      } else {
        s = String.format(Locale.ROOT, "%.4f", c).replaceAll("0+$", "");
      }
      return c < 0 ? "(" + s + ")" : s;
    }

    private String constant(double lo, double hi) {
      double c = Math.round((lo + (hi - lo) * r.nextDouble()) * 20) / 20.0;
      if (c == 0) {
        c = 0.5;
      }
      return num(c);
    }

    private Ex dexpr(int depth) {
      if (depth <= 0 || chance(20)) {
        return leaf();
      }
      Ex e = compound(depth);
      return e.bound() > MAX_BOUND ? limit(e, MAX_BOUND) : e;
    }

    private Ex compound(int depth) {
      if (chance(3)) {
        return switchExpr(depth, false);
      }
      int w = r.nextInt(100);
      if (w < 12) {
        Ex a = dexpr(depth - 1);
        Ex b = dexpr(depth - 1);
        return new Ex("(" + a.code() + " + " + b.code() + ")", a.bound() + b.bound());
      } else if (w < 20) {
        Ex a = dexpr(depth - 1);
        Ex b = dexpr(depth - 1);
        return new Ex("(" + a.code() + " - " + b.code() + ")", a.bound() + b.bound());
      } else if (w < 34) {
        Ex a = dexpr(depth - 1);
        Ex b = dexpr(depth - 1);
        return new Ex(a.code() + " * " + b.code(), a.bound() * b.bound());
      } else if (w < 40) {
        Ex a = dexpr(depth - 1);
        Ex b = limit(dexpr(depth - 1), 3);
        return switch (r.nextInt(3)) {
          case 0 -> new Ex(a.code() + " / (1 + " + square(b) + ")", a.bound());
          case 1 -> new Ex(a.code() + " / (2 + Math.sin(" + b.code() + "))", a.bound());
          default -> new Ex("(" + a.code() + " / " + num(2.0) + ")", a.bound() / 2);
        };
      } else if (w < 43) {
        Ex a = dexpr(depth - 1);
        return new Ex("(-" + a.code() + ")", a.bound());
      } else if (w < 80) {
        return math(depth);
      } else if (w < 86) {
        Ex a = dexpr(depth - 1);
        Ex b = dexpr(depth - 1);
        return new Ex("(" + cond(1) + " ? " + a.code() + " : " + b.code() + ")",
            Math.max(a.bound(), b.bound()));
      } else if (w < 95) {
        Ex c = call(depth);
        return c != null ? c : math(depth);
      } else if (w < 98) {
        // a mixed int / double product, and integer division promoted to double
        Ex a = limit(dexpr(depth - 1), 3);
        String i = intExpr();
        return chance(50) ? new Ex(a.code() + " * (" + i + " / 2)", a.bound() * 3)
            : new Ex("(double) (" + i + ") * " + a.code(), a.bound() * 5);
      } else {
        // piecewise constant: a jump where the argument crosses an integer
        Ex a = limit(dexpr(depth - 1), 3);
        return new Ex("(double) (int) (" + a.code() + ")", 3);
      }
    }

    private Ex math(int depth) {
      Ex a = dexpr(depth - 1);
      String c = a.code();
      double b = a.bound();
      int w = r.nextInt(100);
      if (w < 6) {
        return new Ex("Math.sin(" + limit(a, 6).code() + ")", 1);
      } else if (w < 12) {
        return new Ex("Math.cos(" + limit(a, 6).code() + ")", 1);
      } else if (w < 15) {
        return new Ex("Math.tan(" + limit(a, 1.2).code() + ")", 2.6);
      } else if (w < 19) {
        return new Ex("Math.asin(" + limit(a, 0.9).code() + ")", 1.6);
      } else if (w < 22) {
        return new Ex("Math.acos(" + limit(a, 0.9).code() + ")", 3.2);
      } else if (w < 26) {
        return new Ex("Math.atan(" + c + ")", 1.6);
      } else if (w < 29) {
        Ex y = dexpr(depth - 1);
        return new Ex("Math.atan2(" + y.code() + ", " + num(1.5) + " + " + limit(a, 1).code() + ")", 1.6);
      } else if (w < 32) {
        return new Ex("Math.sinh(" + limit(a, 2).code() + ")", 3.7);
      } else if (w < 35) {
        return new Ex("Math.cosh(" + limit(a, 2).code() + ")", 3.8);
      } else if (w < 42) {
        return new Ex("Math.tanh(" + c + ")", 1);
      } else if (w < 47) {
        return new Ex("Math.exp(" + limit(a, 2).code() + ")", 7.4);
      } else if (w < 50) {
        return new Ex("Math.expm1(" + limit(a, 2).code() + ")", 6.4);
      } else if (w < 55) {
        Ex s = limit(a, 4);
        return chance(50)
            ? new Ex("Math.log(1 + " + square(s) + ")", Math.log(1 + s.bound() * s.bound()))
            : new Ex("Math.log(" + num(2.0) + " + " + limit(a, 1.5).code() + ")", 1.3);
      } else if (w < 58) {
        Ex s = limit(a, 4);
        return chance(50)
            ? new Ex("Math.log1p(" + square(s) + ")", Math.log1p(s.bound() * s.bound()))
            : new Ex("Math.log1p(" + limit(a, 0.9).code() + ")", 2.4);
      } else if (w < 61) {
        Ex s = limit(a, 4);
        return new Ex("Math.log10(1 + " + square(s) + ")", 1.3);
      } else if (w < 66) {
        Ex s = limit(a, 4);
        return chance(60)
            ? new Ex("Math.sqrt(1 + " + square(s) + ")", Math.sqrt(1 + s.bound() * s.bound()))
            : new Ex("Math.sqrt(" + num(2.0) + " + " + limit(a, 1.5).code() + ")", 1.9);
      } else if (w < 68) {
        return new Ex("Math.cbrt(" + num(1.5) + " + " + limit(a, 1).code() + ")", 1.4);
      } else if (w < 74) {
        Ex base = limit(a, 1.5);
        Ex ex = limit(dexpr(depth - 1), 1.5);
        return switch (r.nextInt(4)) {
          case 0 -> new Ex("Math.pow(1 + " + square(base) + ", " + ex.code() + ")", 5.9);
          case 1 -> new Ex("Math.pow(" + limit(a, 2.5).code() + ", 2)", 6.25);
          case 2 -> new Ex("Math.pow(" + limit(a, 1.5).code() + ", 3.0)", 3.4);
          default -> new Ex("Math.pow(" + num(1.5) + " + " + limit(a, 1).code() + ", " + ex.code() + ")", 5.6);
        };
      } else if (w < 77) {
        Ex y = limit(dexpr(depth - 1), 1);
        return new Ex("Math.hypot(" + c + ", " + num(1.5) + " + " + y.code() + ")", b + 2.5);
      } else if (w < 80) {
        return new Ex("Math.abs(" + c + ")", b);
      } else if (w < 86) {
        Ex y = dexpr(depth - 1);
        return new Ex((chance(50) ? "Math.max(" : "Math.min(") + c + ", " + y.code() + ")",
            Math.max(b, y.bound()));
      } else if (w < 88) {
        String[] f = {"Math.floor", "Math.ceil", "Math.rint"};
        Ex s = limit(a, 3);
        return new Ex(f[r.nextInt(3)] + "(" + s.code() + ")", 4);
      } else if (w < 89) {
        return new Ex("Math.signum(" + c + ")", 1);
      } else if (w < 92) {
        return new Ex("Math.toRadians(" + c + ")", b * 0.0175);
      } else if (w < 95) {
        return new Ex("Math.toDegrees(" + limit(a, 0.1).code() + ")", 5.8);
      } else {
        return new Ex("Math.sqrt(" + square(limit(a, 4)) + " + " + square(limit(dexpr(depth - 1), 4))
            + " + 0.25)", 6);
      }
    }

    private Ex call(int depth) {
      if (callable.isEmpty() || calls >= 4) {
        return null;
      }
      Fn f = pick(callable);
      List<AVar> arrays = plainArrays();
      StringBuilder sb = new StringBuilder();
      if (!f.owner().equals(owner)) {
        sb.append(f.owner()).append('.');
      } else if (chance(20)) {
        sb.append(owner).append('.');
      }
      sb.append(f.name()).append('(');
      for (int i = 0; i < f.params().size(); i++) {
        Param p = f.params().get(i);
        if (i > 0) {
          sb.append(", ");
        }
        switch (p.kind()) {
          case DOUBLE -> sb.append(limit(dexpr(depth - 1), VAR_BOUND).code());
          case ARRAY -> {
            // a row of a matrix (m[i], a row local, an enhanced-for row) sometimes
            List<AVar> rows = arrays().stream().filter(AVar::row).toList();
            if (!rows.isEmpty() && (arrays.isEmpty() || chance(40))) {
              sb.append(pick(rows).name());
              rowArguments++;
            } else if (arrays.isEmpty()) {
              return null;
            } else {
              sb.append(pick(arrays).name());
            }
          }
          case MATRIX -> {
            if (mats().isEmpty()) {
              return null;
            }
            sb.append(pick(mats()).name());
          }
          case INT -> sb.append(intExpr());
          default -> throw new AssertionError(p);
        }
      }
      calls++;
      called.add(f.name());
      return new Ex(sb.append(')').toString(), VAR_BOUND);
    }

    private Ex leaf() {
      for (int attempt = 0; ; attempt++) {
        int w = r.nextInt(100);
        if (w < 45) {
          List<DVar> ds = doubles();
          if (!ds.isEmpty()) {
            DVar d = pick(ds);
            return new Ex(d.name, d.bound);
          }
        } else if (w < 55) {
          if (instance && chance(40)) {
            // the instance's fields, data: scale and weights (never empty) in [-1.5, 1.5]
            String self = chance(25) ? "this." : "";
            return switch (r.nextInt(3)) {
              case 0 -> new Ex(self + "scale", 1.5);
              case 1 -> new Ex(self + "weights[Math.abs(" + intExpr() + ") % " + self + "weights.length]", 1.5);
              default -> new Ex("(" + self + "weights.length * " + num(0.25) + ")", 1.25);
            };
          }
          if (chance(15)) {
            // the class's private constants
            return chance(40) ? new Ex("RATE", RATE)
                : new Ex("TABLE[Math.abs(" + intExpr() + ") % TABLE.length]", 2); // k - 2 may be negative
          }
          if (chance(80)) {
            return new Ex(constant(-2, 2), 2);
          }
          // a static final constant, sometimes the other class's
          String cls = chance(25) ? (owner.equals(mainClass) ? libClass : mainClass) + "." : "";
          return chance(50) ? new Ex(cls + "C0", C0) : new Ex(cls + "C1", -C1);
        } else if (w < 80) {
          Ex e = arrayRead();
          if (e != null) {
            return e;
          }
        } else if (w < 88) {
          List<IVar> is = ints();
          if (!is.isEmpty()) {
            IVar v = pick(is);
            return chance(50) ? new Ex("(double) " + v.name, v.max)
                : new Ex(v.name + " * " + num(0.25), v.max * 0.25);
          }
        } else if (w < 92) {
          List<AVar> as = arrays();
          if (!as.isEmpty()) {
            return new Ex(pick(as).name() + ".length * " + num(0.25), 1.25);
          }
        } else if (w < 94) {
          List<String> ls = longs();
          if (!ls.isEmpty()) {
            return new Ex("(" + pick(ls) + " * 0.1)", 1.5);
          }
        } else {
          return new Ex(constant(-2, 2), 2);
        }
        if (attempt > 10) {
          return new Ex(constant(-2, 2), 2);
        }
      }
    }

    private Ex arrayRead() {
      List<AVar> arrays = arrays();
      List<MVar> mats = mats();
      if (!mats.isEmpty() && (arrays.isEmpty() || chance(15))) {
        MVar m = pick(mats);
        String n = m.name();
        double eb = m.local() || helper ? VAR_BOUND * 1.5 : 1.5;
        String c = constant(-1, 1);
        return switch (r.nextInt(3)) {
          case 0 -> new Ex("(" + n + ".length > 0 && " + n + "[0].length > 0 ? " + n + "[0][0] : " + c + ")",
              Math.max(eb, 1));
          case 1 -> new Ex("(" + n + ".length > 1 && " + n + "[1].length > 0 ? " + n + "[1][" + n
              + "[1].length - 1] : " + c + ")", Math.max(eb, 1));
          default -> new Ex("(" + n + ".length * " + num(0.25) + ")", 1.25);
        };
      }
      if (arrays.isEmpty()) {
        return null;
      }
      List<IArr> perms = intArrays();
      if (!perms.isEmpty() && chance(30)) {
        // an index array: a[p[i]] where i indexes p, and p's elements index a
        List<String[]> through = new ArrayList<>();
        for (Binding b : bindings()) {
          for (IArr p : perms) {
            if (p.key().equals(b.key())) {
              for (AVar a : arrays) {
                if (a.key().equals(p.key())) {
                  through.add(new String[] {a.name(), p.name() + "[" + b.index() + "]"});
                }
              }
            }
          }
        }
        for (IArr p : perms) {
          for (AVar a : arrays) {
            if (a.key().equals(p.key())) {
              through.add(new String[] {a.name(), "(" + p.name() + ".length > 0 ? " + p.name() + "[0] : 0)"});
            }
          }
        }
        if (!through.isEmpty()) {
          String[] ai = pick(through);
          String guard = ai[1].startsWith("(") ? ai[0] + ".length > 0 ? " : null;
          Ex read = new Ex(ai[0] + "[" + ai[1] + "]", boundOf(ai[0]));
          return guard == null ? read : new Ex("(" + guard + read.code() + " : 0.0)", read.bound());
        }
      }
      List<String[]> bound = new ArrayList<>();
      for (Binding b : bindings()) {
        for (AVar a : arrays) {
          if (a.key().equals(b.key())) {
            bound.add(new String[] {a.name(), b.index()});
          }
        }
      }
      if (!bound.isEmpty() && chance(75)) {
        String[] ai = pick(bound);
        String a = ai[0];
        String i = ai[1];
        double eb = boundOf(a);
        return switch (r.nextInt(6)) {
          case 0 -> new Ex(a + "[" + a + ".length - 1 - " + i + "]", eb);
          case 1 -> new Ex("(" + i + " > 0 ? " + a + "[" + i + " - 1] : " + constant(-1, 1) + ")", eb);
          case 2 -> new Ex("(" + i + " + 1 < " + a + ".length ? " + a + "[" + i + " + 1] : " + a + "[0])", eb);
          case 3 -> new Ex(a + "[(" + i + " + " + intExpr() + ") % " + a + ".length]", eb);
          default -> new Ex(a + "[" + i + "]", eb);
        };
      }
      AVar a = pick(arrays);
      double eb = boundOf(a.name());
      String n = a.name();
      return switch (r.nextInt(4)) {
        case 0 -> new Ex("(" + n + ".length > 0 ? " + n + "[0] : " + constant(-1, 1) + ")", Math.max(eb, 1));
        case 1 -> new Ex("(" + n + ".length > 1 ? " + n + "[1] : " + n + ".length * 0.5)", Math.max(eb, 0.5));
        case 2 -> new Ex("(" + n + ".length == 0 ? " + constant(-1, 1) + " : " + n + "[" + n + ".length - 1])",
            Math.max(eb, 1));
        default -> new Ex("(" + n + ".length > 0 ? " + n + "[(" + intExpr() + ") % " + n + ".length] : 0.0)", eb);
      };
    }

    private double boundOf(String array) {
      for (AVar a : arrays()) {
        if (a.name().equals(array)) {
          // a helper may be passed a local array
          return a.local() || helper ? VAR_BOUND * 1.5 : 1.5;
        }
      }
      return VAR_BOUND;
    }
  }
}
