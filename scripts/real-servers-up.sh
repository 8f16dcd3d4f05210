#!/usr/bin/env bash
# Starts the real third-party servers the live suites and the real-server e2e runs talk to, on loopback:
# vtiger CRM 8.3.0 and grommunio Gromox (EWS), both from ../shared/real-servers (DESIGN.md §6: when they
# disagree with the sandbox, the sandbox is wrong). Writes their `export` lines to the file given as $1
# (default: $CACHE_ROOT/real-servers.env) and prints its path on the last line.
#
# The build is cached under ~/.cache (REAL_SERVERS_DIR): a first run installs Debian packages and builds
# Gromox (minutes); later runs only start what is stopped (seconds).
#
# Environment:
#   REAL_SERVERS=skip     do not start them (the live suites then skip with a message)
#   REAL_SERVERS_SRC      the scripts' folder (default: ../shared/real-servers beside the repository)
#   REAL_SERVERS_DIR      build and data folder (default: ~/.cache/n8n-nodes-exchange-crm-sync/real-servers)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-exchange-crm-sync"
ENV_FILE="${1:-$CACHE_ROOT/real-servers.env}"
SRC="${REAL_SERVERS_SRC:-$REPO_DIR/../shared/real-servers}"
export REAL_SERVERS_DIR="${REAL_SERVERS_DIR:-$CACHE_ROOT/real-servers}"
log() { echo "real-servers: $*" >&2; }

mkdir -p "$(dirname "$ENV_FILE")" "$REAL_SERVERS_DIR"
: >"$ENV_FILE"
if [[ "${REAL_SERVERS:-}" == "skip" ]]; then
	log "skipped (REAL_SERVERS=skip)"
	echo "$ENV_FILE"
	exit 0
fi
[[ -x "$SRC/vtiger-up" && -x "$SRC/gromox-up" ]] || { log "no server scripts in $SRC (set REAL_SERVERS_SRC, or REAL_SERVERS=skip)"; exit 1; }
[[ "$(id -u)" == 0 ]] || { log "needs root for apt-get and MariaDB (or REAL_SERVERS=skip)"; exit 1; }

start=$(date +%s)
# vtiger-up first: it installs and starts MariaDB, which gromox-up expects to find running.
"$SRC/vtiger-up" >>"$ENV_FILE"
mid=$(date +%s)
log "vtiger ready in $((mid - start)) s"
gromox_env=$(mktemp)
if ! "$SRC/gromox-up" >"$gromox_env"; then
	# gromox-build.sh asks make for named targets only, and automake generates BUILT_SOURCES (e.g.
	# include/gromox/paths.h) only for `make all`: a first build from a fresh tree stops at
	# "gromox/paths.h: No such file or directory". Generate them, then let gromox-up resume the build.
	tree="$REAL_SERVERS_DIR/src/gromox"
	[[ -f "$tree/Makefile" && ! -e "$tree/.built" ]] || { log "gromox-up failed"; exit 1; }
	log "generating Gromox's BUILT_SOURCES, then resuming the build"
	# shellcheck disable=SC2046
	make -C "$tree" -j"${JOBS:-2}" $(sed -n 's/^BUILT_SOURCES = //p' "$tree/Makefile.am") >&2
	"$SRC/gromox-up" >"$gromox_env"
fi
cat "$gromox_env" >>"$ENV_FILE"
rm -f "$gromox_env"
end=$(date +%s)
log "gromox ready in $((end - mid)) s"
echo "$ENV_FILE"
