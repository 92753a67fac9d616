#!/usr/bin/env bash
# Installs the real OneBot v11 application servers (peers) used by the interop
# suite into .interop/ at the repo root (git-ignored). Idempotent: a peer whose
# pinned versions are already installed and importable is left alone.
#
#   .interop/venv       Python venv: NoneBot2 (FastAPI driver) + adapter-onebot, aiocqhttp
#   .interop/venv-more  Python venv: NoneBot 1 and AliceBot (+ its cqhttp adapter), for the
#                       claims of docs/interop.md (NoneBot 1's `nonebot` module would clash
#                       with NoneBot2's in one venv)
#   .interop/koishi     npm project: koishi, koishi-plugin-adapter-onebot, server, http
#   .interop/koishi5    npm project: koishi with the old @koishijs/plugin-adapter-onebot 5.x,
#                       to check docs/interop.md's "5.x does not load on Koishi 4.18"
#
# Any failure exits non-zero with a message: a peer that cannot be installed
# must fail the run, never be skipped.
#
# Env: INTEROP_DIR (default <repo>/.interop), PYTHON (default python3),
#      INTEROP_FORCE=1 to reinstall everything.
set -euo pipefail

# --- pinned versions (bump here, then update test/interop/NOTES.md) ---------
NONEBOT2_VERSION="2.4.4"
NONEBOT_ADAPTER_ONEBOT_VERSION="2.4.6"
AIOCQHTTP_VERSION="1.4.4"
# A community plugin for the playground tests (pure Python, needs only nonebot2 + the adapter).
NONEBOT_PLUGIN_REPEATER_VERSION="3.1.4"
# What the two Python peers run on (resolved together once, then pinned).
PY_PINS=(
  "fastapi==0.165.0"
  "starlette==1.10.0"
  "uvicorn[standard]==0.54.0"
  "pydantic==2.14.3"
  "Quart==0.22.0"
  "Hypercorn==0.18.0"
  "Werkzeug==3.1.9"
  "httpx==0.28.1"
  "websockets==17.4"
)
# graiax-anchor: a framework that can only dial out (forward WS / HTTP API), in its own venv.
ANCHOR_SPEC=(
  "graiax-anchor==0.1.2"
  "graia-broadcast==0.23.5"
  "launart==0.6.4"
  "aiohttp==3.14.5"
  "pydantic==2.14.4"
  "loguru==0.7.3"
)
# The second venv: NoneBot 1 and AliceBot, with what they run on (resolved together once, pinned).
NONEBOT1_VERSION="1.9.1"
ALICEBOT_VERSION="0.11.0"
ALICEBOT_ADAPTER_CQHTTP_VERSION="0.11.0"
PY_MORE_PINS=(
  "aiocqhttp==1.4.4"
  "Quart==0.22.0"
  "Hypercorn==0.18.0"
  "Werkzeug==3.1.9"
  "pydantic==2.14.4"
  "aiohttp==3.14.5"
  "anyio==4.16.0"
  "structlog==24.4.0"
  "rich==13.9.4"
)
KOISHI_VERSION="4.18.11"
KOISHI_ADAPTER_ONEBOT_VERSION="6.9.4"
KOISHI_PLUGIN_SERVER_VERSION="3.2.9"
KOISHI_PLUGIN_HTTP_VERSION="0.6.3"
KOISHI_OLD_ADAPTER_ONEBOT_VERSION="5.8.1"
# ---------------------------------------------------------------------------

die() { echo "interop-setup: ERROR: $*" >&2; exit 1; }
log() { echo "interop-setup: $*" >&2; }
trap 'die "failed at line $LINENO: $BASH_COMMAND"' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INTEROP_DIR="${INTEROP_DIR:-$ROOT/.interop}"
PYTHON="${PYTHON:-python3}"
VENV="$INTEROP_DIR/venv"
KOISHI_DIR="$INTEROP_DIR/koishi"
FORCE="${INTEROP_FORCE:-0}"

command -v "$PYTHON" >/dev/null || die "$PYTHON not found (Python >= 3.9 needed for the NoneBot2/aiocqhttp peers)"
command -v node >/dev/null || die "node not found (needed for the Koishi peer)"
command -v npm >/dev/null || die "npm not found (needed for the Koishi peer)"
mkdir -p "$INTEROP_DIR"

# --- Python peers -----------------------------------------------------------
PY_SPEC=(
  "nonebot2[fastapi]==$NONEBOT2_VERSION"
  "nonebot-adapter-onebot==$NONEBOT_ADAPTER_ONEBOT_VERSION"
  "aiocqhttp==$AIOCQHTTP_VERSION"
  "nonebot-plugin-repeater==$NONEBOT_PLUGIN_REPEATER_VERSION"
  "${PY_PINS[@]}"
)
PY_STAMP="$VENV/.onebot-rx-pins"
PY_WANT="$(printf '%s\n' "${PY_SPEC[@]}")"

py_check() {
  # Imports what the peers import and prints the versions; non-zero if any is off.
  "$VENV/bin/python" - "$NONEBOT2_VERSION" "$NONEBOT_ADAPTER_ONEBOT_VERSION" "$AIOCQHTTP_VERSION" "$NONEBOT_PLUGIN_REPEATER_VERSION" <<'PY'
import sys
from importlib.metadata import version
# The repeater plugin is checked by version only: importing it needs a running NoneBot.
want = dict(zip(["nonebot2", "nonebot-adapter-onebot", "aiocqhttp", "nonebot-plugin-repeater"], sys.argv[1:]))
import nonebot, nonebot.drivers.fastapi, nonebot.adapters.onebot.v11  # noqa: F401,E401
import aiocqhttp, quart, uvicorn, fastapi  # noqa: F401,E401
bad = []
for name, v in want.items():
    got = version(name)
    print(f"  {name}=={got}", file=sys.stderr)
    if got != v:
        bad.append(f"{name} {got} != {v}")
if bad:
    sys.exit("version mismatch: " + "; ".join(bad))
PY
}

if [[ "$FORCE" != "1" && -x "$VENV/bin/python" && -f "$PY_STAMP" && "$(cat "$PY_STAMP")" == "$PY_WANT" ]] && py_check 2>/dev/null; then
  log "python peers already installed in $VENV"
else
  log "installing python peers into $VENV"
  if [[ "$FORCE" == "1" || ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "cannot create venv $VENV (is python3-venv installed?)"
  fi
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q "${PY_SPEC[@]}" \
    || die "pip install of the python peers failed"
  py_check || die "python peers installed but not importable / wrong versions"
  printf '%s' "$PY_WANT" >"$PY_STAMP"
fi

# --- Python peers, second venv (NoneBot 1, AliceBot) -------------------------------
VENV_MORE="$INTEROP_DIR/venv-more"
PY_MORE_SPEC=(
  "nonebot==$NONEBOT1_VERSION"
  "alicebot==$ALICEBOT_VERSION"
  "alicebot-adapter-cqhttp==$ALICEBOT_ADAPTER_CQHTTP_VERSION"
  "${PY_MORE_PINS[@]}"
)
PY_MORE_STAMP="$VENV_MORE/.onebot-rx-pins"
PY_MORE_WANT="$(printf '%s\n' "${PY_MORE_SPEC[@]}")"

py_more_check() {
  "$VENV_MORE/bin/python" - "$NONEBOT1_VERSION" "$ALICEBOT_VERSION" "$ALICEBOT_ADAPTER_CQHTTP_VERSION" <<'PY'
import sys
from importlib.metadata import version
want = dict(zip(["nonebot", "alicebot", "alicebot-adapter-cqhttp"], sys.argv[1:]))
import nonebot, nonebot.default_config, alicebot, alicebot.adapter.cqhttp  # noqa: F401,E401
bad = []
for name, v in want.items():
    got = version(name)
    print(f"  {name}=={got}", file=sys.stderr)
    if got != v:
        bad.append(f"{name} {got} != {v}")
if bad:
    sys.exit("version mismatch: " + "; ".join(bad))
PY
}

if [[ "$FORCE" != "1" && -x "$VENV_MORE/bin/python" && -f "$PY_MORE_STAMP" && "$(cat "$PY_MORE_STAMP")" == "$PY_MORE_WANT" ]] && py_more_check 2>/dev/null; then
  log "NoneBot 1 / AliceBot peers already installed in $VENV_MORE"
else
  log "installing NoneBot 1 / AliceBot peers into $VENV_MORE"
  if [[ "$FORCE" == "1" || ! -x "$VENV_MORE/bin/python" ]]; then
    rm -rf "$VENV_MORE"
    "$PYTHON" -m venv "$VENV_MORE" || die "cannot create venv $VENV_MORE (is python3-venv installed?)"
  fi
  "$VENV_MORE/bin/python" -m pip install --disable-pip-version-check --no-input -q "${PY_MORE_SPEC[@]}" \
    || die "pip install of the NoneBot 1 / AliceBot peers failed"
  py_more_check || die "NoneBot 1 / AliceBot peers installed but not importable / wrong versions"
  printf '%s' "$PY_MORE_WANT" >"$PY_MORE_STAMP"
fi

# --- Koishi peer --------------------------------------------------------------
ANCHOR_VENV="$INTEROP_DIR/venv-anchor"
ANCHOR_STAMP="$ANCHOR_VENV/.onebot-rx-pins"
ANCHOR_WANT="$(printf '%s\n' "${ANCHOR_SPEC[@]}")"
anchor_check() {
  "$ANCHOR_VENV/bin/python" -c 'import graiax.anchor, graia.broadcast, launart, aiohttp; from importlib.metadata import version; v = version("graiax-anchor"); print("  graiax-anchor==" + v, file=__import__("sys").stderr); assert v == "0.1.2", v'
}
if [[ "$FORCE" != "1" && -x "$ANCHOR_VENV/bin/python" && -f "$ANCHOR_STAMP" && "$(cat "$ANCHOR_STAMP")" == "$ANCHOR_WANT" ]] && anchor_check 2>/dev/null; then
  log "graiax-anchor peer already installed in $ANCHOR_VENV"
else
  log "installing graiax-anchor peer into $ANCHOR_VENV"
  if [[ "$FORCE" == "1" || ! -x "$ANCHOR_VENV/bin/python" ]]; then
    rm -rf "$ANCHOR_VENV"
    "$PYTHON" -m venv "$ANCHOR_VENV" || die "cannot create venv $ANCHOR_VENV"
  fi
  "$ANCHOR_VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q "${ANCHOR_SPEC[@]}" \
    || die "pip install of graiax-anchor failed"
  anchor_check || die "graiax-anchor installed but not importable / wrong version"
  printf '%s' "$ANCHOR_WANT" >"$ANCHOR_STAMP"
fi

mkdir -p "$KOISHI_DIR"
KOISHI_PKG="$(cat <<EOF
{
  "name": "onebot-rx-interop-koishi",
  "private": true,
  "description": "Koishi peer for the onebot-rx interop suite (written by scripts/interop-setup.sh)",
  "dependencies": {
    "koishi": "$KOISHI_VERSION",
    "koishi-plugin-adapter-onebot": "$KOISHI_ADAPTER_ONEBOT_VERSION",
    "@koishijs/plugin-server": "$KOISHI_PLUGIN_SERVER_VERSION",
    "@koishijs/plugin-http": "$KOISHI_PLUGIN_HTTP_VERSION"
  }
}
EOF
)"

koishi_check() {
  (cd "$KOISHI_DIR" && node - "$KOISHI_VERSION" "$KOISHI_ADAPTER_ONEBOT_VERSION" "$KOISHI_PLUGIN_SERVER_VERSION" "$KOISHI_PLUGIN_HTTP_VERSION" <<'JS'
const { createRequire } = require('node:module');
const req = createRequire(process.cwd() + '/package.json');
const names = ['koishi', 'koishi-plugin-adapter-onebot', '@koishijs/plugin-server', '@koishijs/plugin-http'];
const want = process.argv.slice(2);
const bad = [];
names.forEach((name, i) => {
  const got = req(name + '/package.json').version;
  console.error(`  ${name}@${got}`);
  if (got !== want[i]) bad.push(`${name} ${got} != ${want[i]}`);
  req(name); // must load
});
if (bad.length) { console.error('version mismatch: ' + bad.join('; ')); process.exit(1); }
JS
  )
}

if [[ "$FORCE" != "1" && -f "$KOISHI_DIR/package.json" && "$(cat "$KOISHI_DIR/package.json")" == "$KOISHI_PKG" && -d "$KOISHI_DIR/node_modules" ]] && koishi_check 2>/dev/null; then
  log "koishi peer already installed in $KOISHI_DIR"
else
  log "installing koishi peer into $KOISHI_DIR"
  [[ "$FORCE" == "1" ]] && rm -rf "$KOISHI_DIR/node_modules" "$KOISHI_DIR/package-lock.json"
  printf '%s\n' "$KOISHI_PKG" >"$KOISHI_DIR/package.json"
  (cd "$KOISHI_DIR" && npm install --no-audit --no-fund --loglevel=error) || die "npm install of the koishi peer failed"
  koishi_check || die "koishi peer installed but not loadable / wrong versions"
fi

# npm 11 may hold back dependency install scripts until approved. The Koishi
# tree has none today; if one appears, it must be reviewed, not silently skipped.
pending="$(cd "$KOISHI_DIR" && npm install-scripts ls 2>&1)" || true
if grep -qi "unknown command" <<<"$pending"; then
  log "npm $(npm --version) has no install-script gate; install scripts ran as usual"
elif ! grep -q "No packages with unreviewed install scripts" <<<"$pending"; then
  die "koishi peer has dependencies with unreviewed install scripts (npm skipped them):
$pending
review them, then approve in $KOISHI_DIR with: npm install-scripts approve <pkg>"
fi

# --- Koishi with the old 5.x adapter (expected not to start; see docs/interop.md) ----
KOISHI5_DIR="$INTEROP_DIR/koishi5"
mkdir -p "$KOISHI5_DIR"
KOISHI5_PKG="$(cat <<EOF
{
  "name": "onebot-rx-interop-koishi5",
  "private": true,
  "description": "Koishi with the old 5.x OneBot adapter, for the onebot-rx interop suite (written by scripts/interop-setup.sh)",
  "dependencies": {
    "koishi": "$KOISHI_VERSION",
    "@koishijs/plugin-adapter-onebot": "$KOISHI_OLD_ADAPTER_ONEBOT_VERSION",
    "@koishijs/plugin-server": "$KOISHI_PLUGIN_SERVER_VERSION",
    "@koishijs/plugin-http": "$KOISHI_PLUGIN_HTTP_VERSION"
  }
}
EOF
)"
if [[ "$FORCE" != "1" && -f "$KOISHI5_DIR/package.json" && "$(cat "$KOISHI5_DIR/package.json")" == "$KOISHI5_PKG" && -d "$KOISHI5_DIR/node_modules/@koishijs/plugin-adapter-onebot" ]]; then
  log "koishi 5.x-adapter peer already installed in $KOISHI5_DIR"
else
  log "installing koishi 5.x-adapter peer into $KOISHI5_DIR"
  [[ "$FORCE" == "1" ]] && rm -rf "$KOISHI5_DIR/node_modules" "$KOISHI5_DIR/package-lock.json"
  printf '%s\n' "$KOISHI5_PKG" >"$KOISHI5_DIR/package.json"
  (cd "$KOISHI5_DIR" && npm install --no-audit --no-fund --loglevel=error) || die "npm install of the koishi 5.x-adapter peer failed"
  got="$(cd "$KOISHI5_DIR" && node -p "require('@koishijs/plugin-adapter-onebot/package.json').version")"
  [[ "$got" == "$KOISHI_OLD_ADAPTER_ONEBOT_VERSION" ]] || die "koishi5: adapter $got != $KOISHI_OLD_ADAPTER_ONEBOT_VERSION"
fi

log "ok: peers installed in $INTEROP_DIR"
