package dev.adjoint.processor.diff;

import dev.adjoint.processor.graph.Expr;
import dev.adjoint.processor.graph.Expr.Apply;
import dev.adjoint.processor.graph.Expr.Const;
import dev.adjoint.processor.graph.Op;
import dev.adjoint.processor.graph.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds derivative expressions already simplified: constants fold, {@code *1} and {@code +0}
 * vanish, and equal terms combine ({@code a*b + a*b} becomes {@code 2*a*b}). An expression is
 * seen as a sum of terms, each a coefficient times factors over divisors; sums inside products
 * stay factors (nothing is expanded), so the result never grows beyond what was asked for.
 */
public final class Sym {
  private Sym() {}

  /** coefficient * (product of num) / (product of den). */
  private record Term(double coef, List<Expr> num, List<Expr> den) {
    Term scaled(double c) {
      return new Term(coef * c, num, den);
    }

    boolean sameFactors(Term o) {
      return sameMultiset(num, o.num) && sameMultiset(den, o.den);
    }
  }

  public static Expr add(Expr a, Expr b) {
    if (a.type() == Type.TENSOR || b.type() == Type.TENSOR) {
      // tensors: no algebra beyond dropping zeros
      return isZero(a) ? b : isZero(b) ? a : new Apply(Op.T_ADD, List.of(a, b), Type.TENSOR);
    }
    List<Term> terms = new ArrayList<>(terms(a));
    for (Term t : terms(b)) {
      merge(terms, t);
    }
    return build(terms);
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
    return build(terms(a).stream().map(t -> t.scaled(-1)).toList());
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
    Term ta = asProduct(a);
    Term tb = asProduct(b);
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
    Term ta = asProduct(a);
    Term tb = asProduct(b);
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

  private static List<Term> terms(Expr e) {
    if (e instanceof Const c && c.type() != Type.BOOLEAN) {
      return c.asDouble() == 0 ? List.of() : List.of(new Term(c.asDouble(), List.of(), List.of()));
    }
    if (e instanceof Apply a && a.type() == Type.DOUBLE) {
      switch (a.op()) {
        case ADD -> {
          List<Term> out = new ArrayList<>(terms(a.arg(0)));
          for (Term t : terms(a.arg(1))) {
            merge(out, t);
          }
          return out;
        }
        case SUB -> {
          List<Term> out = new ArrayList<>(terms(a.arg(0)));
          for (Term t : terms(a.arg(1))) {
            merge(out, t.scaled(-1));
          }
          return out;
        }
        case NEG -> {
          return terms(a.arg(0)).stream().map(t -> t.scaled(-1)).toList();
        }
        default -> { }
      }
    }
    return List.of(asProduct(e));
  }

  /** The expression as one term; a sum becomes a single factor. */
  private static Term asProduct(Expr e) {
    if (e instanceof Const c && c.type() != Type.BOOLEAN) {
      return new Term(c.asDouble(), List.of(), List.of());
    }
    if (e instanceof Apply a && a.type() == Type.DOUBLE) {
      switch (a.op()) {
        case MUL -> {
          Term l = asProduct(a.arg(0));
          Term r = asProduct(a.arg(1));
          List<Expr> num = new ArrayList<>(l.num);
          num.addAll(r.num);
          List<Expr> den = new ArrayList<>(l.den);
          den.addAll(r.den);
          return new Term(l.coef * r.coef, num, den);
        }
        case DIV -> {
          Term l = asProduct(a.arg(0));
          Term r = asProduct(a.arg(1));
          if (r.coef != 0 && exact(l.coef, r.coef)) {
            List<Expr> num = new ArrayList<>(l.num);
            num.addAll(r.den);
            List<Expr> den = new ArrayList<>(l.den);
            den.addAll(r.num);
            return new Term(l.coef / r.coef, num, den);
          }
        }
        case NEG -> {
          List<Term> inner = terms(a.arg(0));
          if (inner.size() == 1) {
            return inner.get(0).scaled(-1);
          }
        }
        default -> { }
      }
      if ((a.op() == Op.ADD || a.op() == Op.SUB)) {
        List<Term> inner = terms(a);
        if (inner.isEmpty()) {
          return new Term(0, List.of(), List.of());
        }
        if (inner.size() == 1) {
          return inner.get(0);
        }
        Expr sum = build(inner);
        return new Term(1, List.of(sum), List.of());
      }
    }
    return new Term(1, List.of(e), List.of());
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

  private static void merge(List<Term> terms, Term t) {
    if (t.coef == 0) {
      return;
    }
    for (int i = 0; i < terms.size(); i++) {
      if (terms.get(i).sameFactors(t)) {
        double c = terms.get(i).coef + t.coef;
        if (c == 0) {
          terms.remove(i);
        } else {
          terms.set(i, new Term(c, terms.get(i).num, terms.get(i).den));
        }
        return;
      }
    }
    terms.add(t);
  }

  private static boolean sameMultiset(List<Expr> a, List<Expr> b) {
    if (a.size() != b.size()) {
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
