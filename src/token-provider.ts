import type { TokenInfo } from './token-info.js';

/** Per-call options of {@link TokenProvider.getToken}. */
export interface GetTokenOptions {
  /**
   * Stops this caller's wait (it rejects with code `aborted`). A fetch that other callers share
   * goes on for them.
   */
  signal?: AbortSignal;
}

/**
 * A source of access tokens: one cached token, refreshed in the background before it expires, one
 * token request however many callers race. Share one provider between axios instances that call
 * the same API with the same credentials.
 */
export interface TokenProvider {
  /** The current access token, fetched or refreshed as needed. */
  getToken(options?: GetTokenOptions): Promise<string>;
  /** The current token with its expiry, scopes and where each figure came from. */
  getTokenInfo(options?: GetTokenOptions): Promise<TokenInfo>;
  /**
   * Drops the cached token, but only if it is still `token` (any token when omitted). Returns
   * whether it dropped one. Dropping an older token than the cached one does nothing. With a
   * `store`, the next fetch also drops that token from the store (if it is still there) instead
   * of taking it back.
   */
  invalidate(token?: string): boolean;
  /**
   * Called when an API refused `rejectedToken` (401): returns the token to retry with. If the
   * cache has already moved on, that newer token; otherwise it drops the token and fetches one,
   * at most once per `forcedRefreshIntervalSeconds` (else it rejects with `token_rejected`).
   */
  getTokenAfterRejection(rejectedToken: string, options?: GetTokenOptions): Promise<string>;
}

/**
 * Internal: the cached token if it may be used now, synchronously (starting a background refresh
 * inside the margin), else undefined. Lets the request interceptor skip promise turns on the hot
 * path. Not exported from the package: providers written by users simply lack it. A registered
 * symbol, so that a provider from the ESM build works with the CommonJS build's interceptors.
 */
export const peekToken = Symbol.for('bookable-axios-auth.peekToken');
