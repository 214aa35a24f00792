package dev.adjoint.tensor.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every kernel (vector, scalar, simple, threaded) and every transpose/accumulate combination
 * against a naive triple loop, on shapes that hit every edge: tiles, k blocks, m blocks and n
 * blocks that do not divide the size, leading dimensions larger than the row, offsets.
 */
class MatMulTest {

  /** {m, n, k}: odd edges, one-row/one-column products, and sizes crossing every block. */
  private static final int[][] SHAPES = {
      {1, 1, 1}, {1, 40, 33}, {40, 1, 33}, {33, 40, 1}, {1, 300, 17}, {2, 3, 4},
      {7, 13, 5}, {16, 16, 16}, {17, 31, 19}, {6, 16, 20}, {12, 32, 260},
      {65, 129, 33}, {65, 129, 70}, {97, 50, 300}, {300, 200, 100}, {20, 4111, 18},
      // one short dimension (the MLP's 10 classes): packed with padded tiles, or computed as
      // Cᵀ = op(B)ᵀ·op(A)ᵀ when n is short; large enough to be split across threads too
      {128, 10, 256}, {128, 256, 10}, {256, 10, 128}, {10, 256, 128}, {130, 7, 33},
      {65, 3, 300}, {300, 10, 400}, {40, 2, 33}, {5, 300, 40}, {256, 1, 50}, {1, 1, 300},
      {700, 10, 100}, {8, 8, 8}, {3, 9, 11},
      // m within two register tiles and n across B blocks: B read in place, edge sliver packed
      {12, 4111, 20}, {10, 2100, 300}, {11, 17, 513},
  };

  /** The shapes given to the packed kernels directly (bypassing the simple path). */
  private static final int[][] KERNEL_SHAPES = {
      {1, 1, 1}, {1, 17, 3}, {5, 1, 7}, {7, 13, 5}, {6, 16, 1}, {13, 33, 257},
      {65, 129, 33}, {200, 20, 40},
  };

  @AfterEach
  void restoreDefaults() {
    MatMul.setThreads(Runtime.getRuntime().availableProcessors());
    MatMul.useScalarKernel(false);
  }

  // ---- the kernels, through the dispatcher ----------------------------------------------

  @Test
  void vectorKernelIsLoadedWhenTheModuleIsPresent() {
    // surefire runs with --add-modules jdk.incubator.vector
    assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    assertNotNull(MatMul.vectorKernel(), "vector kernel failed to load");
    assertTrue(MatMul.isVectorKernelAvailable());
    assertTrue(MatMul.kernelName().startsWith("vector"), MatMul.kernelName());
  }

  @Test
  void vectorKernelSingleThread() {
    checkAllShapes(MatMul.vectorKernel(), 1);
  }

  @Test
  void scalarKernelSingleThread() {
    checkAllShapes(ScalarKernel.INSTANCE, 1);
  }

  @Test
  void vectorKernelThreaded() {
    checkAllShapes(MatMul.vectorKernel(), 2);
    checkAllShapes(MatMul.vectorKernel(), 3);
  }

  @Test
  void scalarKernelThreaded() {
    checkAllShapes(ScalarKernel.INSTANCE, 2);
    checkAllShapes(ScalarKernel.INSTANCE, 5);
  }

  /** The split into slabs, forced on every shape (the dispatcher splits only large ones). */
  @Test
  void parallelSlabsOnEveryShape() {
    Random random = new Random(13);
    for (Kernel kernel : new Kernel[] {MatMul.vectorKernel(), ScalarKernel.INSTANCE}) {
      for (int parts = 2; parts <= 4; parts++) {
        int maxParts = parts;
        for (int[] s : SHAPES) {
          for (int flags = 0; flags < 8; flags++) {
            Case c = new Case(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0,
                (flags & 4) != 0, random);
            c.run((tA, tB, m, n, k, a, ao, lda, b, bo, ldb, cc, co, ldc, acc) ->
                MatMul.parallel(kernel, maxParts, tA, tB, m, n, k, a, ao, lda, b, bo, ldb,
                    cc, co, ldc, acc));
            c.verify(kernel.name() + ", slabs=" + maxParts);
          }
        }
      }
    }
  }

  /** The packed kernels on their own, including shapes the dispatcher sends elsewhere. */
  @Test
  void packedKernelsOnTinyAndOddShapes() {
    Random random = new Random(7);
    for (Kernel kernel : new Kernel[] {MatMul.vectorKernel(), ScalarKernel.INSTANCE}) {
      for (int[] s : KERNEL_SHAPES) {
        for (int flags = 0; flags < 8; flags++) {
          Case c = new Case(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0,
              (flags & 4) != 0, random);
          c.run((tA, tB, m, n, k, a, ao, lda, b, bo, ldb, cc, co, ldc, acc) ->
              kernel.gemm(tA, tB, m, n, k, a, ao, lda, b, bo, ldb, cc, co, ldc, acc));
          c.verify(kernel.name());
        }
      }
    }
  }

  @Test
  void simplePathOnAllTransposes() {
    Random random = new Random(11);
    for (int[] s : new int[][] {{1, 1, 1}, {3, 5, 7}, {15, 40, 9}, {40, 15, 70}}) {
      for (int flags = 0; flags < 8; flags++) {
        Case c = new Case(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0,
            (flags & 4) != 0, random);
        c.run(MatMul::simple);
        c.verify("simple");
      }
    }
  }

  /** Slabs are independent and tile-aligned: the thread count never changes a bit. */
  @Test
  void threadCountDoesNotChangeResults() {
    Random random = new Random(3);
    for (Kernel kernel : new Kernel[] {MatMul.vectorKernel(), ScalarKernel.INSTANCE}) {
      for (int[] s : new int[][] {{300, 200, 100}, {211, 67, 300}, {67, 211, 300}}) {
        Case one = new Case(s[0], s[1], s[2], false, true, false, random);
        double[] reference = null;
        for (int t = 1; t <= 4; t++) {
          double[] c = one.freshC();
          int threads = t;
          MatMul.gemm(kernel, threads, false, true, one.m, one.n, one.k, one.a, one.aOffset,
              one.lda, one.b, one.bOffset, one.ldb, c, one.cOffset, one.ldc, false);
          if (reference == null) reference = c;
          else assertArrayEquals(reference, c, "threads=" + t + " " + kernel.name());
        }
      }
    }
  }

  // ---- the public API ---------------------------------------------------------------------

  @Test
  void publicSwitchesSelectKernelAndThreads() {
    MatMul.setThreads(1);
    assertEquals(1, MatMul.threads());
    assertTrue(MatMul.kernelName().endsWith("1 thread"), MatMul.kernelName());
    MatMul.useScalarKernel(true);
    assertTrue(MatMul.kernelName().startsWith("scalar"), MatMul.kernelName());
    assertEquals(ScalarKernel.INSTANCE, MatMul.selected());
    checkPublicGemm(new Random(5));
    MatMul.setThreads(2);
    assertTrue(MatMul.kernelName().endsWith("2 threads"), MatMul.kernelName());
    checkPublicGemm(new Random(6));
    MatMul.useScalarKernel(false);
    assertTrue(MatMul.kernelName().startsWith("vector"), MatMul.kernelName());
    checkPublicGemm(new Random(8));
    assertThrows(IllegalArgumentException.class, () -> MatMul.setThreads(0));
  }

  private static void checkPublicGemm(Random random) {
    for (int[] s : SHAPES) {
      for (int flags = 0; flags < 8; flags++) {
        Case c = new Case(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0,
            (flags & 4) != 0, random);
        c.run(MatMul::gemm);
        c.verify(MatMul.kernelName());
      }
    }
  }

  @Test
  void emptyShapes() {
    double[] c = {5, 5, 5, 5};
    MatMul.gemm(false, false, 2, 2, 0, new double[0], 0, 0, new double[0], 0, 2, c, 0, 2, true);
    assertArrayEquals(new double[] {5, 5, 5, 5}, c);
    MatMul.gemm(false, false, 2, 2, 0, new double[0], 0, 0, new double[0], 0, 2, c, 0, 2, false);
    assertArrayEquals(new double[] {0, 0, 0, 0}, c);
    MatMul.gemm(false, false, 0, 2, 3, new double[0], 0, 3, new double[6], 0, 2,
        new double[0], 0, 2, false);
    MatMul.gemm(true, true, 2, 0, 3, new double[6], 0, 2, new double[0], 0, 3,
        new double[0], 0, 0, false);
  }

  @Test
  void badArgumentsAreRejected() {
    double[] x = new double[12];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MatMul.gemm(false, false, -1, 2, 2, x, 0, 2, x, 0, 2, x, 0, 2, false));
    assertTrue(e.getMessage().contains("m=-1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> MatMul.gemm(false, false, 2, 2, 3, x, 0, 2, x, 0, 2, new double[4], 0, 2, false));
    assertTrue(e.getMessage().contains("leading dimension of A is 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> MatMul.gemm(false, true, 2, 3, 3, x, 0, 3, x, 4, 3, new double[6], 0, 3, false));
    assertTrue(e.getMessage().startsWith("B (3x3, offset 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> MatMul.gemm(false, false, 2, 2, 2, x, 0, 2, x, 0, 2, new double[3], 0, 2, false));
    assertTrue(e.getMessage().startsWith("C (2x2"), e.getMessage());
  }

  @Test
  void concurrentCallersGetCorrectResults() throws Exception {
    MatMul.setThreads(2);
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 24; t++) {
        int seed = t;
        futures.add(callers.submit(() -> {
          Random random = new Random(seed);
          int[] s = SHAPES[seed % SHAPES.length];
          if (seed % 3 == 0) s = new int[] {150, 170, 90};
          Case c = new Case(s[0], s[1], s[2], seed % 2 == 0, seed % 4 < 2, seed % 5 == 0,
              random);
          c.run(MatMul::gemm);
          c.verify("concurrent caller " + seed);
          return null;
        }));
      }
      for (Future<?> f : futures) f.get(2, TimeUnit.MINUTES);
    } finally {
      callers.shutdownNow();
    }
  }

  /**
   * The MLP's products with 10 classes leave the unpacked loops; the transposed form would fill
   * the tile better (it is taken only where A cannot be read in place: n wider than the tile).
   */
  @Test
  void shortDimensionsTakeThePackedKernel() {
    Kernel v = MatMul.vectorKernel();
    assertTrue(MatMul.swapPays(v, 128, 10)); // h·w2
    assertTrue(MatMul.swapPays(v, 256, 10)); // hᵀ·dLogits
    assertTrue(!MatMul.swapPays(v, 128, 256)); // dLogits·w2ᵀ: n is long already
    assertTrue(!MatMul.swapPays(v, 10, 128));
    assertTrue(!MatMul.swapPays(ScalarKernel.INSTANCE, 128, 10)); // square 4x4 tile
  }

  /**
   * A product whose n fits in one register tile reads A in place (packing would copy all of A
   * for one use), and one whose m spans at most two tiles reads an untransposed B in place.
   */
  @Test
  void skinnyProductsReadTheLargeOperandInPlace() {
    Kernel v = MatMul.vectorKernel();
    assertTrue(v.readsAInPlace(10)); // x·w with 10 classes
    assertTrue(v.readsAInPlace(v.nr));
    assertTrue(!v.readsAInPlace(v.nr + 1));
    assertTrue(v.readsBInPlace(false, 10)); // dLogitsᵀ·x
    assertTrue(!v.readsBInPlace(true, 10)); // a transposed B is packed
    assertTrue(!v.readsBInPlace(false, 2 * v.mr + 1));
    assertTrue(ScalarKernel.INSTANCE.readsAInPlace(4));
    assertTrue(!ScalarKernel.INSTANCE.readsAInPlace(5));
  }

  /**
   * Reading an operand in place changes which memory the micro-kernel reads, not the arithmetic:
   * the first columns (rows) of a product wide (tall) enough to be packed equal, bit for bit,
   * the narrow (short) product that reads A (B) in place, with random doubles.
   */
  @Test
  void inPlaceOperandsGiveThePackedResultsBitForBit() {
    Random random = new Random(23);
    for (Kernel kernel : new Kernel[] {MatMul.vectorKernel(), ScalarKernel.INSTANCE}) {
      int k = 300; // two k blocks: the second adds into C
      for (boolean transA : new boolean[] {false, true}) {
        // A in place: n = 3 (one sliver) against n = 3 * nr + 5 (packed), same first columns
        int m = 2 * kernel.mr + 5;
        int narrow = 3;
        int wide = 3 * kernel.nr + 5;
        double[] a = randoms(random, m * k);
        double[] b = randoms(random, k * wide);
        double[] bNarrow = new double[k * narrow];
        for (int p = 0; p < k; p++) System.arraycopy(b, p * wide, bNarrow, p * narrow, narrow);
        double[] cNarrow = new double[m * narrow];
        double[] cWide = new double[m * wide];
        int lda = transA ? m : k;
        MatMul.gemm(kernel, 1, transA, false, m, narrow, k, a, 0, lda, bNarrow, 0, narrow,
            cNarrow, 0, narrow, false);
        MatMul.gemm(kernel, 1, transA, false, m, wide, k, a, 0, lda, b, 0, wide, cWide, 0, wide,
            false);
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < narrow; j++) {
            assertEquals(cWide[i * wide + j], cNarrow[i * narrow + j],
                kernel.name() + " A in place, transA=" + transA + " at " + i + "," + j);
          }
        }
      }
      // B in place: m = mr + 3 (two tiles) against m = 4 * mr + 1 (packed), same first rows
      int n = 2 * kernel.nr + 3;
      int tall = 4 * kernel.mr + 1;
      int shortM = kernel.mr + 3;
      double[] a = randoms(random, tall * k);
      double[] b = randoms(random, k * n);
      double[] cShort = new double[shortM * n];
      double[] cTall = new double[tall * n];
      MatMul.gemm(kernel, 1, false, false, shortM, n, k, a, 0, k, b, 0, n, cShort, 0, n, false);
      MatMul.gemm(kernel, 1, false, false, tall, n, k, a, 0, k, b, 0, n, cTall, 0, n, false);
      assertArrayEquals(java.util.Arrays.copyOf(cTall, shortM * n), cShort,
          kernel.name() + " B in place");
    }
  }

  private static double[] randoms(Random random, int size) {
    double[] x = new double[size];
    for (int i = 0; i < size; i++) x[i] = random.nextDouble() * 2 - 1;
    return x;
  }

  /** A thread's own thread count overrides the process-wide one for that thread only. */
  @Test
  void threadsOfThisThreadOverrideTheSettingOnThatThreadOnly() throws Exception {
    MatMul.setThreads(2);
    assertEquals(0, MatMul.setThreadsOfThisThread(1));
    try {
      assertTrue(MatMul.kernelName().endsWith(", 1 thread"), MatMul.kernelName());
      checkPublicGemm(new Random(31)); // results do not depend on it
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        assertTrue(other.submit(MatMul::kernelName).get().endsWith(", 2 threads"));
      } finally {
        other.shutdownNow();
      }
    } finally {
      assertEquals(1, MatMul.setThreadsOfThisThread(0));
    }
    assertTrue(MatMul.kernelName().endsWith(", 2 threads"), MatMul.kernelName());
    assertThrows(IllegalArgumentException.class, () -> MatMul.setThreadsOfThisThread(-1));
  }

  /** Accumulating into C with a short n (in place or transposed form) adds, never overwrites. */
  @Test
  void transposedFormAccumulates() {
    int m = 64, n = 10, k = 48;
    Random random = new Random(21);
    double[] a = new double[m * k];
    double[] b = new double[k * n];
    for (int i = 0; i < a.length; i++) a[i] = random.nextInt(7) - 3;
    for (int i = 0; i < b.length; i++) b[i] = random.nextInt(5) - 2;
    double[] c = new double[m * n];
    double[] expected = new double[m * n];
    for (int i = 0; i < c.length; i++) c[i] = expected[i] = i % 11;
    MatMul.gemm(MatMul.vectorKernel(), 1, false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, true);
    MatMul.simple(false, false, m, n, k, a, 0, k, b, 0, n, expected, 0, n, true);
    assertArrayEquals(expected, c); // small integers: exact in any order
  }

  /** A short-n result too large for the kept per-thread scratch, on 1 and 2 threads. */
  @Test
  void transposedFormBeyondTheKeptScratch() {
    int m = 14_000, n = 10, k = 20;
    Random random = new Random(22);
    double[] a = new double[m * k];
    double[] b = new double[k * n];
    for (int i = 0; i < a.length; i++) a[i] = random.nextInt(7) - 3;
    for (int i = 0; i < b.length; i++) b[i] = random.nextInt(5) - 2;
    double[] expected = new double[m * n];
    MatMul.simple(false, false, m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
    for (int threads = 1; threads <= 2; threads++) {
      double[] c = new double[m * n];
      MatMul.gemm(MatMul.vectorKernel(), threads, false, false, m, n, k, a, 0, k, b, 0, n,
          c, 0, n, false);
      assertArrayEquals(expected, c, "threads=" + threads); // small integers: exact
    }
  }

  // ---- fallback when the module is absent -----------------------------------------------

  @Test
  void scalarFallbackWithoutTheVectorModule() throws Exception {
    String out = runChild(List.of());
    assertTrue(out.contains("kernel=scalar"), out);
    assertTrue(out.contains("module=false"), out);
    assertTrue(out.contains("elementwiseVectorized=false"), out);
    assertTrue(out.contains("OK"), out);
  }

  @Test
  void vectorKernelCanBeDisabledByProperty() throws Exception {
    String out = runChild(
        List.of("--add-modules", "jdk.incubator.vector", "-Dadjoint.matmul.noVector=true"));
    assertTrue(out.contains("kernel=scalar"), out);
    assertTrue(out.contains("module=true"), out);
    assertTrue(out.contains("elementwiseVectorized=false"), out);
    assertTrue(out.contains("OK"), out);
  }

  private static String runChild(List<String> jvmArgs) throws IOException, InterruptedException,
      URISyntaxException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = location(MatMul.class) + File.pathSeparator + location(FallbackMain.class);
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(cp);
    command.add(FallbackMain.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("child JVM timed out: " + out);
    }
    assertEquals(0, process.exitValue(), out);
    return out;
  }

  private static String location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  /** Run in a child JVM: reports the kernel and checks one product of each kind. */
  static final class FallbackMain {
    public static void main(String[] args) {
      System.out.println("module="
          + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
      System.out.println("kernel=" + MatMul.kernelName());
      System.out.println("elementwiseVectorized=" + Elementwise.isVectorized());
      double[] x = {-0.0, 0.3, -2, Double.NaN, 1e-300};
      double[] y = new double[x.length];
      Elementwise.tanh(x, 0, y, 0, x.length);
      for (int i = 0; i < x.length; i++) {
        if (Double.doubleToLongBits(y[i]) != Double.doubleToLongBits(Elementwise.tanh(x[i]))
            || !(Math.abs(y[i] - Math.tanh(x[i])) <= 4 * Math.ulp(Math.tanh(x[i])))
            && !Double.isNaN(x[i])) {
          throw new AssertionError("tanh(" + x[i] + ") = " + y[i]);
        }
      }
      Random random = new Random(1);
      for (int[] s : new int[][] {{7, 13, 5}, {65, 129, 33}, {120, 90, 70}}) {
        for (int flags = 0; flags < 8; flags++) {
          Case c = new Case(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0,
              (flags & 4) != 0, random);
          c.run(MatMul::gemm);
          c.verify("fallback");
        }
      }
      System.out.println("OK");
    }
  }

  // ---- harness ----------------------------------------------------------------------------

  private static void checkAllShapes(Kernel kernel, int threads) {
    assertNotNull(kernel);
    Random random = new Random(42 + threads);
    for (int[] s : SHAPES) {
      for (int flags = 0; flags < 8; flags++) {
        Case c = new Case(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0,
            (flags & 4) != 0, random);
        c.run((tA, tB, m, n, k, a, ao, lda, b, bo, ldb, cc, co, ldc, acc) ->
            MatMul.gemm(kernel, threads, tA, tB, m, n, k, a, ao, lda, b, bo, ldb, cc, co, ldc,
                acc));
        c.verify(kernel.name() + ", threads=" + threads);
      }
    }
  }

  @FunctionalInterface
  interface Gemm {
    void apply(boolean transA, boolean transB, int m, int n, int k,
        double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
        double[] c, int cOffset, int ldc, boolean accumulate);
  }

  /**
   * One product with random data, random offsets and padded leading dimensions; C's padding
   * holds a sentinel that must survive. Uses no JUnit (it also runs in the child JVM).
   */
  static final class Case {
    static final double SENTINEL = -12345.5;
    final int m, n, k;
    final boolean transA, transB, accumulate;
    final int aOffset, bOffset, cOffset, lda, ldb, ldc;
    final double[] a, b, c0;
    double[] c;

    Case(int m, int n, int k, boolean transA, boolean transB, boolean accumulate, Random r) {
      this.m = m;
      this.n = n;
      this.k = k;
      this.transA = transA;
      this.transB = transB;
      this.accumulate = accumulate;
      int aRows = transA ? k : m, aCols = transA ? m : k;
      int bRows = transB ? n : k, bCols = transB ? k : n;
      lda = aCols + r.nextInt(3);
      ldb = bCols + r.nextInt(3);
      ldc = n + r.nextInt(3);
      aOffset = r.nextInt(4);
      bOffset = r.nextInt(4);
      cOffset = r.nextInt(4);
      a = new double[aOffset + aRows * lda + r.nextInt(3)];
      b = new double[bOffset + bRows * ldb + r.nextInt(3)];
      c0 = new double[cOffset + m * ldc + r.nextInt(3)];
      for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() * 2 - 1;
      for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() * 2 - 1;
      java.util.Arrays.fill(c0, SENTINEL);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          // when overwriting, C starts as NaN: a kernel that reads it would show
          c0[cOffset + i * ldc + j] = accumulate ? r.nextDouble() * 2 - 1 : Double.NaN;
        }
      }
    }

    double[] freshC() {
      return c0.clone();
    }

    void run(Gemm gemm) {
      c = freshC();
      gemm.apply(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc,
          accumulate);
    }

    void verify(String what) {
      String label = what + ": m=" + m + " n=" + n + " k=" + k + " transA=" + transA
          + " transB=" + transB + " accumulate=" + accumulate;
      boolean[] inside = new boolean[c.length];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            double x = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
            double y = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
            s += x * y;
          }
          int at = cOffset + i * ldc + j;
          inside[at] = true;
          double expected = accumulate ? c0[at] + s : s;
          double got = c[at];
          if (!(Math.abs(got - expected) <= 1e-12 * (k + 1))) {
            throw new AssertionError(
                label + ": C[" + i + "," + j + "] = " + got + ", expected " + expected);
          }
        }
      }
      for (int i = 0; i < c.length; i++) {
        if (!inside[i] && c[i] != SENTINEL) {
          throw new AssertionError(label + ": wrote outside C at array index " + i);
        }
      }
    }
  }
}
