import { randomUUID } from 'node:crypto';
import type { Logger } from './options.js';
import type { StoreCodec } from './store-codec.js';
import type { TokenResponse } from './token-endpoint.js';
import type { TokenStore } from './token-store.js';

/** After a store failure, the provider leaves the store alone this long before trying it again. */
const STORE_RETRY_AFTER_MS = 5_000;

/** A token read from the store, with the exact value that held it (for compare-and-delete). */
export interface SharedToken {
  response: TokenResponse;
  value: string;
}

export type LockResult =
  { state: 'acquired'; owner: string } | { state: 'held' } | { state: 'unavailable' };

/**
 * The provider's side of a {@link TokenStore}: every call bounded by a short timeout, every failure
 * absorbed (the store is an optimisation, never a dependency), one warning per outage.
 */
export class SharedStore {
  readonly #store: TokenStore;
  readonly #codec: StoreCodec;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #lockKey: string;
  /** While the store is failing: skip it until then. */
  #skipUntilMs = 0;
  #failing = false;
  #warnedUndecodable = false;
  /** How long a lock holder may fetch before its lock lapses and another process takes over. */
  readonly lockTtlMs: number;

  constructor(
    store: TokenStore,
    codec: StoreCodec,
    options: { timeoutMs: number; lockTtlMs: number; logger: Logger },
  ) {
    this.#store = store;
    this.#codec = codec;
    this.#timeoutMs = options.timeoutMs;
    this.#logger = options.logger;
    this.lockTtlMs = options.lockTtlMs;
    this.#lockKey = `${codec.key}:lock`;
  }

  /** False for a few seconds after a failure: the provider then fetches for itself. */
  get available(): boolean {
    return Date.now() >= this.#skipUntilMs;
  }

  /** The shared token, or undefined when there is none, it is unreadable, or the store failed. */
  async read(): Promise<SharedToken | undefined> {
    const value = await this.#call('read the token', (s) => s.get(this.#codec.key));
    if (value === undefined || value === null) return undefined;
    let response: TokenResponse | undefined;
    try {
      response = await this.#codec.decode(value);
    } catch {
      response = undefined;
    }
    if (response === undefined && !this.#warnedUndecodable) {
      this.#warnedUndecodable = true;
      this.#logger.warn(
        'The token store holds a value this provider cannot read (another `storeEncryptionKey`, or ' +
          'something else wrote the key); fetching a token and replacing it',
      );
    }
    return response && { response, value };
  }

  /** Shares `response` until `ttlMs` from now; the value written, or undefined if the store failed. */
  async write(response: TokenResponse, ttlMs: number): Promise<string | undefined> {
    const value = await this.#codec.encode(response);
    const done = await this.#call('write the token', (s) =>
      s.set(this.#codec.key, value, Math.max(1, Math.floor(ttlMs))).then(() => true),
    );
    return done === true ? value : undefined;
  }

  /** Drops the shared token only if the store still holds `value`. */
  async deleteIfUnchanged(value: string): Promise<void> {
    await this.#call('drop the refused token', (s) => s.compareAndDelete(this.#codec.key, value));
  }

  /** Tries to become the one process that fetches (`SET NX PX`). */
  async tryLock(): Promise<LockResult> {
    const owner = randomUUID();
    const taken = await this.#call('take the fetch lock', (s) =>
      s.setIfAbsent(this.#lockKey, owner, this.lockTtlMs),
    );
    if (taken === undefined) return { state: 'unavailable' };
    return taken ? { state: 'acquired', owner } : { state: 'held' };
  }

  /** Releases the lock if this process still holds it (it may have lapsed and moved on). */
  async unlock(owner: string): Promise<void> {
    await this.#call('release the fetch lock', (s) => s.compareAndDelete(this.#lockKey, owner));
  }

  /** Runs `operation` with the timeout; undefined when it failed (and the store is then skipped). */
  async #call<T>(
    what: string,
    operation: (store: TokenStore) => Promise<T>,
  ): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        operation(this.#store),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.#timeoutMs} ms`)),
            this.#timeoutMs,
          );
          timer.unref?.();
        }),
      ]);
      if (this.#failing) {
        this.#failing = false;
        this.#logger.warn('The token store answers again; sharing tokens through it');
      }
      return result;
    } catch (error) {
      this.#skipUntilMs = Date.now() + STORE_RETRY_AFTER_MS;
      if (!this.#failing) {
        this.#failing = true;
        this.#logger.warn(
          `The token store failed to ${what} (${describe(error)}); this process fetches its own ` +
            `tokens until the store answers again (next try in ${STORE_RETRY_AFTER_MS / 1000} s). ` +
            'No request fails because of this',
          { reason: describe(error) },
        );
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
