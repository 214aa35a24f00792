package dev.adjoint.benchmarks.peers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.adjoint.benchmarks.tensor.Mlp;
import dev.adjoint.benchmarks.tensor.MlpStepBenchmark;
import dev.adjoint.tensor.Tensor;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PEER: the same training step as {@link MlpStepBenchmark} (784-256-10, batch 128, tanh, softmax
 * cross-entropy, float64, same initial parameters and batch) in PyTorch's libtorch through DJL,
 * written as a PyTorch user writes it: the forward pass recorded by autograd, {@code backward()},
 * then an in-place SGD update without autograd ({@code w -= lr * w.grad}) and the gradients
 * cleared. Intermediates live in a per-step NDManager closed after the step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xms2g", "-Xmx2g"})
public class LibtorchMlpStepBenchmark {
  static final float LEARNING_RATE = 0.01f;

  @Param({"1", "2"})
  public int threads;

  Engine engine;
  NDManager base;
  NDArray x;
  NDArray labels;
  NDArray[] params;

  @Setup
  public void setUp() {
    engine = Libtorch.start(threads);
    base = engine.newBaseManager();
    x = base.create(Mlp.batchInputs(), new Shape(Mlp.BATCH, Mlp.INPUTS));
    labels = base.create(Mlp.batchLabels(), new Shape(Mlp.BATCH, Mlp.CLASSES));
    Tensor[] p = Mlp.initialParameters();
    params = new NDArray[p.length];
    for (int i = 0; i < p.length; i++) {
      params[i] = base.create(p[i].toArray(), new Shape(toLongs(p[i].shape())));
      params[i].setRequiresGradient(true);
    }
    // same loss as Adjoint's at the same parameters (checked before any step)
    double expected = Mlp.loss(Tensor.of(Mlp.batchInputs(), Mlp.BATCH, Mlp.INPUTS), p[0], p[1],
        p[2], p[3], Tensor.of(Mlp.batchLabels(), Mlp.BATCH, Mlp.CLASSES));
    double loss = step();
    if (Math.abs(loss - expected) > 1e-9 * Math.abs(expected)) {
      throw new IllegalStateException("libtorch loss " + loss + " differs from " + expected);
    }
  }

  @TearDown
  public void tearDown() {
    base.close();
  }

  @Benchmark
  public double step() {
    try (NDManager stepManager = base.newSubManager()) {
      x.tempAttach(stepManager); // results of ops on x land in stepManager
      double loss;
      try (GradientCollector collector = engine.newGradientCollector()) {
        NDArray h = x.matMul(params[0]).add(params[1]).tanh();
        NDArray logits = h.matMul(params[2]).add(params[3]);
        NDArray l = logits.logSoftmax(1).mul(labels).sum().neg().div(Mlp.BATCH);
        collector.backward(l);
        loss = l.getDouble();
      }
      // autograd is off again here: update in place, then clear the gradients
      for (NDArray w : params) {
        NDArray grad = w.getGradient();
        grad.attach(stepManager);
        w.subi(grad.muli(LEARNING_RATE));
        JniUtils.zeroGrad((PtNDArray) w);
      }
      return loss;
    }
  }

  private static long[] toLongs(int[] shape) {
    long[] s = new long[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape[i];
    }
    return s;
  }
}
