/**
 * Logger levels: `withLevel` drops what is below its own level or below the wrapped logger's
 * declared `level`, before building or redacting anything (the answering engine logs every API call
 * at `debug`, so a logger that drops debug must cost nothing per call).
 */
import { createConsoleLogger, silentLogger, withLevel, type Logger, type LogLevel } from '../../src/logging/logger';

/** A logger that records the messages that reach it, declaring `level` when given one. */
const recorder = (level?: LogLevel): { logger: Logger; lines: string[] } => {
  const lines: string[] = [];
  const sink = (lvl: string) => (message: string) => void lines.push(`${lvl} ${message}`);
  const logger: Logger = { debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error'), ...(level === undefined ? {} : { level }) };
  return { logger, lines };
};

describe('withLevel', () => {
  it.each<[LogLevel | undefined, LogLevel, LogLevel, string[]]>([
    [undefined, 'debug', 'debug', ['debug d', 'info i', 'warn w', 'error e']],
    [undefined, 'warn', 'warn', ['warn w', 'error e']],
    ['info', 'debug', 'info', ['info i', 'warn w', 'error e']],
    ['error', 'info', 'error', ['error e']],
    ['debug', 'warn', 'warn', ['warn w', 'error e']],
    ['silent', 'debug', 'silent', []],
  ])('logger level %s wrapped at %s → level %s', (own, wrapped, effective, expected) => {
    const { logger, lines } = recorder(own);
    const log = withLevel(logger, wrapped);
    expect(log.level).toBe(effective);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines).toEqual(expected);
  });

  it('does not read (redact) the data of a message below the level', () => {
    const { logger } = recorder('info');
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

  it('the built-in loggers declare their level', () => {
    expect(silentLogger.level).toBe('silent');
    expect(createConsoleLogger('warn').level).toBe('warn');
    expect(createConsoleLogger().level).toBe('info');
  });
});
