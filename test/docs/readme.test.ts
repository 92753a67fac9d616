/**
 * README.md's TypeScript blocks are real code: each type-checks against the public entries
 * (`onebot-rx`, `onebot-rx/server`), so the front page cannot drift from the API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { EXIT_CODE_MEANINGS, ExitCode } from '../../src/cli/io';
import { ROOT, asTypeCheckedModule } from './tsdoc-examples';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string>; files: string[] };
const run = promisify(execFile);

/** The `sh` blocks of a README section, each as its command lines (comments and blanks dropped). */
const shellBlocks = (heading: string): string[][] => {
  const section = new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## )`, 'm').exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]!
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l !== ''),
  );
};

/** Type-checks README blocks as files of a project whose module kind is `module`. */
const typeCheck = (codes: string[], module: 'esm' | 'commonjs', tag: string): string[] => {
  const dir = join(ROOT, `node_modules/.cache/onebot-rx-readme-${tag}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = codes.map((code, i) => {
    const file = join(dir, `readme-${i}.ts`);
    writeFileSync(file, asTypeCheckedModule(code));
    return file;
  });
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(files, {
    ...config.options,
    ...(module === 'commonjs' ? { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 } : {}),
    noEmit: true,
    baseUrl: ROOT,
    paths: { 'onebot-rx': ['src/index.ts'], 'onebot-rx/server': ['src/server.ts'] },
  });
  return files.flatMap((file, i) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `README block ${i} line ${pos ? pos.line : '?'}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }),
  );
};

describe('README.md', () => {
  it('opens with the two commands: the demo and the tests', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['npm install && npm run demo', 'npm test']);
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
    expect(typeCheck(blocks, 'esm', 'esm')).toEqual([]);
  }, 60_000);

  it('is right about module kinds: the tour needs an ES module, its CommonJS form compiles as CommonJS', () => {
    const tour = /## 30-second tour\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commonjs = /In \*\*CommonJS\*\*[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(tour).toMatch(/^await /m);
    expect(commonjs).not.toMatch(/^await /m);
    expect(readme).toMatch(/The tour is an \*\*ES module\*\*/);
    // TS1378: top-level await needs an ES module target; exactly that, nothing else, fails.
    const tourAsCommonJs = typeCheck([tour], 'commonjs', 'tour-cjs');
    expect(tourAsCommonJs.length).toBeGreaterThan(0);
    expect(tourAsCommonJs.filter((p) => !/TS1378 /.test(p))).toEqual([]);
    expect(typeCheck([commonjs], 'commonjs', 'cjs')).toEqual([]);
  }, 60_000);

  describe('command-line section', () => {
    const [installed, clone] = shellBlocks('Command line');

    it('shows each command for an installed package (npx) and for a clone (npm run cli --)', () => {
      expect(installed!.every((l) => l.startsWith('npx onebot-rx '))).toBe(true);
      expect(clone!.every((l) => l.startsWith('npm run cli -- '))).toBe(true);
      expect(clone!.map((l) => l.replace('npm run cli -- ', ''))).toEqual(installed!.map((l) => l.replace('npx onebot-rx ', '')));
      expect(pkg.scripts['cli']).toBe('node -r esbuild-register src/cli/main.ts');
      // The npx form is run from an installed tarball by scripts/check-package.sh (npm run test:package).
      expect(readFileSync(join(ROOT, 'scripts/check-package.sh'), 'utf8')).toMatch(/^timeout \d+ npx --no onebot-rx demo --port 0/m);
    });

    it('runs in a clone: npm run cli -- demo (on a free port) exits 0', async () => {
      const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'demo', '--port', '0'], { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(stdout).toMatch(/^demo ok: 2 bots/m);
    }, 70_000);

    it.each(['serve', 'connect'])('runs in a clone: npm run cli -- %s (its help, as the flags shown exist)', async (command) => {
      const line = clone!.find((l) => l.startsWith(`npm run cli -- ${command} `))!;
      const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', command, '--help'], { cwd: ROOT, timeout: 60_000 });
      expect(stdout).toContain(`Usage: onebot-rx ${command}`);
      for (const flag of line.match(/--[a-z-]+/g) ?? []) expect(stdout).toContain(flag);
    }, 70_000);
  });

  it('lists every exit code of the command, the ones ExitCode and --help know', () => {
    const section = /^## Command line\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    const listed = [...section.matchAll(/^\| `(\d+)` \| (.+) \|$/gm)].map((m) => Number(m[1]));
    expect(listed).toEqual(Object.values(ExitCode));
    expect(Object.keys(EXIT_CODE_MEANINGS).map(Number)).toEqual(Object.values(ExitCode));
  });

  describe('install section (before publication)', () => {
    const [commands] = shellBlocks('Installing before publication');
    const check = readFileSync(join(ROOT, 'scripts/check-package.sh'), 'utf8');

    it('packs with npm pack, which builds first (prepack), and names the tarball npm makes', () => {
      expect(commands).toContain('npm install && npm pack');
      expect(pkg.scripts['prepack']).toBe('npm run build');
      expect(commands).toContain(`npm install ../onebot-rx/${pkg.name}-${pkg.version}.tgz`);
      expect(commands).toContain('npm install ../onebot-rx');
    });

    it('both ways (tarball, path) are what npm run test:package installs and runs, LICENSE included', () => {
      expect(check).toMatch(/npm pack --silent --pack-destination/);
      expect(check).toMatch(/npm install --silent --no-audit --no-fund "\$work\/\$tarball"/);
      expect(check).toMatch(/npm install --silent --no-audit --no-fund "\$root"/);
      expect(check).toMatch(/package\/LICENSE/);
      expect(pkg.files).toContain('LICENSE');
      expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} onebot-rx contributors\n/);
    });
  });
});
