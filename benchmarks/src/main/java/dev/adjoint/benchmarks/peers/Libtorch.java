package dev.adjoint.benchmarks.peers;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts PyTorch's libtorch through DJL, configured fairly for a small shared machine: intra-op
 * threads as asked, one inter-op thread, and OpenMP threads that sleep instead of spinning
 * ({@code OMP_WAIT_POLICY=PASSIVE}, which must be in the environment of the JVM that launches
 * JMH, since forks inherit it; with 2 threads on 2 busy cores spinning OpenMP workers make
 * libtorch several times slower). Natives come from the {@code pytorch-native-cpu} jar on the
 * class path; {@code -Dai.djl.offline=true} keeps DJL from looking anywhere else.
 */
final class Libtorch {
  private Libtorch() {}

  static Engine start(int threads) {
    String policy = System.getenv("OMP_WAIT_POLICY");
    if (!"PASSIVE".equalsIgnoreCase(policy)) {
      throw new IllegalStateException("run with OMP_WAIT_POLICY=PASSIVE in the environment "
          + "(found " + policy + "): spinning OpenMP threads would make the peer look slower "
          + "than it is; benchmarks/run-suite.sh sets it");
    }
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    Engine engine = Engine.getEngine("PyTorch");
    if (JniUtils.getNumThreads() != threads) {
      // the engine was started earlier in this JVM with other settings
      JniUtils.setNumThreads(threads);
    }
    System.err.println("libtorch " + engine.getVersion() + ", intra-op threads "
        + JniUtils.getNumThreads() + ", inter-op threads " + JniUtils.getNumInteropThreads());
    return engine;
  }
}
