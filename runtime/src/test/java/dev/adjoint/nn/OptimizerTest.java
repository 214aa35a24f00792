package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Sgd and Adam against updates computed by hand, in both the tensor and the array form. */
class OptimizerTest {
  private static final double EPS = 1e-15;

  // ---- SGD -------------------------------------------------------------------------------------

  @Test
  void plainSgdSubtractsRateTimesGradient() {
    Sgd sgd = new Sgd(0.1);
    Tensor[] p = {Tensor.vector(1, 2), Tensor.scalar(3)};
    Tensor[] out = sgd.step(p, new Tensor[] {Tensor.vector(0.5, -1), Tensor.scalar(4)});
    assertArrayEquals(new double[] {0.95, 2.1}, out[0].toArray(), EPS);
    assertEquals(2.6, out[1].item(), EPS);
    assertEquals(0, out[1].rank());
    // the inputs are untouched
    assertEquals(Tensor.vector(1, 2), p[0]);
    assertEquals(1, sgd.steps());
  }

  @Test
  void sgdMomentumAccumulatesVelocity() {
    // v1 = g1 = 1;         p1 = 1 - 0.1 * 1 = 0.9
    // v2 = 0.9 * 1 + 2 = 2.9; p2 = 0.9 - 0.1 * 2.9 = 0.61
    // v3 = 0.9 * 2.9 + 0 = 2.61; p3 = 0.61 - 0.261 = 0.349
    Sgd sgd = new Sgd(0.1, 0.9);
    Tensor[] p = {Tensor.vector(1)};
    p = sgd.step(p, new Tensor[] {Tensor.vector(1)});
    assertEquals(0.9, p[0].item(), EPS);
    p = sgd.step(p, new Tensor[] {Tensor.vector(2)});
    assertEquals(0.61, p[0].item(), EPS);
    p = sgd.step(p, new Tensor[] {Tensor.vector(0)});
    assertEquals(0.349, p[0].item(), 1e-14);
  }

  @Test
  void sgdInPlaceMatchesTensorForm() {
    Sgd a = new Sgd(0.05, 0.8);
    Sgd b = new Sgd(0.05, 0.8);
    double[][] arrays = {{1, -2, 3}, {0.5}};
    Tensor[] tensors = {Tensor.of(new double[] {1, -2, 3}, 3, 1), Tensor.scalar(0.5)};
    for (int step = 0; step < 4; step++) {
      double[][] g = {{step, 1 - step, 0.25 * step}, {-step}};
      a.step(arrays, g);
      tensors = b.step(tensors, new Tensor[] {Tensor.of(g[0], 3, 1), Tensor.scalar(g[1][0])});
    }
    assertArrayEquals(arrays[0], tensors[0].toArray(), 0);
    assertArrayEquals(new int[] {3, 1}, tensors[0].shape());
    assertEquals(arrays[1][0], tensors[1].item(), 0);
  }

  @Test
  void sgdMinimisesAQuadratic() {
    // f(p) = Σ (p - c)², gradient 2 (p - c)
    double[] c = {3, -1, 0.5};
    for (Optimizer opt : new Optimizer[] {new Sgd(0.1), new Sgd(0.05, 0.9), new Adam(0.05)}) {
      double[][] p = {{0, 0, 0}};
      for (int i = 0; i < 500; i++) {
        double[] g = new double[3];
        for (int j = 0; j < 3; j++) {
          g[j] = 2 * (p[0][j] - c[j]);
        }
        opt.step(p, new double[][] {g});
      }
      assertArrayEquals(c, p[0], 1e-3, opt.getClass().getSimpleName());
    }
  }

  // ---- Adam ------------------------------------------------------------------------------------

  @Test
  void adamBiasCorrectionAtStepsOneAndTwo() {
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    Adam adam = new Adam(lr, b1, b2, eps);
    double g1 = 2.0;
    double g2 = -0.5;
    Tensor[] p = adam.step(new Tensor[] {Tensor.vector(1.0)}, new Tensor[] {Tensor.vector(g1)});

    // step 1: m = 0.1 g1, v = 0.001 g1²; m̂ = g1, v̂ = g1²: the step is lr · g1 / (|g1| + eps)
    double expected1 = 1.0 - lr * g1 / (Math.abs(g1) + eps);
    assertEquals(expected1, p[0].item(), EPS);
    assertEquals(0.99, p[0].item(), 1e-9); // about lr against the sign of the gradient

    // step 2, by hand
    double m = b1 * ((1 - b1) * g1) + (1 - b1) * g2; // 0.9·0.2 − 0.05 = 0.13
    double v = b2 * ((1 - b2) * g1 * g1) + (1 - b2) * g2 * g2; // 0.999·0.004 + 0.00025
    double mHat = m / (1 - b1 * b1); // / 0.19
    double vHat = v / (1 - b2 * b2); // / 0.001999
    assertEquals(0.13, m, 1e-15);
    double expected2 = expected1 - lr * mHat / (Math.sqrt(vHat) + eps);
    p = adam.step(p, new Tensor[] {Tensor.vector(g2)});
    assertEquals(expected2, p[0].item(), EPS);
    assertEquals(2, adam.steps());
  }

  @Test
  void adamFirstStepMovesEveryElementByTheLearningRate() {
    // whatever the gradient's size; without the bias correction it would move lr · 0.1 / √0.001
    Adam adam = new Adam(0.001);
    double[][] p = {{0, 0}};
    adam.step(p, new double[][] {{3, -0.01}});
    assertArrayEquals(new double[] {-0.001, 0.001}, p[0], 1e-8);
  }

  @Test
  void adamKeepsStatePerParameter() {
    Adam together = new Adam(0.1);
    Adam first = new Adam(0.1);
    Adam second = new Adam(0.1);
    double[][] both = {{1, 2}, {3}};
    double[][] a = {{1, 2}};
    double[][] b = {{3}};
    for (int step = 1; step <= 3; step++) {
      double[][] g = {{step, -step * 0.5}, {1.0 / step}};
      together.step(both, g);
      first.step(a, new double[][] {g[0]});
      second.step(b, new double[][] {g[1]});
    }
    assertArrayEquals(a[0], both[0], 0);
    assertArrayEquals(b[0], both[1], 0);
  }

  @Test
  void adamDefaults() {
    Adam adam = new Adam(1e-3);
    assertEquals(1e-3, adam.learningRate());
    assertEquals(0.9, adam.beta1());
    assertEquals(0.999, adam.beta2());
    assertEquals(1e-8, adam.epsilon());
  }

  @Test
  void learningRateCanChangeBetweenSteps() {
    Sgd sgd = new Sgd(1);
    double[][] p = {{0}};
    sgd.step(p, new double[][] {{1}});
    sgd.setLearningRate(0.5);
    sgd.step(p, new double[][] {{1}});
    assertEquals(-1.5, p[0][0], EPS);
    assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(0));
  }

  // ---- checks ----------------------------------------------------------------------------------

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new Sgd(-0.1));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 1.0, 0.999, 1e-8));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, -0.1, 1e-8));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, 0.999, 0));
  }

  @Test
  void rejectsMismatchedShapesAndChangesNothing() {
    Adam adam = new Adam(0.1);
    Tensor[] p = {Tensor.zeros(2, 3)};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> adam.step(p, new Tensor[] {Tensor.zeros(3, 2)}));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> adam.step(p, new Tensor[] {Tensor.zeros(2, 3), Tensor.zeros(1)}));
    assertEquals(0, adam.steps());

    double[][] arrays = {{1, 2}, {3}};
    assertThrows(IllegalArgumentException.class,
        () -> adam.step(arrays, new double[][] {{1, 1}, {1, 1}}));
    assertArrayEquals(new double[] {1, 2}, arrays[0]);
  }

  @Test
  void rejectsOtherParametersAfterTheFirstStep() {
    Sgd sgd = new Sgd(0.1, 0.9);
    sgd.step(new Tensor[] {Tensor.zeros(4)}, new Tensor[] {Tensor.ones(4)});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sgd.step(new Tensor[] {Tensor.zeros(5)}, new Tensor[] {Tensor.ones(5)}));
    assertTrue(e.getMessage().startsWith("Sgd: "), e.getMessage());
    assertEquals(1, sgd.steps());
  }

  // ---- one pass, no copies -----------------------------------------------------------------

  /** The tensor and array forms give exactly the original loops' results, bit for bit. */
  @Test
  void tensorAndArrayFormsMatchTheReferenceLoopsExactly() {
    double beta1 = 0.85;
    double beta2 = 0.995;
    double eps = 1e-7;
    double rate = 0.003;
    java.util.SplittableRandom random = new java.util.SplittableRandom(17);
    int n = 1001;
    double[] p = new double[n];
    for (int j = 0; j < n; j++) p[j] = random.nextGaussian();
    double[] ref = p.clone();
    double[] refM = new double[n];
    double[] refV = new double[n];
    double[] refVel = new double[n];
    double[] refSgd = p.clone();
    double[] arrays = p.clone();
    Tensor tensor = Tensor.of(p, 7, 11, 13);
    Tensor sgdTensor = tensor;
    Adam adamA = new Adam(rate, beta1, beta2, eps);
    Adam adamT = new Adam(rate, beta1, beta2, eps);
    Sgd sgd = new Sgd(rate, 0.9);
    for (int step = 1; step <= 5; step++) {
      double[] g = new double[n];
      for (int j = 0; j < n; j++) g[j] = random.nextGaussian() * step;
      // the loops Adam and Sgd had before they moved to OptimizerKernels
      double c1 = 1 - Math.pow(beta1, step);
      double c2 = 1 - Math.pow(beta2, step);
      for (int j = 0; j < n; j++) {
        double gj = g[j];
        refM[j] = beta1 * refM[j] + (1 - beta1) * gj;
        refV[j] = beta2 * refV[j] + (1 - beta2) * gj * gj;
        double mHat = refM[j] / c1;
        double vHat = refV[j] / c2;
        ref[j] -= rate * mHat / (Math.sqrt(vHat) + eps);
        refVel[j] = 0.9 * refVel[j] + g[j];
        refSgd[j] -= rate * refVel[j];
      }
      adamA.step(new double[][] {arrays}, new double[][] {g});
      tensor = adamT.step(new Tensor[] {tensor}, new Tensor[] {Tensor.of(g, 7, 11, 13)})[0];
      sgdTensor = sgd.step(new Tensor[] {sgdTensor}, new Tensor[] {Tensor.of(g, 7, 11, 13)})[0];
    }
    assertArrayEquals(ref, arrays, 0);
    assertArrayEquals(ref, tensor.toArray(), 0);
    assertArrayEquals(new int[] {7, 11, 13}, tensor.shape());
    assertArrayEquals(refSgd, sgdTensor.toArray(), 0);
  }

  /** A parameter may be its own gradient (as in a benchmark of the update alone). */
  @Test
  void parameterMayBeItsOwnGradient() {
    Tensor p = Tensor.vector(1, -2, 4);
    Tensor[] out = new Sgd(0.5).step(new Tensor[] {p}, new Tensor[] {p});
    assertEquals(Tensor.vector(0.5, -1, 2), out[0]);
    assertEquals(Tensor.vector(1, -2, 4), p);
    double[][] a = {{1, -2, 4}};
    new Sgd(0.5).step(a, a);
    assertArrayEquals(new double[] {0.5, -1, 2}, a[0], 0);
  }

  /** A step over tensors allocates the new parameters and nothing of their size besides. */
  @Test
  void tensorStepAllocatesOnlyTheResult() {
    java.lang.management.ThreadMXBean bean =
        java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(bean instanceof com.sun.management.ThreadMXBean mx)
        || !mx.isThreadAllocatedMemorySupported()) {
      return;
    }
    int n = 1 << 18; // 2 MB of doubles
    Tensor[] p = {Tensor.randomNormal(1, 512, 512)};
    Tensor[] g = {Tensor.randomNormal(2, 512, 512)};
    for (Optimizer opt : new Optimizer[] {new Sgd(0.01), new Sgd(0.01, 0.9), new Adam(0.01)}) {
      p = opt.step(p, g); // first step: state
      long id = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(id);
      p = opt.step(p, g);
      long bytes = mx.getThreadAllocatedBytes(id) - before;
      assertTrue(bytes < 8L * n + 64 * 1024,
          opt.getClass().getSimpleName() + " allocated " + bytes + " bytes for " + 8L * n);
    }
  }
}
