/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// The interop suite: real OneBot v11 application servers (installed into .interop/
// by scripts/interop-setup.sh) driven over 127.0.0.1. Peers are child processes,
// so files run one at a time and every wait inside the tests is bounded.
const config: Config = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test/interop'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  testPathIgnorePatterns: ['/node_modules/', '/.interop/'],
  modulePathIgnorePatterns: ['<rootDir>/.interop/'],
  testTimeout: 120_000,
  maxWorkers: 1,
};

export default config;
