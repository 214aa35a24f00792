package dev.adjoint.spark;

/**
 * One iteration of an optimiser, passed to its {@code onIteration} callback.
 *
 * @param iteration the iteration number; 0 is the starting point (L-BFGS reports it, as Breeze
 *     and MLlib count)
 * @param value the objective at the iterate (for mini-batches: on that iteration's sample)
 * @param gradientNorm the Euclidean norm of the gradient there
 * @param seconds wall-clock seconds since {@code minimize} started
 * @param evaluations objective evaluations so far (a line search may take several per iteration)
 */
public record Progress(
    int iteration, double value, double gradientNorm, double seconds, int evaluations) {}
