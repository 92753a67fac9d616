import { createServer } from 'node:http';
import { closePeers, open } from '../server/helpers';
import { busyPort, runInProcess, type InProcessRun } from './helpers';

const runs: InProcessRun[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  closePeers();
  for (const r of runs.splice(0)) {
    r.abort.abort();
    await r.exit;
  }
  closers.splice(0).forEach((c) => c());
});

const start = (argv: string[]): InProcessRun => {
  const r = runInProcess(argv);
  runs.push(r);
  return r;
};

describe('onebot-rx connect with the listening transports', () => {
  it('--ws-listen and --http-listen: applications dial in, get events typed on stdin, and their calls are answered and printed', async () => {
    const cli = start(['connect', '--ws-listen', '127.0.0.1:0', '--http-listen', ':0', '--self-id', '777', '--heartbeat', '0', '--token', 'tk']);
    const out = await cli.stdout.waitFor(/running: forward WS ws:\/\/127\.0\.0\.1:\d+\/ \(\/, \/api, \/event\); HTTP API http:\/\/127\.0\.0\.1:\d+\//);
    const wsUrl = /forward WS (ws:\S+)/.exec(out)![1]!;
    const httpUrl = /HTTP API (http:\S+)/.exec(out)![1]!;
    const app = await open(`${wsUrl}?access_token=tk`);
    expect(await app.next()).toMatchObject({ sub_type: 'connect', self_id: 777 });
    cli.stdin.write('/group 42 hello apps\n');
    expect(await app.next()).toMatchObject({ post_type: 'message', group_id: 42, raw_message: 'hello apps' });
    app.send({ action: 'get_login_info', echo: 1 });
    expect(await app.next()).toMatchObject({ echo: 1, data: { user_id: 777 } });
    await cli.stdout.waitFor('server → 777     API call get_login_info');
    await cli.stdout.waitFor('777    → server  answer ok {"user_id":777,');
    const res = await fetch(`${httpUrl}send_private_msg?user_id=5&message=yo`, { headers: { Authorization: 'Bearer tk' } });
    expect(res.status).toBe(200);
    await cli.stdout.waitFor('API call send_private_msg');
    await cli.stdout.waitFor(/777 +→ server +answer ok \{"message_id":/);
    expect((await fetch(`${httpUrl}get_status`)).status).toBe(401);
    cli.stdin.write('/quit\n');
    expect(await cli.exit).toBe(0);
  });

  it('--http-post (repeatable) with --secret: each typed event is POSTed signed to every URL', async () => {
    const got: { url: string; signature: unknown }[] = [];
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const app = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          got.push({ url: req.url ?? '', signature: req.headers['x-signature'] });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      closers.push(() => app.close());
      urls.push(`http://127.0.0.1:${(app.address() as { port: number }).port}/hook${i}`);
    }
    const cli = start(['connect', '--http-post', urls[0]!, '--http-post', urls[1]!, '--secret', 'shh', '--self-id', '8', '--heartbeat', '0']);
    await cli.stdout.waitFor('running: HTTP POST →');
    cli.stdin.write('/private 9 posted\n');
    await cli.stdout.waitFor('private message to 9: "posted"');
    cli.stdin.write('/quit\n');
    expect(await cli.exit).toBe(0);
    expect(got.map((g) => g.url).sort()).toEqual(['/hook0', '/hook1']);
    expect(got.every((g) => String(g.signature).startsWith('sha1='))).toBe(true);
  });

  it('no transport at all is a usage error naming every way; a taken port exits 5', async () => {
    const none = start(['connect', '--self-id', '1']);
    expect(await none.exit).toBe(2);
    expect(none.stderr.text()).toContain('no transport: give a reverse WebSocket URL, --ws-listen HOST:PORT, --http-listen HOST:PORT or --http-post URL (any mix)');
    const busy = await busyPort();
    try {
      const taken = start(['connect', '--ws-listen', `127.0.0.1:${busy.port}`, '--self-id', '1']);
      expect(await taken.exit).toBe(5);
      expect(taken.stderr.text()).toMatch(/cannot listen: .*EADDRINUSE.*choose another --ws-listen \/ --http-listen address/);
    } finally {
      await busy.release();
    }
  });

  it('bad HOST:PORT and non-HTTP POST URLs are usage errors', async () => {
    const bad = start(['connect', '--ws-listen', 'nowhere', '--self-id', '1']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr.text()).toContain('Expected HOST:PORT');
    const post = start(['connect', '--http-post', 'ws://x/', '--self-id', '1']);
    expect(await post.exit).toBe(2);
    expect(post.stderr.text()).toContain('Expected an http:// or https:// URL');
  });
});
