import { hasStoreCommands, type RedisCommands } from './commands.js';

/**
 * A node-redis client (`redis` 5 or 6): from `createClient()`, `createCluster()` or
 * `createClientPool()`. Only these members are used: `isOpen` and `sendCommand` to recognise it,
 * and its command methods, which take options objects.
 */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  sendCommand: (...args: never[]) => unknown;
  get(key: string): Promise<unknown>;
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'PX'; value: number }; condition?: 'NX' },
  ): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * node-redis documents `isOpen` (a boolean) on its client, cluster and pool, and `sendCommand`
 * for raw commands; ioredis has neither `isOpen` nor node-redis's options objects.
 */
export function isNodeRedis(client: object): client is NodeRedisClientLike {
  const c = client as Partial<Record<keyof NodeRedisClientLike, unknown>>;
  return (
    typeof c.isOpen === 'boolean' && typeof c.sendCommand === 'function' && hasStoreCommands(client)
  );
}

export function nodeRedisCommands(client: NodeRedisClientLike): RedisCommands {
  return {
    family: 'node-redis',
    get: (key) => client.get(key),
    set: (key, value, ttlMs, onlyIfAbsent) =>
      client.set(
        key,
        value,
        onlyIfAbsent
          ? { expiration: { type: 'PX', value: ttlMs }, condition: 'NX' }
          : { expiration: { type: 'PX', value: ttlMs } },
      ),
    eval: (script, key, arg) => client.eval(script, { keys: [key], arguments: [arg] }),
  };
}
