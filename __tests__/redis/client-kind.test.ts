import { afterAll, describe, expect, it } from '@jest/globals';
import { Cluster as IoRedisCluster, Redis as IoRedis } from 'ioredis';
import { Cluster as IoRedis6Cluster, Redis as IoRedis6 } from 'ioredis-6';
import { Cluster as ValkeyCluster, Redis as Valkey } from 'iovalkey';
import { createClient, createCluster } from 'redis';
import { createClient as createClient5, createCluster as createCluster5 } from 'redis-5';
import { isBookableAuthError } from '../../src/index.js';
import { createRedisTokenStore, type RedisClientLike } from '../../src/redis/index.js';

// Clients that never connect: recognising one needs only its shape. Each is assigned to
// RedisClientLike without a cast, so `tsc` checks that the public type accepts it as it is.
const lazy = { lazyConnect: true } as const;
const unreachable = 'redis://127.0.0.1:1';
const accepted: Array<[string, RedisClientLike]> = [
  ['node-redis 6 createClient()', createClient({ url: unreachable })],
  ['node-redis 6 createCluster()', createCluster({ rootNodes: [{ url: unreachable }] })],
  ['node-redis 5 createClient()', createClient5({ url: unreachable })],
  ['node-redis 5 createCluster()', createCluster5({ rootNodes: [{ url: unreachable }] })],
  ['ioredis 5 new Redis()', new IoRedis(lazy)],
  ['ioredis 5 new Cluster()', new IoRedisCluster([{ port: 1 }], lazy)],
  ['ioredis 6 new Redis()', new IoRedis6(lazy)],
  ['ioredis 6 new Cluster()', new IoRedis6Cluster([{ port: 1 }], lazy)],
  ['iovalkey new Redis()', new Valkey(lazy)],
  ['iovalkey new Cluster()', new ValkeyCluster([{ port: 1 }], lazy)],
];

afterAll(() => {
  for (const [, client] of accepted) {
    // The ioredis family's lazy clients hold a timer or two; node-redis's hold nothing.
    if ('status' in client) (client as IoRedis).disconnect();
  }
});

describe('createRedisTokenStore recognises the client it is given', () => {
  it.each(accepted)('accepts a %s', (_name, client) => {
    const store = createRedisTokenStore({ client });
    expect(Object.keys(store).sort()).toEqual(['compareAndDelete', 'get', 'set', 'setIfAbsent']);
  });

  const refused: Array<[string, unknown]> = [
    ['nothing', undefined],
    ['null', null],
    ['a URL string', 'redis://127.0.0.1:6379'],
    ['a Map', new Map()],
    [
      'an object with get, set and eval but neither family’s shape',
      { get: async () => null, set: async () => 'OK', eval: async () => 0 },
    ],
  ];
  it.each(refused)('refuses %s with invalid_options naming both families', (_name, client) => {
    let caught: unknown;
    try {
      createRedisTokenStore({ client: client as RedisClientLike });
    } catch (error) {
      caught = error;
    }
    expect(isBookableAuthError(caught) && caught.code).toBe('invalid_options');
    expect((caught as Error).message).toMatch(/node-redis .*createClient\(\), createCluster\(\)/);
    expect((caught as Error).message).toMatch(/ioredis .*iovalkey: new Redis\(\), new Cluster\(\)/);
  });
});
