import { invalid } from '../options/validation.js';
import type { RedisCommands } from './commands.js';
import { ioRedisCommands, isIoRedis } from './ioredis.js';
import { isNodeRedis, nodeRedisCommands } from './node-redis.js';

/**
 * Recognises the client by the shape each family documents, and speaks its calling convention.
 * Neither package is imported: only the client the application installed is ever loaded.
 */
export function redisCommandsFor(client: unknown): RedisCommands {
  if (typeof client === 'object' && client !== null) {
    if (isNodeRedis(client)) return nodeRedisCommands(client);
    if (isIoRedis(client)) return ioRedisCommands(client);
  }
  throw invalid(
    `\`client\` must be a Redis client from node-redis (\`redis\` 5 or 6: createClient(), createCluster()) ` +
      `or ioredis (\`ioredis\` 5 or 6, or iovalkey: new Redis(), new Cluster()); got ${describe(client)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `an instance of ${name}`
    : 'an object that is neither';
}
