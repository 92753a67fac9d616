import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { VERSION } from '../../src/version';
import { DEFAULT_USER_AGENT, LIBRARY_VERSION } from '../../src/transport/socket-factory';

describe('version constant', () => {
  it("equals package.json's version (bump both together)", () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(LIBRARY_VERSION).toBe(pkg.version);
    expect(DEFAULT_USER_AGENT).toBe(`OneBot/11 onebot-rx/${pkg.version}`);
  });
});
