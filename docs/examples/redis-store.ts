import axios from 'axios';
import { createClient, createCluster } from 'redis';
import { attachBookableAuth, createTokenProvider } from 'bookable-axios-auth';
import { createRedisTokenStore } from 'bookable-axios-auth/redis';

// The application's own Redis client, shared with the token store.
const redis = await createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
  .on('error', (error: Error) => console.warn('redis:', error.message))
  .connect();

// Every process of the service builds the same provider: one token for all of them.
const tokens = createTokenProvider({
  clientId: process.env.BOOKABLE_CLIENT_ID ?? '',
  clientSecret: process.env.BOOKABLE_CLIENT_SECRET ?? '',
  store: createRedisTokenStore({ client: redis }),
  // Optional: tokens at rest are then unreadable without this key (32 bytes, base64 here).
  storeEncryptionKey: Buffer.from(process.env.TOKEN_STORE_KEY ?? '', 'base64'),
  logger: console,
});

const api = axios.create({ baseURL: 'https://api.bookabletech.com' });
attachBookableAuth(api, { tokenProvider: tokens });

// A Redis Cluster works the same way.
const cluster = await createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:6379' }] }).connect();
export const clusterStore = createRedisTokenStore({ client: cluster, keyPrefix: 'billing:' });
