import { afterEach, describe, expect, it, jest } from '@jest/globals';
import axios, { AxiosError, type AxiosAdapter } from 'axios';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import {
  attachBookableAuth,
  createTokenProvider,
  diagnosticsChannels,
  type TokenProviderOptions,
} from '../src/index.js';
import { listenToChannels, type ChannelEvent, type ChannelListener } from './helpers/channels.js';
import { settle, until, useFakeClock } from './helpers/clock.js';
import { auth0Jwt } from './helpers/jwt.js';
import { outageStore, stubResponse } from './helpers/stub.js';
import {
  CLIENT,
  expectScriptedRequestsMade,
  fakeTokenEndpoint,
  SECRET,
  TOKEN_URL,
} from './helpers/token-endpoint.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const subject = { clientId: 'client-1', audience: 'api.bookabletech.com', tokenUrl: TOKEN_URL };
const idOf = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 8);

let listener: ChannelListener | undefined;
afterEach(() => {
  listener?.stop();
  listener = undefined;
  expectScriptedRequestsMade();
});

/** Every way a subscriber might print a message: none may show a token or the secret. */
function expectNothingSecret(events: ChannelEvent[], tokens: string[]): void {
  const text = events
    .map(
      (e) => `${JSON.stringify(e.message)}\n${inspect(e.message, { depth: 6, showHidden: true })}`,
    )
    .join('\n');
  for (const secret of [SECRET, ...tokens]) expect(text).not.toContain(secret);
}

describe('the token-request tracing channel', () => {
  it('traces one fetch with its attempts inside it, and ends with the token id, never the token', async () => {
    listener = listenToChannels();
    fakeTokenEndpoint({ times: 3, answer: (call) => (call < 3 ? 503 : 200) });
    const provider = createTokenProvider({ ...CLIENT, retry: { minTimeout: 1, maxTimeout: 2 } });
    await provider.getToken();
    const trace = listener.events.filter((e) => e.channel.includes(':token-request'));
    expect(trace.map((e) => e.channel)).toEqual([
      `${diagnosticsChannels.tokenRequest}:start`,
      `${diagnosticsChannels.tokenRequest}:end`,
      diagnosticsChannels.tokenRequestAttempt,
      diagnosticsChannels.tokenRequestAttempt,
      diagnosticsChannels.tokenRequestAttempt,
      `${diagnosticsChannels.tokenRequest}:asyncStart`,
      `${diagnosticsChannels.tokenRequest}:asyncEnd`,
    ]);
    const attempts = listener.of(diagnosticsChannels.tokenRequestAttempt);
    expect(
      attempts.map(({ attempt, status, errorCode }) => ({ attempt, status, errorCode })),
    ).toEqual([
      { attempt: 1, status: 503, errorCode: 'token_endpoint_unavailable' },
      { attempt: 2, status: 503, errorCode: 'token_endpoint_unavailable' },
      { attempt: 3, status: undefined, errorCode: undefined },
    ]);
    const [done] = listener.of(`${diagnosticsChannels.tokenRequest}:asyncStart`);
    expect(done).toMatchObject({
      ...subject,
      attempts: 3,
      durationMs: expect.any(Number),
      result: { tokenId: idOf('token-3'), expiresIn: 3600, scope: undefined },
    });
    expect(attempts[0]?.request).toBe(attempts[2]?.request); // one context per fetch
    expectNothingSecret(listener.events, ['token-3']);
  });

  it('ends a failed fetch on the error channel with the final error and its attempts', async () => {
    listener = listenToChannels();
    fakeTokenEndpoint({ times: 2, answer: () => 503 });
    const provider = createTokenProvider({
      ...CLIENT,
      retry: { retries: 1, minTimeout: 1, maxTimeout: 2 },
    });
    await expect(provider.getToken()).rejects.toMatchObject({ attempts: 2 });
    const [failed] = listener.of(`${diagnosticsChannels.tokenRequest}:error`);
    expect(failed).toMatchObject({
      ...subject,
      attempts: 2,
      status: 503,
      error: expect.objectContaining({ code: 'token_endpoint_unavailable', attempts: 2 }),
    });
  });
});

describe('events where decisions are made', () => {
  it('reports the tokens obtained and a background refresh that starts, fails, and succeeds later', async () => {
    useFakeClock(T0);
    listener = listenToChannels();
    fakeTokenEndpoint({ times: 3, answer: (call) => (call === 2 ? 500 : 200) });
    const provider = createTokenProvider({ ...CLIENT, retry: { retries: 0 } });
    await provider.getToken();
    await jest.advanceTimersByTimeAsync(3600_000 - 40_000);
    await provider.getToken();
    await until(() => listener!.of(diagnosticsChannels.backgroundRefreshFailed).length === 1);
    await jest.advanceTimersByTimeAsync(30_000);
    await provider.getToken();
    await until(() => listener!.of(diagnosticsChannels.tokenObtained).length === 2);
    expect(listener.of(diagnosticsChannels.tokenObtained)).toEqual([
      expect.objectContaining({ ...subject, source: 'endpoint', tokenId: idOf('token-1') }),
      expect.objectContaining({ source: 'endpoint', tokenId: idOf('token-3') }),
    ]);
    expect(listener.of(diagnosticsChannels.backgroundRefreshStarted)).toHaveLength(2);
    expect(listener.of(diagnosticsChannels.backgroundRefreshFailed)).toEqual([
      {
        ...subject,
        tokenId: idOf('token-1'),
        servesUntil: new Date(T0 + 3600_000 - 5_000),
        errorCode: 'token_endpoint_unavailable',
        nextAttemptInMs: 17_500,
      },
    ]);
    expectNothingSecret(listener.events, ['token-1', 'token-3']);
  });

  it('reports a forced refresh and the replay after a 401, naming tokens by id only', async () => {
    listener = listenToChannels();
    fakeTokenEndpoint({ times: 2 });
    let refuse = true;
    const adapter: AxiosAdapter = async (config) => {
      if (!refuse) return stubResponse(config);
      refuse = false;
      throw new AxiosError('401', 'ERR_BAD_REQUEST', config, {}, stubResponse(config, 401));
    };
    const api = axios.create({ baseURL: 'https://api.bookabletech.com', adapter });
    attachBookableAuth(api, CLIENT);
    await api.post('/bookings?secret-looking=query', { seats: 2 });
    expect(listener.of(diagnosticsChannels.forcedRefresh)).toEqual([
      { ...subject, refusedTokenId: idOf('token-1'), via: 'request' },
    ]);
    expect(listener.of(diagnosticsChannels.requestReplayed)).toEqual([
      {
        method: 'POST',
        origin: 'https://api.bookabletech.com',
        refusedTokenId: idOf('token-1'),
        tokenId: idOf('token-2'),
      },
    ]);
    expectNothingSecret(listener.events, ['token-1', 'token-2']);
  });

  it('reports a store outage once, and its recovery with how long it lasted', async () => {
    useFakeClock(T0);
    listener = listenToChannels();
    fakeTokenEndpoint({ times: 3 });
    const outage = outageStore();
    const member = () =>
      createTokenProvider({ ...CLIENT, store: outage.store } as TokenProviderOptions);
    const a = member();
    await a.getToken();
    expect(a.invalidate()).toBe(true);
    await a.getToken(); // the store is skipped for 5 s: no second outage event
    outage.down = false;
    await jest.advanceTimersByTimeAsync(6_000);
    expect(a.invalidate()).toBe(true);
    await a.getToken();
    await settle();
    expect(listener.of(diagnosticsChannels.storeUnavailable)).toEqual([
      { ...subject, operation: 'read the token', reason: 'ECONNREFUSED' },
    ]);
    expect(listener.of(diagnosticsChannels.storeRecovered)).toEqual([
      { ...subject, unavailableForMs: 6_000 },
    ]);
    const b = member();
    await b.getToken();
    expect(listener.of(diagnosticsChannels.tokenObtained).at(-1)).toMatchObject({
      source: 'store',
      tokenId: idOf('token-3'),
    });
  });

  it('reports every disagreement between the response and the JWT, though it warns once', async () => {
    listener = listenToChannels();
    const token = auth0Jwt(600, { scope: 'venue:read' });
    fakeTokenEndpoint({
      times: 2,
      answer: () => [
        200,
        { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: 'venue:read x' },
      ],
    });
    const provider = createTokenProvider(CLIENT);
    await provider.getToken();
    provider.invalidate();
    await provider.getToken();
    expect(listener.of(diagnosticsChannels.tokenDisagreement).map((m) => m.kind)).toEqual([
      'lifetime',
      'scope',
      'lifetime',
      'scope',
    ]);
    expectNothingSecret(listener.events, [token]);
  });
});

describe('the cached path', () => {
  it('publishes nothing for requests served from the cache', async () => {
    fakeTokenEndpoint({ times: 1 });
    const adapter: AxiosAdapter = async (config) => stubResponse(config);
    const api = axios.create({ baseURL: 'https://api.bookabletech.com', adapter });
    attachBookableAuth(api, CLIENT);
    await api.get('/warm-up');
    listener = listenToChannels();
    for (let i = 0; i < 100; i++) await api.get('/venues');
    expect(listener.events).toEqual([]);
  });
});
