import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import axios from 'axios';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  attachBookableAuth,
  createTokenProvider,
  diagnosticsChannels,
  type TokenProviderOptions,
  type TokenRequestAttemptMessage,
  type TokenRequestContext,
} from '../../src/index.js';
import { instrumentBookableAuth } from '../../src/opentelemetry/index.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { listenToChannels } from '../helpers/channels.js';
import { settle, until, useFakeClock } from '../helpers/clock.js';
import { otelHarness, total, type OtelHarness } from '../helpers/otel.js';
import { outageStore } from '../helpers/stub.js';
import {
  CLIENT,
  expectScriptedRequestsMade,
  fakeTokenEndpoint,
  SECRET,
} from '../helpers/token-endpoint.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const idOf = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 8);

const DURATION = 'bookable_auth.token.request.duration';
const REQUESTS = 'bookable_auth.token.requests';
const FORCED = 'bookable_auth.token.forced_refreshes';
const REPLAYED = 'bookable_auth.replayed_requests';
const FALLBACKS = 'bookable_auth.store.fallbacks';
const REMAINING = 'bookable_auth.token.remaining_lifetime';

/** Who the nock tenant's tokens are for, as attributes. */
const subject = {
  'bookable_auth.client.id': 'client-1',
  'bookable_auth.token.audience': 'api.bookabletech.com',
  'server.address': 'tenant.example.auth0.com',
  'server.port': 443,
};

let otel: OtelHarness;
let instrumentation: ReturnType<typeof instrumentBookableAuth>;
let server: TestServer | undefined;
beforeEach(() => {
  otel = otelHarness();
  instrumentation = instrumentBookableAuth(otel);
});
afterEach(async () => {
  instrumentation.unsubscribe();
  await otel.shutdown();
  await server?.close();
  server = undefined;
  expectScriptedRequestsMade();
});

/** Runs `action`, and returns the durations the channels published meanwhile (ms). */
async function hearing(
  action: () => Promise<unknown>,
): Promise<{ attempts: TokenRequestAttemptMessage[]; fetches: number[] }> {
  const listener = listenToChannels();
  try {
    await action();
  } finally {
    listener.stop();
  }
  return {
    attempts: listener.of<TokenRequestAttemptMessage>(diagnosticsChannels.tokenRequestAttempt),
    fetches: listener
      .of<TokenRequestContext>(`${diagnosticsChannels.tokenRequest}:asyncStart`)
      .map((context) => context.durationMs ?? NaN),
  };
}

const tokenSpans = () => otel.spans().filter((s) => s.name === 'bookable_auth.token.request');
const attempts = (span: ReadableSpan | undefined) =>
  (span?.events ?? []).filter((e) => e.name === 'bookable_auth.token.request.attempt');

describe('a cold start', () => {
  it('is one span and one fetch for 20 concurrent callers, and the token has its whole lifetime left', async () => {
    useFakeClock(T0);
    fakeTokenEndpoint({ times: 1 });
    const provider = createTokenProvider(CLIENT);
    await Promise.all(Array.from({ length: 20 }, () => provider.getToken()));

    const [span, ...others] = tokenSpans();
    expect(others).toEqual([]);
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toEqual({
      ...subject,
      'bookable_auth.token.request.retries': 0,
      'bookable_auth.token.id': idOf('token-1'),
      'bookable_auth.token.expires_in': 3600,
    });
    expect(attempts(span).map((e) => e.attributes)).toEqual([
      {
        'bookable_auth.token.request.attempt.number': 1,
        'bookable_auth.token.request.attempt.duration': 0,
      },
    ]);

    expect(await otel.points(REQUESTS)).toEqual([{ attributes: subject, value: 1 }]);
    expect(await otel.points(DURATION)).toEqual([
      expect.objectContaining({ attributes: subject, count: 1, sum: 0 }),
    ]);
    expect(await otel.points(REMAINING)).toEqual([{ attributes: subject, value: 3600 }]);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(await otel.points(REMAINING)).toEqual([{ attributes: subject, value: 3000 }]);
  });

  it('reports the duration in seconds, in buckets that reach past the retry budget', async () => {
    fakeTokenEndpoint({ times: 1 });
    await createTokenProvider(CLIENT).getToken();
    const metric = (await otel.metrics()).get(DURATION);
    expect(metric?.descriptor).toMatchObject({ unit: 's' });
    const [point] = await otel.points(DURATION);
    expect(point?.boundaries).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30,
    ]);
    const units = Object.fromEntries(
      [...(await otel.metrics()).values()].map((m) => [m.descriptor.name, m.descriptor.unit]),
    );
    expect(units).toEqual({ [DURATION]: 's', [REQUESTS]: '{request}', [REMAINING]: 's' });
  });
});

describe('a background refresh', () => {
  it('shows a failed renewal while the old token serves, then the new token and its lifetime', async () => {
    useFakeClock(T0);
    fakeTokenEndpoint({ times: 3, answer: (call) => (call === 2 ? 500 : 200) });
    const provider = createTokenProvider({ ...CLIENT, retry: { retries: 0 } });
    await provider.getToken();
    await jest.advanceTimersByTimeAsync(3600_000 - 40_000);
    expect(await provider.getToken()).toBe('token-1'); // inside the margin: renews in the background
    await until(() => tokenSpans().length === 2);

    const failed = tokenSpans()[1];
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes).toMatchObject({
      'error.type': 'token_endpoint_unavailable',
      'http.response.status_code': 500,
      'bookable_auth.token.request.retries': 0,
    });
    expect(failed?.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'token_endpoint_unavailable',
    });
    expect(await otel.points(REQUESTS)).toEqual([
      { attributes: subject, value: 1 },
      { attributes: { ...subject, 'error.type': 'token_endpoint_unavailable' }, value: 1 },
    ]);
    expect(await otel.points(REMAINING)).toEqual([{ attributes: subject, value: 40 }]);

    await jest.advanceTimersByTimeAsync(30_000);
    await provider.getToken();
    await until(() => tokenSpans().length === 3);
    await settle();
    expect(tokenSpans()[2]?.attributes['bookable_auth.token.id']).toBe(idOf('token-3'));
    expect(total(await otel.points(REQUESTS))).toBe(3);
    // The renewed token, obtained just now, has its whole lifetime ahead.
    expect(await otel.points(REMAINING)).toEqual([{ attributes: subject, value: 3600 }]);
  });
});

describe('a revoked token', () => {
  it('counts the forced refresh and the replay, with the method and the API host', async () => {
    server = await startTestServer();
    const api = axios.create({ baseURL: server.apiOrigin });
    const { tokenProvider } = attachBookableAuth(api, {
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      tokenUrl: server.tokenUrl,
      audience: server.audience,
    });
    await api.get('/venues');
    server.revoke(await tokenProvider.getToken());
    expect((await api.post('/bookings', { seats: 2 })).status).toBe(200);

    const apiUrl = new URL(server.apiOrigin);
    expect(await otel.points(REPLAYED)).toEqual([
      {
        attributes: {
          'http.request.method': 'POST',
          'server.address': '127.0.0.1',
          'server.port': Number(apiUrl.port),
        },
        value: 1,
      },
    ]);
    const tokenHost = new URL(server.tokenUrl);
    const local = {
      'bookable_auth.client.id': server.clientId,
      'bookable_auth.token.audience': server.audience,
      'server.address': '127.0.0.1',
      'server.port': Number(tokenHost.port),
    };
    expect(await otel.points(FORCED)).toEqual([
      { attributes: { ...local, 'bookable_auth.token.forced_refresh.via': 'request' }, value: 1 },
    ]);
    expect(await otel.points(REQUESTS)).toEqual([{ attributes: local, value: 2 }]);
    expect(tokenSpans()).toHaveLength(2);
  });
});

describe('a token endpoint outage', () => {
  it('is one span with an event per attempt, the retry count, and the whole duration', async () => {
    fakeTokenEndpoint({ times: 3, answer: (call) => (call < 3 ? 503 : 200) });
    const provider = createTokenProvider({ ...CLIENT, retry: { minTimeout: 1, maxTimeout: 2 } });
    const heard = await hearing(() => provider.getToken());

    const [span] = tokenSpans();
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toMatchObject({ 'bookable_auth.token.request.retries': 2 });
    expect(span?.attributes['error.type']).toBeUndefined();
    const seconds = heard.attempts.map((a) => a.durationMs / 1000);
    expect(attempts(span).map((e) => e.attributes)).toEqual([
      {
        'bookable_auth.token.request.attempt.number': 1,
        'bookable_auth.token.request.attempt.duration': seconds[0],
        'http.response.status_code': 503,
        'error.type': 'token_endpoint_unavailable',
      },
      {
        'bookable_auth.token.request.attempt.number': 2,
        'bookable_auth.token.request.attempt.duration': seconds[1],
        'http.response.status_code': 503,
        'error.type': 'token_endpoint_unavailable',
      },
      {
        'bookable_auth.token.request.attempt.number': 3,
        'bookable_auth.token.request.attempt.duration': seconds[2],
      },
    ]);
    // The whole fetch, backoff included, in seconds: what the channel measured.
    expect(heard.fetches).toHaveLength(1);
    expect(await otel.points(DURATION)).toEqual([
      expect.objectContaining({ attributes: subject, count: 1, sum: heard.fetches[0]! / 1000 }),
    ]);
    expect(await otel.points(REQUESTS)).toEqual([{ attributes: subject, value: 1 }]);
  });

  it('ends a fetch that never succeeds in error, with its code and last status, and counts it so', async () => {
    fakeTokenEndpoint({ times: 2, answer: () => 503 });
    const provider = createTokenProvider({
      ...CLIENT,
      retry: { retries: 1, minTimeout: 1, maxTimeout: 2 },
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'token_endpoint_unavailable' });

    const [span] = tokenSpans();
    expect(span?.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(span?.status.message).toContain('503');
    expect(span?.attributes).toMatchObject({
      'error.type': 'token_endpoint_unavailable',
      'http.response.status_code': 503,
      'bookable_auth.token.request.retries': 1,
    });
    expect(attempts(span)).toHaveLength(2);
    const failed = { ...subject, 'error.type': 'token_endpoint_unavailable' };
    expect(await otel.points(REQUESTS)).toEqual([{ attributes: failed, value: 1 }]);
    expect(await otel.points(DURATION)).toEqual([
      expect.objectContaining({ attributes: failed, count: 1 }),
    ]);
    expect(await otel.points(REMAINING)).toEqual([]);
  });
});

describe('a token store outage', () => {
  it('counts one fallback per outage, with what failed, while the process fetches for itself', async () => {
    useFakeClock(T0);
    fakeTokenEndpoint({ times: 4 });
    const outage = outageStore();
    const provider = createTokenProvider({
      ...CLIENT,
      store: outage.store,
    } as TokenProviderOptions);
    await provider.getToken();
    provider.invalidate();
    await provider.getToken(); // the same outage: no second fallback
    expect(await otel.points(FALLBACKS)).toEqual([
      { attributes: { ...subject, 'bookable_auth.store.operation': 'read the token' }, value: 1 },
    ]);

    outage.down = false;
    await jest.advanceTimersByTimeAsync(6_000);
    provider.invalidate();
    await provider.getToken(); // the store answers again
    outage.down = true;
    await jest.advanceTimersByTimeAsync(6_000);
    provider.invalidate();
    await provider.getToken(); // a second outage
    await settle();
    expect(total(await otel.points(FALLBACKS))).toBe(2);
    expect(total(await otel.points(REQUESTS))).toBe(4);
  });
});

describe('what the telemetry holds', () => {
  it('never a token, the client secret or a key: not in a span, an event, a status or a metric', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const clientSecret = 'loopback-client-secret-value';
    server = await startTestServer({
      clients: [
        { clientId: 'secret-client', clientSecret },
        { clientId: 'key-client', publicKey },
      ],
    });
    const api = axios.create({ baseURL: server.apiOrigin });
    const { tokenProvider } = attachBookableAuth(api, {
      clientId: 'secret-client',
      clientSecret,
      tokenUrl: server.tokenUrl,
      audience: server.audience,
      retry: { minTimeout: 1, maxTimeout: 2 },
    });
    await api.get('/venues');
    const first = await tokenProvider.getToken();
    server.revoke(first);
    await api.get('/venues');
    const second = await tokenProvider.getToken();
    server.failNextTokenRequests(1, { status: 503 });
    tokenProvider.invalidate();
    await api.get('/venues');
    const third = await tokenProvider.getToken();
    const keyed = createTokenProvider({
      clientId: 'key-client',
      clientAuthentication: 'private_key_jwt',
      privateKey: pem,
      tokenUrl: server.tokenUrl,
    });
    const fourth = await keyed.getToken();
    const wrong = createTokenProvider({ ...CLIENT, tokenUrl: server.tokenUrl });
    await expect(wrong.getToken()).rejects.toMatchObject({ code: 'invalid_client_credentials' });

    const spans = otel.spans().map((s) => ({
      name: s.name,
      attributes: s.attributes,
      status: s.status,
      events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    }));
    expect(spans).toHaveLength(5);
    const metrics = [...(await otel.metrics()).values()].map((m) => ({
      name: m.descriptor.name,
      points: m.dataPoints.map((p) => p.attributes),
    }));
    expect(metrics.map((m) => m.name).sort()).toEqual(
      [DURATION, FORCED, REMAINING, REPLAYED, REQUESTS].sort(),
    );
    const text = JSON.stringify({ spans, metrics });
    expect(text).toContain(idOf(third)); // tokens are named by their id
    const keyBody = pem.split('\n')[1]!;
    for (const secret of [first, second, third, fourth, clientSecret, SECRET, keyBody]) {
      expect(text).not.toContain(secret);
    }
  });
});
