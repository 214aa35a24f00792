package dev.adjoint.spark;

/**
 * What an optimiser found.
 *
 * @param params the final parameters
 * @param value the objective there
 * @param iterations iterations taken (not counting the starting point)
 * @param evaluations objective evaluations (each one a distributed job for a
 *     {@link DistributedLoss})
 * @param stopReason why it stopped, e.g. "max iterations reached", "function values converged"
 * @param history the objective at the start and after each iteration
 * @param seconds wall-clock seconds of {@code minimize}
 */
public record Result(
    double[] params,
    double value,
    int iterations,
    int evaluations,
    String stopReason,
    double[] history,
    double seconds) {}
