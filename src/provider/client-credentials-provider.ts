import { BookableAuthError, errorMessage, isBookableAuthError } from '../errors.js';
import type { Logger } from '../options/provider-options.js';
import type { Fleet, OwnTokens, Replacing } from '../store/fleet.js';
import type { TokenResponse } from '../token-endpoint/token-response.js';
import type { TokenInfo } from '../token-info.js';
import { toCachedToken, type CachedToken, type CachedTokenSettings } from './cached-token.js';
import { backgroundRetryDelayMs } from './token-lifetime.js';
import { peekToken, type GetTokenOptions, type TokenProvider } from '../token-provider.js';

/** What the provider reads besides what turning a response into a cached token reads. */
export interface ProviderSettings extends CachedTokenSettings {
  audience: string;
  forcedRefreshIntervalMs: number;
  logger: Logger;
  onTokenRefreshed: ((info: TokenInfo) => void) | undefined;
  onRefreshError: ((error: BookableAuthError) => void) | undefined;
}

const noop = (): void => {};

/**
 * The cache, the single flight and the hooks. Where a new token comes from is not its business:
 * `fetchResponse` (one token request with retries), through the `fleet` when there is a store.
 */
export class ClientCredentialsTokenProvider implements TokenProvider {
  readonly #settings: ProviderSettings;
  readonly #fetchResponse: () => Promise<TokenResponse>;
  readonly #fleet: Fleet | undefined;
  readonly #own: OwnTokens<CachedToken> = {
    fetch: () => this.#fetchOwn(),
    adopt: (response) => this.#toCachedToken(response),
  };
  #current: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** After a failed background refresh, the next one waits until then. */
  #backgroundNotBeforeMs = 0;
  #lastForcedRefreshMs: number | undefined;
  /** A token dropped by `invalidate`: the next fetch must not take it back from the store. */
  #dropped: CachedToken | undefined;
  readonly #warned = new Set<string>();

  constructor(
    settings: ProviderSettings,
    fetchResponse: () => Promise<TokenResponse>,
    fleet: Fleet | undefined,
  ) {
    this.#settings = settings;
    this.#fetchResponse = fetchResponse;
    this.#fleet = fleet;
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
    if (current === undefined || (token !== undefined && current.accessToken !== token)) {
      return false;
    }
    this.#current = undefined;
    this.#dropped = current;
    this.#settings.logger.debug('The cached access token was invalidated');
    return true;
  }

  getTokenAfterRejection(rejectedToken: string, options?: GetTokenOptions): Promise<string> {
    const current = this.#current;
    if (current === undefined || current.accessToken !== rejectedToken) {
      return this.getToken(options);
    }
    const nowMs = Date.now();
    const last = this.#lastForcedRefreshMs;
    const intervalMs = this.#settings.forcedRefreshIntervalMs;
    if (last !== undefined && nowMs - last < intervalMs) {
      return Promise.reject(
        new BookableAuthError(
          'token_rejected',
          `The API refused the access token again, ${Math.round((nowMs - last) / 1000)} s after the last ` +
            `forced refresh; not fetching another for ${Math.ceil((last + intervalMs - nowMs) / 1000)} s ` +
            '(`forcedRefreshIntervalSeconds`). A freshly issued token that is refused points at a wrong ' +
            '`audience`, an API that trusts another issuer (tenant), or an API that cannot reach its key set',
        ),
      );
    }
    this.#lastForcedRefreshMs = nowMs;
    this.#current = undefined;
    this.#settings.logger.debug('The API refused the cached access token; fetching a new one');
    return this.#wait(options?.signal, { token: current, refused: true }).then(
      (token) => token.accessToken,
    );
  }

  /** The cached token if it may be used now; starts a background refresh inside the margin. */
  #usable(): CachedToken | undefined {
    const current = this.#current;
    if (current === undefined) return undefined;
    const nowMs = Date.now();
    if (nowMs < current.refreshAtMs) return current;
    if (nowMs >= current.mustRefreshAtMs) return undefined;
    if (this.#pending === undefined && nowMs >= this.#backgroundNotBeforeMs) {
      this.#refreshInBackground(current);
    }
    return current;
  }

  #refreshInBackground(current: CachedToken): void {
    const until = new Date(current.mustRefreshAtMs).toISOString();
    this.#settings.logger.debug(
      `Refreshing the access token in the background; the current one serves until ${until}`,
    );
    this.#fetch({ token: current, refused: false }).catch((error: unknown) => {
      const nowMs = Date.now();
      const delayMs = backgroundRetryDelayMs(current.mustRefreshAtMs, nowMs);
      this.#backgroundNotBeforeMs = nowMs + delayMs;
      const code = isBookableAuthError(error) ? error.code : undefined;
      this.#settings.logger.warn(
        `Background refresh of the access token failed (${code ?? String(error)}); ` +
          `the current token keeps serving until ${until}, next attempt in ${Math.round(delayMs / 1000)} s`,
        { code, nextAttemptInMs: delayMs },
      );
    });
  }

  /** Waits for the one shared fetch (starting it if none runs), or for the caller's abort. */
  #wait(signal: AbortSignal | undefined, replacing?: Replacing<CachedToken>): Promise<CachedToken> {
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
  #fetch(replacing?: Replacing<CachedToken>): Promise<CachedToken> {
    if (this.#pending !== undefined) return this.#pending;
    const fleet = this.#fleet;
    const dropped = this.#dropped;
    const obtained =
      fleet === undefined
        ? this.#fetchOwn()
        : fleet.obtain(
            replacing ?? (dropped === undefined ? undefined : { token: dropped, refused: true }),
            this.#own,
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
    // Nobody may be waiting (a background refresh): never let the rejection go unhandled.
    pending.catch(noop);
    this.#pending = pending;
    return pending;
  }

  /** One token request (with retries) from this process. */
  async #fetchOwn(): Promise<CachedToken> {
    const { logger } = this.#settings;
    let token: CachedToken;
    try {
      token = this.#toCachedToken(await this.#fetchResponse());
    } catch (error) {
      if (isBookableAuthError(error)) {
        this.#callHook('onRefreshError', () => this.#settings.onRefreshError?.(error));
      }
      throw error;
    }
    const { info } = token;
    logger.debug(
      `Fetched an access token for audience "${this.#settings.audience}", expiring at ${info.expiresAt.toISOString()} ` +
        `(from ${info.expiresAtSource}), refreshing from ${info.refreshAt.toISOString()}`,
      {
        expiresAt: info.expiresAt.toISOString(),
        expiresAtSource: info.expiresAtSource,
        scopes: info.scopes.join(' '),
      },
    );
    this.#callHook('onTokenRefreshed', () => this.#settings.onTokenRefreshed?.(info));
    return token;
  }

  #toCachedToken(response: TokenResponse): CachedToken {
    return toCachedToken(response, this.#settings, (kind, message) => {
      if (this.#warned.has(kind)) return;
      this.#warned.add(kind);
      this.#settings.logger.warn(message);
    });
  }

  #callHook(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#settings.logger.warn(`The \`${name}\` hook threw; ignoring it`, {
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
