#!/usr/bin/env bash
# setup.sh: install what jlvs needs on a fresh Debian machine and build it.
#   scripts/setup.sh            install packages + build (skip tests)
#   scripts/setup.sh --no-build install packages only
# Idempotent: apt-get runs only when something is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

PACKAGES=(nginx-light wrk curl iproute2 nftables ethtool procps maven python3 socat chromium python3-prometheus-client keepalived bird2 netsniff-ng)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nginx of any flavour will do
if [[ " ${missing[*]} " == *" nginx-light "* ]] && command -v nginx >/dev/null; then
  missing=("${missing[@]/nginx-light}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || { echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; }
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ -x $JAVA_HOME/bin/java ]] || { echo "setup: JDK 25 not found at $JAVA_HOME (set JAVA_HOME)" >&2; exit 1; }
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25' || { echo "setup: $JAVA_HOME is not JDK 25" >&2; exit 1; }

if [[ ${1:-} != --no-build ]]; then
  echo "setup: building jlvs" >&2
  (cd "$ROOT" && mvn -q -B -DskipTests package)
fi
