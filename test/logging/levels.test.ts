/**
 * Logger levels: `withLevel` drops what is below its level, or what the wrapped logger says it does
 * not write (`isLevelEnabled`, asked on each line), before building or redacting anything: the
 * answering engine logs every API call at `debug`, so a logger that drops debug must cost nothing
 * per call. A logger that cannot tell is handed every line at or above the level.
 */
import { createConsoleLogger, silentLogger, withLevel, type Logger, type LogLevel } from '../../src/logging/logger';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger that records the messages that reach it; with `writes`, it answers `isLevelEnabled` from it. */
const recorder = (writes?: (level: string) => boolean): { logger: Logger; lines: string[] } => {
  const lines: string[] = [];
  const sink = (lvl: string) => (message: string) => void lines.push(`${lvl} ${message}`);
  const logger: Logger = { debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error'), ...(writes ? { isLevelEnabled: writes } : {}) };
  return { logger, lines };
};

const atLeast = (min: LogLevel) => (level: string) => LEVELS.indexOf(level as (typeof LEVELS)[number]) >= LEVELS.indexOf(min as (typeof LEVELS)[number]);

const logAll = (log: Logger): void => {
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
};

describe('withLevel', () => {
  it.each<[string, ((level: string) => boolean) | undefined, LogLevel, string[]]>([
    ['cannot tell', undefined, 'debug', ['debug d', 'info i', 'warn w', 'error e']],
    ['cannot tell', undefined, 'warn', ['warn w', 'error e']],
    ['writes info and up', atLeast('info'), 'debug', ['info i', 'warn w', 'error e']],
    ['writes error only', atLeast('error'), 'info', ['error e']],
    ['writes everything', () => true, 'warn', ['warn w', 'error e']],
    ['writes nothing', () => false, 'debug', []],
  ])('a logger that %s, wrapped at %s', (_, writes, wrapped, expected) => {
    const { logger, lines } = recorder(writes);
    logAll(withLevel(logger, wrapped));
    expect(lines).toEqual(expected);
  });

  it('asks the logger on each line, so a level changed later applies', () => {
    let min: LogLevel = 'warn';
    const { logger, lines } = recorder((level) => atLeast(min)(level));
    const log = withLevel(logger, 'debug');
    log.debug('before');
    min = 'debug';
    log.debug('after');
    expect(lines).toEqual(['debug after']);
  });

  it('answers isLevelEnabled itself, for a wrapper of a wrapper', () => {
    const { logger, lines } = recorder(atLeast('info'));
    const inner = withLevel(logger, 'debug');
    expect(LEVELS.map((l) => inner.isLevelEnabled?.(l))).toEqual([false, true, true, true]);
    logAll(withLevel(inner, 'warn'));
    expect(lines).toEqual(['warn w', 'error e']);
  });

  it('does not read (redact) the data of a line the logger does not write', () => {
    const { logger } = recorder(atLeast('info'));
    let reads = 0;
    const data = {
      get token(): string {
        reads++;
        return 'secret';
      },
    };
    withLevel(logger, 'debug').debug('dropped', data);
    expect(reads).toBe(0);
    withLevel(logger, 'debug').info('kept', data);
    expect(reads).toBe(1);
  });

  it('redacts what it passes on', () => {
    const seen: unknown[] = [];
    const logger: Logger = { debug: () => undefined, info: (m, d) => void seen.push(m, d), warn: () => undefined, error: () => undefined };
    withLevel(logger, 'info').info('ws://h/?access_token=abc', { token: 'abc' });
    expect(seen).toEqual(['ws://h/?access_token=[redacted]', { token: '[redacted]' }]);
  });
});

describe('the built-in loggers', () => {
  it('say which levels they write', () => {
    expect(LEVELS.map((l) => silentLogger.isLevelEnabled?.(l))).toEqual([false, false, false, false]);
    expect(LEVELS.map((l) => createConsoleLogger('warn').isLevelEnabled?.(l))).toEqual([false, false, true, true]);
    expect(LEVELS.map((l) => createConsoleLogger().isLevelEnabled?.(l))).toEqual([false, true, true, true]);
  });

  it('a logger spread from one of them, with methods replaced, is handed every line (it does not inherit their answer)', () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    expect(logger.isLevelEnabled).toBeUndefined();
    withLevel(logger, 'debug').warn('kept');
    expect(warnings).toEqual(['kept']);
  });
});
