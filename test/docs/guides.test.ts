/**
 * The TypeScript snippets of every page under docs/ (the guides, interop.md, architecture.md, and
 * any page added later; docs/api/ is generated and left out) are real: each one (imports aside,
 * `// ...` lines split it into pieces) appears line for line in a tested example (examples/**,
 * type-checked by `npm run typecheck` and run by test/examples) or a TSDoc `@example` block
 * (type-checked and run by examples-in-tsdoc.test.ts). The guides link only to guides that exist,
 * and every guide is listed in typedoc.json.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, extractExamples } from './tsdoc-examples';

const GUIDES = join(ROOT, 'docs/guides');
const guideFiles = readdirSync(GUIDES).filter((f) => f.endsWith('.md'));

/** Every Markdown page under docs/, as a path relative to docs/ (docs/api/ is typedoc's output). */
const docPages = (dir = join(ROOT, 'docs')): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return p === join(ROOT, 'docs/api') ? [] : docPages(p);
    return d.name.endsWith('.md') ? [p.slice(join(ROOT, 'docs').length + 1)] : [];
  });

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'dist' ? [] : filesUnder(join(dir, d.name))) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** Each source as its trimmed non-empty lines. */
const sources: { name: string; lines: string[] }[] = [
  ...filesUnder(join(ROOT, 'examples')).map((f) => ({ name: f.slice(ROOT.length + 1), lines: lines(readFileSync(f, 'utf8')) })),
  ...extractExamples().map((b) => ({ name: b.where, lines: lines(b.code) })),
];

const contains = (haystack: string[], needle: string[]): boolean => {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

const snippets = docPages().flatMap((file) =>
  [...readFileSync(join(ROOT, 'docs', file), 'utf8').matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)].map((m, i) => ({ where: `docs/${file} snippet ${i + 1}`, code: m[1]! })),
);

describe('docs/ TypeScript snippets', () => {
  it('are found in every page that has them, guides and interop.md included', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(22);
    const pages = new Set(snippets.map((s) => s.where.replace(/ snippet \d+$/, '')));
    expect(pages).toContain('docs/interop.md');
    expect(pages).toContain('docs/guides/streams-and-operators.md');
    // Every page under docs/ is read (a new page is covered without touching this test).
    expect(docPages()).toEqual(expect.arrayContaining(['interop.md', 'architecture.md', 'guides/browser.md', 'guides/reconnect-and-outbox.md']));
  });

  it.each(snippets.map((s) => [s.where, s] as const))('%s is copied from a tested example', (_where, snippet) => {
    const body = lines(snippet.code).filter((l) => !l.startsWith('import '));
    // An elision line splits the snippet into pieces, each of which must be found.
    const pieces: string[][] = [[]];
    for (const l of body) {
      if (/^\/\/ \.\.\.$/.test(l)) pieces.push([]);
      else pieces.at(-1)!.push(l);
    }
    for (const piece of pieces.filter((p) => p.length > 0)) {
      const found = sources.filter((s) => contains(s.lines, piece)).map((s) => s.name);
      expect({ piece: piece.join('\n'), found: found.length > 0 }).toEqual({ piece: piece.join('\n'), found: true });
    }
    // Users copy these: imports name the package, never the repository's src/.
    for (const l of lines(snippet.code).filter((x) => x.startsWith('import '))) expect(l).not.toMatch(/from '\.\.?\//);
  });

});

describe('docs/guides', () => {
  it('link only to files that exist', () => {
    for (const file of guideFiles) {
      const text = readFileSync(join(GUIDES, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\((\.\/[^)#]+)/g)) expect(`${file} → ${target}: ${existsSync(join(GUIDES, target!))}`).toBe(`${file} → ${target}: true`);
    }
  });

  it('are all in the typedoc project documents', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as { projectDocuments: string[] };
    const guides = guideFiles.map((f) => `docs/guides/${f}`);
    expect([...config.projectDocuments].sort()).toEqual(guides.sort());
  });
});
