import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/browser-build.mjs', import.meta.url));

interface Loaded {
  entry: string;
  outside: string[];
  attempts: Record<string, { guarded: boolean; code: string; message: string } | 'created'>;
}

/** The built package as a bundler for browsers resolves it: the "browser" condition. */
function loadAsBrowser(): Promise<Loaded> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=browser', fixture],
      { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' }, timeout: 20_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe('the package in a browser bundle', () => {
  it('loads nothing of Node and refuses to create a provider, saying why', async () => {
    const { entry, outside, attempts } = await loadAsBrowser();
    expect(entry).toBe('dist/browser.js');
    expect(outside).toEqual([]); // no node:crypto, no jose, no p-retry, no axios
    for (const name of ['createTokenProvider', 'attachBookableAuth']) {
      expect(attempts[name]).toEqual({
        guarded: true,
        code: 'unsupported_environment',
        message: expect.stringContaining('readable by anyone who loads the page'),
      });
    }
  });
});
