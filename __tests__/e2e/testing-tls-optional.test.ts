import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the built testing module without its optional TLS libraries (npm test builds it first)', () => {
  it('serves plain HTTP as before, and refuses tls with a code and the install command', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [fileURLToPath(new URL('./fixtures/without-tls-libraries.mjs', import.meta.url))],
        { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' }, timeout: 60_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    expect(JSON.parse(stdout)).toEqual({
      plainStatus: 200,
      tls: {
        code: 'testing_tls_library_missing',
        message:
          'TLS in the testing server needs the packages pkijs and asn1js, which are not installed: ' +
          'npm install --save-dev pkijs asn1js',
      },
    });
  });
});
