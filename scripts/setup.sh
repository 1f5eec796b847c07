#!/usr/bin/env bash
# Installs the Debian 12 packages sippet-sync needs to build, test and run its demo.
# As root it runs apt-get itself; otherwise it prints the exact command and fails.
# Usage: scripts/setup.sh
set -euo pipefail

PACKAGES=(
  g++ cmake make pkg-config git ca-certificates
  libpoco-dev libpqxx-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libsystemd-dev libssl-dev
  postgresql-15 postgresql-client-15
  curl openssl util-linux procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "sippet-sync needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
