#!/usr/bin/env bash
# Sends event files to a sippet-sync endpoint, each signed now with scripts/sign-webhook.sh.
#   scripts/send-events.sh URL SECRET_FILE EVENT.json...
# Prints one line per event: the HTTP status and the daemon's JSON answer. Exits 1 if any
# answer was not 2xx.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 URL SECRET_FILE EVENT.json..." >&2; exit 2; }
url=$1; secret_file=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
failed=0
for f in "$@"; do
  ts=$(date +%s)
  msg_id="msg_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  sig=$("$here/sign-webhook.sh" "$secret_file" "$msg_id" "$ts" <"$f")
  out=$(curl -sS -w '\n%{http_code}' -X POST "$url" \
          -H 'Content-Type: application/json' -H "webhook-id: $msg_id" \
          -H "webhook-timestamp: $ts" -H "webhook-signature: $sig" --data-binary "@$f")
  code=${out##*$'\n'}; body=${out%$'\n'*}; body=${body%$'\n'}
  printf '%-45s %s %s\n' "$(basename "$f")" "$code" "$body"
  [[ "$code" == 2* ]] || failed=1
done
exit $failed
