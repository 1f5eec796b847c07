#!/usr/bin/env bash
# Configures and builds sippet-sync: build/ (RelWithDebInfo), or build-asan/ with --sanitize.
#   scripts/build.sh [--sanitize] [TARGET...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build; flags=()
if [[ "${1:-}" == "--sanitize" ]]; then
  shift; dir=$top/build-asan; flags=(-DSIPPET_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  cmake -S "$top" -B "$dir" "${flags[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
