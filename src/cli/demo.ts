import { firstValueFrom, filter, take, timeout, type Subscription } from 'rxjs';
import { createClient } from '../client/create-client';
import type { OneBotClient } from '../client/types';
import { createReferenceServer, type ReferenceServer } from '../server/reference-server';
import { describeApiCall, describeIncoming } from './describe';
import { ExitCode } from './io';
import type { CommandContext } from './program';
import { isAddressInUse, printServerActivity } from './server-transcript';

/** Flags of `onebot-rx demo`. @since 0.1.0 @category cli */
export interface DemoFlags {
  /** Preferred port; any free port when it is taken. */
  readonly port: number;
  /** Heartbeat interval of both bots, ms. */
  readonly heartbeat: number;
}

/** The cast of the demo (the original client's defaults: bot 12345 talking to 67890). @internal */
export const DEMO = {
  host: '127.0.0.1',
  path: '/ws/',
  alice: 12345,
  bob: 67890,
  groupId: 123456,
  privateText: 'Hello, 67890! (private, from 12345)',
  groupText: 'Hello, group 123456! (from 67890)',
  heartbeatsPerBot: 2,
} as const;

/**
 * Printed before the transcript (text mode): what the demo is and how to read a line, for someone
 * who has never seen OneBot.
 *
 * @internal
 */
export const DEMO_INTRO = [
  'onebot-rx demo: a OneBot v11 server (the part NoneBot2 or Koishi plays; here our reference server)',
  `and two bots, ${DEMO.alice} and ${DEMO.bob} (the part onebot-rx plays for a QQ account), all on ${DEMO.host}.`,
  'The bots send messages and heartbeats to the server; the server passes messages on and calls the',
  "bots' API, which answer. Each line: time since start, who → to whom, what happened.",
  '',
].join('\n');

/** What to run next, one line per way a bot server can talk to us (printed after the demo). @internal */
export const DEMO_NEXT = [
  '',
  'Next, the same with your own bot server, whichever way it talks OneBot v11:',
  '  reverse WS (it listens)   onebot-rx connect ws://127.0.0.1:8080/onebot/v11/ws --self-id 10001',
  '  forward WS (it dials us)  onebot-rx connect --ws-listen 127.0.0.1:6700 --self-id 10001',
  '  HTTP API (it calls us)    onebot-rx connect --http-listen 127.0.0.1:5700 --self-id 10001',
  '  HTTP POST (we post)       onebot-rx connect --http-post http://127.0.0.1:8080/onebot/v11/http --secret S --self-id 10001',
  '  in the browser            onebot-rx play --url ws://127.0.0.1:8080/onebot/v11/ws',
].join('\n');

/** @internal */
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every wait in the demo is bounded, so a broken build fails instead of hanging. @internal */
const STEP_TIMEOUT = 4000;

/**
 * Starts the reference server on the preferred port, or on a free one when that is taken.
 * @internal
 */
export const listenPreferring = async (
  ctx: CommandContext,
  port: number,
): Promise<{ server: ReferenceServer; fellBack: boolean }> => {
  const base = { host: DEMO.host, path: DEMO.path, logger: ctx.logger };
  try {
    return { server: await createReferenceServer({ ...base, port }), fellBack: false };
  } catch (e) {
    if (!isAddressInUse(e) || port === 0) throw e;
    return { server: await createReferenceServer({ ...base, port: 0 }), fellBack: true };
  }
};

/**
 * `onebot-rx demo`: the reference server and two bots on one machine, scripted step by step so the
 * transcript's content is the same on every run (only the times differ):
 * connect and handshake → a private message 12345 → 67890 → a group message 67890 → the group
 * (reaching 12345) → the server calls `get_login_info` on 12345 → two heartbeats per bot → both
 * disconnect → summary.
 *
 * The second bot connects half a heartbeat after the first, so their heartbeats alternate.
 *
 * @since 0.1.0
 * @category cli
 */
export const runDemo = async (ctx: CommandContext, flags: DemoFlags): Promise<number> => {
  const { printer } = ctx;
  let server: ReferenceServer | undefined;
  const clients: OneBotClient[] = [];
  const subs: Subscription[] = [];
  let stopServerTranscript = (): void => undefined;

  try {
    if (!ctx.json) printer.print({ kind: 'help', text: DEMO_INTRO });
    const started = await listenPreferring(ctx, flags.port);
    server = started.server;
    const srv = server;
    if (started.fellBack) {
      printer.print({ kind: 'info', from: 'server', text: `port ${flags.port} is taken; using free port ${srv.port} instead` });
    }
    printer.print({ kind: 'info', from: 'server', text: `reference server listening on ${srv.url}`, data: { url: srv.url } });

    // Only the first heartbeats of each bot are part of the script.
    const heartbeatsShown = new Map<number, number>();
    stopServerTranscript = printServerActivity(srv, printer, {
      heartbeat: (selfId) => {
        const n = (heartbeatsShown.get(selfId) ?? 0) + 1;
        heartbeatsShown.set(selfId, n);
        return n <= DEMO.heartbeatsPerBot;
      },
    });

    let delivered = 0;
    let answered = 0;
    const startBot = async (selfId: number): Promise<OneBotClient> => {
      const client = createClient({
        url: srv.url,
        selfId,
        heartbeatInterval: flags.heartbeat,
        reconnectInterval: 200,
        maxReconnectAttempts: 3,
        logger: ctx.logger,
      });
      clients.push(client);
      const me = String(selfId);
      subs.push(
        client.messages$.subscribe((m) => {
          delivered += 1;
          printer.print({ kind: 'message', from: 'server', to: me, text: `delivered: ${describeIncoming(m)}`, data: m });
        }),
        client.requests$.subscribe((r) => {
          printer.print({ kind: 'api-call', from: 'server', to: me, text: describeApiCall(r.action, r.params), data: r });
        }),
        client.errors$.subscribe((e) => {
          printer.print({ kind: 'warn', from: me, text: `${e.code}: ${e.message}` });
        }),
      );
      printer.print({ kind: 'state', from: me, text: `connecting to ${srv.url}` });
      client.connect();
      await srv.waitForBot(selfId, STEP_TIMEOUT);
      return client;
    };

    const t0 = printer.elapsed();
    const alice = await startBot(DEMO.alice);
    await delay(flags.heartbeat / 2);
    const bob = await startBot(DEMO.bob);

    // 1. private message alice → bob
    const bobGotPrivate = firstValueFrom(bob.messages$.pipe(filter((m) => m.message_type === 'private'), take(1), timeout(STEP_TIMEOUT)));
    await alice.sendText(DEMO.privateText, 'private', { targetId: DEMO.bob });
    await bobGotPrivate;

    // 2. group message bob → group (the reference server delivers it to every other bot: alice)
    const aliceGotGroup = firstValueFrom(alice.messages$.pipe(filter((m) => m.message_type === 'group'), take(1), timeout(STEP_TIMEOUT)));
    await bob.sendText(DEMO.groupText, 'group', { groupId: DEMO.groupId });
    await aliceGotGroup;

    // 3. the server calls an API on alice, which answers with its built-in handler
    const response = await srv.callApi(DEMO.alice, 'get_login_info', {}, { timeout: STEP_TIMEOUT });
    if (response.status === 'ok') answered += 1;

    // 4. heartbeats
    await srv.waitFor(() => srv.bots().every((b) => b.heartbeats >= DEMO.heartbeatsPerBot), STEP_TIMEOUT);
    const heartbeats = Math.min(DEMO.heartbeatsPerBot, heartbeatsShown.get(DEMO.alice) ?? 0) + Math.min(DEMO.heartbeatsPerBot, heartbeatsShown.get(DEMO.bob) ?? 0);

    // 5. goodbye
    for (const c of [...clients].reverse()) await c.disconnect();
    await srv.waitFor(() => srv.bots().length === 0, STEP_TIMEOUT);
    const seconds = ((printer.elapsed() - t0) / 1000).toFixed(1);

    const ok = delivered === 2 && answered === 1 && heartbeats === 2 * DEMO.heartbeatsPerBot;
    printer.print({
      kind: ok ? 'summary' : 'error',
      text: `demo ${ok ? 'ok' : 'FAILED'}: ${clients.length} bots, ${delivered} messages delivered, ${answered} API call answered, ${heartbeats} heartbeats in ${seconds} s`,
      data: { bots: clients.length, delivered, answered, heartbeats, seconds: Number(seconds), url: srv.url },
    });
    if (ok && !ctx.json) printer.print({ kind: 'help', text: DEMO_NEXT });
    return ok ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    subs.forEach((s) => s.unsubscribe());
    await Promise.allSettled(clients.map((c) => c.disconnect()));
    await server?.close();
    stopServerTranscript();
  }
};
