package dev.adjoint.spark.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Times the loss evaluations of a trainer from Spark's own records: each evaluation is one job
 * started from a known call site ({@code treeAggregate at RDDLossFunction.scala} for MLlib's
 * logistic regression, {@code DistributedLoss} for Adjoint's). It keeps the jobs' end times (wall
 * clock, as a user waits) and adds up their tasks' executor CPU time (what the evaluations cost,
 * whatever else the machine runs).
 */
final class EvaluationClock extends SparkListener {
  private final String callSite;
  private final Map<Integer, Boolean> matchingJobs = new ConcurrentHashMap<>();
  private final Map<Integer, Boolean> matchingStages = new ConcurrentHashMap<>();
  private final List<Long> ends = new ArrayList<>();
  private final AtomicLong cpuNanos = new AtomicLong();

  EvaluationClock(String callSite) {
    this.callSite = callSite;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    // a stage is named after its call site, e.g. "treeAggregate at RDDLossFunction.scala:61"
    boolean matches = false;
    scala.collection.Iterator<StageInfo> stages = start.stageInfos().iterator();
    List<Integer> ids = new ArrayList<>();
    while (stages.hasNext()) {
      StageInfo stage = stages.next();
      matches |= stage.name().contains(callSite);
      ids.add(stage.stageId());
    }
    matchingJobs.put(start.jobId(), matches);
    for (int id : ids) {
      matchingStages.put(id, matches);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (Boolean.TRUE.equals(matchingStages.get(end.stageId())) && end.taskMetrics() != null) {
      cpuNanos.addAndGet(end.taskMetrics().executorCpuTime()
          + end.taskMetrics().executorDeserializeCpuTime());
    }
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    if (Boolean.TRUE.equals(matchingJobs.get(end.jobId()))) {
      ends.add(end.time());
      notifyAll();
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

  /** Executor CPU seconds of the matching jobs' tasks so far. */
  double cpuSeconds() {
    return cpuNanos.get() * 1e-9;
  }
}
