import { describe, expect, it, jest } from '@jest/globals';
import axios, { isCancel } from 'axios';
import { attachBookableAuth, isBookableAuthError } from '../../src/index.js';
import { attachedApis, failure } from '../helpers/attached-api.js';

const setUp = attachedApis();

describe('attaching the token', () => {
  it('authorizes requests with one token from the provider', async () => {
    const { api, server } = await setUp();
    const results = await Promise.all(Array.from({ length: 50 }, () => api.get('/venues')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.tokenRequests).toBe(1);
    expect(new Set(server.apiTokens)).toEqual(new Set([server.issuedTokens[0]]));
  });

  it('shares one provider, and so one token request, between two instances', async () => {
    const { auth, server } = await setUp();
    server.failNextTokenRequests(1, { delayMs: 20 });
    const first = axios.create({ baseURL: server.apiOrigin });
    const second = axios.create({ baseURL: server.apiOrigin });
    attachBookableAuth(first, { tokenProvider: auth.tokenProvider });
    attachBookableAuth(second, { tokenProvider: auth.tokenProvider });
    await Promise.all([first.get('/a'), second.get('/b'), first.get('/c'), second.get('/d')]);
    expect(server.tokenRequests).toBe(1);
  });

  it("rejects with the provider's own error when no token can be had", async () => {
    const { server } = await setUp();
    // The token URL points at the API, which refuses a request without a token (401).
    const wrong = axios.create({ baseURL: server.apiOrigin });
    attachBookableAuth(wrong, {
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      tokenUrl: `${server.apiOrigin}/oauth/token`,
    });
    const error = await failure(wrong.get('/venues'));
    expect(isBookableAuthError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_client_credentials', status: 401 });
    expect(server.apiRequests).toBe(1); // only the token request hit the API, never the request
  });

  it('cancels the request when its signal aborts while it waits for a token', async () => {
    const { api, server } = await setUp();
    server.failNextTokenRequests(1, { delayMs: 200 });
    const controller = new AbortController();
    const pending = failure(api.get('/venues', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 10);
    expect(isCancel(await pending)).toBe(true);
  });
});

describe('the cached path', () => {
  it('sends a request with a cached token in the same turn, and makes the first one wait for the token', async () => {
    const { server } = await setUp();
    const sent: string[] = [];
    const api = axios.create({
      baseURL: server.apiOrigin,
      adapter: (config) => {
        sent.push(String(config.headers.get('Authorization')));
        return Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config });
      },
    });
    attachBookableAuth(api, {
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      tokenUrl: server.tokenUrl,
    });
    const first = api.get('/venues');
    expect(sent).toHaveLength(0); // no token yet: the request waits for it
    await first;
    const second = api.get('/venues');
    expect(sent).toHaveLength(2); // the adapter already has it: no promise turn in between
    await second;
    const token = server.issuedTokens[0];
    expect(sent).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
  });

  it('authorizes behind asynchronous and synchronous interceptors of the application', async () => {
    const { api, server } = await setUp();
    api.interceptors.request.use(async (config) => {
      await new Promise((resolve) => setImmediate(resolve));
      config.headers.set('x-custom', 'async');
      return config;
    });
    api.interceptors.request.use((config) => config, undefined, { synchronous: true });
    const responses = await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    expect(
      responses.map((r) => (r.data as { headers: Record<string, string> }).headers['x-custom']),
    ).toEqual(['async', 'async', 'async']);
    expect(server.tokenRequests).toBe(1);
    expect(server.apiTokens).toEqual(Array(3).fill(server.issuedTokens[0]));
  });

  it('sends the token it found when the token comes due between the check and the interceptor, then renews', async () => {
    const { api, server } = await setUp();
    await api.get('/warm-up');
    const realNow = Date.now.bind(Date);
    let offsetMs = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
    try {
      // Added later, so axios runs it before the plugin's, but after asking every runWhen.
      const jump = api.interceptors.request.use(
        (config) => {
          offsetMs = 3599_000; // one second before expiry: past the point where callers must wait
          return config;
        },
        undefined,
        { synchronous: true },
      );
      expect((await api.get('/venues')).status).toBe(200);
      api.interceptors.request.eject(jump);
      expect(server.tokenRequests).toBe(1);

      expect((await api.get('/venues')).status).toBe(200);
      expect(server.tokenRequests).toBe(2);
      const [first, second] = server.issuedTokens;
      expect(server.apiTokens).toEqual([first, first, second]);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
