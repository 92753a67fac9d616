// Koishi 4.18 with the OLD OneBot adapter, @koishijs/plugin-adapter-onebot 5.x, in `ws-reverse`
// mode: the setup docs/interop.md warns against. Listens on 127.0.0.1:<port> (argv[2]) with
// @koishijs/plugin-server and asks the adapter for /onebot. Prints JSON lines: `ready` once the app
// started, `log` for every line Koishi logs (plugin failures are logged, not thrown).
//
// The packages live in .interop/koishi5 (installed by scripts/interop-setup.sh).
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.env.INTEROP_KOISHI5_DIR || join(here, '..', '..', '..', '.interop', 'koishi5'));
const require = createRequire(join(dir, 'package.json'));
const report = (ev, fields = {}) => process.stdout.write(JSON.stringify({ peer: 'koishi5', ev, t: Date.now() / 1000, ...fields }) + '\n');

const port = Number(process.argv[2]);
const pick = (mod) => (mod && mod.default) || mod;
const { Context, Logger } = require('koishi');
Logger.targets.splice(0, Logger.targets.length, { showTime: false, colors: 0, print: (text) => report('log', { text: String(text) }) });

const app = new Context();
app.plugin(pick(require('@koishijs/plugin-server')), { host: '127.0.0.1', port });
app.plugin(pick(require('@koishijs/plugin-http')));
app.plugin(pick(require('@koishijs/plugin-adapter-onebot')), { selfId: '10001000', protocol: 'ws-reverse', path: '/onebot' });
await app.start();
report('ready', { port, adapter: require('@koishijs/plugin-adapter-onebot/package.json').version });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => void app.stop().finally(() => process.exit(0)));
