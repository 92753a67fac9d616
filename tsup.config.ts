import { defineConfig } from 'tsup';

export default defineConfig({
  // cli: the `onebot-rx` bin (dist/cli.cjs); its hashbang comes from src/cli/main.ts.
  entry: { index: 'src/index.ts', server: 'src/server.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
});
