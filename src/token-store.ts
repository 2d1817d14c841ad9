/**
 * A shared key-value store that lets many processes use one access token: the `store` option of
 * the provider. `bookable-axios-auth/redis` implements it on Redis; any store with a
 * set-if-absent and an atomic compare-and-delete can implement it (see docs/scaling.md).
 *
 * Values are opaque strings written by the provider (encrypted when `storeEncryptionKey` is set).
 * Every method may reject: the provider then falls back to fetching tokens itself, warns once,
 * and tries the store again a few seconds later. No user request fails because the store did.
 */
export interface TokenStore {
  /** The value under `key`, or undefined when there is none (or it has expired). */
  get(key: string): Promise<string | undefined>;
  /** Writes `value` under `key`, replacing any value, to expire after `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Writes `value` under `key` only if the key holds nothing, to expire after `ttlMs`
   * milliseconds; resolves whether it wrote. The provider's cross-process lock (Redis:
   * `SET key value NX PX ttlMs`).
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Deletes `key` only if it still holds `expected`, atomically; resolves whether it deleted.
   * Releases the lock, and drops a token that an API refused without touching a newer one.
   */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
}
