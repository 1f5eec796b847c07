#!/usr/bin/env bash
# Signs a body the Standard Webhooks way with the openssl command line — an implementation
# independent of the daemon's C++ code, used by the demo and by tests to cross-check it.
#   scripts/sign-webhook.sh SECRET_FILE MSG_ID TIMESTAMP < body   → prints "v1,<base64>"
# SECRET_FILE holds one whsec_ secret (the first non-comment line is used).
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 SECRET_FILE MSG_ID TIMESTAMP < body" >&2; exit 2; }
secret=$(grep -v '^[[:space:]]*#' "$1" | grep -m1 -v '^[[:space:]]*$' | tr -d '[:space:]')
key_hex=$(printf '%s' "${secret#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
mac=$( { printf '%s.%s.' "$2" "$3"; cat; } |
       openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | base64 -w0)
echo "v1,$mac"
