package dev.adjoint.runtime;

import java.util.Arrays;

/**
 * The value tape that generated adjoints of loops and branches use: the forward sweep pushes the
 * values that the reverse sweep needs but that would otherwise be overwritten, and the reverse
 * sweep pops them in the opposite order. One growable primitive stack per kind of value, so
 * nothing is boxed. A tape belongs to one call of a generated method and is never shared between
 * threads.
 *
 * <p>Memory: 8 bytes per taped {@code double} or {@code long}, 4 per {@code int} or
 * {@code boolean}, one reference per object; stacks grow by half again when full, so the peak is
 * at most 1.5 times what the loop needs (plus the copy while growing).
 */
public final class Tape {
  private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

  /**
   * This thread's free tapes, kept from earlier calls, each already grown to what its call needed;
   * softly held, so memory pressure reclaims them. A call takes the last one freed, a call nested
   * in it (a recursive method's gradient, a callee's) the one before: recursion to depth d reuses
   * d tapes instead of allocating one per nested call.
   */
  private static final ThreadLocal<java.lang.ref.SoftReference<Pool>> KEPT = new ThreadLocal<>();

  /** At most this many free tapes are kept per thread (the nesting depth that reuses tapes). */
  private static final int KEPT_TAPES = 64;

  private static final class Pool {
    final Tape[] free = new Tape[KEPT_TAPES];
    int count;
  }

  private double[] doubles = new double[16];
  private int doubleCount;
  private int[] ints = new int[16];
  private int intCount;
  private long[] longs = new long[0];
  private int longCount;
  private Object[] objects = new Object[0];
  private int objectCount;

  /**
   * Doubles of checkpoints (a checkpointed loop's trip count times its live-in state) from which
   * the loop is checkpointed by default: each iteration then keeps only that state, and its
   * adjoint runs it again first. 2^23 (64 MB; the plain tape would be a multiple of it).
   * Measured on ODE: once JIT-compiled and with its tape grown, running every step twice costs
   * more than streaming even a 320 MB tape (about 1.2 times the taped gradient); but the first
   * calls pay for growing, zeroing and collecting such a tape (n = 100,000, s = 100: the first
   * gradient takes 5.0-5.7 s of CPU taped, 1.3 s checkpointed), and memory drops fourfold.
   */
  public static final long CHECKPOINT_FROM_DEFAULT = 1L << 23;

  private static volatile long checkpointFrom = Long.getLong("adjoint.checkpointFrom", CHECKPOINT_FROM_DEFAULT);

  /** Whether a checkpointed loop whose checkpoints take this many doubles checkpoints. */
  public static boolean checkpoints(long doubles) {
    return doubles >= checkpointFrom;
  }

  /**
   * Sets the size from which checkpointed loops checkpoint (0: always, {@code Long.MAX_VALUE}:
   * never); the system property {@code adjoint.checkpointFrom} sets it at start-up.
   */
  public static void checkpointFrom(long doubles) {
    checkpointFrom = doubles;
  }

  /** The counts at {@link #mark()}; {@code markedObjects < 0} when no mark is set. */
  private int markedDoubles;
  private int markedInts;
  private int markedLongs;
  private int markedObjects = -1;

  /**
   * The tape for one call of a generated method: one this thread kept from an earlier call when
   * one is free (a loop's tape is then allocated and grown once, not on every call), else a new
   * one. Calls nested in that call get tapes of their own.
   */
  public static Tape open() {
    Pool pool = pool();
    return pool.count > 0 ? pool.free[--pool.count] : new Tape();
  }

  /**
   * Ends the call that opened this tape (whose reverse sweep popped every value): the tape is
   * emptied and kept for this thread's next call.
   */
  public void close() {
    doubleCount = 0;
    intCount = 0;
    longCount = 0;
    Arrays.fill(objects, 0, Math.max(objectCount, markedObjects), null);
    objectCount = 0;
    markedObjects = -1;
    Pool pool = pool();
    if (pool.count < KEPT_TAPES) {
      pool.free[pool.count++] = this;
    }
  }

  private static Pool pool() {
    java.lang.ref.SoftReference<Pool> ref = KEPT.get();
    Pool pool = ref == null ? null : ref.get();
    if (pool == null) {
      pool = new Pool();
      KEPT.set(new java.lang.ref.SoftReference<>(pool));
    }
    return pool;
  }

  public void pushDouble(double value) {
    if (doubleCount == doubles.length) {
      doubles = Arrays.copyOf(doubles, grow(doubles.length, 1));
    }
    doubles[doubleCount++] = value;
  }

  /**
   * Pushes {@code a[from]}, ..., {@code a[from + count - 1]} in that order, as many
   * {@link #pushDouble} calls would (nothing when count is not positive): the elements a loop
   * overwrites one per iteration, saved before it at once.
   */
  public void pushDoubles(double[] a, int from, int count) {
    if (count <= 0) {
      return;
    }
    reserveDoubles(count);
    System.arraycopy(a, from, doubles, doubleCount, count);
    doubleCount += count;
  }

  /**
   * Pops what {@link #pushDoubles} pushed with the same arguments back into {@code a[from]},
   * ..., {@code a[from + count - 1]}: a checkpointed loop iteration's live-in array.
   */
  public void popDoubles(double[] a, int from, int count) {
    if (count <= 0) {
      return;
    }
    doubleCount -= count;
    System.arraycopy(doubles, doubleCount, a, from, count);
  }

  public double popDouble() {
    return doubles[--doubleCount];
  }

  public void pushInt(int value) {
    if (intCount == ints.length) {
      ints = Arrays.copyOf(ints, grow(ints.length, 1));
    }
    ints[intCount++] = value;
  }

  public int popInt() {
    return ints[--intCount];
  }

  public void pushBoolean(boolean value) {
    pushInt(value ? 1 : 0);
  }

  public boolean popBoolean() {
    return popInt() != 0;
  }

  public void pushLong(long value) {
    if (longCount == longs.length) {
      longs = Arrays.copyOf(longs, grow(longs.length, 1));
    }
    longs[longCount++] = value;
  }

  public long popLong() {
    return longs[--longCount];
  }

  public void pushObject(Object value) {
    if (objectCount == objects.length) {
      objects = Arrays.copyOf(objects, grow(objects.length, 1));
    }
    objects[objectCount++] = value;
  }

  @SuppressWarnings("unchecked")
  public <T> T popObject() {
    T value = (T) objects[--objectCount];
    if (objectCount >= markedObjects) {
      // below a mark the reference stays: a rewind pops it again
      objects[objectCount] = null;
    }
    return value;
  }

  /**
   * Marks what the tape holds now (the end of a forward sweep), so that several reverse sweeps
   * can each pop it all: {@link #rewind()} brings every value popped since back. This is how the
   * rows of a Jacobian share one forward sweep.
   */
  public void mark() {
    markedDoubles = doubleCount;
    markedInts = intCount;
    markedLongs = longCount;
    markedObjects = objectCount;
  }

  /** Puts back every value popped since {@link #mark()} (values pushed since are dropped). */
  public void rewind() {
    if (markedObjects < 0) {
      throw new IllegalStateException("rewind without a mark");
    }
    doubleCount = markedDoubles;
    intCount = markedInts;
    longCount = markedLongs;
    Arrays.fill(objects, markedObjects, Math.max(markedObjects, objectCount), null);
    objectCount = markedObjects;
  }

  /**
   * Makes room for {@code count} more doubles at once, so a loop whose trip count is known before
   * it starts allocates its tape once.
   */
  public void reserveDoubles(long count) {
    long needed = doubleCount + count;
    if (needed > doubles.length) {
      doubles = Arrays.copyOf(doubles, grow(doubles.length, needed - doubles.length));
    }
  }

  /** Number of doubles currently on the tape. */
  public int doubleCount() {
    return doubleCount;
  }

  /** Number of ints and booleans currently on the tape. */
  public int intCount() {
    return intCount;
  }

  /** Number of longs currently on the tape. */
  public int longCount() {
    return longCount;
  }

  /** Number of object references currently on the tape. */
  public int objectCount() {
    return objectCount;
  }

  /** Number of values of every kind currently on the tape. */
  public long entries() {
    return (long) doubleCount + intCount + longCount + objectCount;
  }

  /**
   * Entries a recursive method's split gradient may add to one tape (2^22: 32 MB of doubles): its
   * recorded forward sweep ({@code fRecord}) records the calls it makes while the tape holds
   * fewer than that many more than when the outermost call began; a call made beyond it is not
   * recorded, and its adjoint runs it again on a tape of its own ({@code fAccumulate}). Memory
   * stays bounded, and only the calls beyond the budget are computed twice.
   */
  public static final long RECURSION_BUDGET_DEFAULT = 1L << 22;

  private static volatile long recursionBudget =
      Long.getLong("adjoint.recursionBudget", RECURSION_BUDGET_DEFAULT);

  /**
   * The entries one split gradient of a recursive method may add to a tape (see above); at least
   * 1, so that the outermost call is always recorded (the recursion below it then ends).
   */
  public static long recursionBudget() {
    return Math.max(1, recursionBudget);
  }

  /** Sets {@link #recursionBudget()} (0 or 1: as little recorded as can be, the rest run again). */
  public static void recursionBudget(long entries) {
    recursionBudget = entries;
  }

  /** True when every value pushed has been popped. */
  public boolean isEmpty() {
    return doubleCount == 0 && intCount == 0 && longCount == 0 && objectCount == 0;
  }

  private static int grow(int length, long minExtra) {
    long wanted = Math.max((long) length + minExtra, length + (length >> 1) + 16L);
    if ((long) length + minExtra > MAX_SIZE) {
      throw new OutOfMemoryError(
          "Adjoint tape would need more than " + MAX_SIZE + " entries of one kind; "
              + "split the loop or differentiate a smaller piece at a time");
    }
    return (int) Math.min(wanted, MAX_SIZE);
  }
}
