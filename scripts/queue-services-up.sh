#!/usr/bin/env bash
# Starts what n8n's queue mode needs beside n8n itself, on loopback: PostgreSQL (n8n's database) and
# Redis (the Bull job queue between the main and its workers), both from Debian packages. Installs them
# when missing, reuses them when they already answer, and writes their `export` lines to the file given
# as $1 (default: $QUEUE_SERVICES_DIR/queue-services.env); prints its path on the last line.
#
# The data lives in QUEUE_SERVICES_DIR (default /var/tmp/n8n-nodes-exchange-crm-sync-queue: the cluster
# belongs to the `postgres` user, since PostgreSQL refuses to run as root, and that user cannot enter
# /root/.cache). Each test run creates its own database and Bull prefix (test/e2e/harness/queue.ts), so
# runs share the servers, never their data.
#
# Environment:
#   QUEUE_SERVICES=skip      start nothing (the queue-mode e2e then skips with a message)
#   QUEUE_PG_PORT            PostgreSQL port (default 55432)
#   QUEUE_REDIS_PORT         Redis port (default 56379)
#   QUEUE_SERVICES_DIR       data folder (see above)
set -euo pipefail

DIR="${QUEUE_SERVICES_DIR:-/var/tmp/n8n-nodes-exchange-crm-sync-queue}"
ENV_FILE="${1:-$DIR/queue-services.env}"
PG_PORT="${QUEUE_PG_PORT:-55432}"
REDIS_PORT="${QUEUE_REDIS_PORT:-56379}"
PG_USER=n8n
PG_PASSWORD=n8n
log() { echo "queue-services: $*" >&2; }

mkdir -p "$(dirname "$ENV_FILE")"
: >"$ENV_FILE"
if [[ "${QUEUE_SERVICES:-}" == "skip" ]]; then
	log "skipped (QUEUE_SERVICES=skip)"
	echo "$ENV_FILE"
	exit 0
fi
start=$(date +%s)

pg_bin() { find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
missing=()
[[ -n "$(pg_bin)" ]] || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if ((${#missing[@]})); then
	[[ "$(id -u)" == 0 ]] || { log "needs root to install ${missing[*]} (or QUEUE_SERVICES=skip)"; exit 1; }
	log "installing ${missing[*]}"
	# Another install (scripts/test.sh's Chromium, the real servers) may hold apt's lock: wait for it.
	apt-get -o DPkg::Lock::Timeout=600 update >&2
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2
fi
PG_BIN="$(pg_bin)"

# --- Redis: no persistence (the queue only lives while a run does), loopback only.
if [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]]; then
	log "redis: reusing the one on port $REDIS_PORT"
else
	mkdir -p "$DIR/redis"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes --daemonize yes \
		--dir "$DIR/redis" --pidfile "$DIR/redis/redis.pid" --logfile "$DIR/redis/redis.log" \
		--save '' --appendonly no >&2
	for _ in $(seq 1 50); do
		[[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]] && break
		sleep 0.2
	done
	[[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]] || { tail -n 20 "$DIR/redis/redis.log" >&2; log "redis did not start"; exit 1; }
	log "redis: started on port $REDIS_PORT"
fi

# --- PostgreSQL: a cluster of its own, owned by `postgres`, trusting loopback (nothing else can connect).
as_postgres() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_DATA="$DIR/pg/data"
PG_SOCKETS="$DIR/pg/run"
if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
	log "postgres: reusing the one on port $PG_PORT"
else
	mkdir -p "$DIR/pg"
	chmod 755 "$DIR"
	[[ "$(id -u)" == 0 ]] && chown postgres:postgres "$DIR/pg"
	if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
		as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale >"$DIR/pg/initdb.log" 2>&1 || { cat "$DIR/pg/initdb.log" >&2; exit 1; }
	fi
	as_postgres mkdir -p "$PG_SOCKETS"
	# fsync off: throw-away test data; a crash only loses what the next run creates again.
	as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$DIR/pg/postgres.log" -w -t 60 \
		-o "-p $PG_PORT -k $PG_SOCKETS -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
	log "postgres: started on port $PG_PORT"
fi
# The role n8n connects as; it creates one database per run.
psql_admin() { as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
if [[ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != 1 ]]; then
	psql_admin "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" >/dev/null
fi

cat >"$ENV_FILE" <<EOF
export QUEUE_PG_HOST=127.0.0.1
export QUEUE_PG_PORT=$PG_PORT
export QUEUE_PG_USER=$PG_USER
export QUEUE_PG_PASSWORD=$PG_PASSWORD
export QUEUE_PG_BIN=$PG_BIN
export QUEUE_REDIS_HOST=127.0.0.1
export QUEUE_REDIS_PORT=$REDIS_PORT
EOF
log "ready in $(($(date +%s) - start)) s"
echo "$ENV_FILE"
