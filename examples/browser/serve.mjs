// Serves the example page over http on 127.0.0.1. Chromium (and other browsers) refuse to load the
// page's module script from file:// (a CORS error), so the page must come from a web server.
//
//   node examples/browser/serve.mjs [--port 8080] [--root dir]   (default root: examples/browser)
//
// Prints the page's address and serves until Ctrl-C. Only files under the root, loopback only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const root = resolve(arg('--root', here));
const port = Number(arg('--port', '8080'));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const server = createServer(async (req, res) => {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
  }
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (file !== root && !file.startsWith(root + sep)) return res.writeHead(404).end('not found\n');
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  } catch {
    const hint = path.startsWith('/dist/') ? ' (run `node examples/browser/build.mjs` first)' : '';
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}${hint}\n`);
  }
});

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  console.log(`serving ${root} at http://127.0.0.1:${actual}/index.html (Ctrl-C stops)`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
