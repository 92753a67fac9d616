/**
 * `npm test` output stays clean: a test that lets something reach the console fails, naming what
 * was printed. Tests that expect output capture it (`jest.spyOn(console, 'warn')`) and assert on it.
 */
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const printed: string[] = [];
const originals = new Map<string, (...args: unknown[]) => void>();

beforeEach(() => {
  printed.length = 0;
  for (const m of METHODS) {
    originals.set(m, console[m]);
    console[m] = (...args: unknown[]): void => {
      printed.push(`console.${m}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
    };
  }
});

afterEach(() => {
  for (const m of METHODS) console[m] = originals.get(m)!;
  const leaked = printed.splice(0);
  if (leaked.length > 0) throw new Error(`unexpected console output (capture it with jest.spyOn and assert on it):\n${leaked.join('\n')}`);
});
