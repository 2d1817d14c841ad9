import { invalid } from '../options/validation.js';
import type { TokenStore } from '../token-store.js';
import { redisCommandsFor } from './client-kind.js';
import type { RedisCommands } from './commands.js';
import type { IoRedisClientLike } from './ioredis.js';
import type { NodeRedisClientLike } from './node-redis.js';
import { misconfiguration } from './store-misconfigured.js';

export type { TokenStore } from '../token-store.js';
export type { IoRedisClientLike } from './ioredis.js';
export type { NodeRedisClientLike } from './node-redis.js';

/**
 * A client of either family, as the store uses it: node-redis (`redis` 5 or 6: `createClient()`,
 * `createCluster()`) or ioredis (`ioredis` 5 or 6: `new Redis()`, `new Cluster()`; iovalkey too).
 */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike;

/** Options of {@link createRedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /**
   * A connected client (or cluster client) of node-redis or ioredis, shared with the rest of the
   * application. Give it an `error` listener, as both ask; while it is disconnected, the provider
   * fetches tokens for itself and tries the store again every few seconds.
   */
  client: RedisClientLike;
  /**
   * Put before every key, to keep apart applications that share a Redis database.
   * @default 'bookable-axios-auth:'
   */
  keyPrefix?: string;
}

/** Deletes KEYS[1] only if it holds ARGV[1]; one key, so it also runs on Redis Cluster. */
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A {@link TokenStore} on Redis: pass it as the provider's `store` so that every process with the
 * same credentials shares one token. Works with node-redis and ioredis, single node or Cluster.
 *
 * A command that Redis refuses for a reason no retry can cure (an ACL, a missing password, a key
 * of another type, a command the server lacks) rejects with code `store_misconfigured`, which
 * names the fix; any other failure (connection lost, failover) rejects as the client raised it.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createTokenProvider } from 'bookable-axios-auth';
 * import { createRedisTokenStore } from 'bookable-axios-auth/redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
 *   .on('error', (error) => console.warn('redis:', error.message))
 *   .connect();
 * const provider = createTokenProvider({
 *   clientId: process.env.BOOKABLE_CLIENT_ID!,
 *   clientSecret: process.env.BOOKABLE_CLIENT_SECRET!,
 *   store: createRedisTokenStore({ client: redis }),
 * });
 * ```
 */
export function createRedisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const commands = redisCommandsFor(options?.client);
  const keyPrefix = options.keyPrefix ?? 'bookable-axios-auth:';
  if (typeof keyPrefix !== 'string') {
    throw invalid('`keyPrefix` must be a string');
  }
  const send = sender(commands, keyPrefix);
  return {
    async get(key) {
      const value = await send('GET', key, (k) => commands.get(k));
      if (typeof value === 'string') return value;
      // A client whose type mapping turns strings into Buffers.
      if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
      return undefined;
    },
    async set(key, value, ttlMs) {
      await send('SET PX', key, (k) => commands.set(k, value, ttlMs, false));
    },
    async setIfAbsent(key, value, ttlMs) {
      const reply = await send('SET PX NX', key, (k) => commands.set(k, value, ttlMs, true));
      return reply !== null && reply !== undefined;
    },
    async compareAndDelete(key, expected) {
      const deleted = await send('EVAL', key, (k) =>
        commands.eval(COMPARE_AND_DELETE, k, expected),
      );
      return Number(deleted) === 1;
    },
  };
}

/** Sends one command under the prefix; a refusal that is a misconfiguration rejects as one. */
function sender(commands: RedisCommands, keyPrefix: string) {
  return async (name: string, key: string, run: (key: string) => Promise<unknown>) => {
    const fullKey = keyPrefix + key;
    try {
      return await run(fullKey);
    } catch (error) {
      throw (
        misconfiguration(error, { name, key: fullKey, keyPrefix, family: commands.family }) ?? error
      );
    }
  };
}
