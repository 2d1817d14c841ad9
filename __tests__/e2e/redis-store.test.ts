import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import {
  attachBookableAuth,
  createTokenProvider,
  type TokenProviderOptions,
} from '../../src/index.js';
import { createRedisTokenStore } from '../../src/redis/index.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { createFleet } from '../helpers/fleet.js';
import { recordingLogger } from '../helpers/logger.js';
import { CLIENT_FAMILIES, openClient } from '../helpers/redis-clients.js';
import { skipRedisSuite } from '../helpers/redis-required.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

type RedisClient = Awaited<ReturnType<ReturnType<typeof createClient>['connect']>>;

// The same suite for each client family: node-redis (`redis`) and ioredis.
(skipRedisSuite('redis-server') ? describe.skip : describe)('the Redis store', () => {
  let redis: RedisServer;
  let server: TestServer;
  /** The test's own connection (node-redis), to look at and tamper with what the store holds. */
  let inspector: RedisClient;
  const closers: Array<() => void> = [];
  const workers = createFleet(() => ({
    REDIS_URL: redis.url,
    API_ORIGIN: server.apiOrigin,
    TOKEN_URL: server.tokenUrl,
    AUDIENCE: server.audience,
    CLIENT_ID: server.clientId,
    CLIENT_SECRET: server.clientSecret,
  }));

  beforeAll(async () => {
    redis = await startRedisServer();
  }, 20_000);
  afterAll(async () => {
    await redis?.close();
  });
  beforeEach(async () => {
    server = await startTestServer();
    inspector = await connect();
    await inspector.flushAll();
  });
  afterEach(async () => {
    workers.killAll();
    for (const close of closers.splice(0)) close();
    await server.close();
  });

  /** A node-redis connection of the test's own. */
  async function connect(): Promise<RedisClient> {
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: 50 } }).on(
      'error',
      () => {},
    );
    closers.push(() => client.destroy());
    await client.connect();
    return client as RedisClient;
  }

  /** What the store holds under this library's keys, parsed. */
  async function storedTokens(): Promise<Array<{ accessToken: string }>> {
    const keys = (await inspector.keys('bookable-axios-auth:token:*')).filter(
      (k) => !k.endsWith(':lock'),
    );
    const values = await Promise.all(keys.map((k) => inspector.get(k)));
    return values.map((v) => JSON.parse(String(v)) as { accessToken: string });
  }

  describe.each(CLIENT_FAMILIES)('through %s', (family) => {
    const startWorker = (env: Record<string, string> = {}) =>
      workers.start({ REDIS_CLIENT: family, ...env });

    /** A provider of this process, as each process of a fleet would have, on its own connection. */
    function provider(overrides: Partial<TokenProviderOptions> = {}) {
      const logger = recordingLogger();
      const { client, close } = openClient(family, { url: redis.url });
      closers.push(close);
      const tokens = createTokenProvider({
        clientId: server.clientId,
        clientSecret: server.clientSecret,
        tokenUrl: server.tokenUrl,
        audience: server.audience,
        retry: { retries: 0 },
        store: createRedisTokenStore({ client }),
        logger,
        ...overrides,
      } as TokenProviderOptions);
      const api = axios.create({ baseURL: server.apiOrigin });
      attachBookableAuth(api, { tokenProvider: tokens });
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
        expect(await inspector.keys('*:lock')).toEqual([]);
      }, 30_000);

      it('does not stall when the lock holder dies mid-fetch: its lock lapses and another process fetches', async () => {
        // The first token request hangs long enough for its process to be killed while it waits.
        server.failNextTokenRequests(1, { delayMs: 4_000 });
        const holder = await startWorker({ TIMEOUT_MS: '1000' });
        const survivor = await startWorker({ TIMEOUT_MS: '1000' });
        void holder.burst(1);
        while (server.tokenRequests === 0) await sleep(10);
        expect(await inspector.keys('*:lock')).toHaveLength(1);
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
        const blocker = await connect();
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

        const keys = await inspector.keys('bookable-axios-auth:*');
        expect(keys).toHaveLength(1);
        const value = String(await inspector.get(keys[0]!));
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
        expect(await inspector.keys('bookable-axios-auth:*')).toHaveLength(2);
        expect(await b.tokens.getToken()).toBe(token);
      });

      it('never writes the client secret to Redis, in keys or values', async () => {
        const a = provider();
        await a.tokens.getToken();
        const keys = await inspector.keys('*');
        const values = await Promise.all(keys.map((k) => inspector.get(k)));
        expect(keys.join(' ') + values.join(' ')).not.toContain(server.clientSecret);
        expect(keys).toEqual([expect.stringMatching(/^bookable-axios-auth:token:[\w-]{43}$/)]);
      });
    });
  });
});
