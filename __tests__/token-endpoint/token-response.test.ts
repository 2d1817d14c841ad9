import { afterEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { createTokenProvider, isBookableAuthError } from '../../src/index.js';
import {
  CLIENT,
  expectScriptedRequestsMade,
  TENANT,
  TOKEN_BODY,
} from '../helpers/token-endpoint.js';

// Short, for the table below.
const ok = TOKEN_BODY;

afterEach(expectScriptedRequestsMade);

describe('malformed success responses', () => {
  const cases: Array<[string, number | string, unknown, string]> = [
    ['HTML from a proxy', 200, '<!DOCTYPE html><html>login</html>', 'not JSON'],
    ['a JSON array', 200, [ok], 'not a JSON object'],
    ['no access_token', 200, { token_type: 'Bearer', expires_in: 3600 }, '`access_token`'],
    ['an empty access_token', 200, { ...ok, access_token: '' }, '`access_token`'],
    ['token_type MAC', 200, { ...ok, token_type: 'mac' }, '`token_type` is "mac"'],
    ['no token_type', 200, { access_token: 'x', expires_in: 3600 }, '`token_type` is missing'],
    ['expires_in 0', 200, { ...ok, expires_in: 0 }, '`expires_in` is 0'],
    ['negative expires_in', 200, { ...ok, expires_in: -5 }, '`expires_in` is -5'],
    ['non-numeric expires_in', 200, { ...ok, expires_in: 'soon' }, '`expires_in` is "soon"'],
    ['a scope that is not a string', 200, { ...ok, scope: ['a'] }, '`scope`'],
    [
      'no lifetime at all',
      200,
      { access_token: 'opaque', token_type: 'Bearer' },
      'no usable lifetime',
    ],
  ];
  it.each(cases)(
    'rejects %s with a clear invalid_token_response and does not cache it',
    async (_name, status, body, says) => {
      nock(TENANT)
        .post('/oauth/token')
        .reply(Number(status), body as nock.Body);
      nock(TENANT).post('/oauth/token').reply(200, ok);
      const provider = createTokenProvider(CLIENT);
      const error = await provider.getToken().catch((e: unknown) => e);
      expect(isBookableAuthError(error) && error.code).toBe('invalid_token_response');
      expect((error as Error).message).toContain(says);
      // Not retried, not cached: the next caller starts a new request and gets a good token.
      await expect(provider.getToken()).resolves.toBe('opaque-access-token-1');
    },
  );

  it('accepts expires_in as a numeric string and token_type in any case', async () => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, { ...ok, token_type: 'bearer', expires_in: '7200' });
    const info = await createTokenProvider(CLIENT).getTokenInfo();
    expect(info.expiresIn).toBe(7200);
  });
});
