import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logging/logger';
import { ErrorCode, OneBotError } from '../protocol/errors';

/**
 * The HTTP side of the reference server: plain requests get 426 (say what is expected instead of
 * hanging), malformed ones 400, and every raw socket is tracked so `close()` can destroy them.
 * Upgrades are handled by upgrade.ts.
 * @internal
 */
export const createHttpEndpoint = (logger: Logger, rawSockets: Set<Socket>): Server => {
  const http = createServer((req, res) => {
    res.statusCode = 426;
    res.setHeader('Upgrade', 'websocket');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Upgrade Required');
    req.resume();
  });
  http.on('connection', (socket: Socket) => {
    rawSockets.add(socket);
    // Resets during or after the upgrade must never become uncaught 'error' events.
    socket.on('error', (e) => logger.debug('reference server: socket error', { error: e.message }));
    socket.once('close', () => rawSockets.delete(socket));
  });
  http.on('clientError', (err, socket) => {
    logger.debug('reference server: malformed HTTP request', { error: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  return http;
};

/** Listens; rejects with `ONEBOT_SOCKET_ERROR` naming the address when it cannot. @internal */
export const listen = (http: Server, host: string, port: number): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      reject(new OneBotError(ErrorCode.SocketError, `reference server cannot listen on ${host}:${port}: ${e.code ?? e.message}`, { host, port }, { cause: e }));
    };
    const onListening = (): void => {
      http.off('error', onError);
      resolve();
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(port, host);
  });
