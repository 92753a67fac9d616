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
  it('corks the Node stream for the frames of one tick and uncorks once, in order', async () => {
    const { socket, log } = makeSocket(true);
    const w = createFrameWriter(socket, (t) => socket.send(t), 100);
    expect([w.write('a'), w.write('b'), w.write('c')]).toEqual([true, true, true]);
    expect(log).toEqual(['cork', 'send a', 'send b', 'send c']);
    await Promise.resolve();
    expect(log).toEqual(['cork', 'send a', 'send b', 'send c', 'uncork']);
    w.write('d');
    await Promise.resolve();
    expect(log.slice(5)).toEqual(['cork', 'send d', 'uncork']);
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
