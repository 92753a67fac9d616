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
  // Workspace packages (packages/*) import the SDK by name; tests run it from source.
  moduleNameMapper: { '^onebot-rx$': '<rootDir>/src/index.ts', '^onebot-rx/protocol$': '<rootDir>/src/protocol-entry.ts', '^onebot-rx/world$': '<rootDir>/src/world-entry.ts', '^onebot-rx/server$': '<rootDir>/src/server.ts' },
};

export default config;
