import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import { createReferenceServer, type ReferenceServer } from '../../src/server/reference-server';
import { runInProcess } from './helpers';

/**
 * `onebot-rx test <file> --url <server>` against the reference server playing a tiny application:
 * `/echo X` answers X quoting the command; `/admin` answers "ok" only to group admins (it asks the
 * world with get_group_member_info, as NoneBot 1 does); a recall is acknowledged.
 */

const BOT = 10001;
let server: ReferenceServer | undefined;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'onebot-rx-test-cmd-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const app = async (): Promise<ReferenceServer> => {
  const s = await createReferenceServer({ port: 0, logger: silentLogger });
  s.on('event', ({ event }) => {
    const e = event as Record<string, unknown>;
    if (e.post_type === 'notice' && e.notice_type === 'group_recall') {
      void s.callApi(BOT, 'send_group_msg', { group_id: e.group_id, message: `recalled ${String(e.message_id)}` });
      return;
    }
    if (e.post_type !== 'message' || e.message_type !== 'group') return;
    const raw = String(e.raw_message).replace(/^\[CQ:reply,id=\d+\]/, '');
    if (raw.startsWith('/echo ')) {
      void s.callApi(BOT, 'send_group_msg', { group_id: e.group_id, message: `[CQ:reply,id=${String(e.message_id)}]${raw.slice(6)}` });
    } else if (raw === '/admin') {
      void s.callApi(BOT, 'get_group_member_info', { group_id: e.group_id, user_id: e.user_id }).then((r) => {
        const role = (r.data as { role?: string } | null)?.role;
        if (role === 'admin' || role === 'owner') void s.callApi(BOT, 'send_group_msg', { group_id: e.group_id, message: 'ok' });
      });
    }
  });
  return s;
};

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const WORLD_YAML = `
world:
  bot: { user_id: ${BOT}, nickname: Bot }
  groups:
    - group_id: 30001
      group_name: Test
      members:
        - { user_id: ${BOT}, role: admin }
        - { user_id: 20001, nickname: Alice, role: admin }
        - { user_id: 20002, nickname: Bob }
`;

describe('onebot-rx test', () => {
  it('plays a YAML conversation: transcript, a PASS line per step, exit 0', async () => {
    server = await app();
    const path = file(
      'echo.yaml',
      `name: echo and admin
settle: 100
${WORLD_YAML}
steps:
  - say: /echo hello
    from: 20002
    group: 30001
    as: cmd
    expect: { text: hello, quotes: cmd }
  - say: /echo quoted
    from: 20002
    group: 30001
    quote: reply
    expect: { regex: "^quo", segments: [{ type: reply }, { type: text, data: { text: quoted } }] }
  - say: /admin
    from: 20001
    group: 30001
    expect: ok
  - say: /admin
    from: 20002
    group: 30001
    no_reply: 500
  - recall: cmd
  - expect: { contains: recalled }
  - join: { group: 30001, user: 20003 }
  - poke: { from: 20003, group: 30001 }
`,
    );
    const run = runInProcess(['test', path, '--url', server.url]);
    const code = await run.exit;
    const out = run.stdout.text();
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toContain('echo and admin: 8 steps against');
    expect(out).toMatch(/20002 +→ app +20002 in group 30001: \/echo hello/);
    expect(out).toMatch(/app +→ qq +bot in group 30001: \[CQ:reply,id=1\]hello/);
    expect(out).toContain('PASS step 1: 20002 in group 30001 says "/echo hello", expects a reply with text "hello", a quote of cmd');
    expect(out).toContain('PASS step 4: 20002 in group 30001 says "/admin", expects no reply');
    expect(out).toMatch(/notice group_recall group_id=30001 user_id=20002 operator_id=20002 message_id=1/);
    expect(out).toMatch(/notice group_increase\/approve group_id=30001 user_id=20003 operator_id=20001/);
    expect(out).toContain('PASS echo and admin: 8 passed, 0 failed, 0 skipped');
  });

  it('a wrong reply fails its step with the reason, skips the rest, exit 1 (JSON file)', async () => {
    server = await app();
    const path = file(
      'fail.json',
      JSON.stringify({
        settle: 100,
        timeout: 1500,
        world: { bot: { user_id: BOT } },
        steps: [
          { say: '/echo one', from: 2, group: 3, expect: 'two' },
          { say: '/echo three', from: 2, group: 3, expect: 'three' },
        ],
      }),
    );
    const run = runInProcess(['test', path, '--url', server.url]);
    expect(await run.exit).toBe(1);
    const out = run.stdout.text() + run.stderr.text();
    expect(out).toContain('FAIL step 1: 2 in group 3 says "/echo one", expects a reply with text "two"');
    expect(out).toContain('text: expected "two", got "one"');
    expect(out).toContain('SKIP step 2');
    expect(out).toContain('FAIL ' + path + ': 0 passed, 1 failed, 1 skipped');
  });

  it('no reply within the limit fails the step', async () => {
    server = await app();
    const path = file('silent.yaml', `settle: 100\nworld: { bot: { user_id: ${BOT} } }\nsteps:\n  - { say: nothing, from: 2, group: 3, expect: { text: x, within: 300 } }\n`);
    const run = runInProcess(['test', path, '--url', server.url]);
    expect(await run.exit).toBe(1);
    expect(run.stdout.text() + run.stderr.text()).toContain('no reply from the bot in group 3 within 300 ms');
  });

  it.each([
    ['bad YAML', 'bad.yaml', 'world: [\n', /bad\.yaml is not valid YAML/],
    ['bad JSON', 'bad.json', '{', /bad\.json is not valid JSON/],
    ['an unknown step', 'step.yaml', `world: { bot: { user_id: 1 } }\nsteps: [ { sing: la } ]\n`, /steps\.0: expected one of say, expect, no_reply, join, leave, recall, poke, wait, got keys sing/],
    ['a bad world', 'world.yaml', `world: { bot: { user_id: x } }\nsteps: []\n`, /world\.bot\.user_id: expected NumberLike, got string "x"/],
  ])('%s: exit 1 with a readable error, nothing dialled', async (_n, name, text, message) => {
    const path = file(name, text);
    const run = runInProcess(['test', path, '--url', 'ws://127.0.0.1:9/']);
    expect(await run.exit).toBe(1);
    expect(run.stderr.text()).toMatch(message);
  });

  it('an application that is not there: could not start, exit 1', async () => {
    const { closedPort } = await import('./helpers');
    const port = await closedPort();
    const path = file('x.yaml', `settle: 50\nready_timeout: 800\nworld: { bot: { user_id: 1 } }\nsteps: [ { say: hi, from: 2 } ]\n`);
    const run = runInProcess(['test', path, '--url', `ws://127.0.0.1:${port}/`]);
    expect(await run.exit).toBe(1);
    const out = run.stdout.text() + run.stderr.text();
    expect(out).toContain('could not start: the application was not ready within 800 ms');
    expect(out).toContain('SKIP step 1');
  });

  it('needs --url', async () => {
    const run = runInProcess(['test', 'x.yaml']);
    expect(await run.exit).toBe(2);
    expect(run.stderr.text()).toContain("required option '--url <url>' not specified");
  });
});
