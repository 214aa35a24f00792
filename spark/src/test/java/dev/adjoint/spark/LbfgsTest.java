package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.nn.Adam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optimisers on local objectives: no Spark. */
class LbfgsTest {
  @Test
  void lbfgsFindsRosenbrocksMinimumThroughTheGeneratedOverload() {
    List<Progress> progress = new ArrayList<>();
    Result r =
        new Lbfgs()
            .maxIterations(500)
            .tolerance(1e-12)
            .onIteration(progress::add)
            .minimize(LossesGrad::rosenbrock, new double[] {-1.2, 1, -1.2, 1});
    assertArrayEquals(new double[] {1, 1, 1, 1}, r.params(), 1e-6);
    assertTrue(r.value() < 1e-12, "value " + r.value());
    assertEquals(0, progress.get(0).iteration());
    assertEquals(r.iterations(), progress.get(progress.size() - 1).iteration());
    assertEquals(r.history().length, progress.size());
    assertTrue(r.evaluations() >= r.iterations(), r.toString());
  }

  @Test
  void lbfgsSolvesAQuadraticToItsKnownMinimum() {
    // f(x) = sum_i (i+1)/2 (x_i - i)^2: minimum at x_i = i
    Objective f =
        (x, g) -> {
          double v = 0;
          for (int i = 0; i < x.length; i++) {
            double d = x[i] - i;
            v += 0.5 * (i + 1) * d * d;
            g[i] = (i + 1) * d;
          }
          return v;
        };
    Result r = new Lbfgs().maxIterations(100).tolerance(1e-10).minimize(f, new double[10]);
    for (int i = 0; i < 10; i++) {
      assertEquals(i, r.params()[i], 1e-6);
    }
  }

  @Test
  void lbfgsStopsAtMaxIterationsCountedAsMllibDoes() {
    Result r =
        new Lbfgs().maxIterations(5).tolerance(0).minimize(LossesGrad::rosenbrock, new double[] {-1.2, 1});
    assertEquals(5, r.iterations());
    assertEquals(6, r.history().length); // the start and five iterations
    assertEquals("max iterations reached", r.stopReason());
  }

  @Test
  void miniBatchAdamOnALocalStochasticObjective() {
    // mean of (x - t)^2 / 2 over a sample of targets around 3: converges near 3
    StochasticObjective f =
        (fraction, seed) ->
            (x, g) -> {
              java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
              double t = 3 + 0.01 * (rnd.nextDouble() - 0.5);
              g[0] = x[0] - t;
              return 0.5 * g[0] * g[0];
            };
    Result r = new MiniBatch(new Adam(0.1)).fraction(0.5).iterations(300).minimize(f, new double[1]);
    assertEquals(3, r.params()[0], 0.05);
    Result again = new MiniBatch(new Adam(0.1)).fraction(0.5).iterations(300).minimize(f, new double[1]);
    assertArrayEquals(r.params(), again.params(), 0.0);
  }
}
