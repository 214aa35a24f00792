package dev.adjoint.spark;

/**
 * Brings a {@link BadRowException} thrown in a task back to the driver as itself; any other
 * failure of the job is rethrown unchanged ({@code SparkException} is checked in Java but thrown
 * undeclared from Scala, hence the generic rethrow).
 */
final class SparkFailures {
  private SparkFailures() {}

  static RuntimeException rethrow(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BadRowException bad) {
        return new BadRowException(bad.getMessage(), e);
      }
    }
    // the task's exception may arrive as text only (e.g. when it could not be deserialised)
    String m = e.getMessage();
    int at = m == null ? -1 : m.indexOf("bad row: partition ");
    if (at >= 0) {
      int end = m.indexOf('\n', at);
      return new BadRowException(end < 0 ? m.substring(at) : m.substring(at, end), e);
    }
    throw SparkFailures.<RuntimeException>sneaky(e);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }
}
