#!/usr/bin/env bash
# The demo: a private PostgreSQL, four local fake CRMs (HubSpot, Salesforce, Zendesk, a plain
# REST API), the sippet-sync daemon with config/demo/ (the shipped presets, unchanged), and
# Sippet's sample events signed and sent over HTTP. Prints what was stored and what each CRM
# ends up holding, then cleans up.
#   scripts/demo.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
"$top/scripts/build.sh" sippet-sync fake-crm
bin=$top/build/sippet-sync
fake=$top/build/tests/fake-crm
config=$top/config/demo/sippet-sync.yaml
secrets=$top/config/demo/demo-webhook-secrets
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

work=$(mktemp -d /tmp/sippet-demo-XXXXXX)
chmod 755 "$work"  # the PostgreSQL server may run as the 'postgres' user
serve_pid=""
fake_pids=()
cleanup() {
  [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  for p in "${fake_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
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

step "starting fake CRMs on 127.0.0.1:18181-18184 (hubspot, salesforce, zendesk, generic REST)"
port=18181
for kind in hubspot salesforce zendesk generic; do
  "$fake" --kind "$kind" --port "$port" --token test-token >"$work/fake-$kind.log" 2>&1 &
  fake_pids+=($!)
  port=$((port + 1))
done
for p in 18181 18182 18183 18184; do
  for _ in $(seq 1 250); do curl -fsS "http://127.0.0.1:$p/_fake/stats" >/dev/null 2>&1 && break; sleep 0.02; done
done
echo "ready"

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
for f in "$events"/*.json; do
  case $(basename "$f") in sandbox.*|contact.deleted.json) ;; *) live+=("$f") ;; esac
done
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

step "sippet-sync map: what the HubSpot preset sends for contact.updated (nothing is sent)"
"$bin" map --config "$config" --mapping hubspot-contacts --event "$events/contact.updated.json"

wait_for_jobs() {
  for _ in $(seq 1 300); do
    [[ $(sql -tAc "SELECT count(*) FROM sync_jobs WHERE state IN ('pending', 'running')") == 0 ]] && return
    sleep 0.1
  done
  echo "jobs still open after 30 s"
}
step "waiting for the workers to deliver every job"
wait_for_jobs

step "the contact is deleted in Sippet: Salesforce and the REST API delete it, HubSpot flags it, Zendesk keeps it"
"$top/scripts/send-events.sh" http://127.0.0.1:18080/webhooks/sippet "$secrets" "$events/contact.deleted.json"
wait_for_jobs

step "what PostgreSQL now holds"
sql -c "SELECT event_id, event_type, status, endpoint, length(raw_body) AS bytes FROM sippet_events ORDER BY occurred_at"
sql -c "SELECT record_id, deleted, data->>'email' AS email, data->>'phone' AS phone, last_event_type, version_at FROM staging_contacts"
sql -c "SELECT record_id, data->>'status' AS status, data->>'subject' AS subject, last_event_type FROM staging_conversations"
sql -c "SELECT record_id, status, effective_label, effective_source, predicted_confidence, estimated_cost, token_usage->>'total_tokens' AS tokens FROM staging_email_classifications"
sql -c "SELECT http_status, reason, message, endpoint FROM rejected_requests ORDER BY id"
sql -c "SELECT mapping, record_id, state, outcome, attempts, changes, external_id, coalesce(dead_reason, last_error) AS note FROM sync_jobs ORDER BY id"
sql -c "SELECT target, step, method, regexp_replace(url, '^http://[^/]+', '') AS path, status, error_class, duration_ms FROM delivery_attempts ORDER BY id"
sql -c "SELECT target, object, record_id, external_id FROM crm_links ORDER BY target, object"

step "what each CRM holds (GET /_fake/records)"
port=18181
for kind in hubspot salesforce zendesk generic; do
  echo "-- $kind"; curl -fsS "http://127.0.0.1:$port/_fake/records"; echo
  port=$((port + 1))
done

step "stopping (SIGTERM drains in-flight requests)"
kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=""
tail -n 3 "$work/serve.log"
echo; echo "demo finished"
