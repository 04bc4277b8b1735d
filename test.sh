#!/usr/bin/env bash
# test.sh: install what is needed and run the whole test suite: unit tests (Surefire), then the
# packaged launchers' system tests in network namespaces (Failsafe; need root).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
"$ROOT/scripts/setup.sh" --no-build
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
exec mvn -B verify "$@"
