import { describe, expect, it } from '@jest/globals';
import type { AxiosError, AxiosInstance } from 'axios';
import { inspect } from 'node:util';
import type { TestServer } from '../../src/testing/index.js';
import { attachedApis } from '../helpers/attached-api.js';
import { useRealNetwork } from '../helpers/real-network.js';

// Node's own http stack, as in production: nock's socket wrapper keeps copies of the request
// options that no real socket has.
useRealNetwork();

const attached = attachedApis();

async function setUp(redactErrors?: boolean): Promise<{ api: AxiosInstance; server: TestServer }> {
  const { api, server } = await attached({
    attach: redactErrors === undefined ? {} : { redactErrors },
  });
  api.defaults.timeout = 2_000;
  return { api, server };
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

/** A 404 from the API for `/venues/404`, with a body of its own. */
function notFound(server: TestServer, api: AxiosInstance, headers: Record<string, string> = {}) {
  server.failNextApiRequests(1, { status: 404, body: { problem: 'as requested' } });
  return api.get('/venues/404', { headers });
}

type Kind = [string, (api: AxiosInstance, server: TestServer) => Promise<unknown>];
const kinds: Kind[] = [
  ['a 4xx API error', (api, server) => notFound(server, api)],
  [
    'a 5xx API error',
    (api, server) => (server.failNextApiRequests(1, { status: 503 }), api.get('/venues')),
  ],
  [
    'the final 401 after a replay',
    (api, server) => (server.rejectAllTokens(true), api.get('/venues')),
  ],
  [
    'a network error (connection reset)',
    (api, server) => (server.failNextApiRequests(1, { reset: true }), api.get('/venues')),
  ],
  [
    'a timeout',
    (api, server) => (
      server.failNextApiRequests(1, { hang: true }),
      api.get('/venues', { timeout: 100 })
    ),
  ],
  [
    'a cancellation of a request in flight',
    (api, server) => {
      server.failNextApiRequests(1, { hang: true });
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
    const { api, server } = await setUp();
    const error = await failureOf(() => run(api, server));
    expect(server.issuedTokens.length).toBeGreaterThan(0);
    for (const [view, text] of Object.entries(views(error))) {
      for (const token of server.issuedTokens)
        expect({ view, leaked: text.includes(token) }).toEqual({ view, leaked: false });
      expect({ view, leaked: text.includes(server.clientSecret) }).toEqual({ view, leaked: false });
    }
    expect(error.config?.headers.get('Authorization')).toBe('Bearer [redacted]');
  });

  it('keeps what is useful: status, body, URL, method, other headers, and a marker that a token was sent', async () => {
    const { api, server } = await setUp();
    const error = await failureOf(() => notFound(server, api, { 'x-custom': 'kept' }));
    expect(error.response?.status).toBe(404);
    expect(error.response?.data).toEqual({ problem: 'as requested' });
    expect(error.config?.url).toBe('/venues/404');
    expect(error.config?.method).toBe('get');
    expect(error.config?.headers.get('x-custom')).toBe('kept');
    expect((error.request as { _header: string })._header).toMatch(
      /^Authorization: Bearer \[redacted\]\r$/m,
    );
    expect((error.request as { _header: string })._header).toMatch(/^x-custom: kept\r$/m);
  });

  it('leaves successful responses untouched', async () => {
    const { api, server } = await setUp();
    const response = await api.get('/venues');
    expect(response.config.headers.get('Authorization')).toBe(`Bearer ${server.issuedTokens[0]}`);
  });

  it('a retry library re-sending err.config still sends a working token', async () => {
    const { api, server } = await setUp();
    server.failNextApiRequests(1, { status: 503 });
    const error = await failureOf(() => api.get('/venues'));
    const config = { ...error.config!, url: '/venues' };
    await expect(api.request(config)).resolves.toMatchObject({ status: 200 });
  });

  it('shows the raw token when redactErrors is false (and only then)', async () => {
    const { api, server } = await setUp(false);
    const error = await failureOf(() => notFound(server, api));
    expect(views(error).configHeaders).toContain(server.issuedTokens[0]);
  });
});
