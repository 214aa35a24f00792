package dev.adjoint.processor.errors;

import static dev.adjoint.processor.errors.Sources.body;
import static dev.adjoint.processor.errors.Sources.model;

import com.google.testing.compile.Compilation;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * One compile shows every problem: several unsupported constructs are all reported, each on its
 * own line, before the processor gives up; and a rejected construct does not drag misleading
 * follow-up errors along.
 */
class AllErrorsReportedTest {
  private static final String UNSUPPORTED = "[AdjointUnsupported]";

  @Test
  void twoUnsupportedStatementsInOneMethod() {
    String src = body("""
        double y = x;
        synchronized (Model.class) {
          y = 2 * x;
        }
        try {
          y = Math.log(y);
        } catch (ArithmeticException e) {
          y = 0;
        }
        return y;
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int syncLine = lineOf(src, "synchronized (Model.class)");
    int tryLine = lineOf(src, "try {");
    Sources.errorAt(c, f, syncLine, UNSUPPORTED, "synchronized");
    Sources.errorAt(c, f, tryLine, UNSUPPORTED, "try/catch");
    Sources.onlyAdjointErrorsOn(c, f, List.of(syncLine, tryLine));
  }

  @Test
  void aParameterTypeErrorAndTheBodysErrorsInOneCompile() {
    String src = model("""
        @Differentiable
        public static double f(double x, StringBuilder label) {
          double y = x * 2.5f;
          return y + label.length();
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int signature = lineOf(src, "StringBuilder label");
    int body = lineOf(src, "2.5f");
    Sources.errorAt(c, f, signature, "[AdjointParamType]", "label");
    Sources.errorAt(c, f, body, UNSUPPORTED, "float literal");
    // the uses of the rejected parameter are not reported again
    Sources.onlyAdjointErrorsOn(c, f, List.of(signature, body));
  }

  @Test
  void threeUnsupportedExpressionsOnThreeLines() {
    String src = model("""
        static double scale = 2;

        @Differentiable
        public static double f(double x) {
          double a = x * 2.5f;
          double b = a * scale;
          double c = b;
          c = a = b;
          return c;
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int floatLine = lineOf(src, "2.5f");
    int fieldLine = lineOf(src, "a * scale");
    int chainLine = lineOf(src, "c = a = b");
    Sources.errorAt(c, f, floatLine, UNSUPPORTED, "float literal");
    Sources.errorAt(c, f, fieldLine, UNSUPPORTED, "field 'scale'");
    Sources.errorAt(c, f, chainLine, UNSUPPORTED, "assignment inside an expression");
    Sources.onlyAdjointErrorsOn(c, f, List.of(floatLine, fieldLine, chainLine));
  }

  @Test
  void unsupportedConstructsInAConditionAndBothBranches() {
    String src = body("""
        double y;
        if (x > 1.5f) {
          y = Double.parseDouble("2");
        } else {
          y = apply(Math::exp, x);
        }
        return y;
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int cond = lineOf(src, "1.5f");
    int then = lineOf(src, "parseDouble");
    int otherwise = lineOf(src, "Math::exp");
    Sources.errorAt(c, f, cond, UNSUPPORTED, "float literal");
    Sources.errorAt(c, f, then, UNSUPPORTED, "\"2\"");
    Sources.errorAt(c, f, otherwise, UNSUPPORTED, "method reference");
    Sources.onlyAdjointErrorsOn(c, f, List.of(cond, then, otherwise));
  }

  @Test
  void errorsAmongTheNewConstructsAreAllReported() {
    // n-D arrays across calls, String parameters, n-D fields: each mistake on its own line
    String src = model("""
        static final double[][] TABLE = {{1, 2}, {3, 4}};

        private static double[][] outer(double[] v) {
          return new double[][] {{v[0] * v[0], v[0] * v[1]}, {v[1] * v[0], v[1] * v[1]}};
        }

        private static double first(double[] r) {
          return r[0];
        }

        @Differentiable
        public static double f(double[] v, double[][] a, String mode) {
          double[][][] m = outer(v);
          TABLE[0][1] = v[0];
          double s = first(a[0]) + a[1][0];
          a[0][0] = s;
          s += mode.length();
          switch (mode) {
            case "x":
              s += 1.5f;
              break;
            default:
              s += first(TABLE[1]);
          }
          return s;
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int rank = lineOf(src, "double[][][] m = outer(v)");
    int field = lineOf(src, "TABLE[0][1] = v[0]");
    int param = lineOf(src, "a[0][0] = s");
    int string = lineOf(src, "mode.length()");
    int literal = lineOf(src, "1.5f");
    Sources.errorAt(c, f, rank, UNSUPPORTED, "double[][][] holding a double[][]");
    Sources.errorAt(c, f, field, UNSUPPORTED, "writing into field array 'TABLE'");
    Sources.errorAt(c, f, param, UNSUPPORTED, "writing to parameter array 'a'");
    Sources.errorAt(c, f, string, UNSUPPORTED, "mode.length() on a String");
    Sources.errorAt(c, f, literal, UNSUPPORTED, "float literal");
    Sources.onlyAdjointErrorsOn(c, f, List.of(rank, field, param, string, literal));
  }

  @Test
  void everyBadParameterIsReported() {
    String src = model("""
        @Differentiable
        public static double f(double x,
            float y,
            Object label,
            double value) {
          return x;
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int y = lineOf(src, "float y");
    int label = lineOf(src, "Object label");
    int value = lineOf(src, "double value");
    Sources.errorAt(c, f, y, "[AdjointParamType]", "parameter y", "float");
    Sources.errorAt(c, f, label, "[AdjointParamType]", "parameter label", "Object");
    Sources.errorAt(c, f, value, "[AdjointReservedName]", "'value'");
    Sources.onlyAdjointErrorsOn(c, f, List.of(y, label, value));
  }

  @Test
  void everySignatureProblemIsReported() {
    String src = model("""
        @Differentiable
        static <T> float f(double... xs) throws Exception {
          return 0;
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int line = lineOf(src, "static <T> float f");
    Sources.errorAt(c, f, line, "[AdjointReturnType]", "float");
    Sources.errorAt(c, f, line, "[AdjointGeneric]");
    Sources.errorAt(c, f, line, "[AdjointVarargs]");
    Sources.errorAt(c, f, line, "[AdjointThrows]");
    Sources.onlyAdjointErrorsOn(c, f, List.of(line));
  }

  /**
   * A signature problem that does not stop the body from being read (here: the method is not
   * allowed to throw) must not hide the body's problems: the user would otherwise fix one, recompile, and
   * only then learn of the next.
   */
  @Test
  void signatureAndBodyProblemsAreBothReported() {
    String src = model("""
        @Differentiable
        public static double f(double x, int n) throws Exception {
          double y = x;
          synchronized (Model.class) {
            y = 2 * x;
          }
          return y;
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int sig = lineOf(src, "public static double f");
    int sw = lineOf(src, "synchronized (Model.class)");
    Sources.errorAt(c, f, sig, "[AdjointThrows]");
    Sources.errorAt(c, f, sw, UNSUPPORTED, "synchronized");
    Sources.onlyAdjointErrorsOn(c, f, List.of(sig, sw));
  }

  /** Everything inside a rejected block (a synchronized block) is still checked, labelled loops too. */
  @Test
  void problemsInsideARejectedBlockAndALabelledLoopAreReported() {
    String src = body("""
        double s = 0;
        synchronized (Model.class) {
          outer: for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              if (j > i) {
                continue outer;
              }
              s += x * 0.5f;
            }
          }
        }
        return s;
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int sync = lineOf(src, "synchronized (Model.class)");
    int flt = lineOf(src, "0.5f");
    Sources.errorAt(c, f, sync, UNSUPPORTED, "synchronized");
    Sources.errorAt(c, f, flt, UNSUPPORTED, "float literal");
    Sources.onlyAdjointErrorsOn(c, f, List.of(sync, flt));
  }

  @Test
  void errorsInSeveralMethodsAreAllReportedAndAValidMethodGetsNone() {
    String src = model("""
        @Differentiable
        public static double good(double x) {
          return x * x;
        }

        @Differentiable
        public static double first(double x) {
          return x * 2.5f;
        }

        @Differentiable
        public static double second(double x, int n) {
          double y = x;
          synchronized (Model.class) {
            y = y * n;
          }
          return y;
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int a = lineOf(src, "2.5f");
    int b = lineOf(src, "synchronized");
    Sources.errorAt(c, f, a, UNSUPPORTED, "float literal", "Model.first");
    Sources.errorAt(c, f, b, UNSUPPORTED, "synchronized", "Model.second");
    Sources.onlyAdjointErrorsOn(c, f, List.of(a, b));
  }

  @Test
  void errorsInTwoClassesAreReportedInTheirOwnFiles() {
    String modelSrc = model("""
        @Differentiable
        public static double f(double x) {
          return x * 2.5f;
        }
        """);
    String otherSrc = """
        package p;

        import dev.adjoint.Differentiable;

        public final class Other {
          @Differentiable
          public static double g(double x, int n) {
            double y = x;
            synchronized (Other.class) {
              y = x * x;
            }
            return y;
          }
        }
        """;
    JavaFileObject model = Sources.file("p.Model", modelSrc);
    JavaFileObject other = Sources.file("p.Other", otherSrc);
    Compilation c = Sources.compile(model, other);
    Sources.failedCleanly(c);
    Sources.errorAt(c, model, lineOf(modelSrc, "2.5f"), UNSUPPORTED, "float literal", "Model.f");
    Sources.errorAt(c, other, lineOf(otherSrc, "synchronized (Other.class)"), UNSUPPORTED, "synchronized", "Other.g");
  }

  /**
   * A rejected array declaration is still a declared local: its later uses must not produce
   * follow-up errors that call a perfectly named local array an unsupported "array expression".
   */
  @Test
  void aRejectedArrayDeclarationCausesNoFollowUpErrors() {
    String src = body("""
        double[] a;
        double s = a[0] * x;
        for (int i = 0; i < n; i++) {
          int[] t = {1, x};
          t[0] = 2;
          s += t[0] * a[1];
        }
        return s;
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int noInit = lineOf(src, "double[] a;");
    int element = lineOf(src, "{1, x}");
    Sources.errorAt(c, f, noInit, UNSUPPORTED, "array declared without an initializer");
    Sources.errorAt(c, f, element, UNSUPPORTED, "double element in a int[] initializer");
    Sources.onlyAdjointErrorsOn(c, f, List.of(noInit, element));
  }

  /** A rejected local of an unsupported type does not make its uses "unknown" either. */
  @Test
  void aRejectedLocalCausesNoFollowUpErrors() {
    String src = body("""
        float k = 2;
        double y = x * k;
        return y;
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int decl = lineOf(src, "float k");
    Sources.errorAt(c, f, decl, UNSUPPORTED, "float");
    Sources.onlyAdjointErrorsOn(c, f, List.of(decl));
  }

  /**
   * An unusable {@code @Derivative} is reported where it is declared; a caller of the original
   * may get an error at its call too (Clad reports both), but nothing else, and no generated code
   * that javac then rejects.
   */
  @Test
  void anInvalidDerivativeWithACaller() {
    String src = model("""
        public static double softplus(double x) {
          return Math.log1p(Math.exp(x));
        }

        @Derivative(of = "softplus")
        public static double[] softplusDerivative(double x) {
          return new double[] {1 / (1 + Math.exp(-x))};
        }

        @Differentiable
        public static double f(double x) {
          return 2 * softplus(x);
        }
        """);
    JavaFileObject f = Sources.file("p.Model", src);
    Compilation c = Sources.compile(f);
    Sources.failedCleanly(c);
    int decl = lineOf(src, "double[] softplusDerivative");
    int call = lineOf(src, "2 * softplus(x)");
    Sources.errorAt(c, f, decl, "[AdjointDerivative]", "must return double");
    Sources.onlyAdjointErrorsOn(c, f, List.of(decl, call));
  }

  /** 1-based line of the only line containing {@code text}. */
  static int lineOf(String source, String text) {
    List<String> lines = source.lines().toList();
    int found = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        if (found >= 0) {
          throw new IllegalArgumentException("'" + text + "' is on more than one line");
        }
        found = i + 1;
      }
    }
    if (found < 0) {
      throw new IllegalArgumentException("'" + text + "' is not in the source");
    }
    return found;
  }
}
