import { describe, expect, it } from '@jest/globals';
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  createTokenProvider,
  isBookableAuthError,
  type TokenProviderOptions,
} from '../../src/index.js';
import { resolveEncryptionKey } from '../../src/options/keys.js';
import { TOKEN_URL } from '../helpers/token-endpoint.js';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const base = {
  clientId: 'client-1',
  tokenUrl: TOKEN_URL,
  clientAuthentication: 'private_key_jwt' as const,
};

describe('privateKey', () => {
  const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
  it.each([
    [
      'a public key',
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      'is a public key',
    ],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'use an RSA key'],
    [
      'a 1024-bit RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
      'at least 2048 bits',
    ],
    ['an RSA-PSS key with RS256', rsaPss, "set `algorithm: 'PS256'`"],
    ['garbage', 'not a key', 'not a readable private key'],
  ])('refuses %s at creation with invalid_options', (_name, key, says) => {
    let error: unknown;
    try {
      createTokenProvider({ ...base, privateKey: key } as TokenProviderOptions);
    } catch (e) {
      error = e;
    }
    expect(isBookableAuthError(error) && error.code).toBe('invalid_options');
    expect((error as Error).message).toContain(says);
  });
});

describe('storeEncryptionKey', () => {
  it('takes 32 bytes or a 32-byte secret KeyObject', () => {
    expect(resolveEncryptionKey(randomBytes(32))?.symmetricKeySize).toBe(32);
    expect(resolveEncryptionKey(createSecretKey(randomBytes(32)))?.symmetricKeySize).toBe(32);
  });

  it('refuses a private key with a fix', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => resolveEncryptionKey(privateKey)).toThrow(/must be a secret key.*openssl rand/);
  });
});
