#!/usr/bin/env bash
# npm run load -- <script.yml> [more `artillery run` flags, e.g. --output report.json]
# Installs the pinned Artillery on first use, builds onebot-rx and the engine, then runs the script
# through artillery-engine-onebot. Telemetry is off (loopback-only tool).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 1 ]] || { echo "usage: npm run load -- <script.yml> [artillery run flags]" >&2; exit 2; }
bash "$ROOT/scripts/artillery-setup.sh"
# The engine loads onebot-rx from its build (dist/): rebuild when a source file is newer.
# LOAD_SKIP_BUILD=1: the caller built already (several runs started at once must not race tsup).
if [[ "${LOAD_SKIP_BUILD:-0}" == "1" ]]; then
  :
elif [[ ! -f "$ROOT/dist/index.cjs" ]] || [[ -n "$(find "$ROOT/src" -newer "$ROOT/dist/index.cjs" -print -quit)" ]]; then
  (cd "$ROOT" && npm run --silent build >/dev/null)
  (cd "$ROOT" && npm run --silent build -w artillery-engine-onebot >/dev/null)
else
  (cd "$ROOT" && npm run --silent build -w artillery-engine-onebot >/dev/null)
fi
export ARTILLERY_DISABLE_TELEMETRY=true
exec "$ROOT/tools/artillery/node_modules/.bin/artillery" run "$@"
