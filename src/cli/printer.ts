import { redact, redactString, type Logger, type LogLevel } from '../logging/logger';
import type { CliOutput } from './io';

/** @since 0.1.0 @category cli */
export type TranscriptKind =
  | 'info'
  | 'state'
  | 'connect'
  | 'disconnect'
  | 'rejection'
  | 'event'
  | 'heartbeat'
  | 'message'
  | 'api-call'
  | 'api-answer'
  | 'send'
  | 'help'
  | 'warn'
  | 'error'
  | 'summary'
  | 'pass'
  | 'fail'
  | 'skip';

/**
 * One printed line of a transcript. `from` → `to` is drawn as an arrow; either may be absent.
 *
 * @since 0.1.0
 * @category cli
 */
export interface TranscriptItem {
  readonly kind: TranscriptKind;
  readonly from?: string;
  readonly to?: string;
  readonly text: string;
  /** The frame or record behind the line; printed in `--json` mode and logged, never in text mode. */
  readonly data?: unknown;
}

/** @since 0.1.0 @category cli */
export interface Printer {
  print(item: TranscriptItem): void;
  /** Milliseconds since the printer was created (the transcript's time origin). */
  elapsed(): number;
}

/** @since 0.1.0 @category cli */
export interface PrinterOptions {
  readonly out: CliOutput;
  /** Where `warn`/`error` lines go in text mode (JSON mode keeps every item on `out`). */
  readonly err: CliOutput;
  readonly json: boolean;
  readonly color: boolean;
  /** Also log every item here (e.g. the `--log-file` logger). */
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** @internal */
const ANSI = { reset: '\u001b[0m', dim: '\u001b[2m', bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', blue: '\u001b[34m', magenta: '\u001b[35m', cyan: '\u001b[36m' } as const;

/** @internal */
const COLOR_OF: Partial<Record<TranscriptKind, keyof typeof ANSI>> = {
  state: 'yellow',
  connect: 'green',
  disconnect: 'yellow',
  rejection: 'red',
  heartbeat: 'magenta',
  message: 'cyan',
  'api-call': 'blue',
  'api-answer': 'blue',
  send: 'cyan',
  warn: 'yellow',
  error: 'red',
  summary: 'green',
  pass: 'green',
  fail: 'red',
  skip: 'yellow',
};

/** @internal */
const LOG_LEVEL_OF = (kind: TranscriptKind): Exclude<LogLevel, 'silent'> =>
  kind === 'error' || kind === 'rejection' || kind === 'fail' ? 'error' : kind === 'warn' ? 'warn' : kind === 'heartbeat' ? 'debug' : 'info';

/** Width of the `from → to` column, so that texts line up. @internal */
const PARTY_WIDTH = 6;

/** `+1.234s`. @internal */
export const formatElapsed = (ms: number): string => `+${(Math.max(0, ms) / 1000).toFixed(3)}s`;

/**
 * Prints transcript items as aligned, optionally coloured text lines, or as JSON lines
 * (`{"t":512,"kind":"heartbeat","from":"12345","to":"server","text":"…","data":{…}}`, `t` in ms
 * since start). Secrets are redacted either way.
 *
 * @since 0.1.0
 * @category cli
 */
export const createPrinter = (options: PrinterOptions): Printer => {
  const now = options.now ?? Date.now;
  const start = now();
  const paint = (code: keyof typeof ANSI, s: string): string => (options.color ? `${ANSI[code]}${s}${ANSI.reset}` : s);

  const textLine = (item: TranscriptItem, t: number): string => {
    const text = redactString(item.text);
    if (item.kind === 'help') return text;
    if (item.kind === 'summary') return paint('bold', paint('green', text));
    const time = paint('dim', formatElapsed(t).padStart(8));
    const from = (item.from ?? '').padEnd(PARTY_WIDTH);
    const parties =
      item.to === undefined ? `${from}   ${''.padEnd(PARTY_WIDTH)}` : `${from} ${paint('dim', '→')} ${item.to.padEnd(PARTY_WIDTH)}`;
    const color = COLOR_OF[item.kind];
    const label = item.kind === 'error' ? 'error: ' : item.kind === 'warn' ? 'warning: ' : '';
    return `${time}  ${parties}  ${color ? paint(color, label + text) : label + text}`;
  };

  return {
    elapsed: () => now() - start,
    print: (item) => {
      const t = now() - start;
      if (options.json) {
        const line: Record<string, unknown> = { t, kind: item.kind };
        if (item.from !== undefined) line.from = item.from;
        if (item.to !== undefined) line.to = item.to;
        line.text = redactString(item.text);
        if (item.data !== undefined) line.data = redact(item.data);
        options.out.write(`${JSON.stringify(line)}\n`);
      } else {
        const sink = item.kind === 'error' || item.kind === 'warn' ? options.err : options.out;
        sink.write(`${textLine(item, t)}\n`);
      }
      if (options.logger && item.kind !== 'help') {
        const arrow = item.from !== undefined && item.to !== undefined ? `${item.from} → ${item.to} ` : item.from !== undefined ? `${item.from} ` : '';
        options.logger[LOG_LEVEL_OF(item.kind)](`${arrow}${item.text}`, item.data === undefined ? { kind: item.kind } : { kind: item.kind, data: item.data });
      }
    },
  };
};
