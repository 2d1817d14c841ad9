import { afterEach, describe, expect, it } from '@jest/globals';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import axiosRetry, { type IAxiosRetryConfig } from 'axios-retry';
import {
  attachBookableAuth,
  createTokenProvider,
  isBookableAuthError,
  type TokenProvider,
  type TokenProviderSettings,
} from '../../src/index.js';
import { listenOnLoopback, sendJson, type LoopbackServer } from '../../src/testing/http.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { clientOf } from '../helpers/test-server.js';

// axios-retry re-sends a failed request's config through the whole instance, interceptors
// included, so the two libraries meet on every retry: whichever is attached first, a retry must
// carry the token that is current when it is sent, and a 401 gets one refresh and one replay for
// the whole request, however many attempts axios-retry makes around it. Attached first, the
// plugin also sees each failed attempt before axios-retry does: axios-retry's callbacks then get
// redacted errors, and a 401 is refreshed before a retryCondition that retries 401s re-sends it.

/** What the API answers next: a status, or a function that does something first. */
type Answer = number | (() => Promise<number>);

/**
 * An API that answers 401 to refused tokens, else from a script (200 once it runs out), and
 * records each Authorization header.
 */
interface ScriptedApi extends LoopbackServer {
  answers: Answer[];
  refused: Set<string>;
  /** Authorization headers received, in order. */
  seen: string[];
}

async function startScriptedApi(): Promise<ScriptedApi> {
  const api = { answers: [] as Answer[], refused: new Set<string>(), seen: [] as string[] };
  const server = await listenOnLoopback(async (req, res) => {
    req.resume();
    const authorization = req.headers.authorization ?? '';
    api.seen.push(authorization);
    const refused = api.refused.has(authorization.slice('Bearer '.length));
    const next = refused ? 401 : (api.answers.shift() ?? 200);
    const status = typeof next === 'number' ? next : await next();
    const challenge =
      status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : undefined;
    sendJson(res, status, { status }, challenge);
  });
  return Object.assign(api, server);
}

const RETRY: IAxiosRetryConfig = { retries: 3 }; // axios-retry's defaults: no delay, GET is retried

const orders: [string, (api: AxiosInstance, provider: TokenProvider) => void][] = [
  [
    'axios-retry attached first, then attachBookableAuth',
    (api, tokenProvider) => {
      axiosRetry(api, RETRY);
      attachBookableAuth(api, { tokenProvider });
    },
  ],
  [
    'attachBookableAuth attached first, then axios-retry',
    (api, tokenProvider) => {
      attachBookableAuth(api, { tokenProvider });
      axiosRetry(api, RETRY);
    },
  ],
];

let auth: TestServer | undefined;
let api: ScriptedApi | undefined;
afterEach(async () => {
  await Promise.all([auth?.close(), api?.close()]);
  auth = api = undefined;
});

async function setUp(
  attach: (api: AxiosInstance, provider: TokenProvider) => void,
  options: Pick<TokenProviderSettings, 'retry' | 'forcedRefreshIntervalSeconds'> = {},
) {
  auth = await startTestServer();
  api = await startScriptedApi();
  const provider = createTokenProvider({
    ...clientOf(auth),
    retry: { minTimeout: 1, maxTimeout: 2 },
    ...options,
  });
  const instance = axios.create({ baseURL: api.origin });
  attach(instance, provider);
  return { auth, api, provider, instance };
}

describe.each(orders)('%s', (_order, attachBoth) => {
  const setUpBoth = (
    options?: Pick<TokenProviderSettings, 'retry' | 'forcedRefreshIntervalSeconds'>,
  ) => setUp(attachBoth, options);

  it('retries a 503 with the token that is current when the retry is sent', async () => {
    const { auth, api, provider, instance } = await setUpBoth();
    let first = '';
    api.answers.push(async () => {
      // While the first attempt is out, the provider moves on to a new token (as a 401 elsewhere
      // would make it): the retry must not re-send the old one.
      first = await provider.getToken();
      await provider.getTokenAfterRejection(first);
      return 503;
    });
    const response = await instance.get('/venues');
    const second = await provider.getToken();
    expect(response.status).toBe(200);
    expect(second).not.toBe(first);
    expect(api.seen).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
    expect(auth.tokenRequests).toBe(2);
  });

  it('refreshes a 401 once and replays it once', async () => {
    const { auth, api, provider, instance } = await setUpBoth();
    api.answers.push(401);
    const response = await instance.get('/venues');
    expect(response.status).toBe(200);
    expect(api.seen).toHaveLength(2);
    expect(api.seen[1]).toBe(`Bearer ${await provider.getToken()}`);
    expect(api.seen[0]).not.toBe(api.seen[1]);
    expect(auth.tokenRequests).toBe(2);
  });

  it('answers a 401 on a retried attempt with one refresh and one replay', async () => {
    const { auth, api, provider, instance } = await setUpBoth();
    api.answers.push(503, 401);
    const response = await instance.get('/venues');
    const fresh = `Bearer ${await provider.getToken()}`;
    expect(response.status).toBe(200);
    expect(api.seen).toHaveLength(3);
    expect(api.seen[0]).toBe(api.seen[1]);
    expect(api.seen[2]).toBe(fresh);
    expect(api.seen[1]).not.toBe(fresh);
    expect(auth.tokenRequests).toBe(2);
  });

  it("retries a 503 on the replay with the replay's token, without another refresh", async () => {
    const { auth, api, provider, instance } = await setUpBoth();
    api.answers.push(401, 503);
    const response = await instance.get('/venues');
    const fresh = `Bearer ${await provider.getToken()}`;
    expect(response.status).toBe(200);
    expect(api.seen).toHaveLength(3);
    expect(api.seen.slice(1)).toEqual([fresh, fresh]);
    expect(api.seen[0]).not.toBe(fresh);
    expect(auth.tokenRequests).toBe(2);
  });

  it('refreshes once, not once per attempt, when the API refuses every token', async () => {
    // No pause between forced refreshes: only the plugin's one-replay rule stops a second one.
    const { auth, api, instance } = await setUpBoth({ forcedRefreshIntervalSeconds: 0 });
    // The original attempt and axios-retry's retries of it and of the replay: 503s in between
    // 401s. One refresh for the request; the replay's own 401 ends it.
    api.answers.push(503, 401, 503, 401, 401, 401, 401);
    const error = await instance.get('/venues').then(
      () => undefined,
      (e: unknown) => e,
    );
    // The API's own 401 (an AxiosError), with the reason as its cause.
    expect(isAxiosError(error) && error.response?.status).toBe(401);
    const cause = (error as Error).cause;
    expect(isBookableAuthError(cause) && cause.code).toBe('token_rejected');
    expect(api.seen).toHaveLength(4);
    expect(auth.tokenRequests).toBe(2);
  });

  it("leaves a failing token endpoint to the provider's own retries", async () => {
    const { auth, api, instance } = await setUpBoth({
      retry: { retries: 2, minTimeout: 1, maxTimeout: 2 },
    });
    auth.failNextTokenRequests(10, { status: 503 });
    const error = await instance.get('/venues').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBookableAuthError(error) && error.code).toBe('token_endpoint_unavailable');
    // 1 + 2 retries by the provider; axios-retry does not multiply them (the request never left).
    expect(auth.tokenRequests).toBe(3);
    expect(api.seen).toEqual([]);
  });
});

describe('attachBookableAuth first, then axios-retry (the order the docs recommend)', () => {
  // The plugin's response interceptor then runs before axios-retry's on every failed attempt.
  const attachInOrder =
    (retry: IAxiosRetryConfig) => (instance: AxiosInstance, tokenProvider: TokenProvider) => {
      attachBookableAuth(instance, { tokenProvider });
      axiosRetry(instance, retry);
    };

  it("hands axios-retry's callbacks errors with the token already redacted", async () => {
    const onRetry: string[] = [];
    const { api, instance } = await setUp(
      attachInOrder({
        retries: 3,
        onRetry: (_count, error) => {
          const header = error.config?.headers.Authorization;
          onRetry.push(header === 'Bearer [redacted]' ? 'redacted' : 'a live token');
        },
      }),
    );
    api.answers.push(503, 503);
    expect((await instance.get('/venues')).status).toBe(200);
    expect(onRetry).toEqual(['redacted', 'redacted']);
  });

  it('refreshes a refused token before a retryCondition that retries 401s could re-send it', async () => {
    const { auth, api, provider, instance } = await setUp(
      attachInOrder({ retries: 3, retryCondition: () => true }),
    );
    await instance.get('/warm-up');
    const refused = await provider.getToken();
    api.refused.add(refused);
    api.seen.length = 0;
    expect((await instance.get('/venues')).status).toBe(200);
    expect(api.seen).toEqual([`Bearer ${refused}`, `Bearer ${await provider.getToken()}`]);
    expect(auth.tokenRequests).toBe(2);
  });
});
