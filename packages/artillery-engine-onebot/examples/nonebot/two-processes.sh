#!/usr/bin/env bash
# Two `artillery run` processes against one NoneBot2 + echo at once, on disjoint payloads
# (nonebot-two-processes.yml, environments `first` and `second`), then the collision check:
# no errors in either report, NoneBot2 saw every self id once and refused none as a duplicate.
#   bash packages/artillery-engine-onebot/examples/nonebot/two-processes.sh [report-dir]
# OVERLAP=1 runs both on the *same* payload instead, to show a collision is caught.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
OUT="${1:-$(mktemp -d -t onebot-two.XXXXXX)}"
mkdir -p "$OUT"
PORT="${NONEBOT_PORT:-18081}"
bash "$ROOT/scripts/interop-setup.sh" >/dev/null
bash "$ROOT/scripts/artillery-setup.sh"
(cd "$ROOT" && npm run --silent build >/dev/null && npm run --silent build -w artillery-engine-onebot >/dev/null)
"$ROOT/.interop/venv/bin/python" -u "$HERE/echo_bot.py" "$PORT" "${NONEBOT_LIFETIME:-300}" >"$OUT/nonebot.log" 2>&1 &
NB=$!
trap 'kill $NB 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^ready' "$OUT/nonebot.log" && break; sleep 0.2; done
grep -q '^ready' "$OUT/nonebot.log" || { cat "$OUT/nonebot.log" >&2; exit 1; }
SECOND=second
[[ "${OVERLAP:-0}" == "1" ]] && SECOND=first
export ONEBOT_URL="ws://127.0.0.1:$PORT/onebot/v11/ws" LOAD_SKIP_BUILD=1
SCRIPT="$HERE/../nonebot-two-processes.yml"
timeout "${RUN_TIMEOUT:-240}" bash "$ROOT/scripts/load.sh" "$SCRIPT" -e first --output "$OUT/first.json" >"$OUT/first.log" 2>&1 &
A=$!
timeout "${RUN_TIMEOUT:-240}" bash "$ROOT/scripts/load.sh" "$SCRIPT" -e "$SECOND" --output "$OUT/second.json" >"$OUT/second.log" 2>&1 &
B=$!
wait $A || echo "first run exited $?" >&2
wait $B || echo "second run exited $?" >&2
sleep 11 # one more stats line from NoneBot2
status=0
for run in first second; do
  echo "--- $run ($(grep -m1 -o 'bots-[a-z]*.csv' "$SCRIPT" >/dev/null && echo "environment $( [[ $run == second ]] && echo "$SECOND" || echo first)"))"
  node "$HERE/../../scripts/check-report.mjs" "$OUT/$run.json" --vusers 1000 || status=1
done
echo "--- NoneBot2"
grep '^stats' "$OUT/nonebot.log" | tail -1
echo "duplicate self ids refused by NoneBot2: $(grep -c "already a bot" "$OUT/nonebot.log" || true)"
echo "reports and logs: $OUT"
exit $status
