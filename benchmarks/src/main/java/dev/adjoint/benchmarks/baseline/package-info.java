/**
 * <b>BASELINE, not Adjoint.</b> A small run-time reverse-mode AD of the kind Adjoint replaces: the
 * function runs on {@link dev.adjoint.benchmarks.baseline.Value} nodes, every operation records a
 * node (its value, its inputs and its local partial derivatives) on a
 * {@link dev.adjoint.benchmarks.baseline.Graph}, and the gradient comes from walking the recorded
 * nodes backwards (creation order is a topological order), as in micrograd and PyTorch's
 * autograd. It exists only to measure what recording a graph at run time costs.
 */
package dev.adjoint.benchmarks.baseline;
