#!/usr/bin/env bash
# The demo: a private PostgreSQL, the sippet-sync daemon with config/demo/, and Sippet's
# sample events signed and sent over HTTP. Prints what was stored, then cleans up.
#   scripts/demo.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
"$top/scripts/build.sh" sippet-sync
bin=$top/build/sippet-sync
config=$top/config/demo/sippet-sync.yaml
secrets=$top/config/demo/demo-webhook-secrets
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

work=$(mktemp -d /tmp/sippet-demo-XXXXXX)
chmod 755 "$work"  # the PostgreSQL server may run as the 'postgres' user
serve_pid=""
cleanup() {
  [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  "$top/scripts/pg-cluster.sh" destroy "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "starting a private PostgreSQL 15"
SIPPET_SYNC_DATABASE_URL=$("$top/scripts/pg-cluster.sh" start "$work/pg")
export SIPPET_SYNC_DATABASE_URL
echo "$SIPPET_SYNC_DATABASE_URL"
sql() { "$PG_BIN/psql" -X -q -P pager=off "$SIPPET_SYNC_DATABASE_URL" "$@"; }

step "sippet-sync check-config && sippet-sync migrate"
"$bin" check-config --config "$config"
"$bin" migrate --config "$config"

step "sippet-sync serve (listening on 127.0.0.1:18080)"
"$bin" serve --config "$config" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 250); do
  curl -fsS http://127.0.0.1:18080/readyz >/dev/null 2>&1 && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.02
done
curl -fsS http://127.0.0.1:18080/readyz; echo

step "sending Sippet's sample events, signed with openssl (scripts/send-events.sh)"
events=$top/tests/fixtures/events
live=()
for f in "$events"/*.json; do [[ $(basename "$f") == sandbox.* ]] || live+=("$f"); done
"$top/scripts/send-events.sh" http://127.0.0.1:18080/webhooks/sippet "$secrets" "${live[@]}"
"$top/scripts/send-events.sh" http://127.0.0.1:18080/webhooks/sippet-sandbox "$secrets" "$events/sandbox.contact.created.json"

step "redelivering one event (answered as a duplicate, stored once)"
"$top/scripts/send-events.sh" http://127.0.0.1:18080/webhooks/sippet "$secrets" "$events/contact.created.json"

step "refusals: a sandbox event on the live endpoint, a bad signature"
"$top/scripts/send-events.sh" http://127.0.0.1:18080/webhooks/sippet "$secrets" "$events/sandbox.contact.created.json" || true
curl -sS -w ' %{http_code}\n' -X POST http://127.0.0.1:18080/webhooks/sippet \
  -H 'webhook-id: msg_forged' -H "webhook-timestamp: $(date +%s)" \
  -H 'webhook-signature: v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=' \
  --data-binary "@$events/contact.updated.json"

step "what PostgreSQL now holds"
sql -c "SELECT event_id, event_type, status, endpoint, length(raw_body) AS bytes FROM sippet_events ORDER BY occurred_at"
sql -c "SELECT record_id, deleted, data->>'email' AS email, data->>'phone' AS phone, last_event_type, version_at FROM staging_contacts"
sql -c "SELECT record_id, data->>'status' AS status, data->>'subject' AS subject, last_event_type FROM staging_conversations"
sql -c "SELECT record_id, status, effective_label, effective_source, predicted_confidence, estimated_cost, token_usage->>'total_tokens' AS tokens FROM staging_email_classifications"
sql -c "SELECT http_status, reason, message, endpoint FROM rejected_requests ORDER BY id"

step "stopping (SIGTERM drains in-flight requests)"
kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=""
tail -n 3 "$work/serve.log"
echo; echo "demo finished"
