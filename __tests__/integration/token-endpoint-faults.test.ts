import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:net';
import { createTokenProvider } from '../../src/index.js';
import {
  okToken,
  sendJson,
  startTokenServer,
  type LocalTokenServer,
} from '../helpers/token-server.js';

const creds = { clientId: 'client-1', clientSecret: 'test-secret-value' };
const fast = { minTimeout: 1, maxTimeout: 5 };
let server: LocalTokenServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  jest.useRealTimers();
});

describe('concurrency against a real endpoint', () => {
  it('sends exactly one token request for 1,000 concurrent callers on a cold cache', async () => {
    server = await startTokenServer((_req, res) => void setTimeout(() => okToken(res), 20));
    const provider = createTokenProvider({ ...creds, tokenUrl: server.url });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.calls).toBe(1);
  });

  it('sends exactly one token request for 1,000 concurrent callers at the moment of expiry', async () => {
    server = await startTokenServer((_req, res) => void setTimeout(() => okToken(res), 20));
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
    const provider = createTokenProvider({ ...creds, tokenUrl: server.url });
    const first = await provider.getToken();
    jest.setSystemTime(Date.parse('2026-01-01T01:00:00Z'));
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(server.calls).toBe(2);
  });
});

describe('network faults', () => {
  it('retries a connection reset and recovers', async () => {
    server = await startTokenServer((req, res, _body, call) => {
      if (call === 1) req.socket.destroy();
      else okToken(res);
    });
    const provider = createTokenProvider({ ...creds, tokenUrl: server.url, retry: fast });
    await expect(provider.getToken()).resolves.toMatch(/^opaque-test-token-/);
    expect(server.calls).toBe(2);
  });

  it('gives up on resets after retries + 1 attempts, with the system error as the cause', async () => {
    server = await startTokenServer((req) => void req.socket.destroy());
    const provider = createTokenProvider({
      ...creds,
      tokenUrl: server.url,
      retry: { ...fast, retries: 2 },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'token_endpoint_unreachable',
      attempts: 3,
      transient: true,
    });
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNRESET');
    expect(server.calls).toBe(3);
  });

  it('reports a refused connection as token_endpoint_unreachable naming ECONNREFUSED', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const provider = createTokenProvider({
      ...creds,
      tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
      retry: { ...fast, retries: 1 },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'token_endpoint_unreachable', attempts: 2 });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).toContain('`tokenUrl`');
  });

  it('times out a hanging endpoint after timeoutMs and says so', async () => {
    server = await startTokenServer(() => {}); // never answers
    const provider = createTokenProvider({
      ...creds,
      tokenUrl: server.url,
      timeoutMs: 50,
      retry: { ...fast, retries: 1 },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'token_endpoint_unreachable', attempts: 2 });
    expect((error as Error).message).toContain('`timeoutMs`');
    expect(server.calls).toBe(2);
  });

  it('retries a truncated answer (connection closed mid-body)', async () => {
    server = await startTokenServer((_req, res, _body, call) => {
      if (call === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"access_token":"abc');
        res.socket?.destroy();
      } else okToken(res);
    });
    const provider = createTokenProvider({ ...creds, tokenUrl: server.url, retry: fast });
    await expect(provider.getToken()).resolves.toMatch(/^opaque-test-token-/);
    expect(server.calls).toBe(2);
  });

  it.each([500, 502, 503])('retries a %i and recovers', async (status) => {
    server = await startTokenServer((_req, res, _body, call) => {
      if (call === 1) sendJson(res, status, { error: 'server_error' });
      else okToken(res);
    });
    const provider = createTokenProvider({ ...creds, tokenUrl: server.url, retry: fast });
    await expect(provider.getToken()).resolves.toMatch(/^opaque-test-token-/);
    expect(server.calls).toBe(2);
  });
});
