#!/usr/bin/env bash
# Measures what one Artillery worker (this machine runs one per `artillery run`) holds: for each
# size N, N bots connect over 20 s and each talks for 60 s to the reference server's echo app (its
# own process). Samples the artillery process' RSS and CPU every 2 s; prints one line per size.
#   bash packages/artillery-engine-onebot/scripts/capacity.sh 1000 2000 4000
# Loopback only; every run is bounded (timeout 200 s).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKG="$(cd "$HERE/.." && pwd)"
ROOT="$(cd "$PKG/../.." && pwd)"
OUT="${CAP_OUT:-$(mktemp -d -t onebot-capacity.XXXXXX)}"
mkdir -p "$OUT"
bash "$ROOT/scripts/artillery-setup.sh"
(cd "$ROOT" && npm run --silent build >/dev/null && npm run --silent build -w artillery-engine-onebot >/dev/null)
printf '%-7s %-11s %-12s %-9s %-22s %-22s %s\n' bots peak_rss_MB busy_cpu_% max_cpu_% reply_p50/p99_ms handshake_p50/p99_ms errors
for N in "$@"; do
  node -r esbuild-register "$HERE/echo-server.ts" --for 200 >"$OUT/echo-$N.json" 2>"$OUT/echo-$N.log" &
  ECHO=$!
  for _ in $(seq 1 100); do [[ -s "$OUT/echo-$N.json" ]] && break; sleep 0.1; done
  URL="$(node -p "JSON.parse(require('fs').readFileSync('$OUT/echo-$N.json','utf8')).url")"
  ONEBOT_URL="$URL" CAP_RAMP=20 CAP_RATE=$((N / 20)) ARTILLERY_DISABLE_TELEMETRY=true \
    timeout 200 "$ROOT/tools/artillery/node_modules/.bin/artillery" run "$PKG/load/capacity.yml" --output "$OUT/cap-$N.json" >"$OUT/cap-$N.log" 2>&1 &
  RUN=$!
  sleep 1
  PID="$(pgrep -P $RUN -f artillery | head -1 || true)"; PID="${PID:-$RUN}"
  # Each sample: RSS (kB), then user+system CPU ticks and the time, so CPU% is per 2 s interval.
  : >"$OUT/samples-$N.txt"
  while kill -0 $RUN 2>/dev/null; do
    if [[ -r /proc/$PID/stat ]]; then
      echo "$(awk '/^VmRSS/ {print $2}' /proc/$PID/status) $(awk '{print $14 + $15}' /proc/$PID/stat) $(date +%s.%N)" >>"$OUT/samples-$N.txt" || true
    fi
    sleep 2
  done
  wait $RUN || true
  kill $ECHO 2>/dev/null || true; wait $ECHO 2>/dev/null || true
  node - "$OUT/cap-$N.json" "$OUT/samples-$N.txt" "$N" "$(getconf CLK_TCK)" <<'JS'
const fs = require('fs');
const [file, samples, n, hz] = process.argv.slice(2);
const { aggregate: a } = JSON.parse(fs.readFileSync(file, 'utf8'));
const rows = fs.readFileSync(samples, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)).filter((r) => r.length === 3 && r.every(Number.isFinite));
const rss = rows.map((r) => r[0] / 1024);
const cpu = rows.slice(1).map((r, i) => (100 * (r[1] - rows[i][1])) / Number(hz) / (r[2] - rows[i][2]));
const busy = cpu.filter((v) => v > 5);
const s = (k) => a.summaries[k] ? `${a.summaries[k].p50}/${a.summaries[k].p99}` : '-';
const errors = Object.entries(a.counters).filter(([k]) => k.startsWith('errors.')).map(([k, v]) => `${k.slice(7)}=${v}`).join(',') || 'none';
const mean = busy.length ? busy.reduce((x, y) => x + y, 0) / busy.length : 0;
console.log([n.padEnd(7), Math.max(...rss).toFixed(0).padEnd(11), mean.toFixed(0).padEnd(12), Math.max(0, ...cpu).toFixed(0).padEnd(9), s('onebot.reply_ms').padEnd(22), s('onebot.handshake_ms').padEnd(22), errors, `completed=${a.counters['vusers.completed'] ?? 0}`].join(' '));
JS
done
echo "raw data: $OUT" >&2
