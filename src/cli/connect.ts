import { createInterface } from 'node:readline';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { createClient } from '../client/create-client';
import type { ClientState, OneBotClient, OutgoingFrame } from '../client/types';
import { redactString } from '../logging/logger';
import { ErrorCode, type OneBotError } from '../protocol/errors';
import { describeClose } from '../transport/close-reason';
import { compactJson, describeApiAnswer, describeApiCall, describeEvent, describeIncoming } from './describe';
import { INPUT_HELP, parseInputLine } from './input';
import { aborted, ExitCode } from './io';
import type { Printer } from './printer';
import type { CommandContext } from './program';
import { tappedTransport, tappedWebSocket } from './wire-tap';
import type { Transport } from '../transport/adapter';
import { forwardWs, httpApi, httpPost } from '../client/listening';

/** Flags of `onebot-rx connect`. @since 0.1.0 @category cli */
export interface ConnectFlags {
  readonly selfId: number;
  readonly token?: string;
  readonly reconnectInterval: number;
  readonly maxAttempts: number;
  readonly heartbeat: number;
  readonly format: 'array' | 'string';
  /** Forward WebSocket: listen here for applications that dial in. */
  readonly wsListen?: { readonly host: string; readonly port: number };
  /** HTTP API: listen here for `/:action` calls. */
  readonly httpListen?: { readonly host: string; readonly port: number };
  /** HTTP POST: post every event to these URLs. */
  readonly httpPost?: readonly string[];
  /** HTTP POST signature secret. */
  readonly secret?: string;
}

/** The listening transports the flags ask for; the token guards them (and is sent with POSTs). @internal */
const transportsOf = (flags: ConnectFlags, accessToken: string | undefined): Transport[] => {
  const token = accessToken ? { accessToken } : {};
  const transports: Transport[] = [];
  if (flags.wsListen) transports.push(forwardWs({ ...flags.wsListen, ...token }));
  if (flags.httpListen) transports.push(httpApi({ ...flags.httpListen, ...token }));
  if (flags.httpPost && flags.httpPost.length > 0) transports.push(httpPost({ urls: flags.httpPost, ...token, ...(flags.secret ? { secret: flags.secret } : {}) }));
  return transports;
};

/** `forward WS ws://127.0.0.1:6700/ (/, /api, /event), HTTP API http://…, HTTP POST → http://…` @internal */
const describeTransports = (transports: readonly Transport[]): string =>
  transports
    .map((t) =>
      t.kind === 'forward-ws'
        ? `forward WS ${t.address?.url ?? '?'} (/, /api, /event)`
        : t.kind === 'http-api'
          ? `HTTP API ${t.address?.url ?? '?'}`
          : `HTTP POST → ${t.urls.map((u) => redactString(u)).join(', ')}`,
    )
    .join('; ');

/** Connection failures already shown through the state lines; not repeated from `errors$`. @internal */
const SHOWN_AS_STATE: ReadonlySet<string> = new Set([
  ErrorCode.SocketError,
  ErrorCode.ConnectionClosed,
  ErrorCode.Unauthorized,
  ErrorCode.Forbidden,
  ErrorCode.HandshakeTimeout,
  ErrorCode.PongTimeout,
  ErrorCode.AttemptsExhausted,
  ErrorCode.ClientClosed,
]);

/** A refused token is not worth retrying from an interactive tool. @internal */
const isAuthRejection = (e: OneBotError | undefined): e is OneBotError =>
  e !== undefined && (e.code === ErrorCode.Unauthorized || (e.code === ErrorCode.Forbidden && typeof (e.data as { status?: unknown } | undefined)?.status === 'number'));

/** The HTTP status of a refused upgrade, if that is what `e` is. @internal */
const httpStatus = (e: OneBotError | undefined): number | undefined => {
  const status = (e?.data as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
};

/** The endpoint paths of the servers people use most, for hints. @internal */
const KNOWN_PATHS = 'NoneBot2: /onebot/v11/ws, Koishi: /onebot, aiocqhttp: /ws/';

/** The path part of a WebSocket URL (`/` when none). @internal */
const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

/**
 * What a refused upgrade most likely means, for someone who typed the URL: 404 is the path; 403
 * is the token, or the path too (NoneBot2 answers 403 to a path it does not serve); 401 is a
 * missing token.
 *
 * @internal
 */
export const refusalHint = (status: number, url: string, hasToken: boolean): string | undefined => {
  const path = `the URL path ${pathOf(url)} may be wrong (${KNOWN_PATHS})`;
  if (status === 404) return `no OneBot endpoint there: ${path}`;
  if (status === 403) return `${hasToken ? 'check --token' : 'the server may require a token: pass --token (or set ONEBOT_ACCESS_TOKEN)'}; or ${path}`;
  if (status === 401) return hasToken ? 'check --token' : 'the server requires a token: pass --token (or set ONEBOT_ACCESS_TOKEN)';
  return undefined;
};

/** @internal */
const describeState = (s: ClientState, url: string | undefined, maxAttempts: number, transports: readonly Transport[]): string | undefined => {
  switch (s.status) {
    case 'idle':
      return undefined;
    case 'connecting':
      return url === undefined ? 'starting the transports' : `connecting to ${url}`;
    case 'open':
      return url === undefined ? `running: ${describeTransports(transports)}` : `connected to ${url}: the bot is online (its first frame, the "connect" event, was sent)`;
    case 'reconnecting': {
      const status = httpStatus(s.error);
      // A 404 gets the CLI's own hint, which names the path typed; the library's generic one is left out.
      const why = status === 404 ? `server refused the upgrade with HTTP 404; ${refusalHint(404, url ?? '', false)}` : (s.error?.message ?? (s.lastClose ? describeClose(s.lastClose) : 'connection lost'));
      const of = maxAttempts > 0 ? `/${maxAttempts}` : '';
      return `${why}; reconnecting in ${s.delay ?? '?'} ms (attempt ${s.attempt}${of})`;
    }
    case 'closed':
      return s.reason === 'attempts-exhausted' ? 'gave up: reconnect attempts exhausted' : 'disconnected';
  }
};

/**
 * Reads command lines until `/quit` or the end of input, running each to completion before the
 * next, so a script's `/private …` is written before its `/quit` is obeyed.
 *
 * @internal
 */
const readCommands = async (ctx: CommandContext, client: OneBotClient, me: string, stop: Promise<unknown>): Promise<'quit' | 'eof' | 'stopped'> => {
  const { printer } = ctx;
  const rl = createInterface({ input: ctx.io.stdin, crlfDelay: Infinity, terminal: false });
  const stopped = stop.then(() => 'stopped' as const);
  try {
    const lines = rl[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([lines.next(), stopped]);
      if (next === 'stopped') return 'stopped';
      if (next.done === true) return 'eof';
      const parsed = parseInputLine(next.value);
      if (!parsed.ok) {
        printer.print({ kind: 'warn', from: me, text: parsed.error });
        continue;
      }
      const cmd = parsed.command;
      if (cmd.kind === 'quit') return 'quit';
      if (cmd.kind === 'empty') continue;
      if (cmd.kind === 'help') {
        printer.print({ kind: 'help', text: INPUT_HELP });
        continue;
      }
      await Promise.race([runCommand(printer, client, me, cmd), stopped]);
    }
  } finally {
    rl.close();
  }
};

/** @internal */
const runCommand = async (
  printer: Printer,
  client: OneBotClient,
  me: string,
  cmd: Exclude<ReturnType<typeof parseInputLine> & { ok: true }, never>['command'],
): Promise<void> => {
  if (client.state.status !== 'open' && (cmd.kind === 'private' || cmd.kind === 'group' || cmd.kind === 'raw')) {
    // send() waits for the connection; say so now rather than stay silent until it is flushed.
    const what = cmd.kind === 'private' ? `private message to ${cmd.userId}` : cmd.kind === 'group' ? `group message to ${cmd.groupId}` : 'raw frame';
    printer.print({ kind: 'state', from: me, text: `not connected: ${what} queued; it is sent once the connection is up` });
  }
  try {
    if (cmd.kind === 'private') {
      const event = await client.sendText(cmd.text, 'private', { targetId: cmd.userId });
      printer.print({ kind: 'send', from: me, to: 'server', text: describeEvent(event), data: event });
    } else if (cmd.kind === 'group') {
      const event = await client.sendText(cmd.text, 'group', { groupId: cmd.groupId });
      printer.print({ kind: 'send', from: me, to: 'server', text: describeEvent(event), data: event });
    } else if (cmd.kind === 'raw') {
      await client.send(cmd.frame as unknown as OutgoingFrame);
      printer.print({ kind: 'send', from: me, to: 'server', text: `raw ${compactJson(cmd.frame)}`, data: cmd.frame });
    }
  } catch (e) {
    const err = e as Partial<OneBotError>;
    printer.print({ kind: 'warn', from: me, text: `not sent: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}` });
  }
};

/**
 * `onebot-rx connect [url] [--ws-listen H:P] [--http-listen H:P] [--http-post URL…]`: one bot on any
 * mix of the four OneBot v11 transports, driven by stdin, printing everything it receives, the API
 * calls it answers and its connection state. Ends on `/quit`, end of input or Ctrl-C (exit 0), when
 * the reconnect attempts run out (exit 3), when the server refuses the token (exit 4), or when a
 * port cannot be bound (exit 1).
 *
 * @since 0.1.0
 * @category cli
 */
export const runConnect = async (ctx: CommandContext, url: string | undefined, flags: ConnectFlags): Promise<number> => {
  const { printer, io } = ctx;
  const me = String(flags.selfId);
  const accessToken = flags.token ?? io.env.ONEBOT_ACCESS_TOKEN;
  const transports = transportsOf(flags, accessToken);
  if (url === undefined && transports.length === 0) {
    printer.print({ kind: 'error', from: me, text: 'no transport: give a reverse WebSocket URL, --ws-listen HOST:PORT, --http-listen HOST:PORT or --http-post URL (any mix)' });
    return ExitCode.Usage;
  }
  if (flags.secret !== undefined && (flags.httpPost === undefined || flags.httpPost.length === 0)) {
    printer.print({ kind: 'error', from: me, text: '--secret signs the HTTP POST bodies: give --http-post URL with it' });
    return ExitCode.Usage;
  }
  const shownUrl = url === undefined ? undefined : redactString(url);
  let listenFailed: OneBotError | undefined;

  let rejectedBy: OneBotError | undefined;
  let markRejected: () => void = () => undefined;
  const authRejected = new Promise<void>((resolve) => {
    markRejected = resolve;
  });

  // Our answers to API calls: responses carry `retcode` and never `post_type` (docs/protocol.md §2.1).
  const printAnswer = (text: string): void => {
    if (!text.includes('"retcode"')) return;
    const frame = JSON.parse(text) as Record<string, unknown>;
    if ('post_type' in frame || !('retcode' in frame)) return;
    printer.print({ kind: 'api-answer', from: me, to: 'server', text: describeApiAnswer(frame), data: frame });
  };
  const client = createClient({
    ...(url !== undefined ? { url } : {}),
    transports: transports.map((t) => tappedTransport(t, printAnswer)),
    selfId: flags.selfId,
    ...(accessToken ? { accessToken } : {}),
    reconnectInterval: flags.reconnectInterval,
    maxReconnectAttempts: flags.maxAttempts,
    heartbeatInterval: flags.heartbeat,
    messageFormat: flags.format,
    logger: ctx.logger,
    WebSocketCtor: tappedWebSocket(printAnswer),
  });

  const subs: Subscription[] = [
    client.state$.subscribe((s) => {
      if (isAuthRejection(s.error) && s.status !== 'closed') {
        rejectedBy ??= s.error;
        markRejected();
        return;
      }
      const text = describeState(s, shownUrl, flags.maxAttempts, transports);
      if (text !== undefined) printer.print({ kind: s.status === 'open' ? 'connect' : 'state', from: me, text, data: { status: s.status, attempt: s.attempt } });
    }),
    client.events$.subscribe((e) => {
      const isMessage = e.post_type === 'message';
      printer.print({ kind: isMessage ? 'message' : 'event', from: 'server', to: me, text: describeIncoming(e), data: e });
    }),
    client.requests$.subscribe((r) => {
      printer.print({ kind: 'api-call', from: 'server', to: me, text: describeApiCall(r.action, r.params), data: r });
    }),
    client.errors$.subscribe((e) => {
      if (e.code === ErrorCode.ListenFailed) listenFailed ??= e;
      if (SHOWN_AS_STATE.has(e.code)) return;
      printer.print({ kind: 'warn', from: me, text: `${e.code}: ${e.message}` });
    }),
  ];

  const where = [shownUrl, ...(transports.length > 0 ? [transports.map((t) => t.kind).join(', ')] : [])].filter((x) => x !== undefined).join(' + ');
  printer.print({ kind: 'info', from: me, text: `bot ${me} → ${where}; type /help for commands, /quit or Ctrl-C to leave` });
  const finished = client.run();
  const stopInput = new AbortController();
  // End of input is not a verdict on the connection: a script piped in may end before the socket
  // opens, so wait until the bot was online once (or the client gave up) before leaving.
  const wasOnline = firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open'))).catch(() => undefined);
  const inputDone = readCommands(ctx, client, me, aborted(stopInput.signal)).then(async (why) => {
    if (why === 'eof') await wasOnline;
  });

  let outcome = await Promise.race([
    finished.then((state) => ({ kind: 'finished' as const, state })),
    inputDone.then(() => ({ kind: 'quit' as const })),
    aborted(io.signal).then(() => ({ kind: 'interrupted' as const })),
    authRejected.then(() => ({ kind: 'rejected' as const })),
  ]);

  // The client may have given up in the same tick as the input ended.
  if (outcome.kind === 'quit' && client.state.reason === 'attempts-exhausted') outcome = { kind: 'finished', state: client.state };
  stopInput.abort();
  await client.disconnect();
  await inputDone.catch(() => undefined);
  subs.forEach((s) => s.unsubscribe());

  if (outcome.kind === 'rejected' && rejectedBy) {
    const hint = refusalHint(httpStatus(rejectedBy) ?? 401, url ?? '', accessToken !== undefined && accessToken !== '');
    printer.print({ kind: 'error', from: me, text: `${rejectedBy.message}; ${hint}`, data: { code: rejectedBy.code, ...rejectedBy.data } });
    return ExitCode.AuthRejected;
  }
  if (listenFailed !== undefined) {
    printer.print({ kind: 'error', from: me, text: `${listenFailed.message}; choose another --ws-listen / --http-listen address` });
    return listenFailed.data.code === 'EADDRINUSE' ? ExitCode.PortInUse : ExitCode.Failure;
  }
  if (outcome.kind === 'finished' && outcome.state.reason === 'attempts-exhausted') {
    const status = httpStatus(outcome.state.error);
    const hint = status === undefined ? undefined : refusalHint(status, url ?? '', accessToken !== undefined && accessToken !== '');
    const base = status === 404 ? 'server refused the upgrade with HTTP 404' : (outcome.state.error?.message ?? (outcome.state.lastClose ? describeClose(outcome.state.lastClose) : 'connection failed'));
    const why = base + (hint ? `; ${hint}` : '');
    printer.print({
      kind: 'error',
      from: me,
      text: `cannot reach ${shownUrl ?? '?'}: ${why} (gave up after ${flags.maxAttempts} reconnect attempt${flags.maxAttempts === 1 ? '' : 's'})`,
    });
    return ExitCode.Unreachable;
  }
  printer.print({ kind: 'info', from: me, text: 'bye' });
  return ExitCode.Ok;
};
