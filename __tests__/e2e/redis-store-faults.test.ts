import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isBookableAuthError, type TokenProviderOptions } from '../../src/index.js';
import { skipRedisSuite } from '../helpers/redis-required.js';
import { storeMember, useRedisClients, useRedisServer } from '../helpers/redis-suite.js';
import { startRespProxy, type RespProxy } from '../helpers/resp-proxy.js';
import { useTestServer } from '../helpers/test-server.js';

// Two faults the store coordination had, reproduced against a real Redis: each test failed
// before its fix (an orphan lock held the fleet back; a second revocation failed every process).
(skipRedisSuite('redis-server') ? describe.skip : describe)('the shared store’s faults', () => {
  const redis = useRedisServer();
  const openClient = useRedisClients();
  const server = useTestServer();
  let proxy: RespProxy;

  beforeEach(async () => {
    proxy = await startRespProxy(redis.port);
  });
  afterEach(async () => {
    await proxy.close();
  });

  /** A process of the fleet: its own provider on its own connection (to Redis, or the proxy). */
  function process(url: string, overrides: Partial<TokenProviderOptions> = {}) {
    const { tokens, api } = storeMember(
      server,
      openClient('node-redis', { url }).client,
      overrides,
    );
    /** The outcome of one API request: the status, or the error code it failed with. */
    const call = () =>
      api.get('/venues').then(
        (response) => response.status,
        (error: unknown) => (isBookableAuthError(error) ? error.code : String(error)),
      );
    return { tokens, call };
  }

  const isLockSetNx = (command: string[]) =>
    command[0]?.toUpperCase() === 'SET' &&
    command[1]?.endsWith(':lock') === true &&
    command.some((arg) => arg.toUpperCase() === 'NX');

  it('releases a lock that Redis granted after its caller stopped waiting (SET NX held back 800 ms)', async () => {
    // Process A reaches Redis through the proxy, which holds its lock request back for longer
    // than storeTimeoutMs (500 ms): A gives up on the store and fetches for itself.
    const a = process(proxy.url);
    const held = proxy.holdNext(isLockSetNx, 800);
    await a.tokens.getToken();
    expect(server.tokenRequests).toBe(1);

    // Then Redis takes the lock for A after all. A must release it (compare-and-delete, its
    // owner) once the late reply arrives, instead of leaving it to lapse (12 s by default).
    const [, lockKey] = await held;
    await proxy.seen((c) => c[0]?.toUpperCase() === 'EVAL' && c.includes(lockKey!), 2_000);
    expect({ lockKey, pttl: await redis.inspector.pTTL(lockKey!) }).toEqual({ lockKey, pttl: -2 });

    // So the next process takes the lock at once and fetches, and a third shares its token.
    const b = process(redis.url);
    const token = await b.tokens.getToken();
    expect(server.tokenRequests).toBe(2);
    expect(await process(redis.url).tokens.getToken()).toBe(token);
    expect(server.tokenRequests).toBe(2);
  }, 30_000);

  it('takes a newer token from the store within forcedRefreshIntervalSeconds: a second revocation fails no process', async () => {
    const [a, b, c] = [process(redis.url), process(redis.url), process(redis.url)];
    for (const p of [a, b, c]) await p.tokens.getToken();
    expect(server.tokenRequests).toBe(1);

    // T1 revoked: A is refused first and fetches T2; B and C are refused and adopt T2.
    server.revoke(await a.tokens.getToken());
    expect(await a.call()).toBe(200);
    expect(await Promise.all([b.call(), c.call()])).toEqual([200, 200]);
    expect(server.tokenRequests).toBe(2);

    // T2 revoked within the 30 s interval. B and C have made no token request yet: one of
    // them fetches T3 for the fleet. A, refused again, takes T3 from the store.
    server.revoke(await a.tokens.getToken());
    expect(await Promise.all([b.call(), c.call()])).toEqual([200, 200]);
    expect(await a.call()).toBe(200);
    expect(server.tokenRequests).toBe(3);
  }, 30_000);
});
