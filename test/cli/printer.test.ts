import { createPrinter, formatElapsed } from '../../src/cli/printer';
import type { Logger } from '../../src/logging/logger';
import { memoryOutput } from './streams';

const clock = (...times: number[]): (() => number) => {
  const queue = [...times];
  return () => queue.shift() ?? 0;
};

describe('createPrinter', () => {
  it('prints aligned text lines with relative time and an arrow, without colour', () => {
    const out = memoryOutput();
    const err = memoryOutput();
    const p = createPrinter({ out, err, json: false, color: false, now: clock(1000, 1000, 1512, 2000) });
    p.print({ kind: 'info', from: 'server', text: 'listening on ws://127.0.0.1:8000/ws/' });
    p.print({ kind: 'heartbeat', from: '12345', to: 'server', text: 'heartbeat: still alive (one every 500 ms)', data: { secret: 'x' } });
    p.print({ kind: 'summary', text: 'demo ok' });
    expect(out.text()).toBe(
      [
        ' +0.000s  server           listening on ws://127.0.0.1:8000/ws/',
        ' +0.512s  12345  → server  heartbeat: still alive (one every 500 ms)',
        'demo ok',
        '',
      ].join('\n'),
    );
    expect(err.text()).toBe('');
  });

  it('sends warnings and errors to stderr in text mode', () => {
    const out = memoryOutput();
    const err = memoryOutput();
    const p = createPrinter({ out, err, json: false, color: false, now: () => 0 });
    p.print({ kind: 'error', text: 'server unreachable' });
    p.print({ kind: 'warn', from: '1', text: 'bad input' });
    expect(out.text()).toBe('');
    expect(err.text()).toBe(' +0.000s                   error: server unreachable\n +0.000s  1                warning: bad input\n');
  });

  it('colours only when asked', () => {
    const out = memoryOutput();
    createPrinter({ out, err: out, json: false, color: true, now: () => 0 }).print({ kind: 'message', from: 'a', to: 'b', text: 'hi' });
    expect(out.text()).toContain('\u001b[36mhi\u001b[0m');
    expect(out.text()).toContain('\u001b[2m');
  });

  it('prints JSON lines with every item on stdout and secrets redacted', () => {
    const out = memoryOutput();
    const err = memoryOutput();
    const p = createPrinter({ out, err, json: true, color: true, now: clock(0, 40, 41) });
    p.print({ kind: 'state', from: '1', text: 'connecting to ws://h/?access_token=abc', data: { accessToken: 'abc', n: 1 } });
    p.print({ kind: 'error', text: 'boom' });
    expect(out.text().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { t: 40, kind: 'state', from: '1', text: 'connecting to ws://h/?access_token=[redacted]', data: { accessToken: '[redacted]', n: 1 } },
      { t: 41, kind: 'error', text: 'boom' },
    ]);
    expect(err.text()).toBe('');
    expect(out.text()).not.toContain('\u001b[');
  });

  it('logs every item but help to the logger, heartbeats at debug', () => {
    const calls: Array<[string, string, unknown]> = [];
    const rec = (lvl: string) => (m: string, d?: Record<string, unknown>) => void calls.push([lvl, m, d]);
    const logger: Logger = { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
    const out = memoryOutput();
    const p = createPrinter({ out, err: out, json: false, color: false, logger, now: () => 0 });
    p.print({ kind: 'heartbeat', from: '1', to: 'server', text: 'hb' });
    p.print({ kind: 'help', text: 'commands: …' });
    p.print({ kind: 'error', text: 'bad', data: { x: 1 } });
    expect(calls).toEqual([
      ['debug', '1 → server hb', { kind: 'heartbeat' }],
      ['error', 'bad', { kind: 'error', data: { x: 1 } }],
    ]);
  });

  it('formats elapsed time in seconds with milliseconds', () => {
    expect(formatElapsed(0)).toBe('+0.000s');
    expect(formatElapsed(1834)).toBe('+1.834s');
    expect(formatElapsed(-5)).toBe('+0.000s');
  });
});
