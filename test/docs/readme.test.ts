/**
 * README.md's TypeScript blocks are real code: each type-checks against the public entries
 * (`onebot-rx`, `onebot-rx/server`), so the front page cannot drift from the API.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { ROOT, asTypeCheckedModule } from './tsdoc-examples';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('README.md', () => {
  it('opens with the two commands: the demo and the tests', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['npm install && npm run demo', 'npm test']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['demo']).toBeDefined();
    expect(pkg.scripts['test']).toBeDefined();
  });

  it('has no unfilled placeholders (tables and figures are real)', () => {
    // A placeholder is a line of its own in SHOUTING_SNAKE_CASE (BENCH_TABLE...).
    expect(readme.match(/^[A-Z]+(?:_[A-Z]+)+$/gm) ?? []).toEqual([]);
  });

  it('runs in CI exactly the verification commands it lists', () => {
    const listed = /## Verification[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = listed.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/\s+#.*$/, '').trim());
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const ran = [...ci.matchAll(/^(?:timeout \d+ )?(npm (?:test|run [^\n]+))$/gm)].map((m) => m[1]!.trim());
    expect(ran).toEqual(commands);
  });

  it('has TypeScript blocks that type-check against the public entries', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const dir = join(ROOT, 'node_modules/.cache/onebot-rx-readme');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((code, i) => {
      const file = join(dir, `readme-${i}.ts`);
      writeFileSync(file, asTypeCheckedModule(code));
      return file;
    });
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const program = ts.createProgram(files, {
      ...config.options,
      noEmit: true,
      baseUrl: ROOT,
      paths: { 'onebot-rx': ['src/index.ts'], 'onebot-rx/server': ['src/server.ts'] },
    });
    const problems = files.flatMap((file, i) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `README block ${i} line ${pos ? pos.line : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    expect(problems).toEqual([]);
  }, 60_000);
});
