import type { TokenStore } from '../token-store.js';

/**
 * A {@link TokenStore} in this process's memory: several providers given the same one behave as
 * processes sharing a Redis, which lets tests exercise a fleet without a server. It is also the
 * reference for writing a store: each method is what another store must do, atomically.
 */
export function createMemoryTokenStore(): TokenStore {
  const entries = new Map<string, { value: string; expiresAtMs: number }>();
  const live = (key: string): string | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (Date.now() < entry.expiresAtMs) return entry.value;
    entries.delete(key);
    return undefined;
  };
  return {
    get: (key) => Promise.resolve(live(key)),
    set(key, value, ttlMs) {
      entries.set(key, { value, expiresAtMs: Date.now() + ttlMs });
      return Promise.resolve();
    },
    setIfAbsent(key, value, ttlMs) {
      if (live(key) !== undefined) return Promise.resolve(false);
      entries.set(key, { value, expiresAtMs: Date.now() + ttlMs });
      return Promise.resolve(true);
    },
    compareAndDelete(key, expected) {
      if (live(key) !== expected) return Promise.resolve(false);
      entries.delete(key);
      return Promise.resolve(true);
    },
  };
}
