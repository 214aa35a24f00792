package dev.adjoint.processor.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.processor.testing.Compiled;
import dev.adjoint.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated code with loops (each call its own tape), arrays (gradients written into fresh
 * arrays, inputs only read), tensors, layers and Jacobians, called from 8 threads at once in
 * different orders, gives bit for bit the results of single-threaded calls, and leaves its inputs
 * alone. (The scalar case is {@code numeric.ThreadSafetyTest}.)
 */
class ConcurrentCallsTest {
  static final int THREADS = 8;
  static final int INPUTS = 400;
  static final int ROUNDS = 3;

  static Compiled c;

  @BeforeAll
  static void compile() {
    c = Compiled.of("p.Model", """
        package p;

        import dev.adjoint.Differentiable;
        import dev.adjoint.tensor.Tensor;

        public final class Model {
          /** A data-dependent trip count, a branch per iteration and an int recurrence: all taped. */
          @Differentiable
          public static double loop(double x, double r, int n) {
            double s = x;
            int k = 1;
            int i = 0;
            while (i < n && s < 100) {
              k = (k * 5 + 1) % 7;
              if (s > 0.5) {
                s = s * r + Math.sin(s * k);
              } else {
                s = s + r * k * 0.1;
              }
              i++;
            }
            return s;
          }

          @Differentiable
          public static double arrays(double[] xs, double[] w, double b) {
            double[] t = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
              t[i] = Math.tanh(xs[i] * w[i] + b);
            }
            double s = 0;
            for (double v : t) {
              s += v * v;
            }
            return s;
          }

          @Differentiable
          public static Tensor dense(Tensor x, Tensor w, Tensor b) {
            return x.matmul(w).add(b).tanh();
          }

          @Differentiable(wrt = {"w1", "b1", "w2"})
          public static double mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor labels, int steps) {
            Tensor h = dense(x, w1, b1);
            for (int i = 0; i < steps; i++) {
              h = h.mul(0.5).add(h.square().mul(0.1));
            }
            return Tensor.softmaxCrossEntropy(h.matmul(w2), labels);
          }

          @Differentiable
          public static double[] polar(double r, double theta, double[] extra) {
            double[] out = new double[2 + extra.length];
            out[0] = r * Math.cos(theta);
            out[1] = r * Math.sin(theta);
            for (int i = 0; i < extra.length; i++) {
              out[2 + i] = extra[i] * r;
            }
            return out;
          }
        }
        """);
  }

  /** One call: a name, the arguments (fresh per call), and the call reduced to a list of bit patterns. */
  record Call(String name, Object[] args) {}

  static List<Call> calls(long seed) {
    Random r = new Random(seed);
    List<Call> out = new ArrayList<>();
    for (int i = 0; i < INPUTS; i++) {
      switch (i % 5) {
        case 0 -> out.add(new Call("loop", new Object[] {r.nextDouble(), 0.5 + r.nextDouble(), r.nextInt(200)}));
        case 1 -> {
          int n = 1 + r.nextInt(20);
          out.add(new Call("arrays", new Object[] {gaussian(r, n), gaussian(r, n), r.nextGaussian()}));
        }
        case 2 -> out.add(new Call("dense", new Object[] {
            Tensor.of(gaussian(r, 6), 2, 3), Tensor.of(gaussian(r, 12), 3, 4), Tensor.of(gaussian(r, 4), 4)}));
        case 3 -> out.add(new Call("mlp", new Object[] {Tensor.of(gaussian(r, 8), 2, 4),
            Tensor.of(gaussian(r, 20), 4, 5), Tensor.of(gaussian(r, 5), 5), Tensor.of(gaussian(r, 15), 5, 3),
            Tensor.of(new double[] {r.nextInt(3), r.nextInt(3)}, 2), r.nextInt(4)}));
        default -> out.add(new Call("polarJacobian", new Object[] {r.nextDouble(), r.nextGaussian(), gaussian(r, r.nextInt(4))}));
      }
    }
    return out;
  }

  static double[] gaussian(Random r, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.nextGaussian();
    }
    return out;
  }

  /** The result as bits: every double of every record component, array and tensor, in order. */
  static long[] bits(Object result) {
    List<Long> out = new ArrayList<>();
    flatten(result, out);
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static void flatten(Object o, List<Long> out) {
    if (o instanceof Double d) {
      out.add(Double.doubleToRawLongBits(d));
    } else if (o instanceof double[] a) {
      out.add((long) a.length);
      for (double v : a) {
        out.add(Double.doubleToRawLongBits(v));
      }
    } else if (o instanceof double[][] m) {
      for (double[] row : m) {
        flatten(row, out);
      }
    } else if (o instanceof Tensor t) {
      for (int d : t.shape()) {
        out.add((long) d);
      }
      flatten(t.toArray(), out);
    } else if (o != null && o.getClass().isRecord()) {
      Compiled.components(o).values().forEach(v -> flatten(v, out));
    } else {
      throw new AssertionError("unexpected result part " + o);
    }
  }

  static long[] run(Call call) {
    return bits(c.call("p.ModelGrad", call.name(), call.args()));
  }

  /** A deep copy of the arguments, to check afterwards that no call wrote them. */
  static Object[] copy(Object[] args) {
    Object[] out = args.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] instanceof double[] a) {
        out[i] = a.clone();
      }
    }
    return out;
  }

  @Test
  void eightThreadsGiveTheSingleThreadedResults() throws Exception {
    List<Call> calls = calls(2024);
    List<Object[]> pristine = calls.stream().map(k -> copy(k.args())).toList();
    List<long[]> expected = calls.stream().map(ConcurrentCallsTest::run).toList();
    for (int i = 0; i < calls.size(); i++) {
      assertArrayEquals(expected.get(i), run(calls.get(i)), "repeated single-threaded call " + i);
    }

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          Function<Integer, Integer> order = k -> thread % 2 == 0
              ? (k * 7 + thread * 31) % calls.size() : calls.size() - 1 - (k + thread * 13) % calls.size();
          int checked = 0;
          for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < calls.size(); k++) {
              int i = order.apply(k);
              long[] got = run(calls.get(i));
              if (!java.util.Arrays.equals(expected.get(i), got)) {
                fail("thread " + thread + ", call " + i + " (" + calls.get(i).name() + ") differs from the single-threaded result");
              }
              checked++;
            }
          }
          return checked;
        }));
      }
      start.countDown();
      for (Future<Integer> f : futures) {
        assertEquals(ROUNDS * calls.size(), f.get(5, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
    // nothing wrote an input
    for (int i = 0; i < calls.size(); i++) {
      Object[] now = calls.get(i).args();
      Object[] before = pristine.get(i);
      for (int a = 0; a < now.length; a++) {
        if (now[a] instanceof double[] arr) {
          assertArrayEquals((double[]) before[a], arr, 0, "argument " + a + " of call " + i);
        } else {
          assertEquals(before[a], now[a], "argument " + a + " of call " + i);
        }
      }
    }
  }
}
