#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in a directory, for tests and the demo: trust auth on
# 127.0.0.1, a free port, fsync left on. As root (CI) the server runs as the unprivileged
# 'postgres' user, because initdb refuses root.
#
#   scripts/pg-cluster.sh start DIR [PORT]   init (once) and start; prints the database URL
#   scripts/pg-cluster.sh stop DIR           stop (fast shutdown), keep the data
#   scripts/pg-cluster.sh destroy DIR        stop and remove DIR
#   scripts/pg-cluster.sh url DIR            print the database URL
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|destroy|url DIR [PORT]" >&2; exit 2; }
[[ -x "$PG_BIN/initdb" ]] || { echo "$0: PostgreSQL 15 is not installed ($PG_BIN/initdb); run scripts/setup.sh" >&2; exit 1; }

as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    # From /: the caller's directory may be unreadable for postgres (e.g. under /root).
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url() { echo "postgresql://sippet@127.0.0.1:$(cat "$dir/port")/sippet"; }

start() {
  mkdir -p "$dir"
  if [[ "$(id -u)" -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    # A root directory without o+x (seen in minimal chroots) stops every other user from
    # running anything at all; PostgreSQL must run as one.
    if ! (cd / && runuser -u postgres -- /bin/true) 2>/dev/null && (( $(stat -c %a /) % 2 == 0 )); then
      echo "$0: '/' (mode $(stat -c %a /)) is not searchable by other users; adding o+x so the postgres user can run" >&2
      chmod o+x /
    fi
    chown postgres "$dir"
    (cd / && runuser -u postgres -- test -w "$dir") ||
      { echo "$0: the 'postgres' user cannot reach $dir (make its parent directories world-searchable)" >&2; exit 1; }
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U sippet -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # An explicit PORT is required; otherwise reuse the cluster's last port (so a restarted
  # server keeps its URL), falling back to a random free one.
  local tries=0 port=${1:-} strict=${1:+yes}
  [[ -z "$port" && -f "$dir/port" ]] && port=$(cat "$dir/port")
  while :; do
    if [[ -z "$port" ]]; then
      port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 30000 ))
      port_in_use "$port" && { port=""; continue; }
    fi
    echo "$port" >"$dir/port"
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c max_connections=200 -c fsync=on" \
         start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [[ $tries -ge 5 || -n "$strict" ]]; then
      echo "$0: PostgreSQL did not start; its log:" >&2; tail -20 "$dir/server.log" >&2; exit 1
    fi
    port=""
  done
  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U sippet -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sippet'" | grep -q 1; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U sippet sippet
  fi
  url
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) [[ -f "$dir/data/postmaster.pid" ]] && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; true ;;
  destroy)
    [[ -f "$dir/data/postmaster.pid" ]] && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir" ;;
  url) url ;;
  *) echo "usage: $0 start|stop|destroy|url DIR [PORT]" >&2; exit 2 ;;
esac
