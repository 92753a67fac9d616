import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileLogger, type FileLogger } from '../../src/server/file-logger';

let dir: string;
const open: FileLogger[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onebot-rx-log-'));
});

afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((l) => l.close()));
  await rm(dir, { recursive: true, force: true });
});

const make = (opts: Omit<Parameters<typeof createFileLogger>[0], 'file'>, name = 'bot.log'): FileLogger => {
  const logger = createFileLogger({ file: join(dir, name), ...opts });
  open.push(logger);
  return logger;
};

const lines = async (file: string): Promise<Array<Record<string, unknown>>> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const logFiles = async (): Promise<string[]> =>
  (await readdir(dir)).filter((f) => /^bot\.\d+\.log$/.test(f)).sort((a, b) => fileNo(a) - fileNo(b));

const fileNo = (f: string): number => Number(/\.(\d+)\.log$/.exec(f)?.[1]);

/**
 * Writes `count` lines of about 100 bytes, letting the event loop turn between lines as a real app
 * does (pino-roll rolls on the stream's next 'drain'). Waits for the file to be open first: lines
 * logged before that are held and written in one go.
 */
const writeLines = async (logger: FileLogger, count: number, from = 0): Promise<void> => {
  await logger.flush();
  for (let i = from; i < from + count; i++) {
    logger.info(`line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    await new Promise((r) => setImmediate(r));
  }
};

describe('createFileLogger', () => {
  it('writes JSON lines with level names and redacted tokens', async () => {
    const logger = make({ level: 'debug' });
    logger.info('connecting to ws://h/ws?access_token=s3cret', { accessToken: 's3cret', selfId: 12345 });
    logger.debug('detail');
    await logger.flush();
    const file = logger.currentFile();
    expect(file).toBe(join(dir, 'bot.1.log'));
    const got = await lines(file!);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({
      level: 'info',
      msg: 'connecting to ws://h/ws?access_token=[redacted]',
      data: { accessToken: '[redacted]', selfId: 12345 },
    });
    expect(typeof got[0]!.time).toBe('string');
    expect(got[1]).toMatchObject({ level: 'debug', msg: 'detail' });
    expect(await readFile(file!, 'utf8')).not.toContain('s3cret');
  });

  it('drops messages below the level', async () => {
    const logger = make({ level: 'warn' });
    // It says so, so that the client never builds the lines it would drop.
    expect(['debug', 'info', 'warn', 'error'].map((l) => logger.isLevelEnabled?.(l))).toEqual([false, false, true, true]);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    await logger.close();
    expect((await lines(join(dir, 'bot.1.log'))).map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('writes nothing at level silent', async () => {
    const logger = make({ level: 'silent' });
    logger.error('e');
    await logger.close();
    expect(await readFile(join(dir, 'bot.1.log'), 'utf8')).toBe('');
  });

  it('keeps lines logged before the file is open, in order', async () => {
    const logger = make({});
    // Synchronously, before pino-roll has opened anything.
    expect(logger.currentFile()).toBeUndefined();
    logger.info('first');
    logger.info('second');
    await logger.close();
    expect((await lines(join(dir, 'bot.1.log'))).map((l) => l.msg)).toEqual(['first', 'second']);
  });

  it('rotates past the size limit and keeps every line', async () => {
    const logger = make({ rotate: { size: 1024 } });
    await writeLines(logger, 60); // ~6 KB
    await logger.close();
    const files = await logFiles();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const all: string[] = [];
    for (const f of files) {
      // A file is rolled as soon as a write takes it to the limit, so it holds at most one line more.
      expect((await stat(join(dir, f))).size).toBeLessThan(1024 + 200);
      all.push(...(await lines(join(dir, f))).map((l) => String(l.msg)));
    }
    expect(all).toHaveLength(60);
    expect(all[0]).toMatch(/^line 0000 /);
    expect(all[59]).toMatch(/^line 0059 /);
  });

  it('honours the retention limit, also for files left by an earlier run', async () => {
    await writeFile(join(dir, 'bot.1.log'), '{"msg":"old run"}\n');
    const logger = make({ rotate: { size: '1k', limit: 3 } });
    await writeLines(logger, 80);
    await logger.flush();
    const files = await logFiles();
    // Three files in all, the current one included; numbering continued after the old run's file.
    expect(files).toHaveLength(3);
    expect(files).not.toContain('bot.1.log');
    expect(logger.currentFile()).toBe(join(dir, files[files.length - 1]!));
    // What is kept is the newest lines, consecutive, up to the last one written.
    const kept: number[] = [];
    for (const f of files) kept.push(...(await lines(join(dir, f))).map((l) => Number(String(l.msg).slice(5, 9))));
    expect(kept[kept.length - 1]).toBe(79);
    expect(kept[0]).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => kept[0]! + i));
  });

  it('rejects bad rotation options synchronously', () => {
    const file = join(dir, 'x.log');
    expect(() => createFileLogger({ file, rotate: { size: '10 MB' } })).toThrow(
      'rotate.size must look like 100b, 512k, 10m or 1g, got "10 MB"',
    );
    expect(() => createFileLogger({ file, rotate: { size: -5 } })).toThrow('rotate.size must be a positive number of bytes, got -5');
    expect(() => createFileLogger({ file, rotate: { limit: 0 } })).toThrow('rotate.limit must be a positive integer, got 0');
    expect(() => createFileLogger({ file, rotate: { frequency: 'weekly' as 'daily' } })).toThrow(
      'rotate.frequency must be "daily", "hourly" or a positive number of ms, got weekly',
    );
  });

  it('reports an unwritable location from flush()', async () => {
    await writeFile(join(dir, 'not-a-dir'), '');
    const logger = createFileLogger({ file: join(dir, 'not-a-dir', 'bot.log') });
    logger.info('lost');
    await expect(logger.flush()).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});
