import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenProviderOptions } from '../../src/index.js';
import { useFleet } from '../helpers/fleet.js';
import { CLIENT_FAMILIES } from '../helpers/redis-clients.js';
import { skipRedisSuite } from '../helpers/redis-required.js';
import { storeMember, useRedisClients, useRedisServer } from '../helpers/redis-suite.js';
import { useTestServer } from '../helpers/test-server.js';

// The same suite for each client family: node-redis (`redis`) and ioredis.
(skipRedisSuite('redis-server') ? describe.skip : describe)('the Redis store', () => {
  const redis = useRedisServer();
  const openClient = useRedisClients();
  const server = useTestServer();
  const workers = useFleet(server, () => ({ REDIS_URL: redis.url }));

  /** What the store holds under this library's keys, parsed. */
  async function storedTokens(): Promise<Array<{ accessToken: string }>> {
    const keys = (await redis.inspector.keys('bookable-axios-auth:token:*')).filter(
      (k) => !k.endsWith(':lock'),
    );
    const values = await Promise.all(keys.map((k) => redis.inspector.get(k)));
    return values.map((v) => JSON.parse(String(v)) as { accessToken: string });
  }

  describe.each(CLIENT_FAMILIES)('through %s', (family) => {
    const startWorker = (env: Record<string, string> = {}) =>
      workers.start({ REDIS_CLIENT: family, ...env });

    /** A provider of this process, as each process of a fleet would have, on its own connection. */
    function provider(overrides: Partial<TokenProviderOptions> = {}) {
      const { client } = openClient(family, { url: redis.url });
      const { tokens, api, logger } = storeMember(server, client, overrides);
      const warnings = () => logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
      return { tokens, api, warnings };
    }

    describe('a fleet of processes sharing a Redis token store', () => {
      it('makes one token request for 4 processes firing 250 concurrent requests each on a cold cache', async () => {
        const fleet = await Promise.all([1, 2, 3, 4].map(() => startWorker()));
        const results = await Promise.all(fleet.map((w) => w.burst(250)));
        expect(results).toEqual(Array(4).fill({ ok: 250, failed: [] }));
        expect(server.tokenRequests).toBe(1);
        expect(server.apiRequests).toBe(1000);
        expect(fleet.flatMap((w) => w.warnings)).toEqual([]);
        // The lock is released once the token is shared.
        expect(await redis.inspector.keys('*:lock')).toEqual([]);
      }, 30_000);

      it('does not stall when the lock holder dies mid-fetch: its lock lapses and another process fetches', async () => {
        // The first token request hangs long enough for its process to be killed while it waits.
        server.failNextTokenRequests(1, { delayMs: 4_000 });
        const holder = await startWorker({ TIMEOUT_MS: '1000' });
        const survivor = await startWorker({ TIMEOUT_MS: '1000' });
        void holder.burst(1);
        while (server.tokenRequests === 0) await sleep(10);
        expect(await redis.inspector.keys('*:lock')).toHaveLength(1);
        holder.kill();

        expect(await survivor.burst(20)).toEqual({ ok: 20, failed: [] });
        expect(server.tokenRequests).toBe(2);
        expect(survivor.warnings).toEqual([]);
      }, 30_000);

      it('refetches once for the whole fleet when the API refuses the shared token', async () => {
        const fleet = await Promise.all([1, 2, 3, 4].map(() => startWorker()));
        await Promise.all(fleet.map((w) => w.burst(5)));
        expect(server.tokenRequests).toBe(1);
        const [shared] = await storedTokens();
        server.revoke(shared!.accessToken);

        const [first, ...others] = fleet;
        expect(await first!.burst(20)).toEqual({ ok: 20, failed: [] });
        expect(server.tokenRequests).toBe(2);
        // The others hold the revoked token too: each gets a 401, finds the new token in the store.
        const results = await Promise.all(others.map((w) => w.burst(20)));
        expect(results).toEqual(Array(3).fill({ ok: 20, failed: [] }));
        expect(server.tokenRequests).toBe(2);
        expect((await storedTokens()).map((t) => t.accessToken)).not.toContain(shared!.accessToken);
      }, 30_000);
    });

    describe('from one process', () => {
      it('drops a refused token from Redis only while Redis still holds that same token', async () => {
        const a = provider();
        const b = provider();
        const first = await a.tokens.getToken();
        expect(await b.tokens.getToken()).toBe(first);
        const second = await a.tokens.getTokenAfterRejection(first);
        expect(second).not.toBe(first);
        expect(server.tokenRequests).toBe(2);
        // b's refusal of the old token must not delete a's newer one: b adopts it instead.
        expect(await b.tokens.getTokenAfterRejection(first)).toBe(second);
        expect(server.tokenRequests).toBe(2);
        expect((await storedTokens()).map((t) => t.accessToken)).toEqual([second]);
      });

      it('keeps every request succeeding while Redis is down, warns once, and shares again once Redis is back', async () => {
        // Two refusals 6 s apart below; the default spacing of forced refreshes is 30 s.
        const a = provider({ storeTimeoutMs: 200, forcedRefreshIntervalSeconds: 1 });
        await a.api.get('/venues');
        const [before] = await storedTokens();
        expect(server.tokenRequests).toBe(1);

        await redis.stop();
        server.revoke(before!.accessToken);
        const during = await Promise.all(Array.from({ length: 50 }, () => a.api.get('/venues')));
        expect(during.map((r) => r.status)).toEqual(Array(50).fill(200));
        expect(server.tokenRequests).toBe(2);
        // A process that starts during the outage fetches for itself and serves too.
        const late = provider({ storeTimeoutMs: 200 });
        expect((await late.api.get('/venues')).status).toBe(200);
        expect(server.tokenRequests).toBe(3);
        expect(a.warnings()).toEqual([expect.stringContaining('The token store failed')]);

        await redis.start();
        await sleep(5_100); // the store is left alone for 5 s after a failure
        const fresh = provider({ storeTimeoutMs: 200 });
        await fresh.tokens.getToken();
        expect(server.tokenRequests).toBe(4);
        // `a`'s token is refused: it asks the store again, and uses the token `fresh` shared.
        server.revoke((await a.tokens.getTokenInfo()).accessToken);
        expect((await a.api.get('/venues')).status).toBe(200);
        expect(server.tokenRequests).toBe(4);
        expect(a.warnings()).toEqual([
          expect.stringContaining('The token store failed'),
          'The token store answers again; sharing tokens through it',
        ]);
      }, 30_000);

      it('does not wait on a Redis that hangs: past storeTimeoutMs the process fetches for itself', async () => {
        const a = provider({ storeTimeoutMs: 100 });
        const blocker = await redis.connect();
        let redisAwake = false;
        // DEBUG SLEEP blocks the whole server, as a stalled Redis would.
        const asleep = blocker.sendCommand(['DEBUG', 'SLEEP', '3']).then(() => (redisAwake = true));
        await sleep(50);
        const token = await a.tokens.getToken();
        expect(redisAwake).toBe(false);
        expect(token).toMatch(/^ey/);
        expect(server.tokenRequests).toBe(1);
        expect(a.warnings()).toEqual([expect.stringContaining('no answer within 100 ms')]);
        await asleep;
      }, 15_000);

      it('encrypts tokens at rest with storeEncryptionKey; only processes with the key can use them', async () => {
        const key = randomBytes(32);
        const a = provider({ storeEncryptionKey: key });
        const b = provider({ storeEncryptionKey: Buffer.from(key) });
        const token = await a.tokens.getToken();
        expect(await b.tokens.getToken()).toBe(token);
        expect(server.tokenRequests).toBe(1);

        const keys = await redis.inspector.keys('bookable-axios-auth:*');
        expect(keys).toHaveLength(1);
        const value = String(await redis.inspector.get(keys[0]!));
        expect(value.split('.')).toHaveLength(5); // a compact JWE
        expect(JSON.parse(Buffer.from(value.split('.')[0]!, 'base64url').toString())).toEqual({
          alg: 'dir',
          enc: 'A256GCM',
        });
        expect(value).not.toContain(token);
        expect(value).not.toContain(token.split('.')[1]);

        // Another key (a rotation rolling out) keeps its own entry instead of fighting over one.
        const c = provider({ storeEncryptionKey: randomBytes(32) });
        expect(await c.tokens.getToken()).not.toBe(token);
        expect(await redis.inspector.keys('bookable-axios-auth:*')).toHaveLength(2);
        expect(await b.tokens.getToken()).toBe(token);
      });

      it('never writes the client secret to Redis, in keys or values', async () => {
        const a = provider();
        await a.tokens.getToken();
        const keys = await redis.inspector.keys('*');
        const values = await Promise.all(keys.map((k) => redis.inspector.get(k)));
        expect(keys.join(' ') + values.join(' ')).not.toContain(server.clientSecret);
        expect(keys).toEqual([expect.stringMatching(/^bookable-axios-auth:token:[\w-]{43}$/)]);
      });
    });
  });
});
