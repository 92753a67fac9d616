import { InvalidArgumentError } from 'commander';

/**
 * Argument parsers for commander: each turns the flag's text into a value or throws
 * `InvalidArgumentError`, which commander reports as
 * `error: option '--self-id <id>' argument 'x' is invalid. <our message>` (exit code 2).
 */

/** A whole number ≥ `min`, written in decimal digits only (no `1e3`, no `0x10`). @internal */
export const integerAtLeast =
  (min: number, what: string) =>
  (text: string): number => {
    const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`Expected ${what}.`);
    return n;
  };

/** @internal */
export const parsePositiveInt = (what: string) => integerAtLeast(1, `a positive integer (${what})`);
/** @internal */
export const parseNonNegativeInt = (what: string) => integerAtLeast(0, `an integer ≥ 0 (${what})`);

/** A TCP port, 0–65535 (0 = any free port). @internal */
export const parsePort = (text: string): number => {
  const n = integerAtLeast(0, 'a port number from 0 to 65535')(text);
  if (n > 65535) throw new InvalidArgumentError('Expected a port number from 0 to 65535.');
  return n;
};

/** A `ws://` or `wss://` URL. @internal */
export const parseWsUrl = (text: string): string => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('Expected a WebSocket URL such as ws://127.0.0.1:8000/ws/.');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidArgumentError(`Expected a ws:// or wss:// URL, got ${url.protocol}//.`);
  }
  return text;
};

/** Where to listen: `HOST:PORT`, `:PORT` or `PORT` (host 127.0.0.1), `[::1]:PORT`. @internal */
export const parseHostPort = (text: string): { host: string; port: number } => {
  const t = text.trim();
  const m = /^\d+$/.test(t) ? [t, undefined, undefined, t] : /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(t);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) throw new InvalidArgumentError('Expected HOST:PORT, e.g. 127.0.0.1:6700 (or just a port).');
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
};

/** An `http://` or `https://` URL. @internal */
export const parseHttpUrl = (text: string): string => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('Expected an HTTP URL such as http://127.0.0.1:8080/onebot/v11/http.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`Expected an http:// or https:// URL, got ${url.protocol}//.`);
  return text;
};

/** A URL path starting with `/`. @internal */
export const parsePath = (text: string): string => {
  if (!text.startsWith('/')) throw new InvalidArgumentError('Expected a path starting with "/", e.g. /ws/.');
  return text;
};

/** A file size for rotation: bytes, or a number with k/m/g. @internal */
export const parseSize = (text: string): string => {
  if (!/^\d+(\.\d+)?[bkmg]?$/i.test(text) || Number.parseFloat(text) <= 0) {
    throw new InvalidArgumentError('Expected a size such as 512k, 10m or 1g.');
  }
  // A bare number is bytes here, as in the file logger's numeric form.
  return /\d$/.test(text) ? `${text}b` : text;
};

/** Time-based rotation: `daily`, `hourly` or a number of milliseconds. @internal */
export const parseFrequency = (text: string): 'daily' | 'hourly' | number => {
  if (text === 'daily' || text === 'hourly') return text;
  return integerAtLeast(1, '"daily", "hourly" or a number of milliseconds')(text);
};
