import { createClient } from '../../src/client/create-client';
import { silentLogger } from '../../src/logging/logger';
import { busyPort, runInProcess } from './helpers';

describe('onebot-rx serve', () => {
  it('prints who connects and what they send; Ctrl-C closes with exit 0', async () => {
    const cli = runInProcess(['serve', '--port', '0', '--handshake-timeout', '2000']);
    const out = await cli.stdout.waitFor(/listening on (ws:\/\/127\.0\.0\.1:\d+\/ws\/)/);
    const url = /listening on (ws:\/\/127\.0\.0\.1:\d+\/ws\/)/.exec(out)![1]!;
    const bot = createClient({ url, selfId: 4242, heartbeatInterval: 0, logger: silentLogger });
    try {
      bot.connect();
      await cli.stdout.waitFor('4242   → server  online: sent the "connect" event, the hello every bot sends first (role Universal, from 127.0.0.1)');
      await bot.sendText('ping', 'group', { groupId: 9 });
      await cli.stdout.waitFor('4242   → server  group message to 9: "ping"; no connected bot to pass it on to');
      await bot.disconnect();
      await cli.stdout.waitFor('4242             disconnected (code 1000');
    } finally {
      await bot.disconnect();
      cli.abort.abort();
    }
    expect(await cli.exit).toBe(0);
    expect(cli.stdout.text()).toMatch(/server {11}closed\n$/);
  });

  it('with --token prints refused upgrades', async () => {
    const cli = runInProcess(['serve', '--port', '0', '--token', 'sekrit']);
    const out = await cli.stdout.waitFor(/listening on ws:\/\/\S+\/ws\/ \(access token required\)/);
    const url = /listening on (ws:\/\/\S+\/ws\/)/.exec(out)![1]!;
    const bot = createClient({ url, selfId: 1, maxReconnectAttempts: 1, reconnectInterval: 10_000, logger: silentLogger });
    bot.connect();
    await cli.stdout.waitFor('upgrade refused with HTTP 401: access token missing');
    await bot.disconnect();
    cli.abort.abort();
    expect(await cli.exit).toBe(0);
  });

  it('exits 5 (port in use, its own documented code) with a hint when the port is taken', async () => {
    const busy = await busyPort();
    try {
      const cli = runInProcess(['serve', '--port', String(busy.port)]);
      expect(await cli.exit).toBe(5);
      expect(cli.stderr.text()).toContain(`error: port ${busy.port} on 127.0.0.1 is already in use (choose another with --port, or --port 0 for any free one)`);
    } finally {
      await busy.release();
    }
  });
});
