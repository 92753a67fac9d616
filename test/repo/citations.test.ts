/**
 * Everything the repository cites is in the repository: a reader of a clone can follow every
 * reference. Checked in every text file of the repo:
 * - Markdown files named anywhere (`docs/protocol.md §4.3`, `FINDINGS.md F5`, `[x](../y.md)`) exist.
 * - Source paths (`src/transport/socket-factory.ts`, `codecs/common.ts:59`, `types.ts:101`) exist.
 * - No issue numbers ("issue 7 §1"): the issue tracker is not part of the repo; say what the
 *   requirement is, or cite the docs that hold it.
 * - No paths of one machine (`/work/...`, `/home/...`).
 * In code files only comments are read: strings there are data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';

const ROOT = join(__dirname, '../..');


/** Text files of the repo: tracked, plus new files not ignored (so a new file is checked before its commit). */
const repoFiles: string[] = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && existsSync(join(ROOT, f)));

const TEXT = /\.(?:ts|mts|cts|mjs|cjs|js|md|sh|py|html|json|yml|yaml|toml)$|(?:^|\/)(?:run|LICENSE)$/;
/** This file quotes bad citations on purpose (its own probes). */
const SELF = 'test/repo/citations.test.ts';
const checked = repoFiles.filter((f) => TEXT.test(f) && !f.endsWith('package-lock.json') && f !== SELF);

/**
 * The prose of a line: all of it in Markdown and plain text; in code, only its comment (citations
 * live in comments; strings in code are data, such as a test's `/tmp/a.mp3`).
 */
const proseOf = (file: string, text: string): string => {
  if (!/\.(?:ts|mts|cts|mjs|cjs|js|py|sh)$|(?:^|\/)run$/.test(file)) return text;
  const hash = /\.(?:py|sh)$|(?:^|\/)run$/.test(file);
  const trimmed = text.trim();
  if (hash) return trimmed.startsWith('#') ? trimmed : (/\s#\s.*$/.exec(text)?.[0] ?? '');
  if (/^(?:\/\/|\/\*|\*)/.test(trimmed)) return trimmed;
  return /\s\/\/\s.*$/.exec(text)?.[0] ?? '';
};

const basenames = new Set(repoFiles.map((f) => basename(f)));

/** Whether a cited path names a file of the repo: from the root, from the citing file, or as the tail of a repo path. */
const exists = (cited: string, from: string): boolean => {
  if (existsSync(join(ROOT, cited)) || existsSync(join(ROOT, dirname(from), cited))) return true;
  const tail = normalize(cited).replace(/^(?:\.\.?\/)+/, '');
  return repoFiles.some((f) => f === tail || f.endsWith(`/${tail}`));
};

/** Paths that are produced, installed or external, never files of the repo. */
const GENERATED = /(?:^|\/)(?:dist|node_modules|\.cache|\.interop|logs|coverage|api)\//;

interface Offence {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

/** The offences in `content`, as if it were the repo file `file`. */
const scan = (file: string, content: string): Offence[] => {
  const out: Offence[] = [];
  content
    .split('\n')
    .forEach((text, i) => {
      const at = (why: string): void => void out.push({ file, line: i + 1, text: text.trim().slice(0, 140), why });
      // URLs point elsewhere on purpose; look only at the rest of the line.
      const line = proseOf(file, text).replace(/\b[a-z][a-z+]*:\/\/\S+/gi, ' ');
      for (const m of line.matchAll(/\bissues? #?\d+/gi)) at(`cites an issue number ("${m[0]}"), which is not in the repo`);
      for (const m of line.matchAll(/(?<![\w.])\/(?:work|home)\/[\w./-]*/g)) at(`cites a path outside the repo (${m[0]})`);
      // Markdown files, by name or path.
      for (const m of line.matchAll(/(?<![\w./-])((?:\.{1,2}\/)*(?:[\w-]+\/)*[\w-]+(?:\.[\w-]+)*\.md)\b/g)) {
        const cited = m[1]!;
        if (GENERATED.test(cited)) continue;
        if (cited.includes('/') ? !exists(cited, file) : !basenames.has(cited)) at(`cites ${cited}, which is not in the repo`);
      }
      // Bare FIELD-NOTES (the team's notes were cited without the extension).
      for (const m of line.matchAll(/\bFIELD-NOTES\b(?!\.md)/g)) at(`cites ${m[0]}, which is not in the repo`);
      // Source files by path (`src/x/y.ts`, `codecs/common.ts:59`) or by name with a line (`types.ts:101`).
      for (const m of line.matchAll(/(?<![\w./-])((?:\.{1,2}\/)*(?:[\w-]+\/)+[\w.-]+\.(?:ts|mts|mjs|cjs|sh|py))\b/g)) {
        const cited = m[1]!;
        if (GENERATED.test(cited)) continue;
        if (!exists(cited, file)) at(`cites ${cited}, which is not in the repo`);
      }
      for (const m of line.matchAll(/(?<![\w./-])([\w-]+(?:\.[\w-]+)*\.(?:ts|mjs|sh|py)):\d+/g)) {
        if (!basenames.has(m[1]!)) at(`cites ${m[0]}, which is not in the repo`);
      }
    });
  return out;
};

const offencesIn = (file: string): Offence[] => scan(file, readFileSync(join(ROOT, file), 'utf8'));

describe('citations', () => {
  it('covers the repo (docs, sources, tests, bench, examples, scripts)', () => {
    expect(checked.length).toBeGreaterThan(100);
    for (const f of ['README.md', 'docs/protocol.md', 'docs/interop.md', 'src/protocol/cq.ts', 'test/reliability/FINDINGS.md', 'bench/README.md', '.ci/run']) {
      expect(checked).toContain(f);
    }
  });

  it('every file cited by a file of the repo is in the repo, and no issue numbers are cited', () => {
    const offences = checked.flatMap(offencesIn);
    const report = offences.map((o) => `${o.file}:${o.line}: ${o.why}\n    ${o.text}`).join('\n');
    expect(report).toBe('');
  });

  it('catches what it is meant to catch, and leaves URLs and existing files alone', () => {
    const why = (text: string): string[] => scan('docs/probe.md', text).map((o) => o.why);
    expect(why('see PROTOCOL.md §3.7')).toEqual(['cites PROTOCOL.md, which is not in the repo']);
    expect(why('FIELD-NOTES suggests it')).toEqual(['cites FIELD-NOTES, which is not in the repo']);
    expect(why('as issue 7 §1 requires')).toEqual(['cites an issue number ("issue 7"), which is not in the repo']);
    expect(why('read /work/shared/onebot11/PROTOCOL.md')).toContain('cites a path outside the repo (/work/shared/onebot11/PROTOCOL.md)');
    expect(why('in src/client/nowhere.ts and gone.ts:12')).toEqual([
      'cites src/client/nowhere.ts, which is not in the repo',
      'cites gone.ts:12, which is not in the repo',
    ]);
    expect(why('see docs/protocol.md §3.7, [guide](guides/browser.md), FINDINGS.md F5, codecs/common.ts:59, cq.ts:4')).toEqual([]);
    expect(why('https://github.com/botuniverse/onebot-11/blob/master/PROTOCOL.md')).toEqual([]);
    expect(why('built into dist/index.d.ts and examples/browser/dist/main.js')).toEqual([]);
    // In code, only comments count.
    expect(scan('src/probe.ts', "const f = 'PROTOCOL.md'; // see docs/protocol.md §2").map((o) => o.why)).toEqual([]);
    expect(scan('src/probe.ts', ' * as PROTOCOL.md §2 says').map((o) => o.why)).toEqual(['cites PROTOCOL.md, which is not in the repo']);
    expect(scan('src/probe.ts', "x(); // issue 3").map((o) => o.why)).toEqual(['cites an issue number ("issue 3"), which is not in the repo']);
  });
});
