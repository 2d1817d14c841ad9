import { describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { attachBookableAuth, createTokenProvider, isBookableAuthError } from '../../src/index.js';
import { stubProvider } from '../helpers/stub.js';

describe('attach options are validated at attach time', () => {
  it.each([
    [['https://api.example.com/v1'], 'no path'],
    [['api.example.com'], 'not an absolute URL'],
    [[], 'non-empty array'],
    [['ftp://api.example.com'], 'http(s) origin'],
  ])('rejects allowedOrigins %j at attach time', (allowedOrigins, says) => {
    expect(() =>
      attachBookableAuth(axios.create(), { tokenProvider: stubProvider(), allowedOrigins }),
    ).toThrow(says);
  });

  it('rejects a relative instance baseURL at attach time, asking for allowedOrigins', () => {
    expect(() =>
      attachBookableAuth(axios.create({ baseURL: '/api' }), { tokenProvider: stubProvider() }),
    ).toThrow('`allowedOrigins`');
  });

  it('refuses both a tokenProvider and provider options', () => {
    expect(() =>
      attachBookableAuth(axios.create(), { tokenProvider: stubProvider(), clientId: 'x' } as never),
    ).toThrow('either `tokenProvider` or provider options');
  });
});

describe('a shared provider', () => {
  it.each(['store', 'retry', 'logger', 'timeoutMs', 'keyId', 'onTokenRefreshed', 'clientId'])(
    'refuses the provider option %s next to tokenProvider instead of ignoring it',
    (key) => {
      const tokenProvider = createTokenProvider({
        clientId: 'client-1',
        clientSecret: 'test-secret-value',
      });
      let error: unknown;
      try {
        attachBookableAuth(axios.create(), { tokenProvider, [key]: {} } as never);
      } catch (e) {
        error = e;
      }
      expect(isBookableAuthError(error) && error.code).toBe('invalid_options');
      expect((error as Error).message).toContain(`not both (also got \`${key}\`)`);
    },
  );
});
