package dev.adjoint.processor.compilers;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Under Eclipse's compiler ECJ (what Eclipse and VS Code run) the processor reads each method's
 * unit re-parsed from the text ECJ holds, where javac gives its own trees: the generated classes
 * must be the same, character for character, and what ECJ compiled must compute the right
 * gradients.
 */
class EcjSameOutputTest {
  static Compilers.Output javac;
  static Compilers.Output ecj;

  @BeforeAll
  static void compile() {
    Map<String, String> sources = Corpus.all();
    javac = Compilers.javac(sources).succeeded();
    ecj = Compilers.ecj(sources).succeeded();
  }

  @Test
  void ecjGeneratesTheSameClassesAsJavac() {
    assertWithMessage("generated classes").that(ecj.generated().keySet())
        .containsExactlyElementsIn(javac.generated().keySet());
    assertThat(javac.generated().keySet()).containsAtLeast("p.FlowGrad", "p.OtherGrad", "p.SecondGrad",
        "p.TensorsGrad", "p.RosenGrad", "q.ScorerGrad", "p.NdCallsGrad", "p.NdResultsGrad", "p.LossesGrad", "p.RowCopiesGrad", "p.NdParamsGrad", "dev.adjoint.samples.RosenbrockDemoGrad", "dev.adjoint.samples.DigitsMlpGrad");
    for (String name : javac.generated().keySet()) {
      assertWithMessage("%s under ECJ vs javac", name).that(ecj.generated(name)).isEqualTo(javac.generated(name));
    }
  }

  @Test
  void ecjWarnsAboutNothingInTheGeneratedClasses() {
    // ECJ's default warnings include an unread local and an assignment without effect, which
    // javac's -Xlint:all does not check
    assertWithMessage("ECJ's warnings on generated classes").that(ecj.diagnostics().stream()
        .filter(d -> d.file() != null && d.file().endsWith("Grad.java")).toList()).isEmpty();
  }

  @Test
  void noErrorsAndNoProcessorMessagesUnderEcj() {
    assertThat(ecj.errors()).isEmpty();
    assertWithMessage("Adjoint's messages under ECJ").that(
        ecj.diagnostics().stream().filter(d -> d.message().contains("[Adjoint")).toList()).isEmpty();
  }

  @Test
  void ecjCompiledGradientsAreRight() throws Exception {
    // rosenbrock of the sample: closed form
    double x = 0.7;
    double y = -0.4;
    Map<String, Object> g = call(ecj, "dev.adjoint.samples.RosenbrockDemoGrad", "rosenbrock", x, y);
    assertClose((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x), (double) g.get("value"));
    assertClose(-2 * (1 - x) - 400 * x * (y - x * x), (double) g.get("x"));
    assertClose(200 * (y - x * x), (double) g.get("y"));

    // a loop over an array: d/dx_i of sum x_i^2 sin x_i
    double[] xs = {0.3, -1.2, 2.5, 0.7};
    Map<String, Object> h = call(ecj, "p.FlowGrad", "loopSum", (Object) xs.clone());
    double[] dx = (double[]) h.get("x");
    for (int i = 0; i < xs.length; i++) {
      assertClose(2 * xs[i] * Math.sin(xs[i]) + xs[i] * xs[i] * Math.cos(xs[i]), dx[i]);
    }
  }

  static Map<String, Object> call(Compilers.Output out, String cls, String method, Object... args) throws Exception {
    Method m = null;
    for (Method c : out.load(cls).getMethods()) {
      if (c.getName().equals(method) && c.getParameterCount() == args.length
          && c.getReturnType().isRecord()) {
        m = c;
      }
    }
    assertWithMessage("%s.%s(%s args)", cls, method, args.length).that(m).isNotNull();
    Object record = m.invoke(null, args);
    Map<String, Object> components = new LinkedHashMap<>();
    for (RecordComponent rc : record.getClass().getRecordComponents()) {
      components.put(rc.getName(), rc.getAccessor().invoke(record));
    }
    return components;
  }

  static void assertClose(double expected, double actual) {
    assertWithMessage("expected %s, got %s", expected, actual)
        .that(Math.abs(expected - actual) <= 1e-12 * Math.max(1, Math.abs(expected))).isTrue();
  }
}
