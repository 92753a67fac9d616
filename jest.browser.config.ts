/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';
import base from './jest.config';

/** The headless-Chromium suite: `npm run test:browser` (needs Debian's chromium at /usr/bin/chromium). */
const config: Config = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  roots: ['<rootDir>/test/browser'],
  testTimeout: 60000,
};

export default config;
