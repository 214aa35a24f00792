package dev.adjoint.tensor.kernel;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * General matrix multiply on row-major {@code double} arrays, the hot path of every tensor
 * program: {@code C = op(A) · op(B)} (or {@code C += ...}), where {@code op(X)} is X or its
 * transpose, read in place (no transposed copy is made).
 *
 * <h2>Kernels</h2>
 * <ul>
 *   <li><b>vector</b>: a register-blocked {@code jdk.incubator.vector} micro-kernel on packed,
 *       cache-blocked panels ({@link VectorKernel}). Used when the JVM was started with
 *       {@code --add-modules jdk.incubator.vector}; the kernel class is only loaded after that
 *       module was found in the boot layer, and any failure to load it falls back quietly.
 *   <li><b>scalar</b>: the same blocking in plain Java with a 4×4 register tile
 *       ({@link ScalarKernel}); used otherwise, or when forced with {@link #useScalarKernel}.
 *   <li>Products with m or n equal to 1 (vector-matrix and matrix-vector products), or with
 *       fewer than {@value #TINY} multiply-adds, skip packing and run simple loops. Any other
 *       product takes the packed kernel, also when one dimension is small (edge tiles are padded).
 *       A skinny product reads its large operand in place instead of packing it, where a packed
 *       copy would be read only once or twice: A when n fits in one register tile (e.g. X·W with
 *       10 classes), an untransposed B when m spans at most two tiles (e.g. Gᵀ·X); this is 2–3×
 *       faster on such shapes and gives the same bits. A product whose n is much shorter than
 *       the tile's width but wider than one tile is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, which fills
 *       the tile better, and transposed into C.
 * </ul>
 * Setting the system property {@code adjoint.matmul.noVector=true} also disables the vector
 * kernel. {@link #kernelName()} tells which kernel is in use.
 *
 * <h2>Threads</h2>
 * Products of at least 2<sup>19</sup> multiply-adds are split along the larger of m and n across
 * up to {@link #threads()} threads (default: the available processors), each getting at least
 * 2<sup>18</sup>: the calling thread computes one part and a small pool of daemon threads the
 * others. The parts are aligned to the register tile and independent, so results are bitwise
 * identical whatever the thread count.
 *
 * <p>All methods are safe to call from many threads at once; pack buffers are per thread.
 * C must not overlap A or B.
 */
public final class MatMul {
  private MatMul() {}

  /**
   * A product whose n is below this may be computed transposed (see {@link #swapPays}); products
   * with m or n equal to 1, or fewer than {@link #TINY} multiply-adds, take the simple unpacked
   * loops; all others the packed kernel, however small a dimension.
   */
  static final int SMALL = 16;
  /** Below this many multiply-adds, products take the simple unpacked loops. */
  static final long TINY = 256;
  /**
   * A product is split across threads only so far as each thread gets at least this many
   * multiply-adds (2<sup>18</sup>, about 10 µs of work), which repays waking a pool thread.
   */
  static final long MIN_WORK_PER_THREAD = 1L << 18;

  private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
  private static volatile boolean scalarForced;

  /**
   * {@code C = op(A)·op(B)}, or {@code C += op(A)·op(B)} when {@code accumulate}; all matrices
   * row-major. Element (i, j) of C is {@code c[cOffset + i * ldc + j]}.
   *
   * @param transA use Aᵀ: A is stored k×m (leading dimension lda ≥ m) instead of m×k (lda ≥ k)
   * @param transB use Bᵀ: B is stored n×k (ldb ≥ k) instead of k×n (ldb ≥ n)
   * @param m rows of C
   * @param n columns of C
   * @param k the shared dimension
   * @param accumulate add into C instead of overwriting it
   * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too
   *     small, or a matrix does not fit in its array
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc, boolean accumulate) {
    int onThisThread = THREADS_OF_THIS_THREAD.get()[0];
    gemm(selected(), onThisThread > 0 ? onThisThread : threads, transA, transB, m, n, k,
        a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
  }

  /**
   * Sets how many threads one large product may use (including the caller). Default: the
   * number of available processors; 1 turns multithreading off.
   */
  public static void setThreads(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("thread count must be at least 1, got " + count);
    }
    synchronized (MatMul.class) {
      threads = count;
      if (pool != null) resize(pool, count - 1);
    }
  }

  /** How many threads one large product may use (the process-wide setting). */
  public static int threads() {
    return threads;
  }

  /** This thread's override of {@link #threads()}, or 0 for none. */
  private static final ThreadLocal<int[]> THREADS_OF_THIS_THREAD =
      ThreadLocal.withInitial(() -> new int[1]);

  /**
   * Overrides {@link #setThreads} for the products the calling thread starts, e.g. 1 in a task
   * of an engine that already runs one task per core (Spark): its products then stay on its
   * thread instead of each task fanning out across all cores. 0 removes the override. Returns
   * the previous override (0 for none), to restore it afterwards.
   */
  public static int setThreadsOfThisThread(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("thread count must be at least 0, got " + count);
    }
    int[] holder = THREADS_OF_THIS_THREAD.get();
    int previous = holder[0];
    holder[0] = count;
    return previous;
  }

  /**
   * Forces the portable scalar kernel even when the vector kernel is available (for
   * benchmarks and comparisons); {@code false} restores the default choice. Also applies to the
   * element-wise kernels of {@link Elementwise}, whose results do not depend on the choice.
   */
  public static void useScalarKernel(boolean force) {
    scalarForced = force;
  }

  /** Whether {@link #useScalarKernel} forces the portable kernels now. */
  static boolean scalarForced() {
    return scalarForced;
  }

  /** Whether the Vector API kernel could be loaded in this JVM. */
  public static boolean isVectorKernelAvailable() {
    return Fast.VECTOR != null;
  }

  /** Describes the kernel (and thread count) that {@link #gemm} uses now. */
  public static String kernelName() {
    int local = THREADS_OF_THIS_THREAD.get()[0];
    int t = local > 0 ? local : threads;
    return selected().name() + ", " + t + (t == 1 ? " thread" : " threads");
  }

  // ---------------------------------------------------------------------------------------
  // dispatch

  static Kernel selected() {
    Kernel v = Fast.VECTOR;
    return v == null || scalarForced ? ScalarKernel.INSTANCE : v;
  }

  /** The vector kernel, or null when it is unavailable. */
  static Kernel vectorKernel() {
    return Fast.VECTOR;
  }

  /** {@link #gemm} with an explicit kernel and thread count. */
  static void gemm(Kernel kernel, int threadCount, boolean transA, boolean transB,
      int m, int n, int k, double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc, boolean accumulate) {
    check(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
    if (m == 0 || n == 0) return;
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          java.util.Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0.0);
        }
      }
      return;
    }
    if (m == 1 || n == 1 || (long) m * n * k < TINY) {
      simple(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc,
          accumulate);
    } else if (n < SMALL && !kernel.readsAInPlace(n) && swapPays(kernel, m, n)) {
      // (when A is read in place the straight product copies nothing, which beats the fuller
      // tile of a transposed one that packs A: 2.4x on X·W, 128×784 by 784×10)
      // C = op(A)·op(B) as Cᵀ = op(B)ᵀ·op(A)ᵀ, so that the short n is spread over the tile's
      // rows and the long m over its wide columns; Cᵀ goes to a scratch array, then into C
      double[] t = transposeScratch(m * n);
      gemm(kernel, threadCount, !transB, !transA, n, m, k, b, bOffset, ldb, a, aOffset, lda,
          t, 0, m, false);
      for (int i = 0; i < m; i++) {
        int cr = cOffset + i * ldc;
        if (accumulate) {
          for (int j = 0, ti = i; j < n; j++, ti += m) c[cr + j] += t[ti];
        } else {
          for (int j = 0, ti = i; j < n; j++, ti += m) c[cr + j] = t[ti];
        }
      }
    } else if (threadCount > 1 && (long) m * n * k >= 2 * MIN_WORK_PER_THREAD) {
      int parts = (int) Math.min(threadCount, (long) m * n * k / MIN_WORK_PER_THREAD);
      parallel(kernel, parts, transA, transB, m, n, k,
          a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);
    } else {
      kernel.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb,
          c, cOffset, ldc, accumulate);
    }
  }

  /**
   * Whether computing Cᵀ instead of C fills the register tile better: the tile is
   * {@code mr × nr} with nr the wider (2 vectors), so a short n wastes more of it than a short m.
   */
  static boolean swapPays(Kernel kernel, int m, int n) {
    double straight = fill(m, kernel.mr) * fill(n, kernel.nr);
    double swapped = fill(n, kernel.mr) * fill(m, kernel.nr);
    return swapped > 1.1 * straight;
  }

  /** The fraction of tiles of size {@code unit} that {@code x} rows or columns use. */
  private static double fill(int x, int unit) {
    return (double) x / Kernel.roundUp(x, unit);
  }

  private static final ThreadLocal<double[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new double[][] {new double[0]});

  /** Scratch arrays up to this many elements (1 MB) are kept per thread, larger ones are not. */
  private static final int KEPT_SCRATCH = 1 << 17;

  /** An array of at least {@code size} elements, per thread unless large. */
  private static double[] transposeScratch(int size) {
    if (size > KEPT_SCRATCH) return new double[size];
    double[][] holder = SCRATCH.get();
    if (holder[0].length < size) holder[0] = new double[size];
    return holder[0];
  }

  private static void check(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "negative dimension: m=" + m + ", n=" + n + ", k=" + k);
    }
    checkMatrix("A", a, aOffset, lda, transA ? k : m, transA ? m : k, transA ? "m" : "k");
    checkMatrix("B", b, bOffset, ldb, transB ? n : k, transB ? k : n, transB ? "k" : "n");
    checkMatrix("C", c, cOffset, ldc, m, n, "n");
  }

  private static void checkMatrix(String name, double[] x, int offset, int ld,
      int rows, int cols, String colName) {
    if (rows == 0 || cols == 0) return;
    if (ld < cols) {
      throw new IllegalArgumentException("leading dimension of " + name + " is " + ld
          + ", less than " + colName + "=" + cols);
    }
    long last = (long) offset + (long) (rows - 1) * ld + cols - 1;
    if (offset < 0 || last >= x.length) {
      throw new IllegalArgumentException(name + " (" + rows + "x" + cols + ", offset " + offset
          + ", leading dimension " + ld + ") does not fit in an array of length " + x.length);
    }
  }

  /** Unpacked loops for products too small to repay packing. */
  static void simple(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc, boolean accumulate) {
    if (!transB && !(n == 1 && ldb == 1)) {
      // C row i += A[i,p] * B row p: unit-stride inner loop, which HotSpot vectorises.
      for (int i = 0; i < m; i++) {
        int cr = cOffset + i * ldc;
        if (!accumulate) java.util.Arrays.fill(c, cr, cr + n, 0.0);
        for (int p = 0; p < k; p++) {
          double x = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
          int br = bOffset + p * ldb;
          for (int j = 0; j < n; j++) c[cr + j] += x * b[br + j];
        }
      }
    } else {
      // C[i,j] = dot(op(A) row i, B row j): B's rows are contiguous (also a contiguous B
      // column when n is 1: matrix times vector).
      int as = transA ? lda : 1;
      for (int i = 0; i < m; i++) {
        int ar = transA ? aOffset + i : aOffset + i * lda;
        int cr = cOffset + i * ldc;
        for (int j = 0; j < n; j++) {
          int br = bOffset + j * ldb;
          double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          int p = 0;
          for (; p + 3 < k; p += 4) {
            s0 += a[ar + p * as] * b[br + p];
            s1 += a[ar + (p + 1) * as] * b[br + p + 1];
            s2 += a[ar + (p + 2) * as] * b[br + p + 2];
            s3 += a[ar + (p + 3) * as] * b[br + p + 3];
          }
          for (; p < k; p++) s0 += a[ar + p * as] * b[br + p];
          double s = (s0 + s1) + (s2 + s3);
          c[cr + j] = accumulate ? c[cr + j] + s : s;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // threads

  /** Guarded by MatMul.class; created on first parallel product. */
  private static ThreadPoolExecutor pool;

  private static synchronized ThreadPoolExecutor pool() {
    if (pool == null) {
      int size = Math.max(1, threads - 1);
      AtomicInteger count = new AtomicInteger();
      ThreadFactory factory = r -> {
        Thread t = new Thread(r, "adjoint-matmul-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), factory);
      pool.allowCoreThreadTimeOut(true);
    }
    return pool;
  }

  private static void resize(ThreadPoolExecutor p, int workers) {
    int size = Math.max(1, workers);
    if (size > p.getMaximumPoolSize()) {
      p.setMaximumPoolSize(size);
      p.setCorePoolSize(size);
    } else {
      p.setCorePoolSize(size);
      p.setMaximumPoolSize(size);
    }
  }

  /**
   * Splits the larger of m and n into up to {@code maxParts} slabs whose sizes are
   * multiples of the register tile, computes the first on the calling thread and the others
   * on the pool; a slab no pool thread has started yet is taken back and run by the caller.
   */
  static void parallel(Kernel kernel, int maxParts, boolean transA, boolean transB,
      int m, int n, int k, double[] a, int aOffset, int lda, double[] b, int bOffset, int ldb,
      double[] c, int cOffset, int ldc, boolean accumulate) {
    boolean splitN = n >= m;
    int dim = splitN ? n : m;
    int unit = splitN ? kernel.nr : kernel.mr;
    int units = (dim + unit - 1) / unit;
    int parts = Math.min(maxParts, units);
    if (parts <= 1) {
      kernel.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb,
          c, cOffset, ldc, accumulate);
      return;
    }
    Runnable[] slabs = new Runnable[parts];
    for (int t = 0; t < parts; t++) {
      int from = Math.min(dim, (int) ((long) units * t / parts) * unit);
      int to = Math.min(dim, (int) ((long) units * (t + 1) / parts) * unit);
      if (splitN) {
        int bo = transB ? bOffset + from * ldb : bOffset + from;
        int co = cOffset + from;
        slabs[t] = () -> kernel.gemm(transA, transB, m, to - from, k, a, aOffset, lda,
            b, bo, ldb, c, co, ldc, accumulate);
      } else {
        int ao = transA ? aOffset + from : aOffset + from * lda;
        int co = cOffset + from * ldc;
        slabs[t] = () -> kernel.gemm(transA, transB, to - from, n, k, a, ao, lda,
            b, bOffset, ldb, c, co, ldc, accumulate);
      }
    }
    ThreadPoolExecutor executor = pool();
    FutureTask<?>[] tasks = new FutureTask<?>[parts - 1];
    for (int t = 1; t < parts; t++) {
      tasks[t - 1] = new FutureTask<>(slabs[t], null);
      executor.execute(tasks[t - 1]);
    }
    Throwable failure = null;
    try {
      slabs[0].run();
    } catch (Throwable e) {
      failure = e;
    }
    boolean interrupted = false;
    for (FutureTask<?> task : tasks) {
      if (executor.remove(task)) task.run();
      while (true) {
        try {
          task.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // C is still being written: wait for the slab regardless
        } catch (ExecutionException e) {
          if (failure == null) failure = e.getCause();
          else failure.addSuppressed(e.getCause());
          break;
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    if (failure instanceof RuntimeException) throw (RuntimeException) failure;
    if (failure instanceof Error) throw (Error) failure;
    if (failure != null) throw new IllegalStateException(failure);
  }

  // ---------------------------------------------------------------------------------------
  // run-time detection of the Vector API

  /** Holds the vector kernel; initialised on first use. */
  private static final class Fast {
    static final Kernel VECTOR = load();

    private static Kernel load() {
      if (Boolean.getBoolean("adjoint.matmul.noVector")) return null;
      if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
      try {
        Class<?> type = Class.forName(MatMul.class.getPackageName() + ".VectorKernel", true,
            MatMul.class.getClassLoader());
        Kernel kernel = (Kernel) type.getDeclaredField("INSTANCE").get(null);
        return selfTest(kernel) ? kernel : null;
      } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    /** One small product with edge tiles, checked against the simple loops. */
    private static boolean selfTest(Kernel kernel) {
      int m = kernel.mr + 3;
      int n = kernel.nr + 5;
      int k = 19;
      double[] a = new double[m * k];
      double[] b = new double[k * n];
      for (int i = 0; i < a.length; i++) a[i] = (i % 7) - 3;
      for (int i = 0; i < b.length; i++) b[i] = (i % 5) - 2;
      double[] fast = new double[m * n];
      double[] slow = new double[m * n];
      kernel.gemm(false, false, m, n, k, a, 0, k, b, 0, n, fast, 0, n, false);
      simple(false, false, m, n, k, a, 0, k, b, 0, n, slow, 0, n, false);
      return java.util.Arrays.equals(fast, slow); // small integers: exact in any order
    }
  }
}
