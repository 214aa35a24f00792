package dev.adjoint.benchmarks.tensor;

import dev.adjoint.nn.Sgd;
import dev.adjoint.tensor.Tensor;
import dev.adjoint.tensor.kernel.MatMul;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of {@link Mlp} (784-256-10, batch 128, tanh, softmax cross-entropy, double):
 * forward, backward and an SGD update of the four parameters with {@link Sgd} from
 * {@code dev.adjoint.nn}, as a user's training loop does. {@code generated} takes the gradient
 * from {@code MlpGrad.loss}, {@code handWritten} from {@link Mlp#lossAndGradient}; both update
 * with the same optimiser. {@code sgdUpdate} times the update alone. Matmuls use the Vector API
 * kernel (the fork adds the module) on {@code threads} threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class MlpStepBenchmark {
  static final double LEARNING_RATE = 0.01;

  @Param({"1", "2"})
  public int threads;

  Tensor x;
  Tensor labels;
  Tensor[] params;
  Sgd sgd;
  final Tensor[] gradients = new Tensor[4];

  @Setup
  public void setUp() {
    MatMul.setThreads(threads);
    x = Tensor.of(Mlp.batchInputs(), Mlp.BATCH, Mlp.INPUTS);
    labels = Tensor.of(Mlp.batchLabels(), Mlp.BATCH, Mlp.CLASSES);
    params = Mlp.initialParameters();
    sgd = new Sgd(LEARNING_RATE);
    MlpGrad.Loss g = MlpGrad.loss(x, params[0], params[1], params[2], params[3], labels);
    double loss = Mlp.lossAndGradient(x, params[0], params[1], params[2], params[3], labels,
        gradients);
    Tensor[] generated = g.gradients();
    for (int i = 0; i < 4; i++) {
      if (!generated[i].allClose(gradients[i], 1e-9, 1e-12)) {
        throw new IllegalStateException("hand-written gradient " + i + " differs");
      }
    }
    if (Math.abs(loss - g.value()) > 1e-9) {
      throw new IllegalStateException("hand-written loss differs: " + loss + " vs " + g.value());
    }
  }

  @Benchmark
  public double generated() {
    Tensor[] p = params;
    MlpGrad.Loss g = MlpGrad.loss(x, p[0], p[1], p[2], p[3], labels);
    params = sgd.step(p, g.gradients());
    return g.value();
  }

  @Benchmark
  public double handWritten() {
    Tensor[] p = params;
    double loss = Mlp.lossAndGradient(x, p[0], p[1], p[2], p[3], labels, gradients);
    params = sgd.step(p, gradients);
    return loss;
  }

  @Benchmark
  public Object sgdUpdate() {
    return sgd.step(params, params);
  }
}
