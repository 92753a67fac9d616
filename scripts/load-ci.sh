#!/usr/bin/env bash
# `npm run test:load`: one short, real `artillery run` through artillery-engine-onebot against the
# reference server's echo app on 127.0.0.1, then checks its JSON report. Bounded: the echo server
# exits after 90 s whatever happens, the run is killed after 60 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/packages/artillery-engine-onebot"
OUT="$(mktemp -d -t onebot-load-ci.XXXXXX)"
bash "$ROOT/scripts/artillery-setup.sh"
# Build onebot-rx and the engine first, so the 60 s bound below covers the load run only.
(cd "$ROOT" && npm run --silent build >/dev/null && npm run --silent build -w artillery-engine-onebot >/dev/null)
node -r esbuild-register "$PKG/scripts/echo-server.ts" --for 90 >"$OUT/echo.json" 2>"$OUT/echo.log" &
ECHO_PID=$!
trap 'kill $ECHO_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [[ -s "$OUT/echo.json" ]] && break; sleep 0.1; done
URL="$(node -p "JSON.parse(require('fs').readFileSync('$OUT/echo.json','utf8')).url")"
echo "test:load: echo app on $URL" >&2
started=$(date +%s)
rc=0
ONEBOT_URL="$URL" LOAD_SKIP_BUILD=1 timeout 60 bash "$ROOT/scripts/load.sh" "$PKG/load/ci.yml" --output "$OUT/report.json" >"$OUT/artillery.log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]]; then
  cat "$OUT/artillery.log" >&2
  echo "test:load: artillery run exited $rc after $(( $(date +%s) - started )) s (124 = killed at the 60 s bound)" >&2
  exit 1
fi
echo "test:load: artillery run took $(( $(date +%s) - started )) s" >&2
# 30 VU's, 3 timed replies each; every VU runs the function step once.
node "$PKG/scripts/check-report.mjs" "$OUT/report.json" --vusers 30 --replies 90 --counter ci.function_step=30 \
  || { cat "$OUT/artillery.log" >&2; exit 1; }
rm -rf "$OUT"
