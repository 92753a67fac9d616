import { defineConfig } from 'tsup';

export default defineConfig({
  // cli: the `onebot-rx` bin (dist/cli.cjs); its hashbang comes from src/cli/main.ts.
  entry: { index: 'src/index.ts', protocol: 'src/protocol-entry.ts', world: 'src/world-entry.ts', server: 'src/server.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Shared chunks: `onebot-rx` and `onebot-rx/server` must share one OneBotError class (instanceof).
  splitting: true,
  treeshake: true,
  // fp-ts ships no ESM that Node can load by subpath (`fp-ts/Either` is a directory import), so the
  // few Either/function helpers we use are bundled in; io-ts keeps its own fp-ts dependency.
  noExternal: [/^fp-ts(\/|$)/],
});
