// Koishi 4.18 + koishi-plugin-adapter-onebot 6.x, `ws-reverse` peer.
//
// Listens on 127.0.0.1:<port> (argv[2] or $PEER_PORT) with @koishijs/plugin-server
// and accepts the implementation at /onebot. The adapter checks
// `X-Client-Role === 'Universal'` and that `X-Self-ID` is a configured bot
// ($PEER_SELF_ID, default 10001000); it has no access-token check in this mode.
// A middleware replies `echo: <text>`. JSON lines on stdout for the harness.
//
// The Koishi packages live in .interop/koishi (installed by
// scripts/interop-setup.sh), so they are loaded with a require rooted there.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const koishiDir = resolve(process.env.INTEROP_KOISHI_DIR || join(here, '..', '..', '..', '.interop', 'koishi'));
const require = createRequire(join(koishiDir, 'package.json'));

function report(ev, fields = {}) {
  process.stdout.write(JSON.stringify({ peer: 'koishi', ev, t: Date.now() / 1000, ...fields }) + '\n');
}

const argPort = Number(process.argv[2]);
const port = Number.isInteger(argPort) && argPort > 0 ? argPort : Number(process.env.PEER_PORT || 8080);
const selfId = String(process.env.PEER_SELF_ID || '10001000');
const responseTimeout = Number(process.env.PEER_API_TIMEOUT || 10) * 1000;

let koishi, server, http, onebot;
try {
  koishi = require('koishi');
  server = require('@koishijs/plugin-server');
  http = require('@koishijs/plugin-http');
  onebot = require('koishi-plugin-adapter-onebot');
} catch (error) {
  report('fatal', { error: `cannot load Koishi from ${koishiDir}: ${error && error.message}` });
  process.exit(3);
}
const pick = (mod) => (mod && mod.default) || mod;

// Koishi logs to stdout through reggol; keep it quiet unless asked.
if (!process.env.PEER_LOG_LEVEL) koishi.Logger.levels.base = 1;

const app = new koishi.Context();
app.plugin(pick(server), { host: '127.0.0.1', port });
app.plugin(pick(http));
// $PEER_PROTOCOL: 'ws-reverse' (default: serves /onebot), 'ws' (dials $PEER_ENDPOINT), or 'http'
// (calls the HTTP API at $PEER_ENDPOINT, takes the HTTP POST at /onebot, checks $PEER_SECRET).
const protocol = process.env.PEER_PROTOCOL || 'ws-reverse';
const endpoint = process.env.PEER_ENDPOINT;
const token = process.env.ONEBOT_ACCESS_TOKEN || undefined;
if (protocol === 'http') {
  // Workaround (test/interop/NOTES.md, "Koishi HTTP mode"): adapter-onebot 6.9.4 reads the POSTed
  // event from `ctx.body` (Koa's *response* body) while @cordisjs/plugin-server parses it into
  // `ctx.request.body`, so every POST fails before the adapter sees it. A route on the same path,
  // registered first, hands the parsed body over; the adapter's own handler (and signature check)
  // then runs unchanged.
  app.inject(['server'], (ctx) => {
    ctx.server.post('/onebot', async (c, next) => {
      c.body = c.request.body;
      await next();
    });
  });
}
app.plugin(
  pick(onebot),
  protocol === 'ws'
    ? { selfId, protocol, endpoint, token, responseTimeout, retryTimes: 1000, retryInterval: 200, retryLazy: 200 }
    : protocol === 'http'
      ? { selfId, protocol, endpoint, token, path: '/onebot', secret: process.env.PEER_SECRET || undefined, timeout: responseTimeout }
      : { selfId, protocol: 'ws-reverse', path: '/onebot', responseTimeout },
);

const STATUS = ['offline', 'online', 'connect', 'disconnect', 'reconnect'];
app.on('bot-status-updated', (bot) => {
  const status = STATUS[bot.status] ?? String(bot.status);
  report('bot_status', { self_id: bot.selfId, status, error: bot.error ? String(bot.error) : undefined });
  if (status === 'online') {
    report('bot_connect', { self_id: bot.selfId, user: bot.user });
  } else if (status === 'offline') {
    report('bot_disconnect', { self_id: bot.selfId });
  }
});

app.on('login-updated', (session) => {
  const login = session.event && session.event.login;
  report('login_updated', { self_id: session.selfId, status: login ? STATUS[login.status] : undefined });
});

app.middleware(async (session, next) => {
  const onebotData = session.onebot || {};
  const type = session.isDirect ? 'private' : 'group';
  // Plain text of the message (like NoneBot's get_plaintext): text elements only.
  const text = (session.elements || [])
    .filter((el) => el.type === 'text')
    .map((el) => el.attrs.content)
    .join('');
  report('message', {
    type,
    text,
    user_id: session.userId,
    group_id: session.isDirect ? null : session.guildId,
    message_id: session.messageId,
    self_id: session.selfId,
    raw_message_type: onebotData.message_type,
    segments: (session.elements || []).map((el) => ({ type: el.type, attrs: el.attrs })),
    // The quoted message, which the adapter fetches with get_msg (absent when that fails).
    quote: session.quote ? { id: session.quote.id, content: session.quote.content, user_id: session.quote.user && session.quote.user.id } : null,
  });
  try {
    const ids = await session.send(`echo: ${text}`);
    if (Array.isArray(ids) && ids.length > 0) {
      report('send_result', { type, message_id: ids[0], data: ids });
    } else {
      report('send_error', { type, error: 'empty', info: 'session.send resolved to no message id' });
    }
  } catch (error) {
    report('send_error', { type, error: error && error.name, info: String(error) });
  }
  return next();
});

app.on('server/ready', () => {
  report('ready', { port, path: '/onebot', self_id: selfId, token: false, protocol });
});

// Like Koishi's own CLI worker (koishi/lib/worker): an unhandled rejection is
// logged and the app keeps running. Without this, one adapter TypeError (e.g. a
// message event without `sender`) would end the whole process under Node >= 15.
process.on('unhandledRejection', (error) => {
  report('unhandled_rejection', { error: String(error && error.stack ? error.stack.split('\n')[0] : error) });
});

async function shutdown(signal) {
  report('shutdown', { signal });
  const timer = setTimeout(() => process.exit(0), 3000);
  timer.unref();
  try {
    await app.stop();
  } finally {
    process.exit(0);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

app.start().catch((error) => {
  report('fatal', { error: String(error) });
  process.exit(3);
});
