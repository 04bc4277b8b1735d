#!/usr/bin/env bash
# demo.sh: install what is needed, build, and run the jlvs demo (DR then NAT through a jlvs
# director in network namespaces). Extra arguments go to `bin/jlvs demo` (e.g. --keep).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
"$ROOT/scripts/setup.sh"
exec "$ROOT/bin/jlvs" demo "$@"
