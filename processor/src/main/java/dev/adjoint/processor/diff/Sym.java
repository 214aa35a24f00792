package dev.adjoint.processor.diff;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds derivative expressions already simplified: constants fold, {@code *1} and {@code +0}
 * vanish, and equal terms combine ({@code a*b + a*b} becomes {@code 2*a*b}). An expression is
 * seen as a sum of terms, each a coefficient times factors over divisors; sums inside products
 * stay factors (nothing is expanded), so the result never grows beyond what was asked for.
 *
 * <p>Cost stays near-linear on huge inputs (expressions thousands of levels deep, adjoints summed
 * over thousands of statements): like terms are found through an index by a shallow hash of
 * their factors; a sum that is a factor is normalised only {@link #NESTING} levels deep (a
 * Horner polynomial is not re-normalised at every level); and a sum of more than
 * {@link #LONG_SUM} terms takes new terms at its end without looking for like terms. Neither
 * limit is reached by code of ordinary size, whose output they leave unchanged.
 */
public final class Sym {
  private Sym() {}

  /** Sums nested as factors deeper than this are kept as they are, not normalised again. */
  static final int NESTING = 16;
  /** A sum of more terms than this takes new terms without a search for like terms. */
  static final int LONG_SUM = 256;
  /** Depth of the hash of a factor: enough to spread factors, bounded on deep trees. */
  private static final int HASH_DEPTH = 3;

  /** coefficient * (product of num) / (product of den). */
  private record Term(double coef, List<Expr> num, List<Expr> den) {
    Term scaled(double c) {
      return new Term(coef * c, num, den);
    }

    boolean sameFactors(Term o) {
      return sameMultiset(num, o.num) && sameMultiset(den, o.den);
    }

    /** A hash of the factors, equal for terms with the same factors. */
    int factorHash() {
      return multisetHash(num) * 31 + multisetHash(den);
    }
  }

  /**
   * Terms in order, indexed by their factors' hash so that merging a term costs O(1) however
   * long the sum. Removed terms (their coefficients cancelled) are left as nulls, so positions
   * and the order of the rest are those of a list with the term removed.
   */
  private static final class Terms {
    private final List<Term> list = new ArrayList<>();
    private Map<Integer, List<Integer>> index;
    private int live;

    int size() {
      return live;
    }

    List<Term> list() {
      List<Term> out = new ArrayList<>(live);
      for (Term t : list) {
        if (t != null) {
          out.add(t);
        }
      }
      return out;
    }

    /** Adds t's coefficient to the first term with the same factors, else appends t. */
    void merge(Term t) {
      if (t.coef == 0) {
        return;
      }
      int i = find(t);
      if (i < 0) {
        append(t);
        return;
      }
      Term old = list.get(i);
      double c = old.coef + t.coef;
      if (c == 0) {
        list.set(i, null);
        live--;
      } else {
        list.set(i, new Term(c, old.num, old.den));
      }
    }

    /** Appends a term known to have factors unlike every other's. */
    void append(Term t) {
      list.add(t);
      live++;
      if (index != null) {
        index.computeIfAbsent(t.factorHash(), k -> new ArrayList<>(1)).add(list.size() - 1);
      }
    }

    private int find(Term t) {
      if (index == null && list.size() > 8) {
        index = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i) != null) {
            index.computeIfAbsent(list.get(i).factorHash(), k -> new ArrayList<>(1)).add(i);
          }
        }
      }
      if (index == null) {
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i) != null && list.get(i).sameFactors(t)) {
            return i;
          }
        }
        return -1;
      }
      List<Integer> bucket = index.get(t.factorHash());
      if (bucket != null) {
        for (int i : bucket) {
          if (list.get(i) != null && list.get(i).sameFactors(t)) {
            return i;
          }
        }
      }
      return -1;
    }

    Terms scaled(double c) {
      Terms out = new Terms();
      for (Term t : list) {
        if (t != null) {
          out.append(t.scaled(c));
        }
      }
      return out;
    }
  }

  public static Expr add(Expr a, Expr b) {
    if (a.type() == Type.TENSOR || b.type() == Type.TENSOR) {
      // tensors: no algebra beyond dropping zeros
      return isZero(a) ? b : isZero(b) ? a : new Apply(Op.T_ADD, List.of(a, b), Type.TENSOR);
    }
    if (longSum(a)) {
      // thousands of contributions to one adjoint: append, as re-reading the sum each time would
      // make the whole quadratic
      Expr sum = a;
      for (Term t : terms(b, 0).list()) {
        sum = t.coef < 0 ? new Apply(Op.SUB, List.of(sum, product(t.scaled(-1))), Type.DOUBLE)
            : new Apply(Op.ADD, List.of(sum, product(t)), Type.DOUBLE);
      }
      return sum;
    }
    Terms terms = terms(a, 0);
    for (Term t : terms(b, 0).list()) {
      terms.merge(t);
    }
    return build(mergeGuarded(terms.list()));
  }

  /**
   * Terms that are the same condition's one-armed choices, {@code k1·(c ? x : 0) + k2·(c ? y : 0)},
   * become one, {@code c ? k1·x + k2·y : 0}: a switch expression's chain of {@code ?:} gives each
   * operand's adjoint such a term per read, and x and y are often like terms.
   */
  private static List<Term> mergeGuarded(List<Term> terms) {
    record Key(Expr guard, boolean inThen) {}
    Map<Key, Integer> first = null;
    List<Term> out = new ArrayList<>(terms.size());
    for (Term t : terms) {
      Key key = null;
      if (t.den.isEmpty() && t.num.size() == 1 && t.num.get(0) instanceof Apply a && a.op() == Op.COND
          && (isZero(a.arg(1)) != isZero(a.arg(2)))) {
        key = new Key(a.arg(0), isZero(a.arg(2)));
      }
      if (key == null) {
        out.add(t);
        continue;
      }
      if (first == null) {
        first = new HashMap<>();
      }
      Integer at = first.get(key);
      if (at == null) {
        first.put(key, out.size());
        out.add(t);
        continue;
      }
      Term old = out.get(at);
      Apply oa = (Apply) old.num.get(0);
      Apply ta = (Apply) t.num.get(0);
      int arm = key.inThen() ? 1 : 2;
      Expr sum = add(mul(Const.of(old.coef), oa.arg(arm)), mul(Const.of(t.coef), ta.arg(arm)));
      Expr merged = key.inThen() ? cond(key.guard(), sum, Const.ZERO) : cond(key.guard(), Const.ZERO, sum);
      out.set(at, isZero(sum) ? new Term(0, new ArrayList<>(), new ArrayList<>()) : new Term(1, single(merged), new ArrayList<>()));
    }
    if (first == null) {
      return terms;
    }
    out.removeIf(t -> t.coef == 0);
    return out;
  }

  /** Whether e is a sum of more than {@link #LONG_SUM} terms along its left side. */
  private static boolean longSum(Expr e) {
    int n = 0;
    while (e instanceof Apply a && a.type() == Type.DOUBLE && (a.op() == Op.ADD || a.op() == Op.SUB)) {
      if (++n > LONG_SUM) {
        return true;
      }
      e = a.arg(0);
    }
    return false;
  }

  public static Expr sub(Expr a, Expr b) {
    return add(a, neg(b));
  }

  public static Expr neg(Expr a) {
    if (a.type() == Type.TENSOR) {
      return a instanceof Apply n && n.op() == Op.T_NEG ? n.arg(0) : new Apply(Op.T_NEG, List.of(a), Type.TENSOR);
    }
    if (a instanceof Apply c && c.op() == Op.COND) {
      return cond(c.arg(0), neg(c.arg(1)), neg(c.arg(2)));
    }
    return build(terms(a, 0).scaled(-1).list());
  }

  public static Expr mul(Expr a, Expr b) {
    if (isZero(a) || isZero(b)) {
      return Const.ZERO;
    }
    // push a product into both arms of a ?: so that "c ? x : 0" stays simple
    if (b instanceof Apply c && c.op() == Op.COND) {
      return cond(c.arg(0), mul(a, c.arg(1)), mul(a, c.arg(2)));
    }
    if (a instanceof Apply c && c.op() == Op.COND) {
      return cond(c.arg(0), mul(c.arg(1), b), mul(c.arg(2), b));
    }
    Term ta = asProduct(a, 0);
    Term tb = asProduct(b, 0);
    List<Expr> num = new ArrayList<>(ta.num);
    num.addAll(tb.num);
    List<Expr> den = new ArrayList<>(ta.den);
    den.addAll(tb.den);
    return build(List.of(cancel(new Term(ta.coef * tb.coef, num, den))));
  }

  public static Expr div(Expr a, Expr b) {
    if (isZero(a)) {
      return Const.ZERO;
    }
    if (a instanceof Const x && b instanceof Const y && x.type() != Type.BOOLEAN && y.type() != Type.BOOLEAN) {
      return Const.of(x.asDouble() / y.asDouble()); // what Java computes at run time
    }
    if (b instanceof Const c && c.type() != Type.BOOLEAN) {
      double d = c.asDouble();
      if (d == 1) {
        return a;
      }
      if (d == -1) {
        return neg(a);
      }
    }
    Term ta = asProduct(a, 0);
    Term tb = asProduct(b, 0);
    if (tb.coef == 0) {
      return new Apply(Op.DIV, List.of(a, b), Type.DOUBLE);
    }
    List<Expr> num = new ArrayList<>(ta.num);
    num.addAll(tb.den);
    List<Expr> den = new ArrayList<>(ta.den);
    den.addAll(tb.num);
    double coef = ta.coef / tb.coef;
    if (!exact(ta.coef, tb.coef)) {
      // keep the division where folding would round differently than the source
      return new Apply(Op.DIV, List.of(build(List.of(new Term(ta.coef, ta.num, ta.den))),
          build(List.of(new Term(tb.coef, tb.num, tb.den)))), Type.DOUBLE);
    }
    return build(List.of(cancel(new Term(coef, num, den))));
  }

  /** {@code c ? a : b}, with equal arms folded. */
  public static Expr cond(Expr c, Expr a, Expr b) {
    if (a.equals(b)) {
      return a;
    }
    if (c instanceof Const k && k.value() instanceof Boolean v) {
      return v ? a : b;
    }
    return new Apply(Op.COND, List.of(c, a, b), Type.DOUBLE);
  }

  /** A Math function of doubles. */
  public static Expr math(Op op, boolean strict, Expr... args) {
    return new Apply(op, List.of(args), Type.DOUBLE, strict);
  }

  public static Expr num(double v) {
    return Const.of(v);
  }

  public static boolean isZero(Expr e) {
    return e instanceof Const c && c.value() instanceof Number n && n.doubleValue() == 0;
  }

  // ---------------------------------------------------------------- canonical form

  /** Whether folding a/b into one coefficient rounds exactly as the division would. */
  private static boolean exact(double a, double b) {
    return b != 0 && (isPowerOfTwo(Math.abs(b)) || a % b == 0);
  }

  private static boolean isPowerOfTwo(double x) {
    return x >= Double.MIN_NORMAL && (Double.doubleToRawLongBits(x) & 0xFFFFFFFFFFFFFL) == 0;
  }

  /**
   * The expression as a sum of terms, like terms merged. {@code depth} counts the sums that are
   * factors around e; beyond {@link #NESTING} they are not opened.
   */
  private static Terms terms(Expr e, int depth) {
    if (e instanceof Const c && c.type() != Type.BOOLEAN) {
      Terms out = new Terms();
      if (c.asDouble() != 0) {
        out.append(new Term(c.asDouble(), List.of(), List.of()));
      }
      return out;
    }
    if (e instanceof Apply a && a.type() == Type.DOUBLE) {
      switch (a.op()) {
        case ADD -> {
          Terms out = terms(a.arg(0), depth);
          for (Term t : terms(a.arg(1), depth).list()) {
            out.merge(t);
          }
          return out;
        }
        case SUB -> {
          Terms out = terms(a.arg(0), depth);
          for (Term t : terms(a.arg(1), depth).list()) {
            out.merge(t.scaled(-1));
          }
          return out;
        }
        case NEG -> {
          return terms(a.arg(0), depth).scaled(-1);
        }
        default -> { }
      }
    }
    Terms out = new Terms();
    out.append(asProduct(e, depth));
    return out;
  }

  /**
   * The expression as one term; a sum becomes a single factor. The term's lists are new and
   * mutable: a product's operands are joined in place, so a chain of k factors costs O(k).
   */
  private static Term asProduct(Expr e, int depth) {
    if (e instanceof Const c && c.type() != Type.BOOLEAN) {
      return new Term(c.asDouble(), new ArrayList<>(), new ArrayList<>());
    }
    if (e instanceof Apply a && a.type() == Type.DOUBLE) {
      switch (a.op()) {
        case MUL -> {
          Term l = asProduct(a.arg(0), depth);
          Term r = asProduct(a.arg(1), depth);
          return new Term(l.coef * r.coef, join(l.num, r.num), join(l.den, r.den));
        }
        case DIV -> {
          Term l = asProduct(a.arg(0), depth);
          Term r = asProduct(a.arg(1), depth);
          if (r.coef != 0 && exact(l.coef, r.coef)) {
            return new Term(l.coef / r.coef, join(l.num, r.den), join(l.den, r.num));
          }
        }
        case NEG -> {
          Terms inner = terms(a.arg(0), depth);
          if (inner.size() == 1) {
            return fresh(inner.list().get(0).scaled(-1));
          }
        }
        default -> { }
      }
      if ((a.op() == Op.ADD || a.op() == Op.SUB) && depth < NESTING) {
        List<Term> inner = terms(a, depth + 1).list();
        if (inner.isEmpty()) {
          return new Term(0, new ArrayList<>(), new ArrayList<>());
        }
        if (inner.size() == 1) {
          return fresh(inner.get(0));
        }
        Expr sum = build(inner);
        return new Term(1, single(sum), new ArrayList<>());
      }
    }
    return new Term(1, single(e), new ArrayList<>());
  }

  /** a followed by b, in whichever of the two (both new and mutable) is longer. */
  private static List<Expr> join(List<Expr> a, List<Expr> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.size() >= b.size()) {
      a.addAll(b);
      return a;
    }
    b.addAll(0, a);
    return b;
  }

  private static List<Expr> single(Expr e) {
    List<Expr> out = new ArrayList<>();
    out.add(e);
    return out;
  }

  private static Term fresh(Term t) {
    return new Term(t.coef, new ArrayList<>(t.num), new ArrayList<>(t.den));
  }

  /** Cancels factors that appear both above and below the line. */
  private static Term cancel(Term t) {
    List<Expr> num = new ArrayList<>(t.num);
    List<Expr> den = new ArrayList<>();
    for (Expr d : t.den) {
      if (!num.remove(d)) {
        den.add(d);
      }
    }
    return new Term(t.coef, num, den);
  }

  private static boolean sameMultiset(List<Expr> a, List<Expr> b) {
    if (a.size() != b.size()) {
      return false;
    }
    if (a.equals(b)) {
      return true; // the same factors in the same order: the usual case
    }
    if (a.size() > 16 && multisetHash(a) != multisetHash(b)) {
      return false;
    }
    List<Expr> rest = new ArrayList<>(b);
    for (Expr x : a) {
      if (!rest.remove(x)) {
        return false;
      }
    }
    return true;
  }

  private static int multisetHash(List<Expr> factors) {
    int h = 0;
    for (Expr f : factors) {
      h += hash(f, HASH_DEPTH);
    }
    return h;
  }

  /**
   * A hash consistent with {@link Expr#equals} that looks only {@code depth} levels down, so
   * that hashing a factor costs O(1) however deep it is (records hash their whole tree).
   */
  private static int hash(Expr e, int depth) {
    if (e instanceof Const c) {
      return c.type().hashCode() * 31 + (c.value() == null ? 0 : c.value().hashCode());
    }
    if (e instanceof Expr.Ref r) {
      return System.identityHashCode(r.var()); // variables are equal only to themselves
    }
    if (e instanceof Apply a) {
      int h = a.op().hashCode() * 31 + a.args().size();
      if (depth > 0) {
        for (Expr x : a.args()) {
          h = h * 31 + hash(x, depth - 1);
        }
      }
      return h;
    }
    return e.getClass().hashCode();
  }

  private static Expr build(List<Term> terms) {
    Expr sum = null;
    // a positive term first reads better: "b - a" rather than "-a + b"
    List<Term> ordered = new ArrayList<>(terms);
    for (int i = 0; i < ordered.size(); i++) {
      if (ordered.get(i).coef > 0) {
        ordered.add(0, ordered.remove(i));
        break;
      }
    }
    for (Term t : ordered) {
      if (sum == null) {
        sum = product(t);
      } else if (t.coef < 0) {
        sum = new Apply(Op.SUB, List.of(sum, product(t.scaled(-1))), Type.DOUBLE);
      } else {
        sum = new Apply(Op.ADD, List.of(sum, product(t)), Type.DOUBLE);
      }
    }
    return sum == null ? Const.ZERO : sum;
  }

  private static Expr product(Term t) {
    if (t.coef == -1 || t.coef < 0 && t.num.isEmpty() && !t.den.isEmpty()) {
      return new Apply(Op.NEG, List.of(product(t.scaled(-1))), Type.DOUBLE);
    }
    Expr p = null;
    if (t.coef != 1 || t.num.isEmpty()) {
      p = Const.of(t.coef);
    }
    for (Expr f : t.num) {
      p = p == null ? f : new Apply(Op.MUL, List.of(p, f), Type.DOUBLE);
    }
    for (Expr d : t.den) {
      p = new Apply(Op.DIV, List.of(p, d), Type.DOUBLE);
    }
    return p;
  }
}
