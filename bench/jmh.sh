#!/usr/bin/env bash
# jmh.sh: run the JMH benchmarks (src/test/java/**/*Benchmark.java) with the GC profiler.
#   bench/jmh.sh [JMH args…]     e.g. bench/jmh.sh ForwardPath -f 1
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
[[ -f target/test-classpath.txt && -d target/test-classes ]] || mvn -q -B -DskipTests package
CP="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main -prof gc "${@:-Benchmark}"
