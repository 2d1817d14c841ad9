import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import type { RedisClientLike } from '../../src/redis/index.js';

/** The client families the store supports, as the suites run them. */
export const CLIENT_FAMILIES = ['node-redis', 'ioredis'] as const;
export type ClientFamily = (typeof CLIENT_FAMILIES)[number];

/** Where the clients connect: one server, or a cluster's seed nodes (`host:port`). */
export type RedisTarget =
  { url: string } | { seeds: readonly string[]; user?: { username: string; password: string } };

export interface TestRedisClient {
  readonly client: RedisClientLike;
  /** Resolves once the client is ready; commands sent before queue meanwhile. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * A client of `family` on `target`, as an application would create it, retrying quickly while
 * Redis is down. Its connection errors are swallowed: the store's own handling is under test.
 */
export function openClient(family: ClientFamily, target: RedisTarget): TestRedisClient {
  if (family === 'node-redis') {
    const client =
      'url' in target
        ? createClient({ url: target.url, socket: { reconnectStrategy: 50 } })
        : createCluster({
            rootNodes: target.seeds.map((seed) => ({ url: `redis://${seed}` })),
            ...(target.user ? { defaults: target.user } : {}),
          });
    client.on('error', () => {});
    const ready = client.connect().then(
      () => undefined,
      () => undefined,
    );
    return { client, ready, close: () => client.destroy() };
  }
  const client =
    'url' in target
      ? new Redis(target.url, { retryStrategy: () => 50 })
      : new Cluster(
          target.seeds.map((seed) => ({
            host: seed.split(':')[0]!,
            port: Number(seed.split(':')[1]),
          })),
          target.user ? { redisOptions: target.user } : {},
        );
  client.on('error', () => {});
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return { client, ready, close: () => client.disconnect() };
}
