import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:net';
import { createTokenProvider, type TokenProviderOptions } from '../../src/index.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { clientOf } from '../helpers/test-server.js';

const fast = { minTimeout: 1, maxTimeout: 5 };
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  jest.useRealTimers();
});

/** The testing server, and a provider for its client with `extra` options. */
async function setUp(extra: Partial<TokenProviderOptions> = {}) {
  server = await startTestServer();
  const provider = createTokenProvider({
    ...clientOf(server),
    retry: fast,
    ...extra,
  } as TokenProviderOptions);
  return { server, provider };
}

describe('concurrency against a real endpoint', () => {
  it('sends exactly one token request for 1,000 concurrent callers on a cold cache', async () => {
    const { server, provider } = await setUp();
    server.failNextTokenRequests(1, { delayMs: 20 });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.tokenRequests).toBe(1);
  });

  it('sends exactly one token request for 1,000 concurrent callers at the moment of expiry', async () => {
    const { server, provider } = await setUp();
    server.failNextTokenRequests(2, { delayMs: 20 });
    // Fake only the clock that expiry is read from; sockets and timers stay real.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
      now: Date.parse('2026-01-01T00:00:00Z'),
    });
    const first = await provider.getToken();
    jest.setSystemTime(Date.parse('2026-01-01T01:00:00Z'));
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(server.tokenRequests).toBe(2);
  });
});

describe('network faults', () => {
  it('retries a connection reset and recovers', async () => {
    const { server, provider } = await setUp();
    server.failNextTokenRequests(1, { reset: true });
    await expect(provider.getToken()).resolves.toMatch(/^eyJ/);
    expect(server.tokenRequests).toBe(2);
  });

  it('gives up on resets after retries + 1 attempts, with the system error as the cause', async () => {
    const { server, provider } = await setUp({ retry: { ...fast, retries: 2 } });
    server.failNextTokenRequests(3, { reset: true });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'token_endpoint_unreachable',
      attempts: 3,
      transient: true,
    });
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNRESET');
    expect(server.tokenRequests).toBe(3);
  });

  it('reports a refused connection as token_endpoint_unreachable naming ECONNREFUSED', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const provider = createTokenProvider({
      clientId: 'client-1',
      clientSecret: 'test-secret-value',
      tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
      retry: { ...fast, retries: 1 },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'token_endpoint_unreachable', attempts: 2 });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).toContain('`tokenUrl`');
  });

  it('times out a hanging endpoint after timeoutMs and says so', async () => {
    const { server, provider } = await setUp({ timeoutMs: 50, retry: { ...fast, retries: 1 } });
    server.failNextTokenRequests(2, { hang: true });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'token_endpoint_unreachable', attempts: 2 });
    expect((error as Error).message).toContain('`timeoutMs`');
    expect(server.tokenRequests).toBe(2);
  });

  it('retries a truncated answer (connection closed mid-body)', async () => {
    const { server, provider } = await setUp();
    server.failNextTokenRequests(1, { truncated: true });
    await expect(provider.getToken()).resolves.toMatch(/^eyJ/);
    expect(server.tokenRequests).toBe(2);
  });

  it.each([500, 502, 503])('retries a %i and recovers', async (status) => {
    const { server, provider } = await setUp();
    server.failNextTokenRequests(1, { status, body: { error: 'server_error' } });
    await expect(provider.getToken()).resolves.toMatch(/^eyJ/);
    expect(server.tokenRequests).toBe(2);
  });
});
