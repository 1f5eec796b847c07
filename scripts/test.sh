#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every unit, integration and
# end-to-end test (each integration binary starts its own private PostgreSQL).
#   scripts/test.sh              the normal build
#   scripts/test.sh --sanitize   the same suite under AddressSanitizer + UBSan
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
mode=${1:-}
"$top/scripts/build.sh" $mode
dir=$top/build; [[ "$mode" == "--sanitize" ]] && dir=$top/build-asan
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$dir" && ctest --output-on-failure --timeout 900 -j 2
