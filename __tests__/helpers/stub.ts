import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { TokenInfo, TokenProvider, TokenStore } from '../../src/index.js';
import { createMemoryTokenStore } from '../../src/testing/index.js';
import { peekToken } from '../../src/token-provider.js';

/**
 * A provider that hands out `token-1`, `token-2`, ... (or what `tokenFor` names) and counts its
 * fetches. Like the real one, it lets the plugin read a cached token synchronously.
 */
export function stubProvider(
  tokenFor: (fetch: number) => string = (fetch) => `token-${fetch}`,
): TokenProvider & { fetches: number } {
  let current: string | undefined;
  const stub = {
    fetches: 0,
    async getToken() {
      if (current === undefined) {
        stub.fetches += 1;
        current = tokenFor(stub.fetches);
      }
      return current;
    },
    async getTokenInfo(): Promise<TokenInfo> {
      throw new Error('not used');
    },
    invalidate(token?: string) {
      if (current === undefined || (token !== undefined && token !== current)) return false;
      current = undefined;
      return true;
    },
    async getTokenAfterRejection(token: string) {
      stub.invalidate(token);
      return stub.getToken();
    },
    [peekToken]: () => current,
  };
  return stub;
}

/** An adapter that answers 200 with the Authorization header it was given: no network. */
export const echoAdapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => ({
  data: config.headers.get('Authorization') ?? null,
  status: 200,
  statusText: 'OK',
  headers: {},
  config,
  request: {},
});

/** A bare response to `config` with `status` and no body, as an adapter returns it. */
export function stubResponse(config: InternalAxiosRequestConfig, status = 200): AxiosResponse {
  return { data: null, status, statusText: '', headers: {}, config, request: {} };
}

/**
 * An in-memory store whose reads fail (`ECONNREFUSED`) while `down` is true, as a store in an
 * outage does; it starts down.
 */
export function outageStore(): { store: TokenStore; down: boolean } {
  const inner = createMemoryTokenStore();
  const outage: { store: TokenStore; down: boolean } = {
    down: true,
    store: {
      get: (key) => (outage.down ? Promise.reject(new Error('ECONNREFUSED')) : inner.get(key)),
      set: (key, value, ttl) => inner.set(key, value, ttl),
      setIfAbsent: (key, value, ttl) => inner.setIfAbsent(key, value, ttl),
      compareAndDelete: (key, value) => inner.compareAndDelete(key, value),
    },
  };
  return outage;
}
