package dev.adjoint.spark.samples;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The command-line options the Fashion-MNIST samples share: {@code [DATA_DIR] [--master URL]
 * [--iterations N] [--partitions N] [--rows N] [--block-rows N]}; a sample's own options go to
 * its {@link Extra}.
 */
record CommonOptions(Path data, String master, int iterations, int partitions, int rows,
    int blockRows) {

  /** A sample's own options. */
  @FunctionalInterface
  interface Extra {
    /**
     * Applies option {@code name}, taking its value (if it has one) from {@code value}; false
     * when {@code name} is not this sample's option.
     */
    boolean apply(String name, Supplier<String> value);
  }

  static CommonOptions parse(String[] args, int defaultIterations, Extra extra) {
    Path data = FashionMnist.defaultDir();
    String master = "local[*]";
    int iterations = defaultIterations;
    int partitions = 0;
    int rows = Integer.MAX_VALUE;
    int blockRows = 128;
    int[] next = {0};
    Supplier<String> value = () -> {
      if (next[0] >= args.length) {
        throw new IllegalArgumentException("option " + args[next[0] - 1] + " needs a value");
      }
      return args[next[0]++];
    };
    while (next[0] < args.length) {
      String a = args[next[0]++];
      switch (a) {
        case "--master" -> master = value.get();
        case "--iterations" -> iterations = Integer.parseInt(value.get());
        case "--partitions" -> partitions = Integer.parseInt(value.get());
        case "--rows" -> rows = Integer.parseInt(value.get());
        case "--block-rows" -> blockRows = Integer.parseInt(value.get());
        default -> {
          if (!a.startsWith("--")) {
            data = Path.of(a);
          } else if (!extra.apply(a, value)) {
            throw new IllegalArgumentException("unknown option " + a);
          }
        }
      }
    }
    return new CommonOptions(data, master, iterations, partitions, rows, blockRows);
  }
}
