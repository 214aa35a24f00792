#!/bin/sh
# What the processor adds to javac: a class of N @Differentiable methods of mixed size compiled
# with and without the processor, best of R runs each. Needs `mvn -q -DskipTests package` first.
# Usage (from the repository root): benchmarks/compile-time/measure.sh [N] [R]
set -eu
N=${1:-200}
R=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
JAVAPOET=$(find ~/.m2/repository/com/palantir/javapoet/javapoet/0.22.0 -name 'javapoet-0.22.0.jar')
CP="$ROOT/runtime/target/classes"
PP="$ROOT/processor/target/classes:$ROOT/runtime/target/classes:$JAVAPOET"
java "$ROOT/benchmarks/compile-time/GenerateMethods.java" "$WORK/src" "$N"
best() {
  b=999999
  for i in $(seq "$R"); do
    rm -rf "$WORK/out" && mkdir -p "$WORK/out"
    s=$(date +%s%N)
    javac -J-XX:+UseSerialGC -cp "$CP" "$@" -d "$WORK/out" -s "$WORK/out" "$WORK/src/bench/Many.java"
    e=$(( ($(date +%s%N) - s) / 1000000 ))
    [ "$e" -lt "$b" ] && b=$e
  done
  echo "$b"
}
plain=$(best -proc:none)
with=$(best -processorpath "$PP")
lines=$(wc -l < "$WORK/out/bench/ManyGrad.java")
echo "methods: $N, generated: $lines lines"
echo "javac without the processor: ${plain} ms (best of $R)"
echo "javac with the processor:    ${with} ms (compiles the generated code too)"
echo "added per method:            $(( (with - plain) * 1000 / N )) µs"
rm -rf "$WORK"
