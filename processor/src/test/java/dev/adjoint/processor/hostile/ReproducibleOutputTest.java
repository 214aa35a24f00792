package dev.adjoint.processor.hostile;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.processor.AdjointProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.processing.Completion;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Reproducible builds: the generated sources are byte-identical across repeated compilations and
 * do not depend on the order of the source files given to javac, nor on the order in which the
 * round hands over the annotated elements.
 */
class ReproducibleOutputTest {

  /** Three files that call each other, with overloads, loops, tensors, forward mode and a layer. */
  static final String A = """
      package p;

      import dev.adjoint.Derivative;
      import dev.adjoint.Differentiable;
      import dev.adjoint.tensor.Tensor;

      public final class A {
        public static double softplus(double x) {
          return Math.log1p(Math.exp(x));
        }

        @Derivative(of = "softplus")
        public static double softplusDerivative(double x) {
          return 1 / (1 + Math.exp(-x));
        }

        @Differentiable
        public static double f(double x, double y) {
          return B.g(x, y) + q.C.h(x) + softplus(x * y);
        }

        @Differentiable
        public static double f(double x) {
          double s = 0;
          for (int i = 0; i < 4; i++) {
            if (s > 1) {
              s = s * 0.5;
            } else {
              s += B.g(x, i);
            }
          }
          return s;
        }

        @Differentiable(forward = true, hessian = true)
        public static double valley(double x, double y) {
          double a = 1 - x;
          double b = y - x * x;
          return a * a + 100 * b * b;
        }

        @Differentiable(wrt = {"w", "b"})
        public static double loss(Tensor x, Tensor w, Tensor b, Tensor labels) {
          return Tensor.softmaxCrossEntropy(B.Layers.dense(x, w, b), labels);
        }
      }
      """;

  static final String B = """
      package p;

      import dev.adjoint.Differentiable;
      import dev.adjoint.tensor.Tensor;

      public final class B {
        @Differentiable
        public static double g(double a, double b) {
          double[] t = new double[3];
          for (int i = 0; i < t.length; i++) {
            t[i] = a * i + b;
          }
          return t[0] * t[1] + Math.sin(t[2]);
        }

        public static final class Layers {
          @Differentiable
          public static Tensor dense(Tensor x, Tensor w, Tensor b) {
            return x.matmul(w).add(b).tanh();
          }
        }

        @Differentiable
        public static double[] polar(double r, double theta) {
          double[] out = new double[2];
          out[0] = r * Math.cos(theta);
          out[1] = r * Math.sin(theta);
          return out;
        }
      }
      """;

  static final String C = """
      package q;

      import dev.adjoint.Differentiable;

      public final class C {
        @Differentiable
        public static double h(double x) {
          double y = x;
          int k = 0;
          while (y < 10) {
            y = y * 2 + 1;
            k++;
          }
          return y * k;
        }
      }
      """;

  static List<JavaFileObject> files() {
    return List.of(JavaFileObjects.forSourceString("p.A", A), JavaFileObjects.forSourceString("p.B", B),
        JavaFileObjects.forSourceString("q.C", C));
  }

  static Compilation compile(Processor processor, List<JavaFileObject> files) {
    Compilation c = javac().withProcessors(processor).withOptions("-Xlint:all", "-parameters").compile(files);
    assertWithMessage("compilation; diagnostics:\n%s", Hostile.dump(c)).that(c.status())
        .isEqualTo(Compilation.Status.SUCCESS);
    return c;
  }

  /** Generated source files by path, with their exact bytes. */
  static Map<String, String> generated(Compilation c) {
    Map<String, String> out = new TreeMap<>();
    for (JavaFileObject f : c.generatedSourceFiles()) {
      try (InputStream in = f.openInputStream()) {
        out.put(f.toUri().getPath(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  @Test
  void repeatedCompilationsGiveIdenticalBytes() {
    Map<String, String> first = generated(compile(new AdjointProcessor(), files()));
    assertThat(first.keySet()).containsExactly("/SOURCE_OUTPUT/p/AGrad.java", "/SOURCE_OUTPUT/p/BGrad.java",
        "/SOURCE_OUTPUT/p/B_LayersGrad.java", "/SOURCE_OUTPUT/q/CGrad.java");
    for (int i = 0; i < 3; i++) {
      assertThat(generated(compile(new AdjointProcessor(), files()))).isEqualTo(first);
    }
  }

  /**
   * Another JVM (another javac, other identity hash codes, another heap layout) writes the same
   * text: nothing in the output depends on the process that produced it.
   */
  @Test
  void anotherJvmWritesTheSameSources() throws IOException {
    Map<String, String> here = new TreeMap<>();
    for (JavaFileObject f : compile(new AdjointProcessor(), files()).generatedSourceFiles()) {
      here.put(f.toUri().getPath().replaceFirst("^/SOURCE_OUTPUT/", ""), f.getCharContent(true).toString());
    }
    ForkedCompilation.Result r = ForkedCompilation.compile(java.time.Duration.ofSeconds(60),
        Map.of("p.A", A, "p.B", B, "q.C", C));
    try {
      assertWithMessage("the child compilation\n%s", r.summary()).that(r.success()).isTrue();
      Map<String, String> there = new TreeMap<>();
      try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(r.generated())) {
        for (java.nio.file.Path f : walk.filter(java.nio.file.Files::isRegularFile).toList()) {
          there.put(r.generated().relativize(f).toString().replace('\\', '/'),
              java.nio.file.Files.readString(f, java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      assertThat(there).isEqualTo(here);
    } finally {
      r.delete();
    }
  }

  @Test
  void everyOrderOfTheSourceFilesGivesIdenticalBytes() {
    Map<String, String> reference = generated(compile(new AdjointProcessor(), files()));
    for (List<JavaFileObject> order : permutations(files())) {
      List<String> names = order.stream().map(f -> f.getName()).toList();
      assertWithMessage("files in the order %s", names)
          .that(generated(compile(new AdjointProcessor(), order))).isEqualTo(reference);
    }
  }

  /** The round hands over the annotated elements (and the root elements) in a shuffled order. */
  @Test
  void anyOrderOfTheAnnotatedElementsGivesIdenticalBytes() {
    Map<String, String> reference = generated(compile(new AdjointProcessor(), files()));
    for (long seed = 1; seed <= 6; seed++) {
      assertWithMessage("elements shuffled with seed %s", seed)
          .that(generated(compile(new Shuffling(seed), files()))).isEqualTo(reference);
    }
  }

  /**
   * Reordering the methods of the source class reorders the generated members and changes the
   * line comments, nothing else: each generated member is the same text up to line numbers.
   */
  @Test
  void reorderingTheMethodsOnlyReordersTheGeneratedMembers() {
    String reordered = """
        package q;

        import dev.adjoint.Differentiable;

        public final class C {
          @Differentiable
          public static double k(double x, double y) {
            return Math.exp(x) * y;
          }

          @Differentiable
          public static double h(double x) {
            double y = x;
            int k = 0;
            while (y < 10) {
              y = y * 2 + 1;
              k++;
            }
            return y * k;
          }

          @Differentiable(forward = true)
          public static double m(double x) {
            return k(x, x) + h(x);
          }
        }
        """;
    String original = """
        package q;

        import dev.adjoint.Differentiable;

        public final class C {
          @Differentiable(forward = true)
          public static double m(double x) {
            return k(x, x) + h(x);
          }

          @Differentiable
          public static double h(double x) {
            double y = x;
            int k = 0;
            while (y < 10) {
              y = y * 2 + 1;
              k++;
            }
            return y * k;
          }

          @Differentiable
          public static double k(double x, double y) {
            return Math.exp(x) * y;
          }
        }
        """;
    String one = generated(compile(new AdjointProcessor(), List.of(JavaFileObjects.forSourceString("q.C", original))))
        .get("/SOURCE_OUTPUT/q/CGrad.java");
    String two = generated(compile(new AdjointProcessor(), List.of(JavaFileObjects.forSourceString("q.C", reordered))))
        .get("/SOURCE_OUTPUT/q/CGrad.java");
    assertThat(members(two)).isEqualTo(members(one));
    assertThat(one.replaceAll("// line \\d+:", "").length()).isEqualTo(two.replaceAll("// line \\d+:", "").length());
  }

  /** Members of a generated class (indented four spaces, with their Javadoc), line numbers blanked. */
  static Map<String, String> members(String source) {
    Map<String, String> out = new TreeMap<>();
    List<String> lines = source.lines().toList();
    StringBuilder current = new StringBuilder();
    String key = null;
    for (String line : lines) {
      if (line.startsWith("    ") && !line.startsWith("     ") || line.startsWith("     *") || line.startsWith("        ")
          || line.isEmpty() && current.length() > 0) {
        current.append(line.replaceAll("// line \\d+:", "// line N:")).append('\n');
        Matcher m = Pattern.compile("^    public (?:static )?\\S+ (\\w+)\\(").matcher(line);
        if (key == null && m.find()) {
          key = m.group(1);
        }
        if (line.equals("    }")) {
          out.put(key == null ? "#" + out.size() : key, current.toString().strip());
          current.setLength(0);
          key = null;
        }
      }
    }
    assertWithMessage("members of\n%s", source).that(out.size()).isAtLeast(3);
    return out;
  }

  static <T> List<List<T>> permutations(List<T> items) {
    if (items.size() <= 1) {
      return List.of(items);
    }
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<T> rest = new ArrayList<>(items);
      T head = rest.remove(i);
      for (List<T> tail : permutations(rest)) {
        List<T> p = new ArrayList<>();
        p.add(head);
        p.addAll(tail);
        out.add(p);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- a round in another order

  /** The Adjoint processor behind a round environment that hands everything over shuffled. */
  static final class Shuffling implements Processor {
    private final AdjointProcessor delegate = new AdjointProcessor();
    private final long seed;

    Shuffling(long seed) {
      this.seed = seed;
    }

    @Override
    public Set<String> getSupportedOptions() {
      return delegate.getSupportedOptions();
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return delegate.getSupportedAnnotationTypes();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return delegate.getSupportedSourceVersion();
    }

    @Override
    public void init(ProcessingEnvironment env) {
      delegate.init(env);
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      Random r = new Random(seed);
      return delegate.process(shuffled(annotations, r), new RoundEnvironment() {
        @Override
        public boolean processingOver() {
          return round.processingOver();
        }

        @Override
        public boolean errorRaised() {
          return round.errorRaised();
        }

        @Override
        public Set<? extends Element> getRootElements() {
          return shuffled(round.getRootElements(), r);
        }

        @Override
        public Set<? extends Element> getElementsAnnotatedWith(TypeElement a) {
          return shuffled(round.getElementsAnnotatedWith(a), r);
        }

        @Override
        public Set<? extends Element> getElementsAnnotatedWith(Class<? extends Annotation> a) {
          return shuffled(round.getElementsAnnotatedWith(a), r);
        }
      });
    }

    @Override
    public Iterable<? extends Completion> getCompletions(Element element, AnnotationMirror annotation,
        ExecutableElement member, String userText) {
      return delegate.getCompletions(element, annotation, member, userText);
    }

    private static <T> Set<T> shuffled(Set<T> in, Random r) {
      List<T> list = new ArrayList<>(in);
      Collections.shuffle(list, r);
      return new LinkedHashSet<>(list);
    }
  }
}
