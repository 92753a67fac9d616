/**
 * Extracts the `@example` blocks of the TSDoc comments in src/ and turns them into programs that can
 * be type-checked (as if they imported the published package) and run with their claims checked.
 *
 * Conventions an example may use (so it reads like documentation and is still a test):
 * - `import ... from 'onebot-rx'` / `'onebot-rx/server'`: the root and server entries.
 * - `assert` (node:assert/strict) is in scope without an import.
 * - A top-level statement that is a comparison (`===`, `!==`, `&&`, `!`...) must be true.
 * - An expression (or a `const x = ...`) followed by a comment holding a literal, e.g.
 *   `f(1); // { a: 1 }`, `// → [1, 2]`, `// Right({ a: 1 })`, `// Left(['...'])`, `// undefined`,
 *   must deep-equal that literal (an Either is compared by tag and content). A comment that is not a
 *   literal (prose, or naming a variable) is prose.
 * - A block containing a `// not-run` line is type-checked but not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

export const ROOT = join(__dirname, '../..');

export interface ExampleBlock {
  /** File and line of the `@example` tag, e.g. `src/protocol/cq.ts:4`. */
  readonly where: string;
  readonly code: string;
  readonly run: boolean;
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });

/** Every `@example` block under `src/` except `src/cli/` (the command is not a library API). */
export const extractExamples = (): ExampleBlock[] => {
  const blocks: ExampleBlock[] = [];
  for (const file of sourceFiles(join(ROOT, 'src')).sort()) {
    const rel = relative(ROOT, file);
    if (rel.startsWith(join('src', 'cli') + '/')) continue;
    const text = readFileSync(file, 'utf8');
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const lines = comment[0].split('\n').map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, ''));
      const startLine = text.slice(0, comment.index).split('\n').length;
      for (let i = 0; i < lines.length; i++) {
        const tag = /@example\b(.*)$/.exec(lines[i]!);
        if (!tag) continue;
        const body: string[] = tag[1]!.trim() ? [tag[1]!.trim()] : [];
        let j = i + 1;
        for (; j < lines.length && !/^\s*@\w+/.test(lines[j]!); j++) body.push(lines[j]!);
        const code = body
          .filter((l) => !/^\s*```/.test(l))
          .join('\n')
          .trim();
        blocks.push({ where: `${rel}:${startLine + i}`, code, run: !/^\s*\/\/\s*not-run\b/m.test(code) });
        i = j - 1;
      }
    }
  }
  return blocks;
};

// --- literal comments --------------------------------------------------------------------------

type Expected = { kind: 'value'; source: string } | { kind: 'right' | 'left'; source: string };

/** Whether `node` is built from literals only (no names but `undefined`). */
const isLiteral = (node: ts.Node): boolean => {
  if (ts.isParenthesizedExpression(node)) return isLiteral(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isNumericLiteral(node)) return true;
  if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isIdentifier(node)) return node.text === 'undefined';
  if (ts.isPrefixUnaryExpression(node)) return node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand);
  if (ts.isArrayLiteralExpression(node)) return node.elements.every(isLiteral);
  if (ts.isObjectLiteralExpression(node)) {
    return node.properties.every((p) => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && isLiteral(p.initializer));
  }
  return false;
};

/** Reads a comment as an expected value, or `undefined` when it is prose. */
export const expectedOf = (comment: string): Expected | undefined => {
  const text = comment.replace(/^→\s*/, '').trim();
  if (text === '') return undefined;
  const sf = ts.createSourceFile('c.ts', `(${text});`, ts.ScriptTarget.ES2022, true);
  if ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length > 0) return undefined;
  const stmt = sf.statements[0];
  if (sf.statements.length !== 1 || stmt === undefined || !ts.isExpressionStatement(stmt)) return undefined;
  let e: ts.Expression = stmt.expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && (e.expression.text === 'Right' || e.expression.text === 'Left') && e.arguments.length === 1) {
    const arg = e.arguments[0]!;
    return isLiteral(arg) ? { kind: e.expression.text === 'Right' ? 'right' : 'left', source: arg.getText(sf) } : undefined;
  }
  return isLiteral(e) ? { kind: 'value', source: e.getText(sf) } : undefined;
};

/** The `//` comment lines right after `pos` (same line and the lines directly below), joined. */
const commentAfter = (text: string, pos: number): string => {
  // TypeScript calls the comment on the statement's own line "trailing", the ones below "leading".
  const trailing = ts.getTrailingCommentRanges(text, pos) ?? [];
  const below = ts.getLeadingCommentRanges(text, trailing.at(-1)?.end ?? pos) ?? [];
  const ranges = [...trailing, ...below];
  const parts: string[] = [];
  let last = pos;
  for (const r of ranges) {
    if (r.kind !== ts.SyntaxKind.SingleLineCommentTrivia) break;
    if (/\n\s*\n/.test(text.slice(last, r.pos))) break; // a blank line ends the run
    parts.push(text.slice(r.pos + 2, r.end).trim());
    last = r.end;
  }
  return parts.join(' ');
};

const CHECKS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);

const isCheck = (e: ts.Expression): boolean =>
  (ts.isBinaryExpression(e) && CHECKS.has(e.operatorToken.kind)) || (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken);

export interface Instrumented {
  readonly code: string;
  /** How many claims were turned into assertions. */
  readonly claims: number;
}

/**
 * Rewrites an example so that its claims are checked when it runs (see the module comment). The
 * result is TypeScript; `__expect(actual, kind, expected, where)` must be in scope.
 */
export const instrument = (code: string): Instrumented => {
  const sf = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const stmt of sf.statements) {
    const where = JSON.stringify(stmt.getText(sf).split('\n')[0]);
    const expected = expectedOf(commentAfter(code, stmt.end));
    if (ts.isExpressionStatement(stmt)) {
      const expr = stmt.expression.getText(sf);
      if (expected) {
        edits.push({ start: stmt.getStart(sf), end: stmt.end, text: `__expect((${expr}), '${expected.kind}', (${expected.source}), ${where});` });
      } else if (isCheck(stmt.expression)) {
        edits.push({ start: stmt.getStart(sf), end: stmt.end, text: `__expect((${expr}), 'value', true, ${where});` });
      }
    } else if (expected && ts.isVariableStatement(stmt) && stmt.declarationList.declarations.length === 1) {
      const name = stmt.declarationList.declarations[0]!.name;
      if (ts.isIdentifier(name)) edits.push({ start: stmt.end, end: stmt.end, text: ` __expect(${name.text}, '${expected.kind}', (${expected.source}), ${where});` });
    }
  }
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { code: out, claims: edits.length };
};

/** Makes a block a module importing what it needs from the workspace (for type-checking). */
export const asTypeCheckedModule = (code: string): string => {
  const assertImport = /\bassert\b/.test(code) && !/import[^;]*\bassert\b[^;]*from/.test(code) ? "import { strict as assert } from 'node:assert';\n" : '';
  return `${assertImport}${code}\nexport {};\n`;
};
