import { afterEach, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import nock from 'nock';
import { inspect } from 'node:util';
import {
  createTokenProvider,
  isBookableAuthError,
  type BookableAuthErrorCode,
} from '../src/index.js';

const TENANT = 'https://tenant.example.auth0.com';
const SECRET = 'test-secret-value';
const base = { clientId: 'client-1', clientSecret: SECRET, tokenUrl: `${TENANT}/oauth/token` };
const ok = { access_token: 'opaque-access-token-1', token_type: 'Bearer', expires_in: 3600 };

afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

describe('the token request on the wire', () => {
  it('sends the client-credentials grant form-encoded with the secret in the body by default', async () => {
    nock(TENANT, { badheaders: ['authorization'] })
      .post(
        '/oauth/token',
        'grant_type=client_credentials&client_id=client-1&client_secret=test-secret-value&audience=api.bookabletech.com',
      )
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .matchHeader('accept', 'application/json')
      .reply(200, ok);
    await expect(createTokenProvider(base).getToken()).resolves.toBe('opaque-access-token-1');
  });

  it('sends the documented JSON body when tokenRequestFormat is json, with the scope when set', async () => {
    nock(TENANT)
      .post('/oauth/token', (body) => {
        expect(body).toEqual({
          grant_type: 'client_credentials',
          client_id: 'client-1',
          client_secret: SECRET,
          audience: 'api.example.com',
          scope: 'venue:read venue-booking:create',
        });
        return true;
      })
      .matchHeader('content-type', 'application/json')
      .reply(200, ok);
    const provider = createTokenProvider({
      ...base,
      audience: 'api.example.com',
      scope: '  venue:read   venue-booking:create ',
      tokenRequestFormat: 'json',
    });
    await expect(provider.getToken()).resolves.toBe('opaque-access-token-1');
  });

  it('sends form-encoded credentials in a Basic header, and not in the body, for client_secret_basic', async () => {
    const expected = `Basic ${Buffer.from('client%3A1:s+cret%2F%26').toString('base64')}`;
    nock(TENANT)
      .post('/oauth/token', 'grant_type=client_credentials&audience=api.bookabletech.com')
      .matchHeader('authorization', expected)
      .reply(200, ok);
    const provider = createTokenProvider({
      ...base,
      clientId: 'client:1',
      clientSecret: 's cret/&',
      clientAuthentication: 'client_secret_basic',
    });
    await expect(provider.getToken()).resolves.toBe('opaque-access-token-1');
  });

  it('never passes through axios defaults or interceptors of the application', async () => {
    const interceptor = axios.interceptors.request.use((config) => {
      config.headers.set('x-app-interceptor', 'yes');
      return config;
    });
    axios.defaults.headers.common.Authorization = 'Bearer app-token';
    axios.defaults.baseURL = 'https://elsewhere.example';
    try {
      nock(TENANT, { badheaders: ['authorization', 'x-app-interceptor'] })
        .post('/oauth/token')
        .reply(200, ok);
      await expect(createTokenProvider(base).getToken()).resolves.toBe('opaque-access-token-1');
    } finally {
      axios.interceptors.request.eject(interceptor);
      delete axios.defaults.headers.common.Authorization;
      delete axios.defaults.baseURL;
    }
  });

  it('does not follow a redirect, so the secret cannot be forwarded to another host', async () => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(302, '', { location: 'https://attacker.example/collect' });
    const error = await createTokenProvider(base)
      .getToken()
      .catch((e: unknown) => e);
    expect(isBookableAuthError(error)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

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
      const provider = createTokenProvider(base);
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
    const info = await createTokenProvider(base).getTokenInfo();
    expect(info.expiresIn).toBe(7200);
  });
});

describe('token endpoint errors', () => {
  const cases: Array<[string, number, object, BookableAuthErrorCode, string]> = [
    [
      'invalid_client',
      401,
      { error: 'invalid_client', error_description: 'Client authentication failed' },
      'invalid_client_credentials',
      '`clientSecret`',
    ],
    [
      'access_denied Unauthorized',
      403,
      { error: 'access_denied', error_description: 'Unauthorized' },
      'invalid_client_credentials',
      '`clientId`',
    ],
    [
      'Service not found',
      403,
      { error: 'access_denied', error_description: 'Service not found: api.wrong' },
      'unknown_audience',
      '`audience`',
    ],
    [
      'Service not enabled',
      403,
      {
        error: 'access_denied',
        error_description: 'Service not enabled within domain: https://x/',
      },
      'unknown_audience',
      'Identifier',
    ],
    [
      'client not authorized',
      403,
      {
        error: 'access_denied',
        error_description:
          'Client is not authorized to access "api.bookabletech.com". You need to create a "client-grant" associated to this API.',
      },
      'client_not_authorized',
      'authorize the application',
    ],
    [
      'grant type not allowed',
      403,
      {
        error: 'unauthorized_client',
        error_description: "Grant type 'client_credentials' not allowed for the client.",
      },
      'grant_type_not_allowed',
      'Client Credentials',
    ],
    [
      'scope not granted',
      403,
      {
        error: 'access_denied',
        error_description: 'Client has not been granted scopes: venue:delete',
      },
      'invalid_scope',
      'scope',
    ],
    [
      'invalid_scope',
      400,
      { error: 'invalid_scope', error_description: 'bad scope' },
      'invalid_scope',
      'scope',
    ],
    [
      'invalid_request',
      400,
      { error: 'invalid_request', error_description: 'Missing required parameter: grant_type' },
      'invalid_request',
      '`tokenRequestFormat`',
    ],
    [
      'the older {code, description} body',
      401,
      { code: 'invalid_client', description: 'Unauthorized' },
      'invalid_client_credentials',
      '`clientSecret`',
    ],
    ['an unknown refusal', 418, { error: 'teapot' }, 'token_request_rejected', 'teapot'],
  ];
  it.each(cases)(
    'maps %s to a stable code and a fix, at once, without retrying',
    async (_name, status, body, code, fix) => {
      nock(TENANT).post('/oauth/token').reply(status, body);
      const error = await createTokenProvider(base)
        .getToken()
        .catch((e: unknown) => e);
      expect(isBookableAuthError(error)).toBe(true);
      expect(error).toMatchObject({ code, status, attempts: 1, transient: false });
      expect((error as Error).message).toContain(fix);
      expect((error as Error).message).toContain(`${TENANT}/oauth/token`);
    },
  );

  it('never shows the client secret, even when the server echoes it', async () => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` });
    const error = await createTokenProvider(base)
      .getToken()
      .catch((e: unknown) => e);
    for (const view of [
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(error),
      String(error),
      (error as Error).stack,
    ]) {
      expect(view).not.toContain(SECRET);
    }
  });
});
