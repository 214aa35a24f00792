package dev.adjoint.samples;

import dev.adjoint.Differentiable;
import dev.adjoint.nn.Adam;
import dev.adjoint.nn.Dataset;
import dev.adjoint.nn.Init;
import dev.adjoint.nn.Metrics;
import dev.adjoint.nn.Optimizer;
import dev.adjoint.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A multilayer perceptron that learns to read handwritten digits, trained with the gradient
 * Adjoint generates at compile time ({@code DigitsMlpGrad.loss}) and the Adam optimiser.
 *
 * <p>Without arguments it trains a 64-64-10 network on the UCI optical digits shipped with the
 * samples (8×8 images; 80% for training, 20% held out for testing). Given a directory holding the
 * four IDX files of Fashion-MNIST (or MNIST), it trains a 784-256-10 network on those 28×28
 * images instead. It shows its progress on one line, prints a summary and writes the loss and
 * accuracy curves as an SVG chart into the working directory.
 */
public final class DigitsMlp {
  private DigitsMlp() {}

  /**
   * The mean softmax cross-entropy of the network on a batch: a hidden layer of relu units, then
   * one score (logit) per class. Adjoint generates {@code DigitsMlpGrad.loss}, which returns this
   * value and its gradient with respect to the weights and biases.
   *
   * @param x the images, shape {@code [batch, pixels]}
   * @param w1 shape {@code [pixels, hidden]}
   * @param b1 shape {@code [hidden]}
   * @param w2 shape {@code [hidden, classes]}
   * @param b2 shape {@code [classes]}
   * @param labels the class of every image, shape {@code [batch]}
   */
  @Differentiable(wrt = {"w1", "b1", "w2", "b2"})
  public static double loss(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor labels) {
    Tensor hidden = x.matmul(w1).add(b1).relu();
    Tensor logits = hidden.matmul(w2).add(b2);
    return Tensor.softmaxCrossEntropy(logits, labels);
  }

  /** The network's scores, one per class, as in {@link #loss}; the largest is the prediction. */
  public static Tensor logits(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
    Tensor hidden = x.matmul(w1).add(b1).relu();
    return hidden.matmul(w2).add(b2);
  }

  /**
   * How to train.
   *
   * @param hidden the number of hidden units
   * @param epochs passes over the training set
   * @param batchSize examples per step
   * @param learningRate Adam's learning rate
   * @param seed for the initial weights and the order of the examples
   */
  public record Config(int hidden, int epochs, int batchSize, double learningRate, long seed) {
    /** The digits: 64-64-10, 30 epochs of batches of 32. */
    public static Config digits() {
      return new Config(64, 30, 32, 3e-3, 1);
    }

    /** Fashion-MNIST: 784-256-10, 8 epochs of batches of 128. */
    public static Config fashion() {
      return new Config(256, 8, 128, 1e-3, 1);
    }
  }

  /**
   * What one epoch achieved.
   *
   * @param epoch counting from 1
   * @param trainLoss the mean loss over the epoch's batches (weighted by their sizes)
   * @param testLoss the loss on the test set after the epoch
   * @param testAccuracy the fraction of the test set classified correctly after the epoch
   * @param examplesPerSecond training examples per second of this epoch's training (forward,
   *     gradient and update; evaluation not included)
   */
  public record Epoch(int epoch, double trainLoss, double testLoss, double testAccuracy,
      double examplesPerSecond) {}

  /**
   * The outcome of training.
   *
   * @param params the network's parameters {@code {w1, b1, w2, b2}} after training
   * @param history one record per epoch
   * @param examples the number of training examples processed (epochs times training set size)
   * @param trainingSeconds the time spent training (evaluation not included)
   */
  public record Result(Tensor[] params, List<Epoch> history, long examples,
      double trainingSeconds) {
    /** The last epoch's record. */
    public Epoch last() {
      return history.get(history.size() - 1);
    }

    /** Training examples per second over the whole run. */
    public double examplesPerSecond() {
      return examples / trainingSeconds;
    }
  }

  /**
   * Trains a fresh network on {@code train}, evaluating on {@code test} after every epoch.
   *
   * @param train features {@code [n, pixels]} and class labels {@code [n]}
   * @param test held out, evaluated after every epoch
   * @param classes the number of classes
   * @param listener hears about every batch and every epoch ({@link Listener#NONE}: nothing)
   */
  public static Result train(Dataset train, Dataset test, int classes, Config config,
      Listener listener) {
    int inputs = train.featureShape()[1];
    Tensor[] p = {
        Init.he(config.seed(), inputs, config.hidden()), Tensor.zeros(config.hidden()),
        Init.xavier(config.seed() + 1, config.hidden(), classes), Tensor.zeros(classes)};
    Optimizer adam = new Adam(config.learningRate());
    List<Epoch> history = new ArrayList<>();
    int batches = train.batchCount(config.batchSize());
    double trainingSeconds = 0;
    long examples = 0;
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      long start = System.nanoTime();
      double lossSum = 0;
      int seen = 0;
      int batch = 0;
      for (Dataset.Batch b : train.batches(config.batchSize(), config.seed() * 1000 + epoch)) {
        DigitsMlpGrad.Loss g = DigitsMlpGrad.loss(b.x(), p[0], p[1], p[2], p[3], b.y());
        p = adam.step(p, g.gradients());
        lossSum += g.value() * b.size();
        seen += b.size();
        listener.onBatch(epoch, ++batch, batches, lossSum / seen, seen / seconds(start));
      }
      double seconds = seconds(start);
      trainingSeconds += seconds;
      examples += seen;
      double[] eval = evaluate(test, p);
      Epoch e = new Epoch(epoch, lossSum / seen, eval[0], eval[1], seen / seconds);
      history.add(e);
      listener.onEpoch(e);
    }
    return new Result(p, List.copyOf(history), examples, trainingSeconds);
  }

  /** {@code {mean loss, accuracy}} of the network {@code p} on {@code data}, in batches. */
  public static double[] evaluate(Dataset data, Tensor[] p) {
    double loss = 0;
    int correct = 0;
    for (Dataset.Batch b : data.batches(1000)) {
      Tensor scores = logits(b.x(), p[0], p[1], p[2], p[3]);
      loss += Tensor.softmaxCrossEntropy(scores, b.y()) * b.size();
      correct += Metrics.correct(scores, b.y());
    }
    return new double[] {loss / data.size(), (double) correct / data.size()};
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Hears about training progress. */
  public interface Listener {
    /** After each batch: the mean loss so far this epoch and the examples per second. */
    default void onBatch(int epoch, int batch, int batches, double runningLoss,
        double examplesPerSecond) {}

    /** After each epoch, with the test results. */
    default void onEpoch(Epoch epoch) {}

    Listener NONE = new Listener() {};
  }

  // ---- the program -----------------------------------------------------------------------------

  public static void main(String[] args) {
    if (args.length > 1 || (args.length == 1 && args[0].startsWith("-"))) {
      System.err.println("usage: DigitsMlp [directory with the Fashion-MNIST IDX files]");
      System.exit(2);
    }
    long start = System.nanoTime();
    String name;
    Dataset.Split data;
    Config config;
    if (args.length == 0) {
      name = "digits-mlp";
      data = SampleData.digits().split(0.8, 42);
      config = Config.digits();
      System.out.printf(Locale.ROOT,
          "Handwritten digits (UCI, 8x8 pixels): %d training and %d test images%n",
          data.train().size(), data.test().size());
    } else {
      name = "fashion-mnist-mlp";
      try {
        data = SampleData.mnist(Path.of(args[0]));
      } catch (IllegalArgumentException | UncheckedIOException e) {
        System.err.println("Cannot read Fashion-MNIST: " + e.getMessage());
        System.exit(1);
        return;
      }
      config = Config.fashion();
      System.out.printf(Locale.ROOT,
          "Fashion-MNIST (28x28 pixels) from %s: %d training and %d test images%n",
          args[0], data.train().size(), data.test().size());
    }
    int inputs = data.train().featureShape()[1];
    System.out.printf(Locale.ROOT,
        "Training a %d-%d-10 perceptron (relu, softmax cross-entropy) with Adam, learning rate %s,"
            + " batches of %d, gradients generated by Adjoint (DigitsMlpGrad)%n",
        inputs, config.hidden(), config.learningRate(), config.batchSize());

    ProgressLine progress = new ProgressLine(System.out, System.console() != null, config.epochs());
    Result result = train(data.train(), data.test(), 10, config, progress);
    progress.finish();

    Epoch last = result.last();
    double best = result.history().stream().mapToDouble(Epoch::testAccuracy).max().orElse(0);
    Path chart = Path.of(name + "-training.svg").toAbsolutePath();
    writeChart(chart, name, result.history());
    System.out.printf(Locale.ROOT,
        "Test accuracy %.2f%% (%d of %d) after %d epochs (best %.2f%%); test loss %.4f%n",
        100 * last.testAccuracy(), Math.round(last.testAccuracy() * data.test().size()),
        data.test().size(), last.epoch(), 100 * best, last.testLoss());
    System.out.printf(Locale.ROOT,
        "Trained in %.1f s, %,.0f examples/s; %.1f s in all%n", result.trainingSeconds(),
        result.examplesPerSecond(), seconds(start));
    System.out.println("Loss and accuracy curves: " + chart);
  }

  /** Writes the loss and accuracy of every epoch as an SVG chart. */
  static void writeChart(Path file, String name, List<Epoch> history) {
    int n = history.size();
    double[] trainLoss = new double[n];
    double[] testLoss = new double[n];
    double[] accuracy = new double[n];
    for (int i = 0; i < n; i++) {
      trainLoss[i] = history.get(i).trainLoss();
      testLoss[i] = history.get(i).testLoss();
      accuracy[i] = 100 * history.get(i).testAccuracy();
    }
    String svg = LineChart.svg(name + ": training with gradients generated by Adjoint", List.of(
        new LineChart.Panel("Loss (softmax cross-entropy)", "loss", true, List.of(
            new LineChart.Series("training", "#1f77b4", trainLoss),
            new LineChart.Series("test", "#d62728", testLoss))),
        new LineChart.Panel(n == 0 ? "Test accuracy" : String.format(Locale.ROOT,
            "Test accuracy (last epoch %.2f%%)", accuracy[n - 1]), "accuracy (%)", false, List.of(
            new LineChart.Series("test", "#2ca02c", accuracy)))));
    try {
      Files.writeString(file, svg, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Progress on one line: in a terminal the line is rewritten in place ({@code '\r'}) a few times
   * a second; otherwise (output to a file or a pipe) one line per epoch.
   */
  static final class ProgressLine implements Listener {
    private final PrintStream out;
    private final boolean terminal;
    private final int epochs;
    private long lastDraw;
    private int width;
    private Epoch lastEpoch;

    ProgressLine(PrintStream out, boolean terminal, int epochs) {
      this.out = out;
      this.terminal = terminal;
      this.epochs = epochs;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double runningLoss,
        double examplesPerSecond) {
      long now = System.nanoTime();
      // in a terminal, at most ten times a second; not on an epoch's first batch, whose rate
      // means little
      if (!terminal || batch == 1 || now - lastDraw < 100_000_000L) {
        return;
      }
      lastDraw = now;
      String tail = lastEpoch == null ? ""
          : String.format(Locale.ROOT, "  test accuracy %.2f%%", 100 * lastEpoch.testAccuracy());
      draw(String.format(Locale.ROOT, "epoch %d/%d  batch %d/%d  loss %.4f%s  %,.0f examples/s",
          epoch, epochs, batch, batches, runningLoss, tail, examplesPerSecond));
    }

    @Override
    public void onEpoch(Epoch e) {
      lastEpoch = e;
      String line = String.format(Locale.ROOT,
          "epoch %d/%d  loss %.4f  test loss %.4f  test accuracy %.2f%%  %,.0f examples/s",
          e.epoch(), epochs, e.trainLoss(), e.testLoss(), 100 * e.testAccuracy(),
          e.examplesPerSecond());
      if (terminal) {
        draw(line);
      } else {
        out.println(line);
      }
    }

    private void draw(String line) {
      // pad with blanks to overwrite the rest of a longer previous line
      out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      out.flush();
      width = line.length();
    }

    /** Ends the updating line. */
    void finish() {
      if (terminal) {
        out.println();
      }
    }
  }
}
