/**
 * The `@example` blocks of the TSDoc in src/ are real code: each one type-checks against the public
 * entries (`onebot-rx`, `onebot-rx/server`) and runs, with its claims (`x === y;`, `f(); // literal`)
 * checked. See test/docs/tsdoc-examples.ts for the conventions.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { ROOT, asTypeCheckedModule, expectedOf, extractExamples, instrument } from './tsdoc-examples';

const blocks = extractExamples();

/** `actual` must equal `expected` (an Either: by tag, then content). */
const __expect = (actual: unknown, kind: 'value' | 'right' | 'left', expected: unknown, where: string): void => {
  if (kind === 'value') return assert.deepStrictEqual(actual, expected, `claim failed: ${where}`);
  const either = actual as { _tag?: string; right?: unknown; left?: unknown };
  assert.equal(either._tag, kind === 'right' ? 'Right' : 'Left', `claim failed (tag): ${where}`);
  assert.deepStrictEqual(kind === 'right' ? either.right : either.left, expected, `claim failed: ${where}`);
};

const exampleRequire = (id: string): unknown => {
  if (id === 'onebot-rx') return require('../../src/index');
  if (id === 'onebot-rx/protocol') return require('../../src/protocol-entry');
  if (id === 'onebot-rx/world') return require('../../src/world-entry');
  if (id === 'onebot-rx/server') return require('../../src/server');
  return require(id);
};

type Runner = (req: typeof exampleRequire, exports: object, check: typeof __expect, a: typeof assert) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => Runner;

/** Runs an instrumented example as a CommonJS module body (top-level await allowed). */
const runExample = async (code: string): Promise<void> => {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  await new AsyncFunction('require', 'exports', '__expect', 'assert', js)(exampleRequire, {}, __expect, assert);
};

describe('TSDoc @example blocks', () => {
  it('are found across the public modules, and most of them make checked claims', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(45);
    const files = new Set(blocks.map((b) => b.where.split(':')[0]));
    for (const f of ['src/client/create-client.ts', 'src/server/reference-server.ts', 'src/server/file-logger.ts', 'src/protocol/cq.ts', 'src/logging/logger.ts']) {
      expect(files).toContain(f);
    }
    const claims = blocks.map((b) => instrument(b.code).claims + (/\bassert\./.test(b.code) ? 1 : 0));
    expect(claims.filter((n) => n > 0).length / blocks.length).toBeGreaterThan(0.8);
    expect(blocks.filter((b) => !b.run).map((b) => b.where)).toEqual([]);
  });

  it('all type-check against the onebot-rx and onebot-rx/server entries', () => {
    // Inside node_modules/.cache so that imports of rxjs, ws... resolve from the project.
    const dir = join(ROOT, 'node_modules/.cache/onebot-rx-tsdoc-examples');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((b, i) => {
      const file = join(dir, `example-${i}.ts`);
      writeFileSync(file, `// ${b.where}\n${asTypeCheckedModule(b.code)}`);
      return file;
    });
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const program = ts.createProgram(files, {
      ...config.options,
      noEmit: true,
      noUnusedLocals: false,
      baseUrl: ROOT,
      paths: { 'onebot-rx': ['src/index.ts'], 'onebot-rx/protocol': ['src/protocol-entry.ts'], 'onebot-rx/world': ['src/world-entry.ts'], 'onebot-rx/server': ['src/server.ts'] },
    });
    const problems = files.flatMap((file, i) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${blocks[i]!.where} (example line ${pos ? pos.line : '?'}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    expect(problems).toEqual([]);
  }, 60_000);

  describe('run, with their claims checked', () => {
    let cwd: string;
    let scratch: string;
    beforeAll(() => {
      // Examples may write files (the file logger's logs/): give them a scratch working directory.
      cwd = process.cwd();
      scratch = mkdtempSync(join(tmpdir(), 'onebot-rx-tsdoc-'));
      process.chdir(scratch);
    });
    afterAll(() => {
      process.chdir(cwd);
      rmSync(scratch, { recursive: true, force: true });
    });
    beforeEach(() => {
      for (const m of ['log', 'info', 'warn', 'debug'] as const) jest.spyOn(console, m).mockImplementation(() => undefined);
    });
    afterEach(() => jest.restoreAllMocks());

    it.each(blocks.filter((b) => b.run).map((b) => [b.where, b] as const))('%s', async (_where, block) => {
      await runExample(instrument(block.code).code);
    });
  });
});

describe('the claim conventions', () => {
  it('read literal comments (plain, →, Right/Left, multi-line) and leave prose alone', () => {
    expect(expectedOf('[1, "a", { b: -2, c: null }]')).toEqual({ kind: 'value', source: '[1, "a", { b: -2, c: null }]' });
    expect(expectedOf("→ { a: 'x' }")).toEqual({ kind: 'value', source: "{ a: 'x' }" });
    expect(expectedOf("Right({ a: 1 })")).toEqual({ kind: 'right', source: '{ a: 1 }' });
    expect(expectedOf("Left(['e'])")).toEqual({ kind: 'left', source: "['e']" });
    expect(expectedOf('undefined')).toEqual({ kind: 'value', source: 'undefined' });
    expect(expectedOf('token is masked')).toBeUndefined();
    expect(expectedOf('Right({ handler })')).toBeUndefined();
    const { code, claims } = instrument("f(1); // { a: 1,\n//   b: 2 }\nx === 1;\nconst y = g(); // [1]\nh(); // prose here\n");
    expect(claims).toBe(3);
    expect(code).toContain("__expect((f(1)), 'value', ({ a: 1, b: 2 })");
    expect(code).toContain("__expect((x === 1), 'value', true");
    expect(code).toContain("__expect(y, 'value', ([1])");
    expect(code).toContain('h(); // prose here');
  });

  it('a false claim fails the run', async () => {
    await expect(runExample(instrument("import { escapeCQ } from 'onebot-rx/protocol';\nescapeCQ('[');  // '['\n").code)).rejects.toThrow(/claim failed/);
    await expect(runExample(instrument("import { escapeCQ } from 'onebot-rx/protocol';\nescapeCQ('[') === '[';\n").code)).rejects.toThrow(/claim failed/);
    await expect(runExample(instrument("import { decodeFrame } from 'onebot-rx/protocol';\ndecodeFrame('{'); // Right({})\n").code)).rejects.toThrow(/claim failed \(tag\)/);
    await expect(runExample(instrument("import { escapeCQ } from 'onebot-rx/protocol';\nescapeCQ('['); // '&#91;'\n").code)).resolves.toBeUndefined();
  });
});
