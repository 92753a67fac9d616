import { defineConfig } from 'tsup';

// One CommonJS file: Artillery require()s engines. onebot-rx, ws and rxjs stay external (dependencies).
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.js' }),
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  external: ['onebot-rx', 'ws', 'rxjs'],
});
