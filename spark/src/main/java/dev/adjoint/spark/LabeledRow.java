package dev.adjoint.spark;

import java.io.Serializable;

/**
 * One row of a {@code JavaRDD} to pack into {@link Blocks}: its features, its label and its
 * weight (1 unless given), MLlib's {@code Instance} in Java.
 */
public record LabeledRow(double[] features, double label, double weight) implements Serializable {
  public LabeledRow(double[] features, double label) {
    this(features, label, 1);
  }
}
