package dev.adjoint.processor.errors;

import static dev.adjoint.processor.errors.Sources.body;
import static dev.adjoint.processor.errors.Sources.model;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.testing.compile.Compilation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of single mistakes: each source holds exactly one construct Adjoint rejects, and
 * must fail with an error that carries the right id and says what is wrong and what to do, on the
 * line marked {@code // <- error} (several marks: an error on each), and nowhere else. javac must
 * accept the source otherwise, the processor must not crash, and nothing may be generated.
 */
class ErrorCatalogTest {

  /** One row of the table. {@code extra} are further compilation units (qualified name, source). */
  record Case(String name, String source, String id, List<String> fragments, List<String> extra) {
    @Override
    public String toString() {
      return name;
    }

    Case with(String qualifiedName, String otherSource) {
      List<String> more = new ArrayList<>(extra);
      more.add(qualifiedName);
      more.add(otherSource);
      return new Case(name, source, id, fragments, more);
    }
  }

  private static Case c(String name, String source, String id, String... fragments) {
    return new Case(name, source, id, List.of(fragments), List.of());
  }

  static final String UNSUPPORTED = "[AdjointUnsupported]";

  static Stream<Case> cases() {
    return Stream.of(
        // ------------------------------------------------------------ signature
        c("static method reading an instance field", model("""
            double w = 2;

            @Differentiable
            public static double f(double x) {
              return w * x; // <- error
            }
            """), UNSUPPORTED, "field 'w'", "instance method"),
        c("return type int", model("""
            @Differentiable
            public static int f(double x) { // <- error
              return (int) x;
            }
            """), "[AdjointReturnType]", "Model.f", "returns int", "double"),
        c("return type float", model("""
            @Differentiable
            public static float f(double x) { // <- error
              return (float) x;
            }
            """), "[AdjointReturnType]", "Model.f", "returns float", "double"),
        c("return type String", model("""
            @Differentiable
            public static String f(double x) { // <- error
              return "x=" + x;
            }
            """), "[AdjointReturnType]", "Model.f", "returns java.lang.String", "double"),
        c("return type void", model("""
            @Differentiable
            public static void f(double x) { // <- error
            }
            """), "[AdjointReturnType]", "Model.f", "returns void", "double"),
        c("parameter of type float", model("""
            @Differentiable
            public static double f(double x,
                float y) { // <- error
              return x * y;
            }
            """), "[AdjointParamType]", "parameter y", "Model.f", "float", "supported", "double"),
        c("a String parameter used other than by equals or switch", model("""
            @Differentiable
            public static double f(double x, String label) {
              return x * label.length(); // <- error
            }
            """), UNSUPPORTED, "label.length() on a String", "equals", "switch on it"),
        c("parameter of type Object", model("""
            @Differentiable
            public static double f(double x,
                Object o) { // <- error
              return x;
            }
            """), "[AdjointParamType]", "parameter o", "Object", "supported", "double"),
        c("parameter of type float[]", model("""
            @Differentiable
            public static double f(double x,
                float[] counts) { // <- error
              return x * counts.length;
            }
            """), "[AdjointParamType]", "parameter counts", "float[]", "supported", "int[]"),
        c("generic method", model("""
            @Differentiable
            public static <T> double f(double x) { // <- error
              return x * x;
            }
            """), "[AdjointGeneric]", "Model.f", "generic"),
        c("varargs", model("""
            @Differentiable
            public static double f(double... xs) { // <- error
              return xs[0];
            }
            """), "[AdjointVarargs]", "Model.f", "varargs", "double[]"),
        c("throws clause", model("""
            @Differentiable
            public static double f(double x) throws Exception { // <- error
              return x;
            }
            """), "[AdjointThrows]", "Model.f", "thrown exceptions"),
        c("parameter named value", model("""
            @Differentiable
            public static double f(double x,
                double value) { // <- error
              return x * value;
            }
            """), "[AdjointReservedName]", "'value'", "rename"),
        // A mistake inside an annotation's value belongs on the annotation's line (javac's own
        // annotation errors, Swift's @differentiable(wrt:) and Messager.printMessage(kind, msg, e,
        // annotationMirror, annotationValue) all point there), not on the method's name.
        c("wrt names a missing parameter", model("""
            @Differentiable(wrt = {"x", "z"}) // <- error
            public static double f(double x, double y) {
              return x * y;
            }
            """), "[AdjointWrtUnknown]", "'z'", "Model.f", "x, y"),
        c("wrt names an int parameter", model("""
            @Differentiable(wrt = {"x", "n"}) // <- error
            public static double f(double x, int n) {
              return x * n;
            }
            """), "[AdjointWrtType]", "'n'", "int", "double"),
        c("wrt names a long parameter", model("""
            @Differentiable(wrt = "k") // <- error
            public static double f(double x, long k) {
              return x * k;
            }
            """), "[AdjointWrtType]", "'k'", "long"),
        c("wrt names a parameter twice", model("""
            @Differentiable(wrt = {"x", "x"}) // <- error
            public static double f(double x, double y) {
              return x * y;
            }
            """), "[AdjointWrtDuplicate]", "'x'", "twice"),
        c("no double parameter", model("""
            @Differentiable
            public static double f(int n, boolean flag) { // <- error
              return flag ? n : 0;
            }
            """), "[AdjointNoInputs]", "Model.f", "differentiate"),
        c("method in an inner (non-static) class", model("""
            public class Inner {
              @Differentiable
              public static double f(double x) { // <- error
                return x * x;
              }
            }
            """), "[AdjointInnerClass]", "inner", "static nested"),

        // no body to read: must be a clear error, not an internal one (no specific id exists yet)
        c("native method", model("""
            @Differentiable
            public static native double f(double x); // <- error
            """), "[Adjoint", "Model.f", "native"),

        // ------------------------------------------------------------ statements
        // switch on int, on static final enum fields and on String constants is supported
        c("switch on a mutable enum field", model("""
            enum Mode { A, B }
            static Mode mode = Mode.A;

            @Differentiable
            public static double f(double x) {
              switch (mode) { // <- error
                case A:
                  return x;
                default:
                  return 2 * x;
              }
            }
            """), UNSUPPORTED, "switch on 'mode'", "Model.f", "static final enum field"),
        c("switch on a double", body("""
            double y = 0;
            switch (x) { // <- error
              default -> y = x;
            }
            return y;
            """), UNSUPPORTED, "switch on a double", "Model.f", "int"),
        c("switch expression with block arms in a loop condition", body("""
            double s = x;
            while (switch (n) { case 0 -> { boolean b = s < 10; yield b; } default -> s < 5; }) { // <- error
              s = s * 2;
            }
            return s;
            """), UNSUPPORTED, "switch expression with block arms in a loop header", "Model.f", "local"),
        c("switch expression with block arms right of &&", body("""
            boolean ok = n < xs.length && switch (n) { case 0 -> { boolean b = xs[n] > 0; yield b; } default -> false; }; // <- error
            return ok ? x : -x;
            """), UNSUPPORTED, "switch expression with block arms", "larger expression", "assign it to a local"),
        c("try/catch", body("""
            double y;
            try { // <- error
              y = Math.log(x);
            } catch (ArithmeticException e) {
              y = 0;
            }
            return y;
            """), UNSUPPORTED, "try/catch", "Model.f", "move"),
        c("throw", body("""
            if (x < 0) {
              throw new IllegalArgumentException("negative"); // <- error
            }
            return Math.sqrt(x);
            """), UNSUPPORTED, "throw", "Model.f", "caller"),
        c("synchronized block", body("""
            double y = x;
            synchronized (Model.class) { // <- error
              y = y * y;
            }
            return y;
            """), UNSUPPORTED, "synchronized", "remove"),
        c("assert", body("""
            assert x > 0; // <- error
            return x;
            """), UNSUPPORTED, "assert", "caller"),
        c("local class declaration", body("""
            class Helper { } // <- error
            return x;
            """), UNSUPPORTED, "local type declaration", "outside the method"),
        c("labelled continue of a block", body("""
            double s = 0;
            block: {
              for (int i = 0; i < n; i++) {
                continue block; // <- error
              }
            }
            return s;
            """), UNSUPPORTED, "continue block", "continue a loop that encloses it"),
        c("call whose result is discarded", body("""
            Math.sin(x); // <- error
            return x;
            """), UNSUPPORTED, "discarded", "use the call's value"),

        // ------------------------------------------------------------ expressions
        c("lambda", body("""
            return apply(t -> t * t, x); // <- error
            """), UNSUPPORTED, "lambda", "static method"),
        c("method reference", body("""
            return apply(Math::sin, x); // <- error
            """), UNSUPPORTED, "method reference", "static method"),
        c("new Object() in a local", body("""
            Object o = new Object(); // <- error
            return x;
            """), UNSUPPORTED, "Object", "double, int, long, boolean"),
        c("new StringBuilder() in an expression", body("""
            double y = x + (new StringBuilder() != null ? 1 : 0); // <- error
            return y;
            """), UNSUPPORTED, "new StringBuilder", "double, int, long, boolean"),
        c("String literal", body("""
            return x * Double.parseDouble("1.5"); // <- error
            """), UNSUPPORTED, "\"1.5\"", "numbers"),
        c("String local", body("""
            String s = "x"; // <- error
            return x;
            """), UNSUPPORTED, "String", "double, int, long, boolean"),
        c("float literal", body("""
            return x * 2.5f; // <- error
            """), UNSUPPORTED, "float literal", "double literal"),
        c("float local", body("""
            float y = 1; // <- error
            return x * 2;
            """), UNSUPPORTED, "float", "double, int, long, boolean"),
        c("cast to float", body("""
            double y = (float) x; // <- error
            return y;
            """), UNSUPPORTED, "float", "double"),
        c("bit operation on a double", body("""
            return x * (n << 1) * (x & 1); // <- error
            """), UNSUPPORTED, "'&' between double and int", "int or long"),
        c("assignment to a static non-final field", model("""
            static double last;

            @Differentiable
            public static double f(double x) {
              last = x; // <- error
              return x;
            }
            """), UNSUPPORTED, "field 'last'", "local"),
        c("assignment to a qualified static field", model("""
            static double last;

            @Differentiable
            public static double f(double x) {
              Model.last = x; // <- error
              return x;
            }
            """), UNSUPPORTED, "Model.last", "fields"),
        c("compound assignment to a static field", model("""
            static double total;

            @Differentiable
            public static double f(double x) {
              total += x; // <- error
              return x;
            }
            """), UNSUPPORTED, "field 'total'"),
        c("reading a non-final static field", model("""
            static double scale = 2;

            @Differentiable
            public static double f(double x) {
              return scale * x; // <- error
            }
            """), UNSUPPORTED, "field 'scale'", "static final", "parameters"),
        c("reading an instance field", model("""
            static final Model INSTANCE = new Model();
            double w = 2;

            @Differentiable
            public static double f(double x) {
              return INSTANCE.w * x; // <- error
            }
            """), UNSUPPORTED, "field 'w'", "parameters"),
        c("chained assignment a = b = c", body("""
            double a;
            double b;
            a = b = x; // <- error
            return a + b;
            """), UNSUPPORTED, "assignment inside an expression", "statement of its own"),
        c("assignment inside a condition", body("""
            double a = 0;
            if ((a = x) > 1) { // <- error
              return a;
            }
            return a * 2;
            """), UNSUPPORTED, "assignment inside an expression", "statement of its own"),
        c("i++ inside an expression", body("""
            int i = 0;
            double y = xs[i++] * x; // <- error
            return y + i;
            """), UNSUPPORTED, "i++", "statement of its own"),
        c("compound assignment that narrows", body("""
            int k = 1;
            k += x; // <- error
            return k;
            """), UNSUPPORTED, "narrows double to int", "cast"),
        c("writing a parameter array element", body("""
            xs[0] = x; // <- error
            return xs[0];
            """), UNSUPPORTED, "parameter array 'xs'", "copy"),
        c("declaring an array without creating it", body("""
            double s = 0;
            for (int i = 0; i < n; i++) {
              double[] t; // <- error
            }
            return s + x;
            """), UNSUPPORTED, "array declared without an initializer", "new double[n]"),
        c("a double element in an int[] initializer", body("""
            if (n > 0) {
              int[] t = {1, n, 2 * x}; // <- error
            }
            return x;
            """), UNSUPPORTED, "double element in a int[] initializer", "conversion"),
        c("storing a double in an int[]", body("""
            int[] k = new int[2];
            k[0] = x; // <- error
            return x;
            """), UNSUPPORTED, "storing a double in int[] 'k'", "(int)"),
        c("indexing a new array", body("""
            return new double[] {x, 2}[1]; // <- error
            """), UNSUPPORTED, "creating an array inside an expression", "local declaration"),
        c("creating an array inside an expression", body("""
            boolean b = x > 0 == new boolean[] {true}[0]; // <- error
            return b ? x : 2 * x;
            """), UNSUPPORTED, "creating an array inside an expression", "local declaration"),
        c("System.arraycopy into a parameter array", body("""
            System.arraycopy(xs, 0, xs, 1, 1); // <- error
            return x;
            """), UNSUPPORTED, "writing to parameter array 'xs'", "copy into a local"),
        c("reassigning an array variable", body("""
            double[] a = new double[2];
            double[] b = new double[2];
            a = b; // <- error
            return x;
            """), UNSUPPORTED, "reassigning array variable 'a'"),
        c("aliasing a parameter array", body("""
            double[] a = new double[2];
            a = xs; // <- error
            return x;
            """), UNSUPPORTED, "reassigning array variable 'a'"),
        // ------------------------------------------------------------ n-D arrays
        c("writing into an array field", model("""
            static final double[] W = {1, 2};

            @Differentiable
            public static double f(double x) {
              W[0] = x; // <- error
              return W[1] * x;
            }
            """), UNSUPPORTED, "writing into field array 'W'", "fields are data", "new double[W.length]"),
        c("writing into an n-D field", model("""
            static final double[][] TABLE = {{1, 2}, {3, 4}};

            @Differentiable
            public static double f(double x) {
              TABLE[0][1] = x; // <- error
              return TABLE[1][0] * x;
            }
            """), UNSUPPORTED, "writing into field array 'TABLE'", "copy into a local array"),
        c("a char[][] parameter", model("""
            @Differentiable
            public static double f(double x,
                char[][] counts) { // <- error
              return x * counts.length;
            }
            """), "[AdjointParamType]", "parameter counts", "char[][]", "supported", "double[][]", "long[][]"),
        c("writing a parameter matrix element", model("""
            @Differentiable
            public static double f(double[][] a) {
              a[0][0] = 1; // <- error
              return a[0][1];
            }
            """), UNSUPPORTED, "parameter array 'a'", "copy", "double[][] y = new double[n][n]"),
        c("writing a parameter's row through a row local", model("""
            @Differentiable
            public static double f(double[][] a) {
              double[] r = a[0];
              r[1] = 2; // <- error
              return r[0];
            }
            """), UNSUPPORTED, "parameter array 'a'", "copy"),
        c("naming a row while its index changes", model("""
            @Differentiable
            public static double f(double[][] a, int n) {
              int i = 0;
              double[] r = a[i]; // <- error
              i = n;
              return r[0] + a[i][0];
            }
            """), UNSUPPORTED, "naming row r = a[i] while 'i' changes", "a[i][j]"),
        c("a whole matrix copied by System.arraycopy", model("""
            @Differentiable
            public static double f(double[][] a) {
              double[][] r = new double[2][2];
              System.arraycopy(a, 0, r, 0, 2); // <- error
              return r[0][0] + a[0][1];
            }
            """), UNSUPPORTED, "copying the whole n-D array a", "copy its rows one by one"),
        c("an int[][][] local", body("""
            int[][][] t = new int[2][2][2]; // <- error
            return x;
            """), UNSUPPORTED, "int[][][]"),
        c("a matrix-valued method returning a copy", model("""
            @Differentiable
            public static double[][] f(double[] v) {
              double[][] m = {{v[0], v[1]}, {v[1], v[0]}};
              return m.clone(); // <- error
            }
            """), UNSUPPORTED, "returning m.clone()", "return a local double[][]"),
        c("a matrix from a call held in a local of another rank", model("""
            private static double[][] outer(double[] v) {
              return new double[][] {{v[0] * v[0], v[0] * v[1]}, {v[1] * v[0], v[1] * v[1]}};
            }

            @Differentiable
            public static double f(double[] v) {
              double[][][] m = outer(v); // <- error
              return m[0][1][0];
            }
            """), UNSUPPORTED, "double[][][] holding a double[][]", "declare it as double[][] m"),
        c("a row stored from an array written afterwards", body("""
            double[][] m = new double[2][];
            double[] v = {x, 2 * x};
            m[0] = v; // <- error
            v[1] = 3;
            return m[0][1] * x;
            """), UNSUPPORTED, "storing a row that stays shared (m[0] = v)", "written through 'v'", "line ",
            "v[1] = 3", "m[0] = v.clone()"),
        c("one scratch row stored into every row of a matrix", body("""
            double[][] m = new double[n][];
            double[] row = new double[2];
            for (int i = 0; i < n; i++) {
              row[0] = x * i;
              m[i] = row; // <- error
            }
            return m[0][0];
            """), UNSUPPORTED, "storing a row that stays shared (m[i] = row)", "row[0] = x * i", "m[i] = row.clone()"),
        c("a parameter stored as a row, then written through the matrix", body("""
            double[][] m = new double[2][];
            m[0] = xs; // <- error
            m[0][0] = x;
            return m[0][0] * xs[0];
            """), UNSUPPORTED, "storing a row that stays shared (m[0] = xs)", "written through 'm'", "m[0][0] = x",
            "change 'xs' too", "m[0] = xs.clone()"),
        c("a row replaced while a name for one of its rows is in use", body("""
            double[][] m = new double[2][2];
            double[] r = m[0];
            m[0] = new double[3]; // <- error
            return r[0] * x;
            """), UNSUPPORTED, "replacing a row of 'm' (m[0] = new double[3]) while 'r' names one of its rows",
            "m[i][j]"),
        c("a row stored from a conditional", body("""
            double[][] m = new double[2][];
            m[0] = x > 0 ? xs : new double[2]; // <- error
            return m[0][0];
            """), UNSUPPORTED, "storing x > 0 ? xs : new double[2] into the row m[0]", "m[0] = v"),
        c("a 2-D array stored as a slab of a 3-D one", body("""
            double[][][] t = new double[2][][];
            double[][] a = {{x}};
            t[0] = a; // <- error
            return t[0][0][0];
            """), UNSUPPORTED, "storing a as the double[][] t[0]", "t[0] = new double[r][]", "t[0][j] = ..."),
        c("an existing array as a row of a matrix initializer", body("""
            double[][] t = {{1, 2},
                xs}; // <- error
            return x * t[1][0];
            """), UNSUPPORTED, "the row xs in a double[][] initializer", "{a, b}", "rows cannot be aliased"),
        c("a boolean element in a matrix initializer", body("""
            if (n > 0) {
              double[][] t = {{1, x},
                  {x > 0}}; // <- error
            }
            return x;
            """), UNSUPPORTED, "boolean element in a double[][] initializer", "conversion"),
        c("reassigning a matrix variable", body("""
            double[][] a = new double[2][2];
            double[][] b = new double[2][2];
            a = b; // <- error
            return x;
            """), UNSUPPORTED, "reassigning array variable 'a'"),
        c("hessian with a Tensor parameter", model("""
            @Differentiable(hessian = true)
            public static double f(double x,
                dev.adjoint.tensor.Tensor a) { // <- error
              return x * a.sum();
            }
            """), "[AdjointMode]", "parameter 'a' is a Tensor", "hessian = true differentiates double and double[]"),
        c("hessian through a matrix passed to a helper", model("""
            private static double corner(double[][] m) {
              return m[0][0] * m[1][1];
            }

            @Differentiable(hessian = true)
            public static double f(double x) { // <- error
              double[][] m = {{x, 1}, {2, x}};
              return corner(m);
            }
            """), "[AdjointForward]", "the call of corner with an array argument that carries a derivative",
            "elements it needs as doubles"),
        c("calling an instance method", model("""
            double scale() {
              return 2;
            }

            @Differentiable
            public static double f(double x) {
              return x * new Model().scale(); // <- error
            }
            """), UNSUPPORTED, "instance method scale", "static"),

        // ------------------------------------------------------------ calls
        c("call passes a differentiated value to a parameter outside the callee's wrt", model("""
            @Differentiable(wrt = "a")
            public static double g(double a, double b) {
              return a * b;
            }

            @Differentiable
            public static double f(double x) {
              return g(1.0, x); // <- error
            }
            """), "[AdjointCallWrt]", "Model.g", "'b'", "wrt"),
        // ------------------------------------------------------------ @Derivative
        // as for wrt: the wrong name is in the annotation's value, so the error belongs there
        c("@Derivative names a missing method", model("""
            @Derivative(of = "softplus") // <- error
            public static double softplusDerivative(double x) {
              return 1 / (1 + Math.exp(-x));
            }
            """), "[AdjointDerivative]", "softplusDerivative", "no method 'softplus'"),
        c("@Derivative with the wrong parameter list", model("""
            public static double softplus(double x) {
              return Math.log1p(Math.exp(x));
            }

            @Derivative(of = "softplus")
            public static double softplusDerivative(double x, double y) { // <- error
              return 1 / (1 + Math.exp(-x));
            }
            """), "[AdjointDerivative]", "softplusDerivative", "parameters", "softplus"),
        c("@Derivative returning double[] for a one-double method", model("""
            public static double softplus(double x) {
              return Math.log1p(Math.exp(x));
            }

            @Derivative(of = "softplus")
            public static double[] softplusDerivative(double x) { // <- error
              return new double[] {1 / (1 + Math.exp(-x))};
            }
            """), "[AdjointDerivative]", "softplusDerivative", "must return double"),
        c("@Derivative returning double for a two-double method", model("""
            public static double mul(double a, double b) {
              return a * b;
            }

            @Derivative(of = "mul")
            public static double mulDerivative(double a, double b) { // <- error
              return b;
            }
            """), "[AdjointDerivative]", "mulDerivative", "double[]"),
        c("@Derivative of a method that does not return double", model("""
            public static int round(double a) {
              return (int) Math.round(a);
            }

            @Derivative(of = "round")
            public static double roundDerivative(double a) { // <- error
              return 0;
            }
            """), "[AdjointDerivative]", "roundDerivative", "round must return double"),
        c("@Derivative not static", model("""
            public static double softplus(double x) {
              return Math.log1p(Math.exp(x));
            }

            @Derivative(of = "softplus")
            public double softplusDerivative(double x) { // <- error
              return 1 / (1 + Math.exp(-x));
            }
            """), "[AdjointDerivative]", "softplusDerivative", "static"),

        // ------------------------------------------------------------ generated class name
        c("ModelGrad already exists", """
            package p;

            import dev.adjoint.Differentiable;

            public final class Model { // <- error
              @Differentiable
              public static double f(double x) {
                return x * x;
              }
            }
            """, "[AdjointNameClash]", "p.ModelGrad", "rename")
            .with("p.ModelGrad", """
                package p;

                public final class ModelGrad {
                }
                """)
    );
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsTheError(Case k) {
    List<JavaFileObject> files = new ArrayList<>();
    JavaFileObject model = Sources.file("p.Model", k.source());
    files.add(model);
    for (int i = 0; i < k.extra().size(); i += 2) {
      files.add(Sources.file(k.extra().get(i), k.extra().get(i + 1)));
    }
    List<Integer> lines = Sources.markedLines(k.source());
    assertFalse(lines.isEmpty(), "test source has no " + Sources.HERE + " mark");

    Compilation c = Sources.compile(files.toArray(JavaFileObject[]::new));

    try {
      Sources.failedCleanly(c);
      for (int line : lines) {
        Sources.errorAt(c, model, line, k.id(), k.fragments().toArray(String[]::new));
      }
      Sources.onlyAdjointErrorsOn(c, model, lines);
    } catch (AssertionError e) {
      throw new AssertionError("case '" + k.name() + "': " + e.getMessage(), e);
    }
  }
}
