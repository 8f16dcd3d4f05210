#!/usr/bin/env bash
# `npm test`: build, lint and format check, start the real servers (vtiger, Gromox) and install n8n in the background
# meanwhile, then run every jest suite with the servers' variables set, so the live suites and the
# real-server e2e runs take part. Prints how long each part took. Arguments go to jest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LOGS=.tmp/test-logs
ENV_FILE="$PWD/.tmp/real-servers.env"
QUEUE_ENV_FILE="$PWD/.tmp/queue-services.env"
mkdir -p "$LOGS"
t0=$(date +%s)
stamp() { echo "test: [$(($(date +%s) - t0)) s] $*"; }

# Debian's Chromium for the browser test (test/e2e/browser; it skips, saying why, when this fails).
install_chromium() {
	if [[ -x /usr/bin/chromium ]]; then echo "chromium: already installed"; return 0; fi
	apt-get -o DPkg::Lock::Timeout=600 update &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium &&
		echo "chromium: installed"
}
# apt runs one install at a time and the real servers' scripts install packages too: they start after it.
# PostgreSQL and Redis for the queue-mode e2e (test/e2e/queue-mode) come in between (seconds once installed).
(
	install_chromium >"$LOGS/chromium-install.log" 2>&1 || echo "chromium: the install failed (above)" >>"$LOGS/chromium-install.log"
	bash scripts/queue-services-up.sh "$QUEUE_ENV_FILE" >/dev/null 2>"$LOGS/queue-services.log" || echo "queue-services: failed (above); the queue-mode e2e skips" >>"$LOGS/queue-services.log"
	bash scripts/real-servers-up.sh "$ENV_FILE" >/dev/null 2>"$LOGS/real-servers.log"
) &
servers=$!
bash scripts/ensure-n8n.sh >/dev/null 2>"$LOGS/n8n-install.log" &
n8n=$!

npm run build
stamp "build done"
npm run lint
stamp "lint done"
npm run format:check
stamp "format check done"

if ! wait "$n8n"; then
	tail -n 40 "$LOGS/n8n-install.log"
	echo "test: installing n8n failed (log above, full log in $LOGS/n8n-install.log)" >&2
	exit 1
fi
stamp "n8n ready ($(grep -o 'done in [0-9]* s\|reusing' "$LOGS/n8n-install.log" | head -n 1))"
if ! wait "$servers"; then
	tail -n 60 "$LOGS/real-servers.log"
	echo "test: the real servers did not start (log above, full log in $LOGS/real-servers.log); REAL_SERVERS=skip runs without them" >&2
	exit 1
fi
stamp "$(tail -n 1 "$LOGS/chromium-install.log")"
stamp "$(tail -n 1 "$LOGS/queue-services.log")"
stamp "real servers ready: $(grep -o 'vtiger ready in [0-9]* s\|gromox ready in [0-9]* s\|skipped.*' "$LOGS/real-servers.log" | tr '\n' ' ')"

set -a
# shellcheck disable=SC1090
source "$ENV_FILE"
# shellcheck disable=SC1090
[[ -s "$QUEUE_ENV_FILE" ]] && source "$QUEUE_ENV_FILE"
set +a
status=0
npx jest "$@" || status=$?
stamp "jest done (exit $status)"
exit "$status"
