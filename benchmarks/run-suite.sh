#!/bin/sh
# Regenerates the results section of benchmarks/README.md (issue 7): builds the benchmarks with
# the libtorch peer, runs the scalar suite, the MLP step and the peer under JMH (about 14 minutes
# on 2 cores) and prints the Markdown tables, also written to benchmarks/target/suite-results.md.
# Usage (from the repository root): benchmarks/run-suite.sh [JMH options; default: -f 2]
# ADJOINT_PEERS=0 skips the peer (no DJL download, no libtorch rows).
set -eu
[ $# -eq 0 ] && set -- -f 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "${ADJOINT_PEERS:-1}" = 1 ]; then PROFILE=-Ppeers; else PROFILE=; fi
mvn -q -B $PROFILE -pl benchmarks -am package -DskipTests
# libtorch's OpenMP threads must sleep, not spin, on a small shared machine; forks inherit this
export OMP_WAIT_POLICY=PASSIVE
echo "load before: $(uptime)"
java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar dev.adjoint.benchmarks.SuiteMain \
  --markdown benchmarks/target/suite-results.md "$@"
echo "load after: $(uptime)"
