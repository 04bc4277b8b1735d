#!/usr/bin/env bash
# footprint.sh: memory per connection — fills the connection table with N IPv4 flows (default 10 million).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
[[ -f target/test-classpath.txt && -d target/test-classes ]] || mvn -q -B -DskipTests package
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx256m \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.jlvs.bench.ConnectionTableFootprint "$@"
