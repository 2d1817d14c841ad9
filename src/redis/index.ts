import { BookableAuthError } from '../errors.js';
import type { TokenStore } from '../token-store.js';

export type { TokenStore } from '../token-store.js';

/**
 * The few commands the store sends, as node-redis (`redis` 5 or 6) declares them: a client from
 * `createClient()` or a cluster from `createCluster()` fits. Only these are used.
 */
export interface RedisClientLike {
  get(key: string): Promise<unknown>;
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'PX'; value: number }; condition?: 'NX' },
  ): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link createRedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /**
   * A connected node-redis client (or cluster), shared with the rest of the application. Give it
   * an `error` listener, as node-redis asks; while it is disconnected, the provider fetches tokens
   * for itself and tries the store again every few seconds.
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
 * same credentials shares one token.
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
  const client = options?.client as Partial<RedisClientLike> | undefined;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.get !== 'function' ||
    typeof client.set !== 'function' ||
    typeof client.eval !== 'function'
  ) {
    throw new BookableAuthError(
      'invalid_options',
      '`client` must be a node-redis client: pass `await createClient({ url }).connect()` from the `redis` package',
    );
  }
  const prefix = options.keyPrefix ?? 'bookable-axios-auth:';
  if (typeof prefix !== 'string') {
    throw new BookableAuthError('invalid_options', '`keyPrefix` must be a string');
  }
  const redis = client as RedisClientLike;
  return {
    async get(key) {
      const value = await redis.get(prefix + key);
      if (typeof value === 'string') return value;
      // A client whose type mapping turns strings into Buffers.
      if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
      return undefined;
    },
    async set(key, value, ttlMs) {
      await redis.set(prefix + key, value, { expiration: { type: 'PX', value: ttlMs } });
    },
    async setIfAbsent(key, value, ttlMs) {
      const reply = await redis.set(prefix + key, value, {
        expiration: { type: 'PX', value: ttlMs },
        condition: 'NX',
      });
      return reply !== null && reply !== undefined;
    },
    async compareAndDelete(key, expected) {
      const deleted = await redis.eval(COMPARE_AND_DELETE, {
        keys: [prefix + key],
        arguments: [expected],
      });
      return Number(deleted) === 1;
    },
  };
}
