import { afterEach, describe, expect, it, jest } from '@jest/globals';
import axios, { isCancel, type AxiosInstance } from 'axios';
import {
  attachBookableAuth,
  isBookableAuthError,
  type BookableAuthOptions,
} from '../../src/index.js';
import { startLocalApi, type LocalApi } from '../helpers/local-api.js';

let server: LocalApi | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(
  apiOptions: Parameters<typeof startLocalApi>[0] = {},
  attach: Partial<BookableAuthOptions> = {},
): Promise<{ api: AxiosInstance; local: LocalApi }> {
  const local = (server = await startLocalApi(apiOptions));
  const api = axios.create({ baseURL: local.origin });
  attachBookableAuth(api, {
    clientId: 'client-1',
    clientSecret: 'test-secret-value',
    tokenUrl: local.tokenUrl,
    retry: { minTimeout: 1, maxTimeout: 5 },
    ...attach,
  } as BookableAuthOptions);
  return { api, local };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );

describe('attaching the token', () => {
  it('authorizes requests with one token from the provider', async () => {
    const { api, local } = await setUp();
    const results = await Promise.all(Array.from({ length: 50 }, () => api.get('/venues')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(local.tokenCalls).toBe(1);
    expect(new Set(local.seen)).toEqual(new Set([local.issued[0]]));
  });

  it('shares one provider, and so one token request, between two instances', async () => {
    const local = (server = await startLocalApi({ tokenDelayMs: 20 }));
    const first = axios.create({ baseURL: local.origin });
    const second = axios.create({ baseURL: local.origin });
    const auth = attachBookableAuth(first, {
      clientId: 'c',
      clientSecret: 'test-secret-value',
      tokenUrl: local.tokenUrl,
    });
    attachBookableAuth(second, { tokenProvider: auth.tokenProvider });
    await Promise.all([first.get('/a'), second.get('/b'), first.get('/c'), second.get('/d')]);
    expect(local.tokenCalls).toBe(1);
  });

  it("rejects with the provider's own error when no token can be had", async () => {
    const local = (server = await startLocalApi());
    const api = axios.create({ baseURL: local.origin });
    attachBookableAuth(api, {
      clientId: 'c',
      clientSecret: 'test-secret-value',
      tokenUrl: `${local.origin}/missing`,
    });
    const error = await failure(api.get('/venues'));
    expect(isBookableAuthError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_client_credentials', status: 401 });
    expect(local.apiCalls).toBe(1); // only the token request hit the server, never the API
  });

  it('cancels the request when its signal aborts while it waits for a token', async () => {
    const { api } = await setUp({ tokenDelayMs: 200 });
    const controller = new AbortController();
    const pending = failure(api.get('/venues', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 10);
    expect(isCancel(await pending)).toBe(true);
  });
});

describe('the cached path', () => {
  it('sends a request with a cached token in the same turn, and makes the first one wait for the token', async () => {
    const local = (server = await startLocalApi());
    const sent: string[] = [];
    const api = axios.create({
      baseURL: local.origin,
      adapter: (config) => {
        sent.push(String(config.headers.get('Authorization')));
        return Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config });
      },
    });
    attachBookableAuth(api, {
      clientId: 'c',
      clientSecret: 'test-secret-value',
      tokenUrl: local.tokenUrl,
    });
    const first = api.get('/venues');
    expect(sent).toHaveLength(0); // no token yet: the request waits for it
    await first;
    const second = api.get('/venues');
    expect(sent).toHaveLength(2); // the adapter already has it: no promise turn in between
    await second;
    expect(sent).toEqual([`Bearer ${local.issued[0]}`, `Bearer ${local.issued[0]}`]);
  });

  it('authorizes behind asynchronous and synchronous interceptors of the application', async () => {
    const { api, local } = await setUp();
    api.interceptors.request.use(async (config) => {
      await new Promise((resolve) => setImmediate(resolve));
      config.headers.set('x-custom', 'async');
      return config;
    });
    api.interceptors.request.use((config) => config, undefined, { synchronous: true });
    const responses = await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    expect(responses.map((r) => (r.data as { custom: string }).custom)).toEqual([
      'async',
      'async',
      'async',
    ]);
    expect(local.tokenCalls).toBe(1);
    expect(local.seen).toEqual(Array(3).fill(local.issued[0]));
  });

  it('sends the token it found when the token comes due between the check and the interceptor, then renews', async () => {
    const { api, local } = await setUp();
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
      expect(local.tokenCalls).toBe(1);

      expect((await api.get('/venues')).status).toBe(200);
      expect(local.tokenCalls).toBe(2);
      expect(local.seen).toEqual([local.issued[0], local.issued[0], local.issued[1]]);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
