/**
 * Training helpers: optimisers, weight initialisers, data sets with seeded shuffling and
 * mini-batches, and accuracy. They work on what the processor generates, so a training loop is a
 * few lines:
 *
 * <pre>{@code
 * Tensor[] params = {Init.he(1, 64, 128), Tensor.zeros(128), Init.xavier(2, 128, 10), Tensor.zeros(10)};
 * Optimizer adam = new Adam(1e-3);
 * for (int epoch = 0; epoch < 20; epoch++) {
 *   for (Dataset.Batch b : train.batches(32, epoch)) {
 *     ModelGrad.Loss g = ModelGrad.loss(b.x(), params[0], params[1], params[2], params[3], b.y());
 *     params = adam.step(params, g.gradients());   // gradients in parameter order
 *   }
 * }
 * }</pre>
 *
 * <p>Everything that draws random numbers takes a seed, so a run can be repeated exactly.
 * Optimisers keep state (momentum, moment estimates) and are not thread-safe; the other classes
 * are immutable.
 */
package dev.adjoint.nn;
