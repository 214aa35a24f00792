package dev.adjoint.gradbench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Our own gradient's cost over our own primal's, for the loop-heavy evals (gmm, lstm, ode), in
 * thread CPU time so that other processes on a loaded machine do not skew it (wall time is what
 * GradBench's harness measures; see gradbench/run-all.sh). Not a test: run with
 * {@code java -cp gradbench/target/test-classes:gradbench/target/classes:gradbench/target/lib/*
 * dev.adjoint.gradbench.RatioBench [gmm D K N] [lstm L C] [ode N S]}.
 */
public final class RatioBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private RatioBench() {}

  /**
   * The fastest of {@code runs} calls after {@code warm} warm-up calls, and at least 10 s of them
   * (under load, C2 compiles a large generated method for seconds: 20 short calls are not enough),
   * in CPU milliseconds.
   */
  static double best(Supplier<Object> f, int warm, int runs) {
    long warmUntil = System.nanoTime() + 10_000_000_000L;
    for (int i = 0; i < warm || System.nanoTime() < warmUntil; i++) {
      f.get();
    }
    double best = Double.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long t0 = CPU.getCurrentThreadCpuTime();
      f.get();
      best = Math.min(best, (CPU.getCurrentThreadCpuTime() - t0) / 1e6);
    }
    return best;
  }

  static double[] random(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian();
    }
    return v;
  }

  static void report(String what, Supplier<Object> primal, Supplier<Object> gradient, int warm, int runs) {
    double p = best(primal, warm, runs);
    double g = best(gradient, warm, runs);
    System.out.printf("%-24s primal %9.3f ms  gradient %9.3f ms  gradient/primal %.2f%n", what, p, g, g / p);
  }

  public static void main(String[] args) {
    String which = args.length > 0 ? args[0] : "all";
    Random r = new Random(31337);
    if (which.equals("gmm") || which.equals("all")) {
      int d = args.length > 1 ? Integer.parseInt(args[1]) : 32;
      int k = args.length > 2 ? Integer.parseInt(args[2]) : 25;
      int n = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
      int lsz = d * (d - 1) / 2;
      double[] alpha = random(r, k);
      double[] mu = random(r, k * d);
      double[] q = random(r, k * d);
      double[] l = random(r, k * lsz);
      double[] x = random(r, n * d);
      double[][] g = {new double[k], new double[k * d], new double[k * d], new double[k * lsz]};
      report("gmm d=" + d + " k=" + k + " n=" + n,
          () -> Gmm.logPosterior(alpha, mu, q, l, x, d, k, n, 0, 1.0),
          () -> GmmGrad.logPosterior(alpha, mu, q, l, x, d, k, n, 0, 1.0, g[0], g[1], g[2], g[3]), 20, 30);
    }
    if (which.equals("lstm") || which.equals("all")) {
      int layers = args.length > 1 && which.equals("lstm") ? Integer.parseInt(args[1]) : 2;
      int c = args.length > 2 && which.equals("lstm") ? Integer.parseInt(args[2]) : 1024;
      int b = 14;
      double[] main = random(r, 2 * layers * 4 * b);
      double[] extra = random(r, 3 * b);
      double[] state = random(r, 2 * layers * b);
      double[] seq = new double[c * b];
      for (int i = 0; i < seq.length; i++) {
        seq[i] = r.nextBoolean() ? 1 : 0;
      }
      double[] gm = new double[main.length];
      double[] ge = new double[extra.length];
      report("lstm l=" + layers + " c=" + c,
          () -> Lstm.loss(main, extra, state, seq, layers, b, c),
          () -> LstmGrad.loss(main, extra, state, seq, layers, b, c, gm, ge), 50, 50);
    }
    if (which.equals("ode") || which.equals("all")) {
      int n = args.length > 1 && which.equals("ode") ? Integer.parseInt(args[1]) : 1000;
      int s = args.length > 2 && which.equals("ode") ? Integer.parseInt(args[2]) : 1000;
      double[] x = random(r, n);
      double[] seed = new double[n];
      seed[n - 1] = 1;
      report("ode n=" + n + " s=" + s, () -> Ode.solve(x, s), () -> OdeGrad.solveVjp(x, s, seed).x(), 5, 10);
    }
  }
}
