package dev.adjoint.processor.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.processor.testing.Compiled;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated code is pure: one generated method called from many threads at once gives exactly
 * the results of single-threaded calls.
 */
class ThreadSafetyTest {
  static final int THREADS = 8;
  static final int CALLS = 10_000;

  static final String SOURCE = """
      package p;

      import dev.adjoint.Differentiable;

      public final class Model {
        static final double SCALE = 0.5;

        @Differentiable
        public static double mix(double x, double y, double z) {
          double a = Math.sin(x) * y + Math.exp(-z * z);
          double b = Math.max(a, z) - Math.min(x, y);
          a *= b;
          a += Math.hypot(x, z) / (1 + y * y);
          final double c = Math.abs(x - z) + StrictMath.atan2(y, 1 + x * x);
          a = a * c + SCALE * Math.floor(y);
          return a * Math.tanh(b) + Math.log1p(x * x) + Math.cbrt(z) * c;
        }

        @Differentiable
        public static double other(double u, double v) {
          double s = u * v;
          s -= Math.cos(u) / (2 + Math.sin(v));
          return s * s + Math.sqrt(1 + u * u);
        }
      }
      """;

  static Compiled compiled;
  static MethodHandle mix;
  static MethodHandle other;
  static MethodHandle[] mixComponents;
  static MethodHandle[] otherComponents;

  @BeforeAll
  static void compile() throws ReflectiveOperationException {
    compiled = Compiled.of("p.Model", SOURCE);
    Class<?> grad = compiled.load("p.ModelGrad");
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    mix = lookup.findStatic(grad, "mix", MethodType.methodType(
        grad.getMethod("mix", double.class, double.class, double.class).getReturnType(),
        double.class, double.class, double.class));
    other = lookup.findStatic(grad, "other", MethodType.methodType(
        grad.getMethod("other", double.class, double.class).getReturnType(),
        double.class, double.class));
    mixComponents = accessors(mix.type().returnType(), "value", "x", "y", "z");
    otherComponents = accessors(other.type().returnType(), "value", "u", "v");
  }

  private static MethodHandle[] accessors(Class<?> record, String... names)
      throws IllegalAccessException {
    assertTrue(record.isRecord(), record + " is not a record");
    RecordComponent[] rcs = record.getRecordComponents();
    MethodHandle[] out = new MethodHandle[names.length];
    for (int i = 0; i < names.length; i++) {
      for (RecordComponent rc : rcs) {
        if (rc.getName().equals(names[i])) {
          out[i] = MethodHandles.publicLookup().unreflect(rc.getAccessor());
        }
      }
      if (out[i] == null) {
        fail("no component " + names[i] + " in " + record);
      }
    }
    return out;
  }

  /** Inputs: random, with some exact ties for max/min and the abs kink, and integers for floor. */
  static double[][] inputs(long seed, int n) {
    Random r = new Random(seed);
    double[][] in = new double[n][];
    for (int i = 0; i < n; i++) {
      double x = r.nextGaussian() * 2;
      double y = r.nextGaussian() * 2;
      double z = r.nextGaussian() * 2;
      switch (i % 10) {
        case 0 -> y = x; // min tie
        case 1 -> z = x; // abs at 0
        case 2 -> y = Math.rint(y); // floor at a jump
        default -> { }
      }
      in[i] = new double[] {x, y, z};
    }
    return in;
  }

  static double[] callMix(double[] p) {
    try {
      Object g = mix.invoke(p[0], p[1], p[2]);
      double[] out = new double[mixComponents.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (double) mixComponents[i].invoke(g);
      }
      return out;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  static double[] callOther(double[] p) {
    try {
      Object g = other.invoke(p[0], p[1]);
      double[] out = new double[otherComponents.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (double) otherComponents[i].invoke(g);
      }
      return out;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  private static void assertSameBits(double[] expected, double[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
        fail(what + ": component " + i + " is " + actual[i] + " but single-threaded gave " + expected[i]);
      }
    }
  }

  @Test
  void manyThreadsGiveTheSingleThreadedResults() throws Exception {
    double[][] in = inputs(42, CALLS);
    double[][] expected = new double[CALLS][];
    for (int i = 0; i < CALLS; i++) {
      expected[i] = callMix(in[i]);
    }
    // a second single-threaded pass must agree with the first (determinism)
    for (int i = 0; i < CALLS; i++) {
      assertSameBits(expected[i], callMix(in[i]), "repeated call at input " + i);
    }

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<double[][]>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t * (CALLS / THREADS);
        boolean backwards = t % 2 == 1; // visit the inputs in a different order per thread
        futures.add(pool.submit(() -> {
          start.await();
          double[][] out = new double[CALLS][];
          for (int k = 0; k < CALLS; k++) {
            int i = (offset + k) % CALLS;
            if (backwards) {
              i = CALLS - 1 - i;
            }
            out[i] = callMix(in[i]);
          }
          return out;
        }));
      }
      start.countDown();
      for (int t = 0; t < THREADS; t++) {
        double[][] out = futures.get(t).get(2, TimeUnit.MINUTES);
        for (int i = 0; i < CALLS; i++) {
          assertSameBits(expected[i], out[i], "thread " + t + ", input " + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoMethodsInterleavedOnManyThreads() throws Exception {
    double[][] in = inputs(7, CALLS);
    double[][] mixExpected = new double[CALLS][];
    double[][] otherExpected = new double[CALLS][];
    for (int i = 0; i < CALLS; i++) {
      mixExpected[i] = callMix(in[i]);
      otherExpected[i] = callOther(in[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        boolean mixFirst = t % 2 == 0;
        futures.add(pool.submit(() -> {
          start.await();
          int checked = 0;
          for (int i = 0; i < CALLS; i++) {
            int k = mixFirst ? i : CALLS - 1 - i;
            assertSameBits(mixExpected[k], callMix(in[k]), "mix at input " + k);
            assertSameBits(otherExpected[k], callOther(in[k]), "other at input " + k);
            checked++;
          }
          return checked;
        }));
      }
      start.countDown();
      for (Future<Integer> f : futures) {
        assertEquals(CALLS, f.get(2, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void generatedClassHasNoMutableStaticState() {
    Class<?> grad = compiled.load("p.ModelGrad");
    List<Class<?>> classes = new ArrayList<>(List.of(grad));
    classes.addAll(List.of(grad.getDeclaredClasses()));
    for (Class<?> c : classes) {
      for (Field f : c.getDeclaredFields()) {
        int m = f.getModifiers();
        if (Modifier.isStatic(m)) {
          assertTrue(Modifier.isFinal(m), c.getName() + "." + f.getName() + " is a mutable static field");
          assertTrue(f.getType().isPrimitive() || f.getType() == String.class,
              c.getName() + "." + f.getName() + " is a static field of type " + f.getType());
        }
      }
    }
  }
}
