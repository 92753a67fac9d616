/**
 * Runs the echo application (support/echo-server.ts) on 127.0.0.1 until SIGTERM/SIGINT or
 * `--for <seconds>`; prints one JSON line `{"url": ...}` once listening. Used by `npm run test:load`.
 *   node -r esbuild-register packages/artillery-engine-onebot/scripts/echo-server.ts [--port N] [--for S] [--token T]
 */
import { startEchoServer } from '../support/echo-server';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const main = async (): Promise<void> => {
  const port = Number(arg('port') ?? 0);
  const lifetime = Number(arg('for') ?? 300);
  const token = arg('token');
  const echo = await startEchoServer({ port, ...(token ? { accessToken: token } : {}) });
  console.log(JSON.stringify({ url: echo.url }));
  const stop = async (why: string): Promise<void> => {
    console.error(`echo-server: stopping (${why}); ${echo.answered()} /echo answered, ${echo.server.connections.length} connections`);
    await echo.close();
    process.exit(0);
  };
  const timer = setTimeout(() => void stop(`--for ${lifetime}s elapsed`), lifetime * 1000);
  timer.unref();
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

void main();
