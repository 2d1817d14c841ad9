import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/modules-loaded.mjs', import.meta.url));

/** The jose modules the built package resolves at import, and when a provider is created. */
function joseModules(variant: string): Promise<{ atImport: string[]; atCreation: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fixture, variant],
      { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' }, timeout: 20_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe('what importing the package loads', () => {
  it('loads only JWT decoding from jose, nothing for encryption or signing', async () => {
    const { atImport, atCreation } = await joseModules('plain');
    expect(atImport).toContain('util/decode_jwt.js');
    expect(atImport.filter((m) => /^(jwe|jws|jwt|jwk|jwks|key)\//.test(m))).toEqual([]);
    expect(atCreation).toEqual([]);
  });

  it('loads JWE when a provider encrypts its store, as it is created', async () => {
    const { atImport, atCreation } = await joseModules('encrypted-store');
    expect(atImport).not.toContain('jwe/compact/encrypt.js');
    expect(atCreation).toEqual(
      expect.arrayContaining(['jwe/compact/encrypt.js', 'jwe/compact/decrypt.js']),
    );
    expect(atCreation).not.toContain('jwt/sign.js');
  });

  it('loads JWT signing for private_key_jwt, as the provider is created', async () => {
    const { atImport, atCreation } = await joseModules('private-key-jwt');
    expect(atImport).not.toContain('jwt/sign.js');
    expect(atCreation).toContain('jwt/sign.js');
    expect(atCreation.filter((m) => m.startsWith('jwe/'))).toEqual([]);
  });
});
