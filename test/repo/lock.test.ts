/**
 * `npm ci` (what CI runs) refuses a lock that does not list every optional dependency of the
 * packages it holds, including other platforms' binaries (esbuild, @swc/core, rollup...). This
 * checks the committed lock lists them all, so a fresh clone on any platform installs from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

interface LockEntry {
  readonly version?: string;
  readonly optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };

/** Where Node would look for `name` from the package at `path` (itself nested, then up to the root). */
const resolves = (path: string, name: string): boolean => {
  let dir = path;
  for (;;) {
    if (lock.packages[`${dir === '' ? '' : `${dir}/`}node_modules/${name}`]) return true;
    if (dir === '') return false;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
};

describe('package-lock.json', () => {
  it('is a v3 lock of this package', () => {
    expect(lock.lockfileVersion).toBe(3);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
    expect((lock as unknown as { name: string }).name).toBe(pkg.name);
  });

  it('lists every optional dependency of every locked package, other platforms included', () => {
    const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !resolves(path, name))
        .map((name) => `${path || '(root)'} → ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('holds the binaries of platforms other than this one (the lock is not one machine\'s)', () => {
    for (const name of ['@esbuild/darwin-arm64', '@esbuild/win32-x64', '@swc/core-darwin-arm64', '@swc/core-win32-x64-msvc']) {
      expect(Object.keys(lock.packages).some((p) => p.endsWith(`node_modules/${name}`))).toBe(true);
    }
  });
});
