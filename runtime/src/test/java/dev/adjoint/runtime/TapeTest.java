package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TapeTest {
  @Test
  void rewindPutsBackWhatWasPoppedSinceTheMarkForEveryKind() {
    Tape tape = Tape.open();
    tape.pushDouble(1.5);
    tape.pushInt(7);
    tape.pushLong(9L);
    Object o = new Object();
    tape.pushObject(o);
    tape.mark();
    for (int sweep = 0; sweep < 3; sweep++) {
      tape.rewind();
      org.junit.jupiter.api.Assertions.assertSame(o, tape.popObject());
      org.junit.jupiter.api.Assertions.assertEquals(9L, tape.popLong());
      org.junit.jupiter.api.Assertions.assertEquals(7, tape.popInt());
      org.junit.jupiter.api.Assertions.assertEquals(1.5, tape.popDouble());
      org.junit.jupiter.api.Assertions.assertTrue(tape.isEmpty());
    }
    tape.close();
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, tape::rewind,
        "close forgets the mark");
  }


  @Test
  void newTapeIsEmpty() {
    Tape tape = new Tape();
    assertTrue(tape.isEmpty());
    assertEquals(0, tape.doubleCount());
    assertEquals(0, tape.intCount());
    assertEquals(0, tape.longCount());
    assertEquals(0, tape.objectCount());
  }

  // ---- LIFO per kind -------------------------------------------------------------------------

  @Test
  void doublesAreLifo() {
    Tape tape = new Tape();
    for (int i = 0; i < 5; i++) {
      tape.pushDouble(i + 0.5);
    }
    for (int i = 4; i >= 0; i--) {
      assertEquals(i + 0.5, tape.popDouble());
    }
    assertTrue(tape.isEmpty());
  }

  @Test
  void doublesKeepEveryBit() {
    Tape tape = new Tape();
    double[] values = {
      -0.0, 0.0, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_dead_beefL),
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE
    };
    for (double v : values) {
      tape.pushDouble(v);
    }
    for (int i = values.length - 1; i >= 0; i--) {
      assertEquals(Double.doubleToRawLongBits(values[i]),
          Double.doubleToRawLongBits(tape.popDouble()));
    }
  }

  @Test
  void intsAreLifo() {
    Tape tape = new Tape();
    int[] values = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42};
    for (int v : values) {
      tape.pushInt(v);
    }
    for (int i = values.length - 1; i >= 0; i--) {
      assertEquals(values[i], tape.popInt());
    }
    assertTrue(tape.isEmpty());
  }

  @Test
  void longsAreLifo() {
    Tape tape = new Tape();
    long[] values = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40};
    for (long v : values) {
      tape.pushLong(v);
    }
    for (int i = values.length - 1; i >= 0; i--) {
      assertEquals(values[i], tape.popLong());
    }
    assertTrue(tape.isEmpty());
  }

  @Test
  void booleansAreLifoAndShareTheIntStack() {
    Tape tape = new Tape();
    tape.pushBoolean(true);
    tape.pushBoolean(false);
    tape.pushInt(7);
    tape.pushBoolean(true);
    assertEquals(4, tape.intCount());
    assertTrue(tape.popBoolean());
    assertEquals(7, tape.popInt());
    assertFalse(tape.popBoolean());
    assertTrue(tape.popBoolean());
    assertTrue(tape.isEmpty());
  }

  @Test
  void objectsAreLifoAndKeepIdentity() {
    Tape tape = new Tape();
    Object a = new Object();
    double[] b = {1, 2};
    String c = "c";
    tape.pushObject(a);
    tape.pushObject(null);
    tape.pushObject(b);
    tape.pushObject(c);
    String poppedC = tape.popObject();
    assertSame(c, poppedC);
    double[] poppedB = tape.popObject();
    assertSame(b, poppedB);
    assertNull(tape.popObject());
    assertSame(a, tape.popObject());
    assertTrue(tape.isEmpty());
  }

  // ---- kinds are independent -------------------------------------------------------------------

  @Test
  void interleavedKindsDoNotDisturbEachOther() {
    Tape tape = new Tape();
    Object o1 = new Object();
    Object o2 = new Object();
    tape.pushDouble(1.5);
    tape.pushInt(1);
    tape.pushLong(10L);
    tape.pushObject(o1);
    tape.pushBoolean(true);
    tape.pushDouble(2.5);
    tape.pushLong(20L);
    tape.pushInt(2);
    tape.pushObject(o2);
    tape.pushDouble(3.5);

    assertEquals(3, tape.doubleCount());
    assertEquals(3, tape.intCount());
    assertEquals(2, tape.longCount());
    assertEquals(2, tape.objectCount());

    // Pop in an order unrelated to the push order: each kind is its own stack.
    assertSame(o2, tape.popObject());
    assertEquals(20L, tape.popLong());
    assertEquals(3.5, tape.popDouble());
    assertEquals(2, tape.popInt());
    assertEquals(2.5, tape.popDouble());
    assertTrue(tape.popBoolean());
    assertSame(o1, tape.popObject());
    assertEquals(1.5, tape.popDouble());
    assertEquals(10L, tape.popLong());
    assertFalse(tape.isEmpty());
    assertEquals(1, tape.popInt());
    assertTrue(tape.isEmpty());
  }

  @Test
  void isEmptyTracksEveryKind() {
    Tape tape = new Tape();
    tape.pushDouble(1);
    assertFalse(tape.isEmpty());
    tape.popDouble();
    tape.pushInt(1);
    assertFalse(tape.isEmpty());
    tape.popInt();
    tape.pushBoolean(false);
    assertFalse(tape.isEmpty());
    tape.popBoolean();
    tape.pushLong(1);
    assertFalse(tape.isEmpty());
    tape.popLong();
    tape.pushObject(null);
    assertFalse(tape.isEmpty());
    tape.popObject();
    assertTrue(tape.isEmpty());
  }

  @Test
  void countsFollowPushesAndPops() {
    Tape tape = new Tape();
    for (int i = 1; i <= 100; i++) {
      tape.pushDouble(i);
      tape.pushLong(i);
      tape.pushObject(i);
      tape.pushInt(i);
      tape.pushBoolean(i % 2 == 0);
      assertEquals(i, tape.doubleCount());
      assertEquals(i, tape.longCount());
      assertEquals(i, tape.objectCount());
      assertEquals(2 * i, tape.intCount());
    }
    for (int i = 99; i >= 0; i--) {
      tape.popDouble();
      assertEquals(i, tape.doubleCount());
      assertEquals(i + 1, tape.longCount());
      tape.popLong();
      tape.popObject();
      tape.popBoolean();
      tape.popInt();
      assertEquals(i, tape.longCount());
      assertEquals(i, tape.objectCount());
      assertEquals(2 * i, tape.intCount());
    }
    assertTrue(tape.isEmpty());
  }

  // ---- growth --------------------------------------------------------------------------------

  @Test
  void growsThroughTenMillionDoubles() {
    int n = 10_000_000;
    Tape tape = new Tape();
    for (int i = 0; i < n; i++) {
      tape.pushDouble(i * 0.25 - 7);
    }
    assertEquals(n, tape.doubleCount());
    for (int i = n - 1; i >= 0; i--) {
      double value = tape.popDouble();
      if (value != i * 0.25 - 7) {
        assertEquals(i * 0.25 - 7, value, "element " + i);
      }
    }
    assertTrue(tape.isEmpty());
  }

  @Test
  void otherKindsGrowToo() {
    int n = 200_000;
    Tape tape = new Tape();
    for (int i = 0; i < n; i++) {
      tape.pushInt(i);
      tape.pushLong(i * 3_000_000_000L);
      tape.pushObject(Integer.toString(i));
    }
    for (int i = n - 1; i >= 0; i--) {
      assertEquals(Integer.toString(i), tape.popObject());
      assertEquals(i * 3_000_000_000L, tape.popLong());
      assertEquals(i, tape.popInt());
    }
    assertTrue(tape.isEmpty());
  }

  @Test
  void reuseAfterEmptyingWorks() {
    Tape tape = new Tape();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1000; i++) {
        tape.pushDouble(round * 1000 + i);
      }
      for (int i = 999; i >= 0; i--) {
        assertEquals(round * 1000 + i, tape.popDouble());
      }
      assertTrue(tape.isEmpty());
    }
  }

  // ---- reserveDoubles ------------------------------------------------------------------------

  @Test
  void reserveDoublesAllocatesOnceForTheWholeLoop() throws Exception {
    Tape tape = new Tape();
    tape.pushDouble(-1);
    tape.pushDouble(-2);
    int n = 100_000;
    tape.reserveDoubles(n);
    double[] storage = doubles(tape);
    assertTrue(storage.length >= n + 2, "capacity " + storage.length);
    for (int i = 0; i < n; i++) {
      tape.pushDouble(i);
    }
    assertSame(storage, doubles(tape), "pushing the reserved amount must not reallocate");
    assertEquals(n + 2, tape.doubleCount());
    for (int i = n - 1; i >= 0; i--) {
      assertEquals(i, tape.popDouble());
    }
    assertEquals(-2, tape.popDouble());
    assertEquals(-1, tape.popDouble());
    assertTrue(tape.isEmpty());
  }

  @Test
  void reserveDoublesWithinCapacityDoesNothing() throws Exception {
    Tape tape = new Tape();
    tape.pushDouble(1);
    double[] storage = doubles(tape);
    tape.reserveDoubles(0);
    tape.reserveDoubles(storage.length - 1);
    assertSame(storage, doubles(tape));
    assertEquals(1, tape.doubleCount());
    assertEquals(1, tape.popDouble());
  }

  @Test
  void reserveDoublesKeepsContentsAndCounts() {
    Tape tape = new Tape();
    for (int i = 0; i < 20; i++) {
      tape.pushDouble(i);
    }
    tape.reserveDoubles(1_000);
    assertEquals(20, tape.doubleCount());
    for (int i = 19; i >= 0; i--) {
      assertEquals(i, tape.popDouble());
    }
  }

  @Test
  void reservingMoreThanAnArrayCanHoldFailsClearly() {
    Tape tape = new Tape();
    OutOfMemoryError e =
        assertThrows(OutOfMemoryError.class, () -> tape.reserveDoubles(Integer.MAX_VALUE));
    assertTrue(e.getMessage().contains("Adjoint tape"), e.getMessage());
    tape.pushDouble(3); // still usable
    assertEquals(3, tape.popDouble());
  }

  // ---- popObject clears references -----------------------------------------------------------

  @Test
  void popObjectClearsTheSlotSoTheObjectCanBeCollected() throws Exception {
    Tape tape = new Tape();
    Object a = new Object();
    Object b = new Object();
    tape.pushObject(a);
    tape.pushObject(b);
    tape.popObject();
    Object[] storage = objects(tape);
    assertSame(a, storage[0]);
    assertNull(storage[1]);
    tape.popObject();
    assertTrue(Arrays.stream(objects(tape)).allMatch(o -> o == null));
  }

  @Test
  void popObjectClearsAfterGrowth() throws Exception {
    Tape tape = new Tape();
    for (int i = 0; i < 1_000; i++) {
      tape.pushObject(new int[] {i});
    }
    for (int i = 999; i >= 0; i--) {
      int[] box = tape.popObject();
      assertEquals(i, box[0]);
    }
    for (Object o : objects(tape)) {
      assertNull(o);
    }
  }

  // ---- reflection helpers (capacity and cleared slots are not visible otherwise) -------------

  private static double[] doubles(Tape tape) throws ReflectiveOperationException {
    return (double[]) field(tape, "doubles");
  }

  private static Object[] objects(Tape tape) throws ReflectiveOperationException {
    return (Object[]) field(tape, "objects");
  }

  @Test
  void aClosedTapeIsReusedByTheThreadsNextCallAndANestedCallGetsItsOwn() throws Exception {
    Tape first = Tape.open();
    first.reserveDoubles(1000);
    Tape nested = Tape.open();
    assertTrue(nested != first, "a tape in use is not handed out again");
    nested.close();
    first.pushDouble(1);
    first.pushObject("x");
    first.popObject();
    first.popDouble();
    first.close();
    Tape again = Tape.open();
    assertSame(first, again, "the larger tape is kept");
    assertTrue(again.isEmpty());
    assertTrue(((double[]) field(again, "doubles")).length >= 1000, "kept at the size it grew to");
    Tape[] other = new Tape[1];
    Thread t = new Thread(() -> other[0] = Tape.open());
    t.start();
    t.join();
    assertTrue(other[0] != again, "threads do not share tapes");
    again.close();
  }

  @Test
  void nestedCallsReuseTheTapesEarlierNestedCallsClosed() {
    Tape outer = Tape.open();
    Tape middle = Tape.open();
    Tape inner = Tape.open();
    assertTrue(outer != middle && middle != inner && inner != outer);
    inner.close();
    middle.close();
    outer.close();
    // a recursion to the same depth again allocates no tape
    java.util.Set<Tape> before = java.util.Set.of(outer, middle, inner);
    Tape a = Tape.open();
    Tape b = Tape.open();
    Tape c = Tape.open();
    assertTrue(before.containsAll(java.util.List.of(a, b, c)) && a != b && b != c && a != c);
    c.close();
    b.close();
    a.close();
  }

  @Test
  void pushDoublesIsManyPushDoubles() {
    Tape tape = new Tape();
    tape.pushDouble(-1);
    double[] a = {1, 2, 3, 4, 5};
    tape.pushDoubles(a, 1, 3);
    tape.pushDoubles(a, 0, 0);
    tape.pushDoubles(a, 0, -2);
    assertEquals(4, tape.doubleCount());
    assertEquals(4.0, tape.popDouble());
    assertEquals(3.0, tape.popDouble());
    assertEquals(2.0, tape.popDouble());
    assertEquals(-1.0, tape.popDouble());
    assertTrue(tape.isEmpty());
  }

  private static Object field(Tape tape, String name) throws ReflectiveOperationException {
    Field f = Tape.class.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(tape);
  }
}
