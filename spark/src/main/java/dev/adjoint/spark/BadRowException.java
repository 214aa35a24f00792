package dev.adjoint.spark;

/**
 * A row that cannot be trained on: a feature or label that is NaN or infinite, a row of the wrong
 * width, a label outside the declared range or a negative weight. The message names the
 * partition, the row's index within it (counted from 0 in the partition's order) and, for a
 * feature, the column. Thrown on the driver by {@link Blocks.Packer#pack()}, which packs and checks
 * every row at once, with the Spark job's failure as its cause.
 */
public final class BadRowException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BadRowException(String message) {
    super(message);
  }

  BadRowException(String message, Throwable cause) {
    super(message, cause);
  }
}
