/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // Suites that need real peers, a browser or long runs have their own scripts.
  testPathIgnorePatterns: ['/node_modules/', '/test/interop/', '/test/browser/', '/test/reliability/'],
  testTimeout: 20000,
  // A test that prints to the console fails (expected output is captured and asserted on).
  setupFilesAfterEnv: ['<rootDir>/test/setup/quiet-console.ts'],
};

export default config;
