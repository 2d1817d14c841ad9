import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import nock from 'nock';
import { inspect } from 'node:util';
import { attachBookableAuth } from '../../src/index.js';
import { startLocalApi, type LocalApi } from '../helpers/local-api.js';

const SECRET = 'test-secret-value';
let server: LocalApi | undefined;
// Node's own http stack, as in production: nock's socket wrapper keeps copies of the request
// options that no real socket has.
beforeAll(() => nock.restore());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(redactErrors?: boolean): Promise<{ api: AxiosInstance; local: LocalApi }> {
  const local = (server = await startLocalApi());
  const api = axios.create({ baseURL: local.origin, timeout: 2_000 });
  attachBookableAuth(api, {
    clientId: 'client-1',
    clientSecret: SECRET,
    tokenUrl: local.tokenUrl,
    ...(redactErrors === undefined ? {} : { redactErrors }),
  });
  return { api, local };
}

/** Every way an application might print or serialize the error. */
function views(error: AxiosError): Record<string, string> {
  const request = error.request as { _header?: unknown } | undefined;
  return {
    inspect: inspect(error, { depth: 10 }),
    inspectHidden: inspect(error, { depth: 4, showHidden: true }),
    json: JSON.stringify(error),
    toJSON: JSON.stringify(error.toJSON()),
    string: String(error),
    stack: String(error.stack),
    configHeaders: JSON.stringify(error.config?.headers),
    responseConfig: inspect(error.response?.config, { depth: 10 }),
    requestHeader: String(request?._header),
    request: inspect(error.request, { depth: 2 }),
  };
}

type Kind = [string, (api: AxiosInstance, local: LocalApi) => Promise<unknown>];
const kinds: Kind[] = [
  ['a 4xx API error', (api) => api.get('/status/404')],
  ['a 5xx API error', (api) => api.get('/status/503')],
  ['the final 401 after a replay', (api, local) => ((local.rejectAll = true), api.get('/venues'))],
  ['a network error (connection reset)', (api) => api.get('/reset')],
  ['a timeout', (api, local) => ((local.hang = true), api.get('/venues', { timeout: 100 }))],
  [
    'a cancellation of a request in flight',
    (api, local) => {
      local.hang = true;
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return api.get('/venues', { signal: controller.signal });
    },
  ],
];

async function failureOf(run: () => Promise<unknown>): Promise<AxiosError> {
  return run().then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as AxiosError,
  );
}

describe('errors that leave the instance never carry the access token', () => {
  it.each(kinds)('%s: no view shows a token or the secret', async (_name, run) => {
    const { api, local } = await setUp();
    const error = await failureOf(() => run(api, local));
    expect(local.issued.length).toBeGreaterThan(0);
    for (const [view, text] of Object.entries(views(error))) {
      for (const token of local.issued)
        expect({ view, leaked: text.includes(token) }).toEqual({ view, leaked: false });
      expect({ view, leaked: text.includes(SECRET) }).toEqual({ view, leaked: false });
    }
    expect(error.config?.headers.get('Authorization')).toBe('Bearer [redacted]');
  });

  it('keeps what is useful: status, body, URL, method, other headers, and a marker that a token was sent', async () => {
    const { api } = await setUp();
    const error = await failureOf(() =>
      api.get('/status/404', { headers: { 'x-custom': 'kept' } }),
    );
    expect(error.response?.status).toBe(404);
    expect(error.response?.data).toEqual({ problem: 'as requested' });
    expect(error.config?.url).toBe('/status/404');
    expect(error.config?.method).toBe('get');
    expect(error.config?.headers.get('x-custom')).toBe('kept');
    expect((error.request as { _header: string })._header).toMatch(
      /^Authorization: Bearer \[redacted\]\r$/m,
    );
    expect((error.request as { _header: string })._header).toMatch(/^x-custom: kept\r$/m);
  });

  it('leaves successful responses untouched', async () => {
    const { api, local } = await setUp();
    const response = await api.get('/venues');
    expect(response.config.headers.get('Authorization')).toBe(`Bearer ${local.issued[0]}`);
  });

  it('a retry library re-sending err.config still sends a working token', async () => {
    const { api } = await setUp();
    const error = await failureOf(() => api.get('/status/503'));
    const config = { ...error.config!, url: '/venues' };
    await expect(api.request(config)).resolves.toMatchObject({ status: 200 });
  });

  it('shows the raw token when redactErrors is false (and only then)', async () => {
    const { api, local } = await setUp(false);
    const error = await failureOf(() => api.get('/status/404'));
    expect(views(error).configHeaders).toContain(local.issued[0]);
  });
});
