/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

/**
 * The reliability suite (faults, fuzzing, limits, security, soak): `npm run test:reliability`
 * (`-- --quick` / `-- --full`, or `RELIABILITY_MODE`). Runs in band under `node --expose-gc` so heap
 * figures are measured after real collections and the soak has both cores to itself.
 */
const config: Config = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  globalSetup: '<rootDir>/test/reliability/lib/global-setup.ts',
  globalTeardown: '<rootDir>/test/reliability/lib/global-teardown.ts',
  // Every test states its own bound; this is the backstop.
  testTimeout: 25 * 60 * 1000,
  maxWorkers: 1,
};

export default config;
