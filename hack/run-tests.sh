#!/usr/bin/env bash
# Runs node's test runner over the compiled tests.
#   hack/run-tests.sh           every test
#   hack/run-tests.sh unit      tests beside the code (apis/, pkg/) only
#   hack/run-tests.sh PATTERN   test files whose path contains PATTERN
set -euo pipefail
cd "$(dirname "$0")/.."
sel="${1:-}"
case "$sel" in
  "") files=$(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort) ;;
  unit) files=$(find dist/apis dist/pkg -name '*.test.js' 2>/dev/null | sort) ;;
  *) files=$(find dist -name '*.test.js' | grep -- "$sel" | sort) ;;
esac
if [ -z "$files" ]; then echo "no test files matched '$sel'" >&2; exit 1; fi
export SWITCHYARD_REPO_ROOT="$PWD"
# Integration tests start their own servers on free loopback ports, so files may run side by side.
exec node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=300000 $files
