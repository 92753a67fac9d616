#!/usr/bin/env bash
# Installs the pinned Artillery (tools/artillery/package.json + its lock) into
# tools/artillery/node_modules (git-ignored, about 600 MB) on demand: the root `npm install` never
# pulls it in. Idempotent: an install of the pinned version is left alone.
#
# Artillery 2.0.21 is the last release that runs on Node 18/20; later ones need Node 22.
# Its dependency @playwright/browser-chromium would download a browser in an install script:
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 stops that (the engine needs no browser; none is fetched).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/tools/artillery"
WANT="$(node -p "require('$DIR/package.json').dependencies.artillery")"
have() { node -p "require('$DIR/node_modules/artillery/package.json').version" 2>/dev/null || true; }
if [[ "$(have)" == "$WANT" ]]; then
  exit 0
fi
echo "artillery-setup: installing artillery@$WANT into tools/artillery (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1)" >&2
(cd "$DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
  || { echo "artillery-setup: ERROR: npm ci in tools/artillery failed" >&2; exit 1; }
[[ "$(have)" == "$WANT" ]] || { echo "artillery-setup: ERROR: artillery $(have) installed, $WANT wanted" >&2; exit 1; }
