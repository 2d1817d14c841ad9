import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import axios, { type AxiosInstance } from 'axios';
import { createClient } from 'redis';
import {
  attachBookableAuth,
  createTokenProvider,
  type TokenProvider,
  type TokenProviderOptions,
} from '../../src/index.js';
import { createRedisTokenStore, type RedisClientLike } from '../../src/redis/index.js';
import type { TestServer } from '../../src/testing/index.js';
import { recordingLogger } from './logger.js';
import { openClient } from './redis-clients.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { clientOf } from './test-server.js';

/** A connected node-redis client. */
export type RedisConnection = Awaited<ReturnType<ReturnType<typeof createClient>['connect']>>;

/** The suite's redis-server, and the test's own connections to it. */
export interface SuiteRedisServer extends Omit<RedisServer, 'close'> {
  /**
   * The test's own connection (node-redis), to look at and tamper with what the store holds.
   * Opened before each test, once the server is emptied.
   */
  readonly inspector: RedisConnection;
  /** Another connection of the test's own, reconnecting quickly; closed after the test. */
  connect(): Promise<RedisConnection>;
}

/**
 * For a Redis suite, inside its `describe`: one real redis-server (redis-server.ts) for the whole
 * suite, emptied before each test. Read its fields inside hooks and tests: it starts in `beforeAll`.
 */
export function useRedisServer(): SuiteRedisServer {
  let server: RedisServer | undefined;
  let inspector: RedisConnection | undefined;
  const connections: RedisConnection[] = [];
  const started = (): RedisServer => {
    if (server === undefined) throw new Error('the suite’s redis-server starts in beforeAll');
    return server;
  };
  const connect = async (): Promise<RedisConnection> => {
    const client = createClient({ url: started().url, socket: { reconnectStrategy: 50 } }).on(
      'error',
      () => {},
    );
    connections.push(client as RedisConnection);
    await client.connect();
    return client as RedisConnection;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  }, 20_000);
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    inspector = await connect();
    await inspector.flushAll();
  });
  afterEach(() => {
    for (const connection of connections.splice(0)) connection.destroy();
    inspector = undefined;
  });

  return {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    stop: () => started().stop(),
    start: () => started().start(),
    get inspector() {
      if (inspector === undefined) throw new Error('the inspector opens in beforeEach');
      return inspector;
    },
    connect,
  };
}

/** For a test file: `openClient`, with every client it opened closed after each test. */
export function useRedisClients(): typeof openClient {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  return (family, target) => {
    const opened = openClient(family, target);
    closers.push(opened.close);
    return opened;
  };
}

/** One process of a fleet, run inside the test's: its provider, and its API client. */
export interface StoreMember {
  tokens: TokenProvider;
  /** An axios instance for the server's API, with the plugin attached to `tokens`. */
  api: AxiosInstance;
  /** What the provider logged, at every level. */
  logger: ReturnType<typeof recordingLogger>;
}

/**
 * A provider for the testing server's client that shares tokens through a Redis store on `client`
 * (no retries, a recording logger, then `overrides`), as each process of a fleet would have.
 */
export function storeMember(
  server: TestServer,
  client: RedisClientLike,
  overrides: Partial<TokenProviderOptions> = {},
): StoreMember {
  const logger = recordingLogger();
  const tokens = createTokenProvider({
    ...clientOf(server),
    retry: { retries: 0 },
    store: createRedisTokenStore({ client }),
    logger,
    ...overrides,
  } as TokenProviderOptions);
  const api = axios.create({ baseURL: server.apiOrigin });
  attachBookableAuth(api, { tokenProvider: tokens });
  return { tokens, api, logger };
}
