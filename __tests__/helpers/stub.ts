import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import type { TokenInfo, TokenProvider } from '../../src/index.js';
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
