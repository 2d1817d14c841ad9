import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { createMemoryTokenStore } from '../../src/testing/index.js';
import { createTokenProvider, type TokenProviderOptions } from '../../src/index.js';
import { creationError } from '../helpers/creation-error.js';

const creds = { clientId: 'client-1', clientSecret: 'test-secret-value' };
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('options are validated at creation', () => {
  it.each([
    ['a missing clientId', { clientSecret: 'x' }, '`clientId` is missing'],
    ['an empty clientId', { clientId: ' ', clientSecret: 'x' }, '`clientId` is empty'],
    ['a missing clientSecret', { clientId: 'x' }, '`clientSecret` is missing'],
    ['an empty clientSecret', { clientId: 'x', clientSecret: '' }, '`clientSecret` is empty'],
    [
      'a non-string clientSecret',
      { clientId: 'x', clientSecret: 42 },
      '`clientSecret` must be a string',
    ],
    ['no options at all', undefined, 'pass at least { clientId, clientSecret }'],
    [
      'plain http to a remote host',
      { ...creds, tokenUrl: 'http://tenant.auth0.com/oauth/token' },
      'plain http',
    ],
    ['a relative tokenUrl', { ...creds, tokenUrl: '/oauth/token' }, 'not a valid absolute URL'],
    [
      'credentials in the tokenUrl',
      { ...creds, tokenUrl: 'https://u:p@tenant.auth0.com/oauth/token' },
      'must not hold credentials',
    ],
    [
      'both tokenUrl and domain',
      { ...creds, tokenUrl: 'https://a/oauth/token', domain: 'b' },
      'not both',
    ],
    ['a domain with a scheme', { ...creds, domain: 'https://tenant.eu.auth0.com' }, 'bare host'],
    [
      'an unknown tokenRequestFormat',
      { ...creds, tokenRequestFormat: 'xml' },
      "`tokenRequestFormat` must be 'form' or 'json'",
    ],
    [
      'an unknown clientAuthentication',
      { ...creds, clientAuthentication: 'private_key' },
      '`clientAuthentication`',
    ],
    [
      'a negative refreshMarginSeconds',
      { ...creds, refreshMarginSeconds: -1 },
      '`refreshMarginSeconds` must be at least 0',
    ],
    ['a zero timeoutMs', { ...creds, timeoutMs: 0 }, '`timeoutMs` must be at least 1'],
    [
      'NaN retries',
      { ...creds, retry: { retries: NaN } },
      '`retry.retries` must be a finite number',
    ],
    [
      'maxTimeout below minTimeout',
      { ...creds, retry: { minTimeout: 10, maxTimeout: 1 } },
      'below',
    ],
    ['a logger without warn', { ...creds, logger: { debug() {} } }, '`logger`'],
  ])('rejects %s with invalid_options naming the problem', (_name, options, says) => {
    const error = creationError(options);
    expect(error.code).toBe('invalid_options');
    expect(error.message).toContain(says);
  });

  it('never echoes the secret in a validation error', () => {
    const error = creationError({ ...creds, tokenUrl: 'http://remote.example/oauth/token' });
    expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain(creds.clientSecret);
  });

  it.each([
    'http://localhost:8080/oauth/token',
    'http://127.0.0.1/oauth/token',
    'http://127.10.0.3:99/oauth/token',
    'http://[::1]:3000/oauth/token',
    'https://tenant.eu.auth0.com/oauth/token',
  ])('accepts %s', (tokenUrl) => {
    expect(() => createTokenProvider({ ...creds, tokenUrl })).not.toThrow();
  });

  it('accepts domain as a shorthand for https://<domain>/oauth/token', () => {
    expect(() => createTokenProvider({ ...creds, domain: 'tenant.eu.auth0.com' })).not.toThrow();
  });
});

describe('store options', () => {
  it.each([
    [
      'a store missing methods',
      { store: { get: () => {} } },
      'missing set, setIfAbsent, compareAndDelete',
    ],
    [
      'a short encryption key',
      { store: createMemoryTokenStore(), storeEncryptionKey: new Uint8Array(16) },
      'must be 32 bytes long',
    ],
    [
      'an encryption key as a string',
      { store: createMemoryTokenStore(), storeEncryptionKey: 'secret' },
      'must be a Uint8Array',
    ],
    [
      'an encryption key without a store',
      { storeEncryptionKey: new Uint8Array(32) },
      'need a `store`',
    ],
    [
      'a zero storeTimeoutMs',
      { store: createMemoryTokenStore(), storeTimeoutMs: 0 },
      '`storeTimeoutMs` must be at least 1',
    ],
  ])('rejects %s with invalid_options', (_name, options, says) => {
    const error = creationError({ clientId: 'c', clientSecret: 'test-secret-value', ...options });
    expect(error.code).toBe('invalid_options');
    expect(error.message).toContain(says);
  });
});

describe('private_key_jwt', () => {
  it('refuses a clientSecret alongside private_key_jwt', () => {
    expect(() =>
      createTokenProvider({
        ...creds,
        clientAuthentication: 'private_key_jwt',
        privateKey,
      } as unknown as TokenProviderOptions),
    ).toThrow('`clientSecret` is not used with private_key_jwt');
  });
});
