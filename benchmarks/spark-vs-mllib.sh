#!/bin/sh
# Adjoint vs MLlib on Spark: seconds per L-BFGS iteration of multinomial logistic regression on
# Fashion-MNIST (60,000 x 784, 10 classes, L2 1e-3), both trainers in one run on the same cached
# rows and partitions, on local[1] and local[2] (one partition per core). Prints each run's
# objectives per iteration, test accuracies, seconds per iteration and the load before and after.
#
#   mvn -o -q -DskipTests package           # once, at the repository's root
#   benchmarks/spark-vs-mllib.sh [DATA_DIR] [ITERATIONS] [CORES...]
#
# DATA_DIR defaults to ../shared/data/fashion-mnist (looked up from here and its parents),
# ITERATIONS to 50, CORES to "1 2".
set -e
cd "$(dirname "$0")/.."
if [ ! -f spark-samples/target/classpath.txt ]; then
  echo "build first: mvn -o -q -DskipTests package" >&2
  exit 1
fi
DATA=${1:-}
ITERATIONS=${2:-50}
shift 2 2>/dev/null || shift $#
CORES=${*:-1 2}
CP="spark-samples/target/classes:$(cat spark-samples/target/classpath.txt)"
for cores in $CORES; do
  echo "== local[$cores]; load before: $(uptime)"
  java -Xmx6g --add-modules jdk.incubator.vector -cp "$CP" \
    dev.adjoint.spark.samples.FashionMnistLogistic $DATA --master "local[$cores]" \
    --iterations "$ITERATIONS" 2>&1 | grep -v '^WARNING: Using incubator modules'
  echo "== load after: $(uptime)"
done
