#!/usr/bin/env bash
# Starts NoneBot2 + echo on 127.0.0.1, runs one load script against it, stops NoneBot2.
#   bash packages/artillery-engine-onebot/examples/nonebot/run.sh <script.yml> [artillery run flags]
# Bounded: NoneBot2 exits by itself after NONEBOT_LIFETIME s (default 300); the run after RUN_TIMEOUT s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
PORT="${NONEBOT_PORT:-18080}"
bash "$ROOT/scripts/interop-setup.sh" >/dev/null
PY="$ROOT/.interop/venv/bin/python"
LOG="${NONEBOT_LOG:-$(mktemp -t nonebot-load.XXXXXX.log)}"
"$PY" -u "$(dirname "${BASH_SOURCE[0]}")/echo_bot.py" "$PORT" "${NONEBOT_LIFETIME:-300}" >"$LOG" 2>&1 &
NB=$!
trap 'kill $NB 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^ready' "$LOG" && break; sleep 0.2; done
grep -q '^ready' "$LOG" || { echo "NoneBot2 did not start; log: $LOG" >&2; cat "$LOG" >&2; exit 1; }
echo "NoneBot2 up on 127.0.0.1:$PORT (log: $LOG)" >&2
ONEBOT_URL="ws://127.0.0.1:$PORT/onebot/v11/ws" timeout "${RUN_TIMEOUT:-240}" npm --prefix "$ROOT" run --silent load -- "$@"
