import {
  BookableAuthError,
  TokenEndpointError,
  errorMessage,
  isBookableAuthError,
} from './errors.js';
import { computeExpiry, decodeAccessToken, grantedScopes } from './jwt-cross-check.js';
import {
  bookableAuthDefaults,
  resolveProviderOptions,
  type ResolvedProviderOptions,
  type TokenProviderOptions,
} from './options.js';
import { requestWithRetries } from './retry.js';
import { SharedStore } from './shared-store.js';
import { createTokenRequest, type TokenRequest, type TokenResponse } from './token-endpoint.js';
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
 * A source of access tokens: one cached token, renewed in the background before it expires, one
 * token request however many callers race. Share one provider between axios instances that call
 * the same API with the same credentials.
 */
export interface TokenProvider {
  /** The current access token, fetched or renewed as needed. */
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
 * Internal: the cached token if it may be used now, synchronously (starting a background renewal
 * inside the margin), else undefined. Lets the request interceptor skip promise turns on the hot
 * path. Not exported from the package: providers written by users simply lack it.
 */
export const peekToken = Symbol.for('bookable-axios-auth.peekToken');

interface CachedToken {
  readonly accessToken: string;
  readonly response: TokenResponse;
  readonly info: TokenInfo;
  /** From here on, renew in the background. */
  readonly refreshAtMs: number;
  /** From here on, callers wait for a new token. */
  readonly mustRenewAtMs: number;
  /** The value that holds this token in the shared store, when it is there. */
  readonly storedAs?: string;
}

/** Why a fetch runs: to replace a token (renewal, or refused by the API) or for lack of one. */
interface Replacing {
  readonly token: CachedToken;
  readonly refused: boolean;
}

/**
 * JWT times are whole seconds, so an API may count a token as expired up to a second before its
 * `expires_in` says: the lifetime cap never brings the margin below this (or half the lifetime).
 */
const MIN_MARGIN_CAP_MS = 2_000;
/** Share of the margin (minus the expiry window) over which renewal times are spread. */
const RENEWAL_JITTER = 0.1;
const BACKGROUND_RETRY_MIN_MS = 1_000;
const BACKGROUND_RETRY_MAX_MS = 30_000;
/** While another process fetches, look for its token this often (doubling up to the max). */
const STORE_POLL_MIN_MS = 25;
const STORE_POLL_MAX_MS = 100;

const noop = (): void => {};

/**
 * Creates a client-credentials token provider.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({
 *   clientId: process.env.BOOKABLE_CLIENT_ID!,
 *   clientSecret: process.env.BOOKABLE_CLIENT_SECRET!,
 * });
 * const token = await provider.getToken();
 * ```
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const resolved = resolveProviderOptions(options);
  return new ClientCredentialsTokenProvider(resolved, createTokenRequest(resolved));
}

class ClientCredentialsTokenProvider implements TokenProvider {
  readonly #options: ResolvedProviderOptions;
  readonly #request: TokenRequest;
  readonly #shared: SharedStore | undefined;
  #current: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** After a failed background renewal, the next one waits until then. */
  #backgroundNotBeforeMs = 0;
  #lastForcedRefreshMs: number | undefined;
  /** A token dropped by `invalidate`: the next fetch must not take it back from the store. */
  #dropped: CachedToken | undefined;
  readonly #warned = new Set<string>();

  constructor(options: ResolvedProviderOptions, request: TokenRequest) {
    this.#options = options;
    this.#request = request;
    this.#shared = options.store && new SharedStore(options.store, options.logger);
  }

  getToken(options?: GetTokenOptions): Promise<string> {
    const usable = this.#usable();
    if (usable !== undefined) return Promise.resolve(usable.accessToken);
    return this.#wait(options?.signal).then((token) => token.accessToken);
  }

  [peekToken](): string | undefined {
    return this.#usable()?.accessToken;
  }

  getTokenInfo(options?: GetTokenOptions): Promise<TokenInfo> {
    const usable = this.#usable();
    if (usable !== undefined) return Promise.resolve(usable.info);
    return this.#wait(options?.signal).then((token) => token.info);
  }

  invalidate(token?: string): boolean {
    const current = this.#current;
    if (current === undefined || (token !== undefined && current.accessToken !== token))
      return false;
    this.#current = undefined;
    this.#dropped = current;
    this.#options.logger.debug('The cached access token was invalidated');
    return true;
  }

  getTokenAfterRejection(rejectedToken: string, options?: GetTokenOptions): Promise<string> {
    const current = this.#current;
    if (current !== undefined && current.accessToken === rejectedToken) {
      const nowMs = Date.now();
      const last = this.#lastForcedRefreshMs;
      const intervalMs = this.#options.forcedRefreshIntervalMs;
      if (last !== undefined && nowMs - last < intervalMs) {
        return Promise.reject(
          new BookableAuthError(
            'token_rejected',
            `The API refused the access token again, ${Math.round((nowMs - last) / 1000)} s after the last ` +
              `forced renewal; not fetching another for ${Math.ceil((last + intervalMs - nowMs) / 1000)} s ` +
              '(`forcedRefreshIntervalSeconds`). A freshly issued token that is refused points at a wrong ' +
              '`audience`, an API that trusts another issuer (tenant), or an API that cannot reach its key set',
          ),
        );
      }
      this.#lastForcedRefreshMs = nowMs;
      this.#current = undefined;
      this.#options.logger.debug('The API refused the cached access token; fetching a new one');
      return this.#wait(options?.signal, { token: current, refused: true }).then(
        (token) => token.accessToken,
      );
    }
    return this.getToken(options);
  }

  /** The cached token if it may be used now; starts a background renewal inside the margin. */
  #usable(): CachedToken | undefined {
    const current = this.#current;
    if (current === undefined) return undefined;
    const nowMs = Date.now();
    if (nowMs < current.refreshAtMs) return current;
    if (nowMs >= current.mustRenewAtMs) return undefined;
    if (this.#pending === undefined && nowMs >= this.#backgroundNotBeforeMs) {
      this.#renewInBackground(current);
    }
    return current;
  }

  #renewInBackground(current: CachedToken): void {
    this.#options.logger.debug(
      `Renewing the access token in the background; the current one serves until ${new Date(current.mustRenewAtMs).toISOString()}`,
    );
    this.#fetch({ token: current, refused: false }).catch((error: unknown) => {
      const nowMs = Date.now();
      const delayMs = Math.min(
        BACKGROUND_RETRY_MAX_MS,
        Math.max(BACKGROUND_RETRY_MIN_MS, (current.mustRenewAtMs - nowMs) / 2),
      );
      this.#backgroundNotBeforeMs = nowMs + delayMs;
      this.#options.logger.warn(
        `Background renewal of the access token failed (${isBookableAuthError(error) ? error.code : String(error)}); ` +
          `the current token keeps serving until ${new Date(current.mustRenewAtMs).toISOString()}, ` +
          `next attempt in ${Math.round(delayMs / 1000)} s`,
        { code: isBookableAuthError(error) ? error.code : undefined, nextAttemptInMs: delayMs },
      );
    });
  }

  /** Waits for the one shared fetch (starting it if none runs), or for the caller's abort. */
  #wait(signal: AbortSignal | undefined, replacing?: Replacing): Promise<CachedToken> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    const pending = this.#fetch(replacing);
    if (signal === undefined) return pending;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortedError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (token) => {
          signal.removeEventListener('abort', onAbort);
          resolve(token);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** The single in-flight fetch: every concurrent caller shares it; a failure is never cached. */
  #fetch(replacing?: Replacing): Promise<CachedToken> {
    if (this.#pending !== undefined) return this.#pending;
    const shared = this.#shared;
    const dropped = this.#dropped;
    const obtained =
      shared === undefined
        ? this.#fetchOwn()
        : this.#obtainShared(
            shared,
            replacing ?? (dropped === undefined ? undefined : { token: dropped, refused: true }),
          );
    const pending = obtained
      .then((token) => {
        this.#current = token;
        if (this.#dropped === dropped) this.#dropped = undefined;
        this.#backgroundNotBeforeMs = 0;
        return token;
      })
      .finally(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
    // Nobody may be waiting (a background renewal): never let the rejection go unhandled.
    pending.catch(noop);
    this.#pending = pending;
    return pending;
  }

  /** One token request (with retries) from this process. */
  async #fetchOwn(): Promise<CachedToken> {
    const { logger, retry } = this.#options;
    let token: CachedToken;
    try {
      token = this.#toCachedToken(await requestWithRetries(this.#request, retry, logger));
    } catch (error) {
      if (isBookableAuthError(error))
        this.#callHook('onRefreshError', () => this.#options.onRefreshError?.(error));
      throw error;
    }
    const { info } = token;
    logger.debug(
      `Fetched an access token for audience "${this.#options.audience}", expiring at ${info.expiresAt.toISOString()} ` +
        `(from ${info.expiresAtSource}), renewing from ${info.refreshAt.toISOString()}`,
      {
        expiresAt: info.expiresAt.toISOString(),
        expiresAtSource: info.expiresAtSource,
        scopes: info.scopes.join(' '),
      },
    );
    this.#callHook('onTokenRefreshed', () => this.#options.onTokenRefreshed?.(info));
    return token;
  }

  /**
   * One token for the fleet: use the shared token if it is good; else take the lock and fetch,
   * or wait for the lock holder's token. Any store failure falls back to {@link #fetchOwn}.
   */
  async #obtainShared(shared: SharedStore, replacing: Replacing | undefined): Promise<CachedToken> {
    if (replacing?.refused && replacing.token.storedAs !== undefined) {
      await shared.deleteIfUnchanged(replacing.token.storedAs);
    }
    let waitingSinceMs: number | undefined;
    let pollMs = STORE_POLL_MIN_MS;
    for (;;) {
      const found = await this.#readShared(shared, replacing);
      if (found !== undefined) return found;
      const lock = await shared.tryLock();
      // The store failed, now or a few seconds ago: this process fetches for itself.
      if (lock.state === 'unavailable') return this.#fetchOwn();
      if (lock.state === 'acquired') {
        try {
          // The holder before us may have written its token between our read and our lock.
          const written = await this.#readShared(shared, replacing);
          if (written !== undefined) return written;
          return await this.#fetchAndShare(shared);
        } finally {
          await shared.unlock(lock.owner);
        }
      }
      const nowMs = Date.now();
      waitingSinceMs ??= nowMs;
      // A dead holder's lock lapses within its TTL and the next try takes it; this bound only
      // matters when one holder after another keeps the lock without ever writing a token.
      if (nowMs - waitingSinceMs >= 2 * shared.lockTtlMs) {
        this.#options.logger.warn(
          `Waited ${Math.round((nowMs - waitingSinceMs) / 1000)} s for another process to share a token; fetching one here`,
        );
        return this.#fetchAndShare(shared);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      pollMs = Math.min(STORE_POLL_MAX_MS, pollMs * 2);
    }
  }

  async #fetchAndShare(shared: SharedStore): Promise<CachedToken> {
    const token = await this.#fetchOwn();
    const storedAs = await shared.write(token.response, token.mustRenewAtMs - Date.now());
    return storedAs === undefined ? token : { ...token, storedAs };
  }

  /** The shared token if this process may use it in place of `replacing`'s. */
  async #readShared(
    shared: SharedStore,
    replacing: Replacing | undefined,
  ): Promise<CachedToken | undefined> {
    const read = await shared.read();
    if (read === undefined) return undefined;
    const old = replacing?.token;
    if (old !== undefined && read.response.accessToken === old.accessToken) return undefined;
    let token: CachedToken;
    try {
      token = this.#toCachedToken(read.response);
    } catch {
      return undefined; // no usable lifetime: fetch a good one and overwrite it
    }
    if (Date.now() >= token.mustRenewAtMs) return undefined;
    // A renewal wants a later token than the one it replaces, not one written before it.
    if (old !== undefined && !replacing?.refused && token.mustRenewAtMs <= old.mustRenewAtMs) {
      return undefined;
    }
    this.#options.logger.debug(
      `Using the access token shared through the store, expiring at ${token.info.expiresAt.toISOString()}`,
    );
    return { ...token, storedAs: read.value };
  }

  #toCachedToken(response: TokenResponse): CachedToken {
    const { accessToken, requestedAtMs } = response;
    const jwt = decodeAccessToken(accessToken);
    const expiry = computeExpiry(requestedAtMs, response.expiresIn, jwt);
    if (expiry === undefined) {
      throw new TokenEndpointError(
        'invalid_token_response',
        `The token endpoint ${this.#options.tokenUrl} answered a token with no usable lifetime: no \`expires_in\` ` +
          'and no JWT `exp` in the future. Check `tokenUrl`, and the local clock if the token is a JWT without `iat`',
      );
    }
    if (expiry.disagreement !== undefined) this.#warnOnce('lifetime', expiry.disagreement);
    const scopes = grantedScopes(response.scope, jwt, this.#options.scope);
    if (scopes.disagreement !== undefined) this.#warnOnce('scope', scopes.disagreement);

    const { expiresAtMs } = expiry;
    const lifetimeMs = expiresAtMs - requestedAtMs;
    const capMs = Math.max(
      lifetimeMs * this.#options.refreshMarginMaxShare,
      Math.min(MIN_MARGIN_CAP_MS, lifetimeMs / 2),
    );
    const marginMs = Math.min(this.#options.refreshMarginMs, capMs);
    const windowMs = Math.min(bookableAuthDefaults.expiryWindowSeconds * 1000, marginMs / 2);
    const refreshAtMs =
      expiresAtMs - marginMs + Math.random() * RENEWAL_JITTER * (marginMs - windowMs);
    const info: TokenInfo = {
      tokenType: 'Bearer',
      obtainedAt: new Date(requestedAtMs),
      expiresAt: new Date(expiresAtMs),
      expiresAtSource: expiry.source,
      refreshAt: new Date(refreshAtMs),
      expiresIn: response.expiresIn,
      jwtLifetimeSeconds: expiry.jwtLifetimeSeconds,
      scopes: Object.freeze(scopes.scopes),
      scopesSource: scopes.source,
      jwt,
    } as Omit<TokenInfo, 'accessToken'> as TokenInfo;
    Object.defineProperty(info, 'accessToken', { value: accessToken, enumerable: false });
    return {
      accessToken,
      response,
      info: Object.freeze(info),
      refreshAtMs,
      mustRenewAtMs: expiresAtMs - windowMs,
    };
  }

  #warnOnce(kind: string, message: string): void {
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    this.#options.logger.warn(message);
  }

  #callHook(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#options.logger.warn(`The \`${name}\` hook threw; ignoring it`, {
        error: errorMessage(error),
      });
    }
  }
}

function abortedError(signal: AbortSignal): BookableAuthError {
  return new BookableAuthError('aborted', 'Waiting for an access token was aborted by the caller', {
    cause: signal.reason,
  });
}
