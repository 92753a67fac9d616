import { createServer } from 'node:http';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { forwardWs } from '../../src/client/listening';
import { httpApi } from '../../src/client/listening';
import { httpPost } from '../../src/client/listening';
import { closePeers, open } from '../server/helpers';
import { eventually, start, stopAll } from './helpers';

/**
 * One client, all four transports at once (as a NapCat config): one core, one set of handlers, one
 * event stream. An event is emitted once and reaches every transport; an API call is answered on the
 * transport it came by.
 */
let server: ReferenceServer | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  closePeers();
  await stopAll();
  await server?.close();
  closers.splice(0).forEach((c) => c());
});

it('reverse WS, forward WS, HTTP API and HTTP POST share the client: events reach all, calls are answered where they came from', async () => {
  server = await createReferenceServer({ port: 0 });
  const posted: string[] = [];
  const app = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posted.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  closers.push(() => app.close());
  const ws = forwardWs();
  const api = httpApi();
  const post = httpPost({ urls: [`http://127.0.0.1:${(app.address() as { port: number }).port}/`] });
  const { client } = await start({ url: server.url, transports: [ws, api, post] });
  await server.waitForBot(10001, 3000);

  // One handler, whatever the transport.
  let calls = 0;
  client.handle('get_friend_list', () => [{ user_id: ++calls, nickname: 'n', remark: '' }]);
  const peer = await open(ws.address!.url);
  expect(await peer.next()).toMatchObject({ sub_type: 'connect' });

  await client.sendText('everywhere', 'group', { groupId: 5 });
  const viaReverse = await server.waitForEvent((e) => e.event.post_type === 'message', 3000);
  expect(viaReverse.event).toMatchObject({ raw_message: 'everywhere' });
  expect(await peer.next()).toMatchObject({ raw_message: 'everywhere' });
  await eventually(() => posted.some((p) => JSON.parse(p).raw_message === 'everywhere'), 3000, 'the POST');
  expect(posted.filter((p) => JSON.parse(p).raw_message === 'everywhere')).toHaveLength(1);

  const reverse = await server.callApi(10001, 'get_friend_list');
  peer.send({ action: 'get_friend_list', echo: 'fws' });
  const forward = await peer.next();
  const http = (await (await fetch(`${api.address!.url}get_friend_list`)).json()) as { data: { user_id: number }[] };
  expect([reverse.data, forward.data, http.data].map((d) => (d as { user_id: number }[])[0]!.user_id).sort()).toEqual([1, 2, 3]);
  expect(forward.echo).toBe('fws');
  // Nothing leaked onto the other transports.
  expect(peer.inbox).toEqual([]);
});
