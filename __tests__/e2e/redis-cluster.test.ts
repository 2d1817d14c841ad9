import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { createTokenProvider, isBookableAuthError } from '../../src/index.js';
import { createRedisTokenStore } from '../../src/redis/index.js';
import { createMemoryTokenStore } from '../../src/testing/index.js';
import { useFleet } from '../helpers/fleet.js';
import { recordingLogger } from '../helpers/logger.js';
import { CLIENT_FAMILIES } from '../helpers/redis-clients.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { skipRedisSuite } from '../helpers/redis-required.js';
import { useRedisClients } from '../helpers/redis-suite.js';
import { clientOf, useTestServer } from '../helpers/test-server.js';

// A real Redis Cluster: 3 masters with a replica each, on loopback, shared by the fleets of
// both client families (node-redis `createCluster()`, ioredis `new Cluster()`).
(skipRedisSuite('redis-server', 'redis-cli') ? describe.skip : describe)(
  'the Redis store on a Redis Cluster',
  () => {
    let cluster: RedisCluster;
    const server = useTestServer();
    const openClient = useRedisClients();
    const workers = useFleet(server, () => ({ REDIS_NODES: cluster.seeds.join(',') }));

    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, 60_000);
    afterAll(async () => {
      await cluster?.close();
    });
    beforeEach(async () => {
      // A test that killed a master left its replica in charge, alone: restart the dead node.
      await cluster.heal();
      for (const port of await cluster.masters()) await cluster.command(port, 'FLUSHALL');
    }, 30_000);

    /** The store key (without prefix) of the test server's credentials, as the provider names it. */
    async function storeKey(): Promise<string> {
      const memory = createMemoryTokenStore();
      const seen: string[] = [];
      const provider = createTokenProvider({
        ...clientOf(server),
        store: { ...memory, get: (key) => (seen.push(key), memory.get(key)) },
      });
      await provider.getToken();
      return seen[0]!;
    }

    /** A key prefix under which the token and its lock live on two different masters. */
    async function prefixSplittingTokenAndLock(key: string): Promise<string> {
      for (let i = 0; ; i++) {
        const prefix = `split${i}:`;
        const token = await cluster.masterOf(prefix + key);
        const lock = await cluster.masterOf(`${prefix}${key}:lock`);
        if (token !== lock) return prefix;
      }
    }

    /** Every key the store holds now, over all masters. */
    async function storedKeys(): Promise<string[]> {
      const keys: string[] = [];
      for (const port of await cluster.masters()) {
        const reply = await cluster.command(port, 'KEYS', '*');
        keys.push(...reply.split('\n').filter(Boolean));
      }
      return keys.sort();
    }

    describe.each(CLIENT_FAMILIES)('through the %s cluster client', (family) => {
      const startWorker = (env: Record<string, string> = {}) =>
        workers.start({ REDIS_CLIENT: `${family}-cluster`, ...env });

      it('makes one token request for 4 processes firing 250 concurrent requests each, with the token and its lock on different masters', async () => {
        const key = await storeKey();
        const prefix = await prefixSplittingTokenAndLock(key);
        const probeRequests = server.tokenRequests;

        const fleet = await Promise.all(
          [1, 2, 3, 4].map(() => startWorker({ KEY_PREFIX: prefix })),
        );
        const results = await Promise.all(fleet.map((w) => w.burst(250)));
        expect(results).toEqual(Array(4).fill({ ok: 250, failed: [] }));
        expect(server.tokenRequests - probeRequests).toBe(1);
        expect(fleet.flatMap((w) => w.warnings)).toEqual([]);
        // The token is shared under its key, and the lock (on another master) is released.
        expect(await storedKeys()).toEqual([prefix + key]);
        expect(new Set(await Promise.all(fleet.map((w) => w.token()))).size).toBe(1);
      }, 60_000);

      it('fails no request when the master holding the token is killed mid-run, and shares one token again after the failover', async () => {
        // Forced refreshes 1 s apart at most: the test refuses tokens twice within a few seconds.
        const env = { FORCED_REFRESH_SECONDS: '1', KEY_PREFIX: `${family}:` };
        const fleet = await Promise.all([1, 2, 3, 4].map(() => startWorker(env)));
        await Promise.all(fleet.map((w) => w.burst(5)));
        expect(server.tokenRequests).toBe(1);
        const [key] = await storedKeys();
        const shared = await fleet[0]!.token();

        // Kill the token's master, and revoke the token at once: every process must now get a
        // token while the store's slot has no master (until its replica takes over).
        const failover = cluster.failOverKey(key!);
        server.revoke(shared);
        let failedOver = false;
        void failover.then(() => (failedOver = true));
        const during: Array<{ ok: number; failed: string[] }> = [];
        do {
          during.push(...(await Promise.all(fleet.map((w) => w.burst(20)))));
        } while (!failedOver);
        const { killed, promoted } = await failover;
        expect(promoted).not.toBe(killed);
        expect(during.flatMap((r) => r.failed)).toEqual([]);
        expect(during.reduce((n, r) => n + r.ok, 0)).toBe(during.length * 20);
        // Each process fetched for itself at most once while the store was down.
        expect(server.tokenRequests).toBeLessThanOrEqual(1 + fleet.length);

        // The store is left alone for 5 s after a failure; then the fleet shares again: with
        // the store empty and every process's token refused, one token request for all four.
        await sleep(5_100);
        const before = server.tokenRequests;
        for (const token of new Set(await Promise.all(fleet.map((w) => w.token()))))
          server.revoke(token);
        await cluster.command(await cluster.masterOf(key!), 'DEL', key!);
        const after = await Promise.all(fleet.map((w) => w.burst(20)));
        expect(after).toEqual(Array(4).fill({ ok: 20, failed: [] }));
        expect(server.tokenRequests - before).toBe(1);
        expect(new Set(await Promise.all(fleet.map((w) => w.token()))).size).toBe(1);
        expect(await cluster.masterOf(key!)).toBe(promoted);
      }, 90_000);
    });

    it('shares one token under the ACL user that docs/scaling.md describes for Cluster, with either family', async () => {
      // The store's commands, INFO (ioredis's ready check), and the cluster commands the two
      // clients use to learn the slots: CLUSTER SLOTS (both) and CLUSTER INFO (ioredis).
      const rules = ['~bookable-axios-auth:*', '+get', '+set', '+eval', '+del', '+info'];
      rules.push('+cluster|slots', '+cluster|info');
      for (const node of cluster.nodes.filter((n) => n.alive)) {
        await cluster.command(
          node.port,
          'ACL',
          'SETUSER',
          'tokens',
          'reset',
          'on',
          '>pw',
          ...rules,
        );
      }
      const user = { username: 'tokens', password: 'pw' };
      const logger = recordingLogger();
      const providers = [];
      for (const family of [...CLIENT_FAMILIES, ...CLIENT_FAMILIES]) {
        const { client, ready } = openClient(family, { seeds: cluster.seeds, user });
        await ready;
        providers.push(
          createTokenProvider({
            ...clientOf(server),
            store: createRedisTokenStore({ client }),
            logger,
          }),
        );
      }
      const tokens = await Promise.all(providers.map((p) => p.getToken()));
      expect(new Set(tokens).size).toBe(1);
      expect(server.tokenRequests).toBe(1);
      // The refusal path runs the compare-and-delete script.
      const second = await providers[0]!.getTokenAfterRejection(tokens[0]!);
      expect(await providers[1]!.getTokenAfterRejection(tokens[0]!)).toBe(second);
      expect(server.tokenRequests).toBe(2);
      expect(logger.lines.filter((l) => l.level !== 'debug')).toEqual([]);
    });

    it('tells a single-node client pointed at a cluster node to use a cluster client (store_misconfigured)', async () => {
      const [first, second] = await cluster.masters();
      // A key whose slot the first master does not hold: Redis answers MOVED.
      let key = 'a';
      while ((await cluster.masterOf(`bookable-axios-auth:${key}`)) !== second) key += 'a';
      const client = await createClient({ url: `redis://127.0.0.1:${first}` })
        .on('error', () => {})
        .connect();
      try {
        const store = createRedisTokenStore({ client });
        const failure = await store.get(key).catch((error: unknown) => error);
        expect(isBookableAuthError(failure) && failure.code).toBe('store_misconfigured');
        expect((failure as Error).message).toMatch(
          /^Redis refused `GET` on `bookable-axios-auth:a+` \(MOVED \d+ 127\.0\.0\.1:\d+\): this Redis is a Cluster node/,
        );
        expect((failure as Error).message).toContain('createCluster()');
      } finally {
        client.destroy();
      }
    });
  },
);
