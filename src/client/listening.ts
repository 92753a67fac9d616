import type { ForwardWsTransport, HttpApiTransport, HttpPostTransport, Transport } from '../transport/adapter';
import { forwardWsAdapter, type ForwardWsOptions } from '../transport/forward-ws';
import { httpApiAdapter, type HttpApiOptions } from '../transport/http-api';
import { httpPostAdapter, type HttpPostOptions } from '../transport/http-post';
import { createListeners, type Composed } from './transports';

/**
 * The listening transports as `onebot-rx/server` (Node) exports them: each adapter carries the
 * client's composition for them (`transports.ts`), so `createClient` in the root entry runs them
 * without the browser bundle carrying code a browser cannot use (docs/guides/transports.md).
 */

const composed = <T extends Transport>(adapter: T): T & Composed => Object.assign(adapter, { compose: createListeners });

/**
 * A forward WebSocket transport, for `createClient({ transports: [...] })`.
 *
 * @example
 * import { createClient } from 'onebot-rx';
 * import { forwardWs } from 'onebot-rx/server';
 * import { filter, firstValueFrom } from 'rxjs';
 * import WebSocket from 'ws';
 *
 * // port: 6700 for NoneBot2's ONEBOT_WS_URLS=["ws://127.0.0.1:6700/"]; 0 picks a free port.
 * const ws = forwardWs({ port: 0, accessToken: 'secret' });
 * const client = createClient({ selfId: 10001, transports: [ws] });
 * client.connect();
 * await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open'))); // listening
 * const app = new WebSocket(`${ws.address!.url}?access_token=secret`); // what the application does
 * const frames: Record<string, unknown>[] = [];
 * app.on('message', (data) => frames.push(JSON.parse(String(data))));
 * await new Promise((resolve) => app.once('open', resolve));
 * app.send(JSON.stringify({ action: 'get_login_info', echo: 1 }));
 * while (frames.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
 * frames[0]!.sub_type === 'connect'; // each new event socket gets a lifecycle connect
 * frames[1]!.echo === 1 && (frames[1]!.data as { user_id: number }).user_id === 10001;
 * app.close();
 * await client.disconnect();
 *
 * @since 0.3.0
 * @category transport
 */
export const forwardWs = (options: ForwardWsOptions = {}): ForwardWsTransport => composed(forwardWsAdapter(options));

/**
 * An HTTP API transport, for `createClient({ transports: [...] })`.
 *
 * @example
 * import { createClient } from 'onebot-rx';
 * import { httpApi } from 'onebot-rx/server';
 * import { filter, firstValueFrom } from 'rxjs';
 *
 * // port: 5700 for NoneBot2's ONEBOT_API_ROOTS={"10001": "http://127.0.0.1:5700/"}; 0 picks a free port.
 * const api = httpApi({ port: 0 });
 * const client = createClient({ selfId: 10001, transports: [api] });
 * client.connect();
 * await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
 * const res = await fetch(`${api.address!.url}send_private_msg?user_id=20002&message=hi`);
 * res.status === 200;
 * const answer = (await res.json()) as { status: string; data: { message_id: number } };
 * answer.status === 'ok' && typeof answer.data.message_id === 'number';
 * (await fetch(`${api.address!.url}no_such_action`)).status === 404;
 * await client.disconnect();
 *
 * @since 0.3.0
 * @category transport
 */
export const httpApi = (options: HttpApiOptions = {}): HttpApiTransport => composed(httpApiAdapter(options));

/**
 * An HTTP POST transport, for `createClient({ transports: [...] })`.
 *
 * @example
 * import { createClient } from 'onebot-rx';
 * import { httpPost } from 'onebot-rx/server';
 * import { createServer } from 'node:http';
 * import { firstValueFrom } from 'rxjs';
 *
 * // The application's end (NoneBot2: http://HOST:PORT/onebot/v11/http with ONEBOT_SECRET=s3cret).
 * const posted: { signature: unknown; body: string }[] = [];
 * const app = createServer((req, res) => {
 *   let body = '';
 *   req.on('data', (chunk) => (body += chunk));
 *   req.on('end', () => {
 *     posted.push({ signature: req.headers['x-signature'], body });
 *     res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ reply: 'got it' })); // a quick operation
 *   });
 * });
 * await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
 * const { port } = app.address() as { port: number };
 *
 * const post = httpPost({ urls: [`http://127.0.0.1:${port}/onebot/v11/http`], secret: 's3cret' });
 * const client = createClient({ selfId: 10001, transports: [post] });
 * const reply = firstValueFrom(client.sent$); // the quick operation's reply, performed by the client
 * client.connect();
 * await client.sendText('hello', 'private', { targetId: 20002 }); // resolves once the POST was answered
 * posted.length === 1 && String(posted[0]!.signature).startsWith('sha1=');
 * (await reply).rawMessage === 'got it';
 * await client.disconnect();
 * app.close();
 *
 * @since 0.3.0
 * @category transport
 */
export const httpPost = (options: HttpPostOptions): HttpPostTransport => composed(httpPostAdapter(options));
