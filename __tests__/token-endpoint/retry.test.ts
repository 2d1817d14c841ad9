import { afterEach, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { createTokenProvider, isBookableAuthError, TokenEndpointError } from '../../src/index.js';
import { settle, settled, until, untilCached, useFakeClock } from '../helpers/clock.js';
import { recordingLogger } from '../helpers/logger.js';
import {
  CLIENT,
  expectScriptedRequestsMade,
  fakeTokenEndpoint,
  TENANT,
  TOKEN_BODY,
} from '../helpers/token-endpoint.js';

const base = CLIENT;
const ok = TOKEN_BODY;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const fast = { minTimeout: 1, maxTimeout: 2 };

afterEach(expectScriptedRequestsMade);

describe('what is retried', () => {
  it('retries a 503 and reports the attempt, its reason and its delay to the logger', async () => {
    const logger = recordingLogger();
    nock(TENANT).post('/oauth/token').reply(503, { error: 'temporarily_unavailable' });
    nock(TENANT).post('/oauth/token').reply(200, ok);
    await expect(createTokenProvider({ ...base, logger, retry: fast }).getToken()).resolves.toBe(
      ok.access_token,
    );
    expect(logger.lines.map((l) => l.message)).toContainEqual(
      'Token request attempt 1 failed (token_endpoint_unavailable, 503); retrying in 1-2 ms',
    );
  });

  it('gives up on a failing endpoint after retries + 1 attempts with token_endpoint_unavailable', async () => {
    nock(TENANT).post('/oauth/token').times(4).reply(500, '<html>Internal error</html>');
    const error = await createTokenProvider({ ...base, retry: fast })
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({
      code: 'token_endpoint_unavailable',
      status: 500,
      attempts: 4,
      transient: true,
    });
    expect((error as Error).message).toContain('gave up after 4 attempts');
  });

  it('retries a 429 and recovers', async () => {
    nock(TENANT).post('/oauth/token').reply(429, { error: 'too_many_requests' });
    nock(TENANT).post('/oauth/token').reply(200, ok);
    await expect(createTokenProvider({ ...base, retry: fast }).getToken()).resolves.toBe(
      ok.access_token,
    );
  });

  it('retries nothing when retries is 0', async () => {
    nock(TENANT).post('/oauth/token').reply(503, {});
    await expect(
      createTokenProvider({ ...base, retry: { retries: 0 } }).getToken(),
    ).rejects.toMatchObject({ attempts: 1 });
  });
});

describe('rate limits', () => {
  it.each([
    ['Retry-After in seconds', () => ({ 'retry-after': '3' })],
    [
      'Retry-After as an HTTP date',
      () => ({ 'retry-after': new Date(Date.now() + 3000).toUTCString() }),
    ],
    [
      'x-ratelimit-reset in UNIX seconds',
      () => ({ 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3) }),
    ],
  ])('waits as long as %s says, even beyond maxTimeout', async (_name, headers) => {
    useFakeClock(T0);
    let calls = 0;
    nock(TENANT)
      .post('/oauth/token')
      .times(2)
      .reply(() => {
        calls += 1;
        return calls === 1 ? [429, { error: 'too_many_requests' }, headers()] : [200, ok];
      });
    const logger = recordingLogger();
    const token = createTokenProvider({
      ...base,
      logger,
      retry: { minTimeout: 10, maxTimeout: 100 },
    }).getToken();
    await until(() => logger.lines.some((l) => l.message.includes('retrying in 3000 ms')));
    await jest.advanceTimersByTimeAsync(2_900);
    await settle();
    expect(calls).toBe(1); // backoff alone (<= 100 ms) would have retried long ago
    await jest.advanceTimersByTimeAsync(200);
    await expect(settled(token)).resolves.toBe(ok.access_token);
    expect(calls).toBe(2);
  });

  it('fails at once with rate_limited, saying when to retry, when the wait exceeds the retry budget', async () => {
    useFakeClock(T0);
    nock(TENANT)
      .post('/oauth/token')
      .reply(
        429,
        { error: 'too_many_requests', error_description: 'Global limit has been reached' },
        { 'retry-after': '3600' },
      );
    const error = await settled(
      createTokenProvider(base)
        .getToken()
        .catch((e: unknown) => e),
    );
    expect(isBookableAuthError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'rate_limited',
      attempts: 1,
      retryAt: new Date(T0 + 3600_000),
    });
    expect((error as Error).message).toContain('retry after 2026-01-01T01:00:00.000Z');
  });

  it('names an exhausted token quota as quota_exceeded', async () => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(
        429,
        { error: 'too_many_requests', error_description: 'Client quota exceeded' },
        { 'retry-after': '86400' },
      );
    const error = await createTokenProvider(base)
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'quota_exceeded', transient: true });
    expect((error as Error).message).toContain('quota');
  });
});

describe('waiting callers during retries', () => {
  it('gives every waiter the same single outcome of one retried fetch', async () => {
    nock(TENANT).post('/oauth/token').times(2).reply(503, {});
    const provider = createTokenProvider({ ...base, retry: { ...fast, retries: 1 } });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => provider.getToken()));
    const reasons = new Set(results.map((r) => (r.status === 'rejected' ? r.reason : 'resolved')));
    expect(reasons.size).toBe(1);
    expect([...reasons][0]).toMatchObject({ code: 'token_endpoint_unavailable', attempts: 2 });
  });

  it('keeps serving the still-valid token while a background renewal is retrying', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 3, answer: (call) => (call === 2 ? 503 : 200) });
    const logger = recordingLogger();
    const provider = createTokenProvider({
      ...base,
      logger,
      retry: { minTimeout: 1000, maxTimeout: 1000, randomize: false },
    });
    await provider.getToken();
    await jest.advanceTimersByTimeAsync(3600_000 - 30_000);
    expect(await provider.getToken()).toBe('token-1');
    await until(() => logger.lines.some((l) => l.message.includes('retrying in 1000 ms')));
    expect(await provider.getToken()).toBe('token-1'); // the renewal is backing off
    await jest.advanceTimersByTimeAsync(1_000);
    await until(() => endpoint.calls === 3);
    await untilCached(provider, 'token-3');
    expect(await provider.getToken()).toBe('token-3');
  });
});
