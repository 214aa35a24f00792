package dev.adjoint.gradbench;

import dev.adjoint.Differentiable;

/**
 * GradBench's {@code lstm} (ADBench's LSTM with diagonal weights): the loss of predicting each
 * character of a sequence from the previous ones through {@code l} LSTM layers of width
 * {@code b}, and its gradient with respect to the main and extra parameters. Arrays are the
 * eval's rows laid end to end: layer j's weights are {@code mainParams[8bj .. 8bj+4b)} (forget,
 * ingate, outgate, change) followed by its biases; its hidden state is {@code state[2bj ..
 * 2bj+b)} and its cell state the next b elements; the extra parameters are the input weight, the
 * output weight and the output bias.
 */
public final class Lstm {
  private Lstm() {}

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * tanh(x) = 2 sigmoid(2x) - 1 (exact in real arithmetic; within 3.4e-16 of {@code Math.tanh}
   * in absolute terms): on JDK 17 {@code Math.tanh} is a native call that costs about four
   * {@code Math.exp}, which C2 compiles inline, and the cell computes two tanh per unit.
   */
  static double tanh(double x) {
    return 2 * sigmoid(2 * x) - 1;
  }

  @Differentiable(wrt = {"mainParams", "extraParams"})
  public static double loss(double[] mainParams, double[] extraParams, double[] state0,
      double[] sequence, int l, int b, int c) {
    double[] state = state0.clone();
    double[] ypred = new double[b];
    double total = 0;
    int count = 0;
    for (int t = 0; t < c - 1; t++) {
      // predict: the input scaled, through every layer, then the output layer
      for (int i = 0; i < b; i++) {
        ypred[i] = sequence[t * b + i] * extraParams[i];
      }
      for (int layer = 0; layer < l; layer++) {
        int w = 8 * b * layer;
        int h = 2 * b * layer;
        for (int i = 0; i < b; i++) {
          // the layer's input: the scaled character, or the hidden state of the layer below
          double in = layer == 0 ? ypred[i] : state[h - 2 * b + i];
          double forget = sigmoid(in * mainParams[w + i] + mainParams[w + 4 * b + i]);
          double ingate = sigmoid(state[h + i] * mainParams[w + b + i] + mainParams[w + 5 * b + i]);
          double outgate = sigmoid(in * mainParams[w + 2 * b + i] + mainParams[w + 6 * b + i]);
          double change =
              tanh(state[h + i] * mainParams[w + 3 * b + i] + mainParams[w + 7 * b + i]);
          state[h + b + i] = state[h + b + i] * forget + ingate * change;
          state[h + i] = outgate * tanh(state[h + b + i]);
        }
      }
      int top = 2 * b * (l - 1);
      for (int i = 0; i < b; i++) {
        ypred[i] = state[top + i] * extraParams[b + i] + extraParams[2 * b + i];
      }
      // log(sum(exp(ypred)) + 2), then the log-likelihood of the next character
      double sum = 0;
      for (int i = 0; i < b; i++) {
        sum += Math.exp(ypred[i]);
      }
      double lse = Math.log(sum + 2);
      for (int i = 0; i < b; i++) {
        total += sequence[(t + 1) * b + i] * (ypred[i] - lse);
      }
      count += b;
    }
    return -total / count;
  }

  record Input(double[][] main_params, double[][] extra_params, double[][] state,
      double[][] sequence) {}

  static final Tool.Module MODULE = (function, input) -> {
    Input in = Tool.GSON.fromJson(input, Input.class);
    int l = in.main_params().length / 2;
    int b = in.main_params()[0].length / 4;
    int c = in.sequence().length;
    double[] main = Gmm.flatten(in.main_params());
    double[] extra = Gmm.flatten(in.extra_params());
    double[] state = Gmm.flatten(in.state());
    double[] sequence = Gmm.flatten(in.sequence());
    return switch (function) {
      case "objective" -> () -> loss(main, extra, state, sequence, l, b, c);
      case "jacobian" -> {
        double[] gMain = new double[main.length];
        double[] gExtra = new double[extra.length];
        double[] jacobian = new double[main.length + extra.length];
        yield () -> {
          LstmGrad.loss(main, extra, state, sequence, l, b, c, gMain, gExtra);
          System.arraycopy(gMain, 0, jacobian, 0, gMain.length);
          System.arraycopy(gExtra, 0, jacobian, gMain.length, gExtra.length);
          return jacobian;
        };
      }
      default -> null;
    };
  };
}
