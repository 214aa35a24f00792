package dev.adjoint.processor.constructs;

import static dev.adjoint.processor.testing.Gradients.assertMatches;

import dev.adjoint.processor.testing.Compiled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Branches, loops, arrays and calls: generated gradients against finite differences. */
class ControlFlowTest {
  static Compiled flow;

  public static String resource(String name) {
    try (InputStream in = ControlFlowTest.class.getResourceAsStream("/constructs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @BeforeAll
  static void compile() {
    flow = Compiled.of("p.Flow", resource("Flow.java.txt"), "p.Other", resource("Other.java.txt"));
  }

  public static Stream<Arguments> cases() {
    double[] mixed = {0.3, -1.2, 2.5, 0.7, -0.4};
    double[] positive = {0.3, 1.2, 2.5, 0.7, 0.4};
    return Stream.of(
        Arguments.of("loopSum", new Object[] {mixed.clone()}),
        Arguments.of("loopSum", new Object[] {new double[0]}),
        Arguments.of("loopSum", new Object[] {new double[] {1.3}}),
        Arguments.of("forEach", new Object[] {mixed.clone(), 0.7}),
        Arguments.of("forEach", new Object[] {new double[0], 0.7}),
        Arguments.of("whileLoop", new Object[] {0.4, 5}),
        Arguments.of("whileLoop", new Object[] {0.4, 0}),
        Arguments.of("whileLoop", new Object[] {0.4, 1}),
        Arguments.of("doWhile", new Object[] {0.8, 4}),
        Arguments.of("doWhile", new Object[] {0.8, 0}),
        Arguments.of("breakLoop", new Object[] {positive.clone(), 2.0}),
        Arguments.of("breakLoop", new Object[] {positive.clone(), 0.1}),
        Arguments.of("breakLoop", new Object[] {positive.clone(), 5.0}),
        Arguments.of("continueLoop", new Object[] {mixed.clone()}),
        Arguments.of("earlyReturn", new Object[] {positive.clone(), 3.0}),
        Arguments.of("earlyReturn", new Object[] {positive.clone(), 0.5}),
        Arguments.of("nested", new Object[] {new double[] {0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, 0.9}, 3}),
        Arguments.of("localArray", new Object[] {mixed.clone(), 0.9}),
        Arguments.of("product", new Object[] {mixed.clone()}),
        Arguments.of("branches", new Object[] {1.5, 0.7}),
        Arguments.of("branches", new Object[] {0.5, 0.7}),
        Arguments.of("branches", new Object[] {-0.5, 0.7}),
        Arguments.of("branches", new Object[] {-0.5, -0.7}),
        Arguments.of("ints", new Object[] {0.7, 5, 3L, true}),
        Arguments.of("ints", new Object[] {-0.7, 5, 3L, false}),
        Arguments.of("carried", new Object[] {positive.clone(), 1.5}),
        Arguments.of("carried", new Object[] {positive.clone(), 0.25}),
        Arguments.of("caller", new Object[] {0.6, 1.1}),
        Arguments.of("callerLoop", new Object[] {mixed.clone(), 0.3}),
        Arguments.of("onlyY", new Object[] {0.6, 1.1}),
        Arguments.of("inactiveCall", new Object[] {0.6, 3}),
        Arguments.of("guardedIndex", new Object[] {new double[0], 0.7}),
        Arguments.of("guardedIndex", new Object[] {new double[] {0.3}, 0.7}),
        Arguments.of("guardedIndex", new Object[] {new double[] {0.3, -0.4, 0.9}, 0.7}),
        Arguments.of("resultRestored", new Object[] {0.4, 3, 0.8}),
        Arguments.of("resultRestored", new Object[] {0.4, 0, 0.8}),
        Arguments.of("intArgumentOfAnArray", new Object[] {0.9, new double[] {0.2, 0.5}}),
        Arguments.of("arrayAfterEarlyReturn", new Object[] {0.7, false}),
        Arguments.of("arrayAfterEarlyReturn", new Object[] {0.7, true}),
        Arguments.of("stepInBranch", new Object[] {1.3}),
        Arguments.of("stepInBranch", new Object[] {-0.6}),
        Arguments.of("lengthInEarlyReturn", new Object[] {new double[] {1, 2}, 0.5}),
        Arguments.of("lengthInEarlyReturn", new Object[] {new double[] {1, 2}, 1.5}),
        Arguments.of("overwrittenByConstant", new Object[] {0.3, new double[] {1, 0.5}}),
        Arguments.of("overwrittenByConstant", new Object[] {-0.3, new double[] {1, -0.5}}),
        Arguments.of("negativeLiteralDivision", new Object[] {-0.662}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String method, Object[] args) {
    assertMatches(flow, "p.Flow", method, 1e-6, args);
  }
}
