/**
 * Fit a loss written as a {@code @Differentiable} method on Apache Spark, with the gradient
 * Adjoint generates: no derivative written by hand.
 *
 * <p>Write the loss over a block of rows (row-major features, one label per row) and summed over
 * the block's rows; differentiate it with respect to the parameters only:
 *
 * <pre>{@code
 * @Differentiable(wrt = "w")
 * static double squares(double[] w, double[] x, double[] y, int rows, int cols) {
 *   double s = 0;
 *   for (int i = 0; i < rows; i++) {
 *     double r = w[cols] - y[i];                       // intercept last
 *     for (int j = 0; j < cols; j++) r += w[j] * x[i * cols + j];
 *     s += 0.5 * r * r;
 *   }
 *   return s;
 * }
 * }</pre>
 *
 * Then pack the data once, and minimise the mean loss (plus an L2 term) with the generated
 * array-writing overload {@code double squares(w, x, y, rows, cols, double[] gradient)}:
 *
 * <pre>{@code
 * Blocks blocks = Blocks.from(dataset).pack();              // "features" Vector + "label"
 * DistributedLoss loss = DistributedLoss.of(blocks, ModelGrad::squares)
 *     .l2(1e-3, 0, blocks.cols());                          // the intercept is not regularised
 * Result fit = new Lbfgs().maxIterations(50).minimize(loss, new double[blocks.cols() + 1]);
 * fit.params();
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.adjoint.spark.Blocks}: partitions packed into dense blocks, checked (a bad row is
 *       a {@link dev.adjoint.spark.BadRowException} naming partition, row and column), cached;
 *   <li>{@link dev.adjoint.spark.DistributedLoss}: one Spark job per evaluation, deterministic sums
 *       (bit-identical under retries, lost executors and any executor count);
 *   <li>{@link dev.adjoint.spark.Lbfgs} (Breeze's, as MLlib) and {@link dev.adjoint.spark.MiniBatch}
 *       (the runtime's {@code Sgd}/{@code Adam} on a sample per iteration) minimise any
 *       {@link dev.adjoint.spark.Objective}, distributed or a plain local method reference.
 * </ul>
 *
 * Spark, Scala and Breeze (through spark-mllib) are {@code provided}: the cluster brings them.
 */
package dev.adjoint.spark;
