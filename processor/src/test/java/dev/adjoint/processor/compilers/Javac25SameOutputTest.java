package dev.adjoint.processor.compilers;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * javac 25 ({@code --release 17}, the processor on {@code -processorpath}, in a child process)
 * generates exactly what javac 17 generates in-process: the processor reads only parse trees and
 * {@code javax.lang.model}, whose answers must not change with the compiler's version.
 *
 * <p>The JDK 25 is expected at {@link Compilers#JDK25}. Where it is missing the test fails, with a
 * message saying so, rather than being skipped: every machine this project is built on (developers'
 * and CI) has it there, so a missing JDK is a broken machine, and a skipped test would let the check
 * quietly disappear from the build.
 */
class Javac25SameOutputTest {
  @Test
  void javac25GeneratesTheSameClassesAsJavac17() {
    assertWithMessage("no JDK 25 at %s: this test compares its javac with javac 17; install a JDK 25 there"
        + " (Temurin 25, as on the build machines)", Compilers.JDK25)
        .that(Files.isExecutable(Compilers.JDK25.resolve("bin/javac"))).isTrue();
    Map<String, String> sources = Corpus.all();
    Compilers.Output javac17 = Compilers.javac(sources).succeeded();
    Compilers.Output javac25 = Compilers.forkedJavac(Compilers.JDK25, sources).succeeded();
    assertThat(javac17.compiler()).isEqualTo("javac 17");
    assertWithMessage("generated classes").that(javac25.generated().keySet())
        .containsExactlyElementsIn(javac17.generated().keySet());
    assertThat(javac17.generated()).isNotEmpty();
    for (String name : javac17.generated().keySet()) {
      assertWithMessage("%s under javac 25 vs javac 17", name).that(javac25.generated(name))
          .isEqualTo(javac17.generated(name));
    }
    assertWithMessage("javac 25's output").that(javac25.log()).doesNotContain("error");
  }
}
