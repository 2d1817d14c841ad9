import type { TokenSubject } from '../diagnostics-channels.js';
import { publishTokenObtained } from '../diagnostics.js';
import type { Logger } from '../options/provider-options.js';
import type { TokenResponse } from '../token-endpoint/token-response.js';
import type { TokenInfo } from '../token-info.js';
import type { SharedStore } from './shared-store.js';

/** What the fleet needs to know of a token. */
export interface FleetToken {
  readonly accessToken: string;
  readonly response: TokenResponse;
  readonly info: TokenInfo;
  /** From here on, the token may not be handed out. */
  readonly mustRefreshAtMs: number;
  /** The value that holds this token in the store, when it is there. */
  readonly storedAs?: string;
}

/** Why a fetch runs: to replace a token (a refresh, or refused by the API), or for lack of one. */
export interface Replacing<T extends FleetToken> {
  readonly token: T;
  readonly refused: boolean;
}

/** What this process does for itself: fetch a token, and take in a shared one. */
export interface OwnTokens<T extends FleetToken> {
  /** One token request (with retries) from this process. */
  fetch(): Promise<T>;
  /** The shared response as this process's token; throws when it has no usable lifetime. */
  adopt(response: TokenResponse): T;
}

/** What {@link Fleet} is built from. */
export interface FleetSettings {
  /** The timeout of one token request: a lock holder gets that long, plus room to write back. */
  tokenRequestTimeoutMs: number;
  logger: Logger;
  /** Who the diagnostics events are about. */
  subject: TokenSubject;
}

/** Room for the lock holder to write its token back after its token request. */
const LOCK_TTL_SLACK_MS = 2_000;
/**
 * A process that may not fetch waits this long for another one to start: the processes of a fleet
 * see an API's refusal within about one request's time of each other.
 */
const REPLACEMENT_GRACE_MS = 500;
/** While another process fetches, look for its token this often (doubling up to the max). */
const STORE_POLL_MIN_MS = 25;
const STORE_POLL_MAX_MS = 100;

/**
 * One token for the fleet: every process with the same credentials and store uses the shared
 * token while it is good; when it is not, one process takes the lock and fetches, and the others
 * wait for the token it writes. Any store failure falls back to this process's own fetch.
 */
export class Fleet {
  readonly #shared: SharedStore;
  readonly #logger: Logger;
  readonly #subject: TokenSubject;
  /** How long a lock holder may fetch before its lock lapses and another process takes over. */
  readonly #lockTtlMs: number;
  /** The search for a refused token's replacement while it runs, shared by its callers. */
  #search: { refused: string; found: Promise<FleetToken | undefined> } | undefined;

  constructor(shared: SharedStore, { tokenRequestTimeoutMs, logger, subject }: FleetSettings) {
    this.#shared = shared;
    this.#logger = logger;
    this.#subject = subject;
    this.#lockTtlMs = tokenRequestTimeoutMs + LOCK_TTL_SLACK_MS;
  }

  /** A token to use in place of `replacing`'s (or the first one): shared, or fetched and shared. */
  async obtain<T extends FleetToken>(
    replacing: Replacing<T> | undefined,
    own: OwnTokens<T>,
  ): Promise<T> {
    const shared = this.#shared;
    if (replacing?.refused && replacing.token.storedAs !== undefined) {
      await shared.deleteIfUnchanged(replacing.token.storedAs);
    }
    let waitingSinceMs: number | undefined;
    let pollMs = STORE_POLL_MIN_MS;
    for (;;) {
      const found = await this.#readShared(replacing, own);
      if (found !== undefined) return found;
      const lock = await shared.tryLock(this.#lockTtlMs);
      // The store failed, now or a few seconds ago: this process fetches for itself.
      if (lock.state === 'unavailable') return own.fetch();
      if (lock.state === 'acquired') {
        try {
          // The holder before us may have written its token between our read and our lock.
          const written = await this.#readShared(replacing, own);
          if (written !== undefined) return written;
          return await this.#fetchAndShare(own);
        } finally {
          await shared.unlock(lock.owner);
        }
      }
      const nowMs = Date.now();
      waitingSinceMs ??= nowMs;
      // A dead holder's lock lapses within its TTL and the next try takes it; this bound only
      // matters when one holder after another keeps the lock without ever writing a token.
      if (nowMs - waitingSinceMs >= 2 * this.#lockTtlMs) {
        this.#logger.warn(
          `Waited ${Math.round((nowMs - waitingSinceMs) / 1000)} s for another process to share a token; fetching one here`,
        );
        return this.#fetchAndShare(own);
      }
      // The global timer (not node:timers/promises), so that tests can move it with a fake clock.
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      pollMs = Math.min(STORE_POLL_MAX_MS, pollMs * 2);
    }
  }

  /**
   * A token another process shared in place of `refused`, for a process that may not fetch one
   * itself: it waits while another process holds the lock (or may yet take it, for a moment);
   * undefined when nobody fetches (or after twice the lock's lifetime). Concurrent callers for
   * the same refused token share one search.
   */
  findReplacement<T extends FleetToken>(refused: T, own: OwnTokens<T>): Promise<T | undefined> {
    const running = this.#search;
    if (running?.refused === refused.accessToken) return running.found as Promise<T | undefined>;
    const found = this.#searchReplacement(refused, own).finally(() => {
      if (this.#search?.found === found) this.#search = undefined;
    });
    this.#search = { refused: refused.accessToken, found };
    return found;
  }

  async #searchReplacement<T extends FleetToken>(
    refused: T,
    own: OwnTokens<T>,
  ): Promise<T | undefined> {
    const replacing = { token: refused, refused: true };
    if (refused.storedAs !== undefined) await this.#shared.deleteIfUnchanged(refused.storedAs);
    const startedMs = Date.now();
    let pollMs = STORE_POLL_MIN_MS;
    for (;;) {
      const found = await this.#readShared(replacing, own);
      if (found !== undefined) return found;
      const waitedMs = Date.now() - startedMs;
      if (waitedMs >= 2 * this.#lockTtlMs) return undefined;
      if (waitedMs >= REPLACEMENT_GRACE_MS && !(await this.#shared.lockHeld())) return undefined;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      pollMs = Math.min(STORE_POLL_MAX_MS, pollMs * 2);
    }
  }

  async #fetchAndShare<T extends FleetToken>(own: OwnTokens<T>): Promise<T> {
    const token = await own.fetch();
    const storedAs = await this.#shared.write(token.response, token.mustRefreshAtMs - Date.now());
    return storedAs === undefined ? token : { ...token, storedAs };
  }

  /** The shared token if this process may use it in place of `replacing`'s. */
  async #readShared<T extends FleetToken>(
    replacing: Replacing<T> | undefined,
    own: OwnTokens<T>,
  ): Promise<T | undefined> {
    const read = await this.#shared.read();
    if (read === undefined) return undefined;
    const old = replacing?.token;
    if (old !== undefined && read.response.accessToken === old.accessToken) return undefined;
    let token: T;
    try {
      token = own.adopt(read.response);
    } catch {
      return undefined; // no usable lifetime: fetch a good one and overwrite it
    }
    if (Date.now() >= token.mustRefreshAtMs) return undefined;
    // A refresh wants a later token than the one it replaces, not one written before it.
    if (old !== undefined && !replacing?.refused && token.mustRefreshAtMs <= old.mustRefreshAtMs) {
      return undefined;
    }
    const { info } = token;
    this.#logger.debug(
      `Using the access token shared through the store, expiring at ${info.expiresAt.toISOString()}`,
    );
    publishTokenObtained(this.#subject, 'store', info);
    return { ...token, storedAs: read.value };
  }
}
