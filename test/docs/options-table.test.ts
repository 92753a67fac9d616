import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_OPTION_SECTIONS, DEFAULT_CLIENT_OPTIONS } from '../../src/client/options';

/** The README's options tables are held to the options object: same names, same sections, same defaults. */

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Options\n'), readme.indexOf('\n## ', readme.indexOf('## Options\n') + 5));

/** `{ heading: [[name, default cell], ...] }` from the `#### Heading` tables. */
const tables = (): Record<string, [string, string][]> => {
  const out: Record<string, [string, string][]> = {};
  let heading = '';
  for (const line of section.split('\n')) {
    const h = /^#### (.+)$/.exec(line);
    if (h) heading = h[1]!.replace(/^[A-Z]/, (c) => c.toLowerCase());
    const row = /^\| `([A-Za-z]+)` \| .*? \| (.*?) \| .* \|$/.exec(line);
    if (row && heading !== '') (out[heading] ??= []).push([row[1]!, row[2]!]);
  }
  return out;
};

describe('README options tables', () => {
  it('list every option once, in the sections and order of CLIENT_OPTION_SECTIONS', () => {
    const found = Object.fromEntries(Object.entries(tables()).map(([h, rows]) => [h, rows.map(([name]) => name)]));
    expect(found).toEqual(CLIENT_OPTION_SECTIONS);
  });

  it('state the default of every option with a plain default', () => {
    const defaults = DEFAULT_CLIENT_OPTIONS as Record<string, unknown>;
    for (const rows of Object.values(tables())) {
      for (const [name, cell] of rows) {
        const d = defaults[name];
        // url has no default since other transports may replace it (`transports`): it is a '—' cell.
        if (typeof d === 'number') expect(cell.startsWith(`\`${d}\``)).toBe(true);
        else if (typeof d === 'string') expect(cell).toBe(`\`'${d}'\``);
        else if (typeof d === 'boolean') expect(cell).toBe(`\`${d}\``);
        else if (d === undefined) expect(cell === '—' || cell.startsWith('— ') || cell.startsWith('`isomorphic-ws`') || cell.startsWith('console') || cell.startsWith("`'OneBot/11")).toBe(true);
      }
    }
  });
});
