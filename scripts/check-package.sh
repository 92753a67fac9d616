#!/usr/bin/env bash
# Proves the published shape works: packs (`npm pack` builds first, through `prepack`), checks the
# tarball holds the LICENSE, installs the tarball into a fresh project, and imports it from ESM,
# CommonJS and TypeScript (node16 resolution, through the `exports` map), then runs the packed
# `onebot-rx` bin's demo with `npx`. Then installs the clone by path into a second project, as the
# README's "Installing before publication" section shows. Fails loudly on any step.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
# The README's install section: `npm pack` in the clone (prepack runs the build).
tarball="$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -1)"
test -f "$work/$tarball" || { echo "npm pack made no tarball" >&2; exit 1; }
listing="$(tar -tzf "$work/$tarball")"
grep -qx 'package/LICENSE' <<<"$listing" || { echo "LICENSE missing from $tarball" >&2; exit 1; }
grep -qx 'package/dist/index.mjs' <<<"$listing" || { echo "npm pack did not build: no dist/ in $tarball" >&2; exit 1; }
license="$(tar -xzOf "$work/$tarball" package/LICENSE)"
grep -q '^Copyright (c) .* onebot-rx contributors$' <<<"$license" || { echo "LICENSE in $tarball names no holder" >&2; exit 1; }
mkdir -p "$work/app"
cd "$work/app"
printf '{ "name": "fresh-app", "version": "1.0.0", "private": true }\n' > package.json
npm install --silent --no-audit --no-fund "$work/$tarball" >/dev/null

cat > esm.mjs <<'JS'
import { createConnectEvent, createClient, OneBotError } from 'onebot-rx';
import { decodeFrame } from 'onebot-rx/protocol';
import { createWorld } from 'onebot-rx/world';
import { createReferenceServer } from 'onebot-rx/server';
const e = createConnectEvent(10001);
if (e.sub_type !== 'connect' || e.self_id !== 10001) throw new Error('bad connect event');
const server = await createReferenceServer({ port: 0 });
const client = createClient({ url: server.url, selfId: 10001, logger: { debug() {}, info() {}, warn() {}, error() {} } });
client.connect();
await server.waitForBot(10001, 5000);
const answer = await server.callApi(10001, 'get_login_info');
if (answer.retcode !== 0 || answer.data.user_id !== 10001) throw new Error('bad answer ' + JSON.stringify(answer));
await client.disconnect();
await server.close();
// one error class across both entries
const err = await server.callApi(1, 'x').catch((x) => x);
if (!(err instanceof OneBotError)) throw new Error('server errors are not onebot-rx OneBotErrors');
if (decodeFrame('nope')._tag !== 'Left') throw new Error('decodeFrame');
if (createWorld({ bot: { user_id: 1, nickname: 'b' } }).loginInfo().user_id !== 1) throw new Error('world');
console.log('esm ok');
JS
cat > cjs.cjs <<'JS'
const { createConnectEvent } = require('onebot-rx');
const { parseCQ } = require('onebot-rx/protocol');
const { createReferenceServer, createFileLogger } = require('onebot-rx/server');
if (createConnectEvent(7).self_id !== 7) throw new Error('cjs connect');
if (parseCQ('[CQ:face,id=1]')[0].type !== 'face') throw new Error('cjs cq');
if (typeof createReferenceServer !== 'function' || typeof createFileLogger !== 'function') throw new Error('cjs server');
console.log('cjs ok');
JS
cat > types.ts <<'TS'
import { createConnectEvent, createClient, isGroup, type GroupMessageEvent } from 'onebot-rx';
import { createReferenceServer } from 'onebot-rx/server';
import { filter } from 'rxjs';
const e = createConnectEvent(1);
const sub: 'connect' = e.sub_type;
const c = createClient({ url: 'ws://127.0.0.1:8080/onebot/v11/ws', selfId: 1 });
c.messages$.pipe(filter(isGroup)).subscribe((m: GroupMessageEvent) => m.group_id);
void createReferenceServer;
void sub;
TS
node esm.mjs
node cjs.cjs
"$root/node_modules/.bin/tsc" --noEmit --strict --module node16 --moduleResolution node16 --target es2022 --skipLibCheck types.ts
echo "types ok"
timeout 60 npx --no onebot-rx demo --port 0 | tail -1
test -f node_modules/onebot-rx/LICENSE || { echo "LICENSE not installed" >&2; exit 1; }

# From a path (the README's second form): the clone, built above, linked into another project.
mkdir -p "$work/by-path"
cd "$work/by-path"
printf '{ "name": "by-path-app", "version": "1.0.0", "private": true }\n' > package.json
npm install --silent --no-audit --no-fund "$root" >/dev/null
node -e "const { createConnectEvent } = require('onebot-rx'); if (createConnectEvent(3).self_id !== 3) throw new Error('by path');"
node --input-type=module -e "import { createReferenceServer } from 'onebot-rx/server'; if (typeof createReferenceServer !== 'function') throw new Error('by path (esm)');"
test "$(timeout 30 npx --no -- onebot-rx --version)" = "$(node -p "require('$root/package.json').version")" || { echo "bin by path: wrong version" >&2; exit 1; }
echo "path install ok"
# The playground ships its page prebuilt (dist/playground/app.js): the packed bin serves it.
./node_modules/.bin/onebot-rx play --url ws://127.0.0.1:9/ws/ > play.out 2>&1 &
play_pid=$!
for _ in $(seq 1 100); do [ -s play.out ] && break; sleep 0.1; done
page="$(head -1 play.out)"
case "$page" in http://127.0.0.1:*) ;; *) kill "$play_pid"; echo "play printed no page address: $(cat play.out)" >&2; exit 1 ;; esac
bytes="$(node -e 'fetch(process.argv[1]).then(async (r) => { if (!r.ok) process.exit(1); console.log((await r.text()).length); })' "${page%%#*}app.js")" || { kill "$play_pid"; echo "play did not serve its page script" >&2; exit 1; }
kill -INT "$play_pid"; wait "$play_pid" || true
echo "play ok: page script ${bytes} bytes"
echo "package ok: $tarball"
