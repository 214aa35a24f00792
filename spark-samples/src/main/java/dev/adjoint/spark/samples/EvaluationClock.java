package dev.adjoint.spark.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Records when the Spark jobs started from a given call site end: MLlib's logistic regression runs
 * one job per loss evaluation ({@code treeAggregate at RDDLossFunction.scala}), so their end times
 * time its iterations the way {@code Lbfgs}'s progress callback times Adjoint's.
 */
final class EvaluationClock extends SparkListener {
  private final String callSite;
  private final Map<Integer, Boolean> matching = new ConcurrentHashMap<>();
  private final List<Long> ends = new ArrayList<>();

  EvaluationClock(String callSite) {
    this.callSite = callSite;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    String site = start.properties() == null ? null
        : start.properties().getProperty("callSite.short");
    matching.put(start.jobId(), site != null && site.contains(callSite));
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    if (Boolean.TRUE.equals(matching.get(end.jobId()))) {
      ends.add(end.time());
    }
  }

  /**
   * The end times (ms) of the matching jobs, waiting up to 5 s for the listener bus (which runs
   * behind the jobs) to report {@code expected} of them.
   */
  synchronized List<Long> ends(int expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (ends.size() < expected && System.currentTimeMillis() < deadline) {
      wait(50);
    }
    return List.copyOf(ends);
  }
}
