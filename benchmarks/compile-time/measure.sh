#!/bin/sh
# What the processor adds to javac: a class of N @Differentiable methods of mixed size compiled
# with the processor, against compiling the same class and the generated class without it (so the
# difference is the time spent in the processor itself), best of R runs each. Needs
# `mvn -q -DskipTests package` first.
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
    javac -J-XX:+UseSerialGC -cp "$CP" "$@" -d "$WORK/out" -s "$WORK/out"
    e=$(( ($(date +%s%N) - s) / 1000000 ))
    [ "$e" -lt "$b" ] && b=$e
  done
  echo "$b"
}
plain=$(best -proc:none "$WORK/src/bench/Many.java")
with=$(best -processorpath "$PP" "$WORK/src/bench/Many.java")
mkdir -p "$WORK/gen/bench" && cp "$WORK/out/bench/ManyGrad.java" "$WORK/gen/bench/"
both=$(best -proc:none "$WORK/src/bench/Many.java" "$WORK/gen/bench/ManyGrad.java")
lines=$(wc -l < "$WORK/gen/bench/ManyGrad.java")
echo "methods: $N, generated: $lines lines"
echo "javac, the class alone, no processor:          ${plain} ms (best of $R)"
echo "javac, the class and the generated class:      ${both} ms"
echo "javac with the processor:                      ${with} ms"
echo "in the processor, per method:                  $(( (with - both) * 1000 / N )) µs"
echo "compiling the generated code, per method:      $(( (both - plain) * 1000 / N )) µs"
# the processor's own clock (-Aadjoint.timing=true), best of R
for i in $(seq "$R"); do
  rm -rf "$WORK/out" && mkdir -p "$WORK/out"
  javac -J-XX:+UseSerialGC -cp "$CP" -processorpath "$PP" -Aadjoint.timing=true -d "$WORK/out" -s "$WORK/out" \
    "$WORK/src/bench/Many.java" 2>&1 | grep -o '[0-9.]* ms per method'
done | sort -n | head -1 | sed 's/^/the processor by its own clock:                /' 
rm -rf "$WORK"
