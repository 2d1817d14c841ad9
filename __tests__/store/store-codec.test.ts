import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { resolveEncryptionKey } from '../../src/options/keys.js';
import { createStoreCodec, storeKey } from '../../src/store/store-codec.js';

const identity = {
  tokenUrl: 'https://tenant.example.auth0.com/oauth/token',
  clientId: 'client-1',
  audience: 'api.bookabletech.com',
  scope: undefined,
};
const response = {
  accessToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMUBjbGllbnRzIn0.c2lnbmF0dXJl',
  requestedAtMs: Date.parse('2026-01-01T00:00:00Z'),
  expiresIn: 3600,
  scope: 'venue:read',
};

describe('the store key', () => {
  it('differs for every token URL, client, audience and scope, and is a fixed-length hash', () => {
    const keys = new Set([
      storeKey(identity, undefined),
      storeKey({ ...identity, tokenUrl: 'https://other.example.auth0.com/oauth/token' }, undefined),
      storeKey({ ...identity, clientId: 'client-2' }, undefined),
      storeKey({ ...identity, audience: 'api.example.com' }, undefined),
      storeKey({ ...identity, scope: 'venue:read' }, undefined),
      storeKey(identity, resolveEncryptionKey(randomBytes(32))),
    ]);
    expect(keys.size).toBe(6);
    for (const key of keys) expect(key).toMatch(/^token:[\w-]{43}$/);
  });

  it('does not shift when fields are joined differently (no ambiguous concatenation)', () => {
    expect(storeKey({ ...identity, clientId: 'a', audience: 'bc' }, undefined)).not.toBe(
      storeKey({ ...identity, clientId: 'ab', audience: 'c' }, undefined),
    );
  });
});

describe('stored values', () => {
  it('round-trip a token response, plain', async () => {
    const codec = createStoreCodec('token:k', undefined);
    expect(await codec.decode(await codec.encode(response))).toEqual(response);
  });

  it('are a JWE (dir, A256GCM) that hides the token when encrypted, and round-trip', async () => {
    const key = resolveEncryptionKey(randomBytes(32));
    const codec = createStoreCodec('token:k', key);
    const value = await codec.encode(response);
    expect(value.split('.')).toHaveLength(5);
    expect(value).not.toContain(response.accessToken.split('.')[1]);
    expect(await codec.decode(value)).toEqual(response);
  });

  it('fail to decrypt under another key', async () => {
    const value = await createStoreCodec('token:k', resolveEncryptionKey(randomBytes(32))).encode(
      response,
    );
    await expect(
      createStoreCodec('token:k', resolveEncryptionKey(randomBytes(32))).decode(value),
    ).rejects.toThrow();
  });

  it('are refused under another key than the one they were written for', async () => {
    const value = await createStoreCodec('token:a', undefined).encode(response);
    expect(await createStoreCodec('token:b', undefined).decode(value)).toBeUndefined();
  });

  it.each([['not json'], ['{"v":1}'], ['null'], [JSON.stringify({ v: 2, key: 'token:k' })]])(
    'read %s as nothing',
    async (value) => {
      expect(await createStoreCodec('token:k', undefined).decode(value)).toBeUndefined();
    },
  );
});
