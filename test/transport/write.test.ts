import { createFrameWriter } from '../../src/transport/write';

const makeSocket = (withStream: boolean) => {
  const log: string[] = [];
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    send: (t: string) => log.push(`send ${t}`),
    close() {},
    _socket: withStream ? { cork: () => log.push('cork'), uncork: () => log.push('uncork'), destroyed: false } : undefined,
  };
  return { socket, log };
};

describe('createFrameWriter', () => {
  it('writes a lone frame of a tick at once, without corking', async () => {
    const { socket, log } = makeSocket(true);
    const w = createFrameWriter(socket, (t) => socket.send(t), 100);
    expect(w.write('a')).toBe(true);
    // Synchronously on the socket: no microtask wait for a lone frame (an API answer).
    expect(log).toEqual(['send a']);
    await Promise.resolve();
    expect(log).toEqual(['send a']);
    w.write('b');
    expect(log).toEqual(['send a', 'send b']);
  });

  it('corks from the second frame of a tick on and uncorks once at its end, in order', async () => {
    const { socket, log } = makeSocket(true);
    const w = createFrameWriter(socket, (t) => socket.send(t), 100);
    expect([w.write('a'), w.write('b'), w.write('c')]).toEqual([true, true, true]);
    expect(log).toEqual(['send a', 'cork', 'send b', 'send c']);
    await Promise.resolve();
    expect(log).toEqual(['send a', 'cork', 'send b', 'send c', 'uncork']);
    // A new tick starts over: its first frame goes out directly again.
    w.write('d');
    w.write('e');
    await Promise.resolve();
    expect(log.slice(5)).toEqual(['send d', 'cork', 'send e', 'uncork']);
  });

  it('does not uncork a destroyed stream', async () => {
    const { socket, log } = makeSocket(true);
    const w = createFrameWriter(socket, (t) => socket.send(t), 100);
    w.write('a');
    w.write('b');
    socket._socket!.destroyed = true;
    await Promise.resolve();
    expect(log).toEqual(['send a', 'cork', 'send b']);
  });

  it('without a corkable stream (browser) it just sends', () => {
    const { socket, log } = makeSocket(false);
    const w = createFrameWriter(socket, (t) => socket.send(t), 100);
    w.write('a');
    expect(log).toEqual(['send a']);
  });

  it('writes nothing and says so when the socket is not open', () => {
    const { socket, log } = makeSocket(true);
    socket.readyState = 2;
    const w = createFrameWriter(socket, (t) => socket.send(t), 100);
    expect([w.write('a'), w.open, w.ready]).toEqual([false, false, false]);
    expect(log).toEqual([]);
  });

  it('is not ready above the high-water mark (backpressure), ready again below it', () => {
    const { socket } = makeSocket(false);
    const w = createFrameWriter(socket, () => {}, 100);
    socket.bufferedAmount = 101;
    expect([w.open, w.ready]).toEqual([true, false]);
    socket.bufferedAmount = 100;
    expect(w.ready).toBe(true);
  });
});
