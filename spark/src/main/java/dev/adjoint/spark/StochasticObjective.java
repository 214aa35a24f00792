package dev.adjoint.spark;

/**
 * An objective that can be evaluated on a random sample of its data, for mini-batch training
 * ({@link MiniBatch}). The same {@code (fraction, seed)} must give the same sample, so that a run
 * can be repeated exactly. {@link DistributedLoss} is one.
 */
@FunctionalInterface
public interface StochasticObjective {
  /** The objective over a sample holding each row with probability {@code fraction}. */
  Objective sample(double fraction, long seed);
}
