import { hasStoreCommands, type RedisCommands } from './commands.js';

/**
 * An ioredis client (`ioredis` 5 or 6: `new Redis()` or `new Cluster()`), or an iovalkey one,
 * which keeps ioredis's API. Only these members are used: `status` and `call` to recognise it,
 * and its command methods, which take Redis's own arguments in order.
 */
export interface IoRedisClientLike {
  readonly status: string;
  call: (...args: never[]) => unknown;
  get(key: string): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/**
 * ioredis documents `status` (a string: 'wait', 'connecting', 'ready', ...) on `Redis` and
 * `Cluster`, and `call()` for raw commands; node-redis has neither.
 */
export function isIoRedis(client: object): client is IoRedisClientLike {
  const c = client as Partial<Record<keyof IoRedisClientLike, unknown>>;
  return typeof c.status === 'string' && typeof c.call === 'function' && hasStoreCommands(client);
}

export function ioRedisCommands(client: IoRedisClientLike): RedisCommands {
  return {
    family: 'ioredis',
    get: (key) => client.get(key),
    set: (key, value, ttlMs, onlyIfAbsent) =>
      onlyIfAbsent
        ? client.set(key, value, 'PX', ttlMs, 'NX')
        : client.set(key, value, 'PX', ttlMs),
    eval: (script, key, arg) => client.eval(script, 1, key, arg),
  };
}
