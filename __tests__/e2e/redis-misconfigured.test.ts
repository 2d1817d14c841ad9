import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { inspect } from 'node:util';
import { createClient } from 'redis';
import { createTokenProvider, isBookableAuthError } from '../../src/index.js';
import { createRedisTokenStore, type RedisClientLike } from '../../src/redis/index.js';
import { startTestServer } from '../../src/testing/index.js';
import { recordingLogger } from '../helpers/logger.js';
import { CLIENT_FAMILIES, openClient, type ClientFamily } from '../helpers/redis-clients.js';
import { skipRedisSuite } from '../helpers/redis-required.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

/**
 * The Redis users of these tests. `store` has the rights docs/scaling.md lists: the store's
 * commands on its keys, and for ioredis, INFO (its ready check).
 */
const USERS: Record<string, string[]> = {
  store: ['~bookable-axios-auth:*', '+get', '+set', '+eval', '+del', '+info'],
  'no-eval': ['~bookable-axios-auth:*', '+get', '+set', '+info'],
  'no-del': ['~bookable-axios-auth:*', '+get', '+set', '+eval', '+info'],
};

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

// Commands that Redis refuses for good reject as `store_misconfigured`, for both families.
(skipRedisSuite('redis-server') ? describe.skip : describe)('a misconfigured Redis store', () => {
  let redis: RedisServer;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const admin = await createClient({ url: redis.url }).connect();
    for (const [name, rules] of Object.entries(USERS)) {
      await admin.sendCommand(['ACL', 'SETUSER', name, 'on', '>secret-password', ...rules]);
    }
    admin.destroy();
  }, 20_000);
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  async function clientAs(family: ClientFamily, user?: string): Promise<RedisClientLike> {
    const url = user
      ? redis.url.replace('redis://', `redis://${user}:secret-password@`)
      : redis.url;
    const { client, ready, close } = openClient(family, { url });
    closers.push(close);
    await ready;
    return client;
  }

  describe.each(CLIENT_FAMILIES)('through %s', (family) => {
    it('shares one token between two providers under the ACL user that docs/scaling.md describes', async () => {
      const server = await startTestServer();
      try {
        const logger = recordingLogger();
        const provider = async () =>
          createTokenProvider({
            clientId: server.clientId,
            clientSecret: server.clientSecret,
            tokenUrl: server.tokenUrl,
            audience: server.audience,
            store: createRedisTokenStore({ client: await clientAs(family, 'store') }),
            logger,
          });
        const [a, b] = [await provider(), await provider()];
        const token = await a.getToken();
        expect(await b.getToken()).toBe(token);
        expect(server.tokenRequests).toBe(1);
        // The refusal path: compare-and-delete (EVAL, whose script runs GET and DEL).
        const second = await a.getTokenAfterRejection(token);
        expect(await b.getTokenAfterRejection(token)).toBe(second);
        expect(server.tokenRequests).toBe(2);
        expect(logger.lines.filter((l) => l.level !== 'debug')).toEqual([]);
      } finally {
        await server.close();
      }
    });

    it('rejects EVAL refused by an ACL as store_misconfigured, naming the grant, without the compared value', async () => {
      const store = createRedisTokenStore({ client: await clientAs(family, 'no-eval') });
      const value = 'a-stored-token-value-never-to-be-printed';
      const error = await failure(store.compareAndDelete('token:t', value));
      expect(isBookableAuthError(error) && error.code).toBe('store_misconfigured');
      expect(error.message).toMatch(
        /^Redis refused `EVAL` on `bookable-axios-auth:token:t` \(NOPERM .*'eval'.*\): .*ACL SETUSER <user> ~bookable-axios-auth:\* \+get \+set \+eval \+del/,
      );
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(value);
    });

    it('rejects a script whose DEL the ACL forbids as store_misconfigured', async () => {
      const store = createRedisTokenStore({ client: await clientAs(family, 'no-del') });
      await store.set('token:t', 'value', 10_000);
      const error = await failure(store.compareAndDelete('token:t', 'value'));
      expect(isBookableAuthError(error) && error.code).toBe('store_misconfigured');
      expect(error.message).toContain('ACL SETUSER');
    });

    it('rejects a key of another type as store_misconfigured, pointing at keyPrefix', async () => {
      const client = await clientAs(family);
      const admin = await createClient({ url: redis.url }).connect();
      closers.push(() => admin.destroy());
      await admin.lPush('someone-else:token:t', 'x');
      const store = createRedisTokenStore({ client, keyPrefix: 'someone-else:' });
      const error = await failure(store.get('token:t'));
      expect(isBookableAuthError(error) && error.code).toBe('store_misconfigured');
      expect(error.message).toMatch(
        /\(WRONGTYPE .*\): `someone-else:token:t` holds a value of another type.*`keyPrefix`/,
      );
    });
  });

  it('rejects a server without EVAL as store_misconfigured', async () => {
    const renamed = await startRedisServer(['--rename-command', 'EVAL', '']);
    try {
      for (const family of CLIENT_FAMILIES) {
        const { client, ready, close } = openClient(family, { url: renamed.url });
        closers.push(close);
        await ready;
        const error = await failure(
          createRedisTokenStore({ client }).compareAndDelete('token:t', 'v'),
        );
        expect(isBookableAuthError(error) && error.code).toBe('store_misconfigured');
        expect(error.message).toMatch(
          /\(ERR unknown command .*\): this server does not offer `EVAL`/,
        );
      }
    } finally {
      for (const close of closers.splice(0)) close();
      await renamed.close();
    }
  });

  it('rejects an ioredis client behind a node-redis look-alike (ERR syntax error) as store_misconfigured', async () => {
    // The failure first reported: node-redis's options objects sent to ioredis.
    const io = (await clientAs('ioredis')) as Redis;
    const lookAlike = {
      isOpen: true,
      sendCommand: () => undefined,
      get: (key: string) => io.get(key),
      set: (...args: unknown[]) => (io.set as (...a: unknown[]) => Promise<unknown>)(...args),
      eval: (...args: unknown[]) => (io.eval as (...a: unknown[]) => Promise<unknown>)(...args),
    };
    const store = createRedisTokenStore({ client: lookAlike });
    const error = await failure(store.setIfAbsent('token:t:lock', 'owner', 1_000));
    expect(isBookableAuthError(error) && error.code).toBe('store_misconfigured');
    expect(error.message).toMatch(/\(ERR syntax error\): .*node-redis's convention/);
  });
});
