import { afterEach, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { inspect } from 'node:util';
import { createTokenProvider, isBookableAuthError, type TokenInfo } from '../../src/index.js';
import { settle, until, untilCached, useFakeClock } from '../helpers/clock.js';
import { auth0Jwt, makeJwt } from '../helpers/jwt.js';
import { recordingLogger } from '../helpers/logger.js';
import { TENANT, fakeTokenEndpoint } from '../helpers/token-endpoint.js';

const SECRET = 'test-secret-value';
const base = { clientId: 'client-1', clientSecret: SECRET, tokenUrl: `${TENANT}/oauth/token` };
const T0 = Date.parse('2026-01-01T00:00:00Z');

afterEach(() => {
  nock.cleanAll();
  jest.useRealTimers();
});

describe('caching and expiry', () => {
  it('reuses the cached token with no further request until the refresh margin', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600 });
    const provider = createTokenProvider(base);
    expect(await provider.getToken()).toBe('token-1');
    await jest.advanceTimersByTimeAsync(3500_000);
    expect(await Promise.all([provider.getToken(), provider.getToken()])).toEqual([
      'token-1',
      'token-1',
    ]);
    expect(endpoint.calls).toBe(1);
  });

  it('anchors expiry on when the request was sent, so a slow answer cannot make a token look younger', async () => {
    useFakeClock(T0);
    fakeTokenEndpoint({ expiresIn: 3600, delayMs: 5_000 });
    const pending = createTokenProvider(base).getTokenInfo();
    await settle();
    await jest.advanceTimersByTimeAsync(5_000);
    const info = await pending;
    expect(info.obtainedAt.getTime()).toBe(T0);
    expect(info.expiresAt.getTime()).toBe(T0 + 3600_000);
    expect(info.expiresAtSource).toBe('expires_in');
  });

  it('takes the earlier of expires_in and the JWT lifetime, and warns once about the disagreement', async () => {
    useFakeClock(T0);
    const logger = recordingLogger();
    nock(TENANT)
      .post('/oauth/token')
      .times(2)
      .reply(200, () => ({
        access_token: auth0Jwt(600),
        token_type: 'Bearer',
        expires_in: 3600,
      }));
    const provider = createTokenProvider({ ...base, logger });
    const info = await provider.getTokenInfo();
    expect(info.expiresAt.getTime()).toBe(T0 + 600_000);
    expect(info.expiresAtSource).toBe('jwt_lifetime');
    expect(info.jwtLifetimeSeconds).toBe(600);
    provider.invalidate();
    await provider.getToken();
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('expires_in=3600');
  });

  it("keeps the response's one-hour expires_in when the JWT claims thirty days (Bookable's sample)", async () => {
    useFakeClock(T0);
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, {
        access_token: auth0Jwt(30 * 86400),
        token_type: 'Bearer',
        expires_in: 3600,
      });
    const info = await createTokenProvider(base).getTokenInfo();
    expect(info.expiresAt.getTime()).toBe(T0 + 3600_000);
    expect(info.expiresAtSource).toBe('expires_in');
  });

  it('measures the JWT lifetime as exp - iat, so a skewed local clock changes nothing', async () => {
    useFakeClock(T0);
    const serverNow = T0 / 1000 - 10 * 86400; // the server's clock is ten days behind ours
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, {
        access_token: auth0Jwt(3600, {}, serverNow),
        token_type: 'Bearer',
      });
    const info = await createTokenProvider(base).getTokenInfo();
    expect(info.expiresAt.getTime()).toBe(T0 + 3600_000);
    expect(info.expiresAtSource).toBe('jwt_lifetime');
  });

  it('reads exp against the local clock when the JWT has no iat', async () => {
    useFakeClock(T0);
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, {
        access_token: makeJwt({ exp: T0 / 1000 + 900 }),
        token_type: 'Bearer',
      });
    const info = await createTokenProvider(base).getTokenInfo();
    expect(info.expiresAt.getTime()).toBe(T0 + 900_000);
    expect(info.expiresAtSource).toBe('jwt_exp');
  });

  it.each([
    [
      'the response',
      { scope: 'a b' },
      auth0Jwt(3600, { scope: 'a b' }),
      undefined,
      ['a', 'b'],
      'response',
    ],
    ['the JWT scope claim', {}, auth0Jwt(3600, { scope: 'c' }), 'x', ['c'], 'jwt'],
    [
      'the JWT permissions',
      {},
      auth0Jwt(3600, { permissions: ['p1', 'p2'] }),
      undefined,
      ['p1', 'p2'],
      'jwt',
    ],
    ['the requested scope', {}, 'opaque', 'r1 r2', ['r1', 'r2'], 'requested'],
    ['nowhere', {}, 'opaque', undefined, [], 'none'],
  ])('reports granted scopes from %s', async (_n, extra, token, scope, scopes, source) => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, { access_token: token, token_type: 'Bearer', expires_in: 60, ...extra });
    const info = await createTokenProvider({
      ...base,
      ...(scope === undefined ? {} : { scope }),
    }).getTokenInfo();
    expect(info.scopes).toEqual(scopes);
    expect(info.scopesSource).toBe(source);
  });

  it('warns when the response and the JWT grant different scopes', async () => {
    const logger = recordingLogger();
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, {
        access_token: auth0Jwt(3600, { scope: 'venue:read' }),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'venue:read venue-booking:create',
      });
    await createTokenProvider({ ...base, logger }).getToken();
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringContaining('"venue:read venue-booking:create" but the JWT says "venue:read"'),
    ]);
  });
});

describe('renewal', () => {
  it('renews once in the background inside the margin while callers keep the current token', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600, delayMs: 1_000 });
    const provider = createTokenProvider(base);
    const first = provider.getToken();
    await settle();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await first).toBe('token-1');
    await jest.advanceTimersByTimeAsync(3600_000 - 1_000 - 30_000); // 30 s before expiry
    const during = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()));
    expect(new Set(during)).toEqual(new Set(['token-1']));
    await settle();
    await jest.advanceTimersByTimeAsync(1_000);
    await until(() => endpoint.calls === 2);
    await untilCached(provider, 'token-2');
    expect(endpoint.calls).toBe(2);
    expect(await provider.getToken()).toBe('token-2');
  });

  it.each([
    // 30 s tokens: the default 60 s margin becomes 3 s (renewal from 27 s, plus jitter)
    ['the default margin at a tenth of the lifetime', 30, {}, 26_000, 1_200],
    // a margin given explicitly becomes 15 s (renewal from 15 s)
    ['an explicit margin at half the lifetime', 30, { refreshMarginSeconds: 60 }, 10_000, 6_000],
    // 4 s token: a tenth (0.4 s) would be under JWT second granularity; 2 s (renewal from 2 s)
    ['the default margin no lower than 2 s for a very short token', 4, {}, 1_900, 300],
  ])(
    'caps %s, so a short-lived token is not fetched on every call',
    async (_name, lifetimeSeconds, extra, quietMs, toRenewalMs) => {
      useFakeClock(T0);
      const endpoint = fakeTokenEndpoint({ expiresIn: lifetimeSeconds });
      const provider = createTokenProvider({ ...base, ...extra });
      await provider.getToken();
      await jest.advanceTimersByTimeAsync(quietMs);
      for (let i = 0; i < 20; i++) await provider.getToken();
      await settle();
      expect(endpoint.calls).toBe(1);
      await jest.advanceTimersByTimeAsync(toRenewalMs);
      await provider.getToken();
      await until(() => endpoint.calls === 2);
      await settle();
      expect(endpoint.calls).toBe(2);
    },
  );

  it('makes callers wait, all on one request, only inside the expiry window', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600 });
    const provider = createTokenProvider({ ...base, refreshMarginSeconds: 0 });
    await provider.getToken();
    await jest.advanceTimersByTimeAsync(3600_000);
    const tokens = await Promise.all(Array.from({ length: 100 }, () => provider.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-2']));
    expect(endpoint.calls).toBe(2);
  });

  it('keeps serving the valid token when a background renewal fails, spaces the next attempt, and never leaves an unhandled rejection', async () => {
    useFakeClock(T0);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const logger = recordingLogger();
    const endpoint = fakeTokenEndpoint({ times: 3, answer: (call) => (call === 2 ? 500 : 200) });
    const provider = createTokenProvider({ ...base, logger, retry: { retries: 0 } });
    try {
      await provider.getToken();
      await jest.advanceTimersByTimeAsync(3600_000 - 40_000);
      expect(await provider.getToken()).toBe('token-1'); // starts the background renewal, which fails
      await until(() =>
        logger.lines.some((l) => l.level === 'warn' && l.message.includes('keeps serving')),
      );
      expect(endpoint.calls).toBe(2);
      for (let i = 0; i < 10; i++) expect(await provider.getToken()).toBe('token-1');
      expect(endpoint.calls).toBe(2); // spaced: no new attempt on every call
      await jest.advanceTimersByTimeAsync(30_000);
      await provider.getToken();
      await until(() => logger.lines.filter((l) => l.message.startsWith('Fetched')).length === 2);
      expect(endpoint.calls).toBe(3);
      expect(await provider.getToken()).toBe('token-3');
      await settle();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('never caches a failed fetch: the next caller starts a new request', async () => {
    nock(TENANT).post('/oauth/token').reply(400, { error: 'invalid_request' });
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, { access_token: 'good', token_type: 'Bearer', expires_in: 60 });
    const provider = createTokenProvider(base);
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(provider.getToken()).resolves.toBe('good');
  });
});

describe('invalidate and rejected tokens', () => {
  it('invalidate(oldToken) after the cache moved on does nothing', async () => {
    fakeTokenEndpoint({ expiresIn: 3600 });
    const provider = createTokenProvider(base);
    const first = await provider.getToken();
    expect(provider.invalidate(first)).toBe(true);
    const second = await provider.getToken();
    expect(provider.invalidate(first)).toBe(false);
    expect(await provider.getToken()).toBe(second);
  });

  it('answers a rejection of an old token with the newer cached one, without fetching', async () => {
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600 });
    const provider = createTokenProvider(base);
    const first = await provider.getToken();
    provider.invalidate(first);
    const second = await provider.getToken();
    await expect(provider.getTokenAfterRejection(first)).resolves.toBe(second);
    expect(endpoint.calls).toBe(2);
  });

  it('turns 500 concurrent rejections of one token into one request', async () => {
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600, delayMs: 20 });
    const provider = createTokenProvider(base);
    const first = await provider.getToken();
    const replacements = await Promise.all(
      Array.from({ length: 500 }, () => provider.getTokenAfterRejection(first)),
    );
    expect(new Set(replacements)).toEqual(new Set(['token-2']));
    expect(endpoint.calls).toBe(2);
  });

  it('spaces forced refreshes: a second rejection within the interval fails with token_rejected and no request', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600 });
    const provider = createTokenProvider(base);
    const first = await provider.getToken(); // a token revoked seconds after it was issued...
    const second = await provider.getTokenAfterRejection(first); // ...still gets its one refresh
    await jest.advanceTimersByTimeAsync(5_000);
    const error = await provider.getTokenAfterRejection(second).catch((e: unknown) => e);
    expect(isBookableAuthError(error) && error.code).toBe('token_rejected');
    expect((error as Error).message).toMatch(/audience.*issuer/s);
    expect(endpoint.calls).toBe(2);
    await jest.advanceTimersByTimeAsync(25_000);
    await expect(provider.getTokenAfterRejection(second)).resolves.toBe('token-3');
  });
});

describe('abort', () => {
  it('aborting one waiter rejects it at once and leaves the shared request to the others', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600, delayMs: 2_000 });
    const provider = createTokenProvider(base);
    const controller = new AbortController();
    const aborted = provider.getToken({ signal: controller.signal }).catch((e: unknown) => e);
    const other = provider.getToken();
    controller.abort();
    const error = await aborted;
    expect(isBookableAuthError(error) && error.code).toBe('aborted');
    await settle();
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(other).resolves.toBe('token-1');
    expect(endpoint.calls).toBe(1);
  });

  it('rejects at once for a signal that is already aborted', async () => {
    const provider = createTokenProvider(base);
    await expect(provider.getToken({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'aborted',
    });
  });
});

describe('logging and hooks', () => {
  it('reports fetches to the logger and hooks without ever printing the token or the secret', async () => {
    const logger = recordingLogger();
    const refreshed: TokenInfo[] = [];
    const token = auth0Jwt(3600, { scope: 'venue:read' });
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    const provider = createTokenProvider({
      ...base,
      logger,
      onTokenRefreshed: (info) => refreshed.push(info),
    });
    await provider.getToken();
    expect(logger.lines.some((l) => l.message.startsWith('Fetched an access token'))).toBe(true);
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]?.accessToken).toBe(token);
    for (const text of [
      JSON.stringify(logger.lines),
      inspect(refreshed, { depth: 10 }),
      JSON.stringify(refreshed),
    ]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(SECRET);
    }
  });

  it('calls onRefreshError on a failed fetch, and a throwing hook breaks nothing', async () => {
    const errors: unknown[] = [];
    nock(TENANT).post('/oauth/token').reply(401, { error: 'invalid_client' });
    nock(TENANT)
      .post('/oauth/token')
      .reply(200, { access_token: 'good', token_type: 'Bearer', expires_in: 60 });
    const provider = createTokenProvider({
      ...base,
      onRefreshError: (e) => errors.push(e.code),
      onTokenRefreshed: () => {
        throw new Error('hook bug');
      },
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'invalid_client_credentials' });
    expect(errors).toEqual(['invalid_client_credentials']);
    await expect(provider.getToken()).resolves.toBe('good');
  });
});
