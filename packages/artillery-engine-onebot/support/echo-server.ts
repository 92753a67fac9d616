/**
 * A tiny echo application on the onebot-rx reference server, for the engine's tests and the CI
 * load run: like NoneBot2's `echo` plugin, `/echo <text>` is answered with `<text>` through
 * `send_msg` (in a group only when the message starts by mentioning the bot). Loopback only.
 */
import { createReferenceServer, type ReferenceServer, type ReferenceServerOptions } from 'onebot-rx/server';

export interface EchoServer {
  readonly server: ReferenceServer;
  readonly url: string;
  /** `/echo` commands answered so far. */
  answered(): number;
  close(): Promise<void>;
}

const ECHO = /^\/echo\s+([\s\S]*)$/;

export const startEchoServer = async (options: ReferenceServerOptions = {}): Promise<EchoServer> => {
  const server = await createReferenceServer({ host: '127.0.0.1', port: 0, historyLimit: 1000, ...options });
  let answered = 0;
  server.on('event', ({ selfId, event }) => {
    if (event.post_type !== 'message') return;
    const type = event['message_type'];
    let raw = String(event['raw_message'] ?? '');
    if (type === 'group') {
      const at = `[CQ:at,qq=${selfId}]`;
      if (!raw.startsWith(at)) return;
      raw = raw.slice(at.length).trimStart();
    }
    const m = ECHO.exec(raw);
    if (m === null) return;
    const params = type === 'group' ? { message_type: 'group', group_id: event['group_id'], message: m[1] } : { message_type: 'private', user_id: event['user_id'], message: m[1] };
    server.callApi(selfId, 'send_msg', params).then(
      () => answered++,
      () => undefined, // the bot left before answering: the load test reports it on its side
    );
  });
  return { server, url: server.url, answered: () => answered, close: () => server.close() };
};
