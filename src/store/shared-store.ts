import { randomUUID } from 'node:crypto';
import type { TokenSubject } from '../diagnostics-channels.js';
import { events } from '../diagnostics.js';
import { errorMessage, isBookableAuthError } from '../errors.js';
import type { ResolvedLogger } from '../options/provider-options.js';
import type { TokenResponse } from '../token-endpoint/token-response.js';
import type { StoreCodec } from './store-codec.js';
import type { TokenStore } from '../token-store.js';

/** After a store failure, the provider leaves the store alone this long before trying it again. */
const STORE_RETRY_AFTER_MS = 5_000;
/**
 * After the store refused a command for good (`store_misconfigured`), this long: a lock that can
 * be taken but not released would hold the fleet back, and a retry every 5 s cannot cure it.
 */
const MISCONFIGURED_RETRY_AFTER_MS = 5 * 60_000;

/** What {@link SharedStore} is built from. */
export interface SharedStoreSettings {
  store: TokenStore;
  codec: StoreCodec;
  /** Longest wait for one store operation. */
  timeoutMs: number;
  logger: ResolvedLogger;
  /** Who the diagnostics events are about. */
  subject: TokenSubject;
}

/** A token read from the store, with the exact value that held it (for compare-and-delete). */
export interface SharedToken {
  response: TokenResponse;
  value: string;
}

export type LockResult =
  { state: 'acquired'; owner: string } | { state: 'held' } | { state: 'unavailable' };

/**
 * The provider's side of a {@link TokenStore}: every call bounded by a short timeout, every failure
 * absorbed (the store is an optimisation, never a dependency), one warning per outage. For a few
 * seconds after a failure every call answers "nothing" without asking the store, so the provider
 * fetches for itself.
 */
export class SharedStore {
  readonly #store: TokenStore;
  readonly #codec: StoreCodec;
  readonly #timeoutMs: number;
  readonly #logger: ResolvedLogger;
  readonly #lockKey: string;
  readonly #subject: TokenSubject;
  /** While the store is failing: skip it until then. */
  #skipUntilMs = 0;
  /** Since when the store has been failing; undefined while it answers. */
  #failingSinceMs: number | undefined;
  /** Whether the current failure was reported as a misconfiguration (at error level). */
  #reportedMisconfiguration = false;
  #warnedUndecodable = false;

  constructor({ store, codec, timeoutMs, logger, subject }: SharedStoreSettings) {
    this.#store = store;
    this.#subject = subject;
    this.#codec = codec;
    this.#timeoutMs = timeoutMs;
    this.#logger = logger;
    this.#lockKey = `${codec.key}:lock`;
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

  /**
   * Tries to become the one process that fetches (`SET NX PX`), for `ttlMs`. When this process
   * stops waiting for the answer (a timeout, or an error after the command may have reached the
   * store), a lock the store takes anyway is released as soon as that is known, so that it does
   * not hold the fleet back for its whole lifetime.
   */
  async tryLock(ttlMs: number): Promise<LockResult> {
    const owner = randomUUID();
    const taken = await this.#call(
      'take the fetch lock',
      (s) => s.setIfAbsent(this.#lockKey, owner, ttlMs),
      (late) =>
        late.then(
          (lateTaken) => {
            if (!lateTaken) return;
            this.#logger.debug('Releasing a fetch lock the store took after this process gave up');
            return this.#release(owner);
          },
          () => this.#release(owner),
        ),
    );
    if (taken === undefined) return { state: 'unavailable' };
    return taken ? { state: 'acquired', owner } : { state: 'held' };
  }

  /** Whether another process holds the fetch lock; false when the store failed. */
  async lockHeld(): Promise<boolean> {
    const value = await this.#call('read the fetch lock', (s) => s.get(this.#lockKey));
    return value !== undefined && value !== null;
  }

  /** Releases the lock if this process still holds it (it may have lapsed and moved on). */
  async unlock(owner: string): Promise<void> {
    await this.#call('release the fetch lock', (s) => s.compareAndDelete(this.#lockKey, owner));
  }

  /** Releases `owner`'s lock outside the timeout and the pause: best effort, failures ignored. */
  async #release(owner: string): Promise<void> {
    try {
      await this.#store.compareAndDelete(this.#lockKey, owner);
    } catch {
      // The lock lapses on its own.
    }
  }

  /**
   * Runs `operation` with the timeout; undefined when it failed (the store is then skipped for a
   * while) or while the store is skipped. When it failed or timed out, `abandoned` receives the
   * operation's own outcome, which may still come.
   */
  async #call<T>(
    what: string,
    operation: (store: TokenStore) => Promise<T>,
    abandoned?: (late: Promise<T>) => unknown,
  ): Promise<T | undefined> {
    if (Date.now() < this.#skipUntilMs) return undefined;
    let timer: NodeJS.Timeout | undefined;
    let pending: Promise<T> | undefined;
    try {
      pending = operation(this.#store);
      const result = await Promise.race([
        pending,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.#timeoutMs} ms`)),
            this.#timeoutMs,
          );
          timer.unref?.();
        }),
      ]);
      this.#answered();
      return result;
    } catch (error) {
      if (pending !== undefined) abandoned?.(pending);
      this.#failed(what, error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** After a failure: the store is left alone for a while, and the first failure is reported. */
  #failed(what: string, error: unknown): void {
    const nowMs = Date.now();
    const misconfigured = isBookableAuthError(error) && error.code === 'store_misconfigured';
    const pauseMs = misconfigured ? MISCONFIGURED_RETRY_AFTER_MS : STORE_RETRY_AFTER_MS;
    this.#skipUntilMs = nowMs + pauseMs;
    const reason = errorMessage(error);
    if (misconfigured && !this.#reportedMisconfiguration) {
      // Not an outage to wait out: the fix is someone's to make, so say it loudly, once.
      this.#reportedMisconfiguration = true;
      this.#logger.error(`${reason} (next try in ${pauseMs / 60_000} min)`, {
        code: 'store_misconfigured',
      });
    }
    if (this.#failingSinceMs !== undefined) return;
    this.#failingSinceMs = nowMs;
    events.storeUnavailable.publish(() => ({
      ...this.#subject,
      operation: what,
      reason,
      ...(misconfigured ? { errorCode: 'store_misconfigured' as const } : {}),
    }));
    if (misconfigured) return;
    this.#logger.warn(
      `The token store failed to ${what} (${reason}); this process fetches its own ` +
        `tokens until the store answers again (next try in ${pauseMs / 1000} s). ` +
        'No request fails because of this',
      { reason },
    );
  }

  /** After an answer: an outage (or a misconfiguration) is over. */
  #answered(): void {
    const failingSinceMs = this.#failingSinceMs;
    if (failingSinceMs === undefined) return;
    this.#failingSinceMs = undefined;
    this.#reportedMisconfiguration = false;
    this.#logger.warn('The token store answers again; sharing tokens through it');
    events.storeRecovered.publish(() => ({
      ...this.#subject,
      unavailableForMs: Date.now() - failingSinceMs,
    }));
  }
}
