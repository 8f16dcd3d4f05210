#!/usr/bin/env bash
# Installs a real n8n into a cache directory outside the repository, once, for the
# end-to-end tests and the demo. Idempotent: a marker file written after a successful
# install + native rebuild makes later calls return at once.
#
#   scripts/ensure-n8n.sh            -> prints the n8n install directory on stdout (last line)
#
# Environment:
#   N8N_VERSION     n8n version to install (default 2.40.7; 2.41.x does not install here)
#   N8N_CACHE_DIR   install directory (default ~/.cache/n8n-nodes-exchange-crm-sync/n8n-$N8N_VERSION)
#   N8N_NODE        node binary that will run n8n (default: the repo's Node 24, else `node`)
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.40.7}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-exchange-crm-sync"
N8N_CACHE_DIR="${N8N_CACHE_DIR:-$CACHE_ROOT/n8n-$N8N_VERSION}"
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -n "${N8N_NODE:-}" ]]; then
	NODE_BIN="$N8N_NODE"
elif [[ -x "$REPO_DIR/node_modules/.bin/node" ]]; then
	NODE_BIN="$REPO_DIR/node_modules/.bin/node"
else
	NODE_BIN="$(command -v node)"
fi
NODE_EXEC_PATH="$("$NODE_BIN" -p process.execPath)"
NODE_ABI="$("$NODE_BIN" -p process.versions.modules)"
NODE_PREFIX="$(dirname "$(dirname "$NODE_EXEC_PATH")")"
MARKER="$N8N_CACHE_DIR/.n8n-e2e-installed"
EXPECTED_MARKER="n8n=$N8N_VERSION node-abi=$NODE_ABI"

log() { echo "ensure-n8n: $*" >&2; }

if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$EXPECTED_MARKER" && -x "$N8N_CACHE_DIR/node_modules/.bin/n8n" ]]; then
	log "reusing $N8N_CACHE_DIR ($EXPECTED_MARKER)"
	echo "$N8N_CACHE_DIR"
	exit 0
fi

mkdir -p "$N8N_CACHE_DIR"
# One installer at a time (a test run and a manual run may race).
exec 9>"$N8N_CACHE_DIR.lock"
flock 9
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$EXPECTED_MARKER" ]]; then
	log "installed meanwhile by another process"
	echo "$N8N_CACHE_DIR"
	exit 0
fi
rm -f "$MARKER"

# npm, node-gyp and install scripts must all run on the node that will run n8n,
# and native addons must be built against that node's own headers.
export PATH="$(dirname "$NODE_EXEC_PATH"):$PATH"
if [[ -f "$NODE_PREFIX/include/node/node_version.h" ]]; then
	export npm_config_nodedir="$NODE_PREFIX"
fi

cd "$N8N_CACHE_DIR"
[[ -f package.json ]] || echo '{ "name": "n8n-e2e-cache", "private": true }' > package.json

start=$(date +%s)
log "installing n8n@$N8N_VERSION into $N8N_CACHE_DIR with node $("$NODE_BIN" -v) (takes minutes)"
# --ignore-scripts: an optional native addon's install script needs the internet.
npm install --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
mid=$(date +%s)
log "install took $((mid - start)) s; rebuilding sqlite3 from source"
npm rebuild sqlite3 --loglevel=error >&2
end=$(date +%s)
log "rebuild took $((end - mid)) s"

"$NODE_BIN" -e "require('sqlite3')" >&2
"$NODE_BIN" node_modules/n8n/bin/n8n --version >&2

echo "$EXPECTED_MARKER" > "$MARKER"
log "done in $((end - start)) s"
echo "$N8N_CACHE_DIR"
