package dev.adjoint.benchmarks.tensor;

import dev.adjoint.Differentiable;
import dev.adjoint.nn.Init;
import dev.adjoint.runtime.TensorAdjoints;
import dev.adjoint.tensor.Tensor;
import java.util.Random;

/**
 * The tensor suite's network: a 784-256-10 perceptron with a tanh hidden layer and softmax
 * cross-entropy, on a batch of 128. {@link #loss} is differentiated by Adjoint at compile time
 * ({@code MlpGrad}); {@link #lossAndGradient} is the same network's backprop written by hand
 * with the same runtime.
 */
public final class Mlp {
  public static final int INPUTS = 784;
  public static final int HIDDEN = 256;
  public static final int CLASSES = 10;
  public static final int BATCH = 128;

  private Mlp() {}

  @Differentiable(wrt = {"w1", "b1", "w2", "b2"})
  public static double loss(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor labels) {
    Tensor h = x.matmul(w1).add(b1).tanh();
    Tensor logits = h.matmul(w2).add(b2);
    return Tensor.softmaxCrossEntropy(logits, labels);
  }

  /** Loss and gradients {w1, b1, w2, b2}, as a person writes backprop with this runtime. */
  public static double lossAndGradient(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2,
      Tensor labels, Tensor[] gradients) {
    // forward
    Tensor h = x.matmul(w1).add(b1).tanh();                 // [batch, hidden]
    Tensor logits = h.matmul(w2).add(b2);                   // [batch, classes]
    double loss = Tensor.softmaxCrossEntropy(logits, labels);
    // backward
    Tensor dLogits = TensorAdjoints.softmaxCrossEntropyBackward(logits, labels, 1);
    Tensor dW2 = h.transposedMatmul(dLogits);               // hᵀ · dLogits
    Tensor dB2 = dLogits.sum(0, false);
    Tensor dH = dLogits.matmulTransposedB(w2);              // dLogits · w2ᵀ
    Tensor dA1 = TensorAdjoints.tanhBackward(h, dH);        // dH * (1 - h²)
    Tensor dW1 = x.transposedMatmul(dA1);                   // xᵀ · dA1
    Tensor dB1 = dA1.sum(0, false);
    gradients[0] = dW1;
    gradients[1] = dB1;
    gradients[2] = dW2;
    gradients[3] = dB2;
    return loss;
  }

  /** Seeded initial parameters {w1, b1, w2, b2} (Xavier weights, zero biases). */
  public static Tensor[] initialParameters() {
    return new Tensor[] {
        Init.xavier(1, INPUTS, HIDDEN), Tensor.zeros(HIDDEN),
        Init.xavier(2, HIDDEN, CLASSES), Tensor.zeros(CLASSES)};
  }

  /** A seeded batch: inputs in [0, 1), like normalised pixels. */
  public static double[] batchInputs() {
    Random random = new Random(3);
    double[] x = new double[BATCH * INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextDouble();
    }
    return x;
  }

  /** Seeded one-hot labels of the batch, row-major [batch, classes]. */
  public static double[] batchLabels() {
    Random random = new Random(4);
    double[] y = new double[BATCH * CLASSES];
    for (int i = 0; i < BATCH; i++) {
      y[i * CLASSES + random.nextInt(CLASSES)] = 1;
    }
    return y;
  }
}
