import type { TokenSubject } from '../diagnostics-channels.js';
import { events, publishTokenObtained, tokenId } from '../diagnostics.js';
import { errorMessage, isBookableAuthError, type BookableAuthError } from '../errors.js';
import type { Logger } from '../options/provider-options.js';
import type { Fleet, OwnTokens, Replacing } from '../store/fleet.js';
import type { TokenResponse } from '../token-endpoint/token-response.js';
import type { TokenInfo } from '../token-info.js';
import { toCachedToken, type CachedToken, type CachedTokenSettings } from './cached-token.js';
import { abortableWait, abortedError } from './abortable-wait.js';
import { ForcedRefreshLimiter } from './forced-refresh.js';
import { backgroundRetryDelayMs } from './token-lifetime.js';
import { peekToken, type GetTokenOptions, type TokenProvider } from '../token-provider.js';

/** What the provider reads besides what turning a response into a cached token reads. */
export interface ProviderSettings extends CachedTokenSettings {
  /** Who the log lines and diagnostics events are about. */
  subject: TokenSubject;
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
  #current: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** After a failed background refresh, the next one waits until then. */
  #backgroundNotBeforeMs = 0;
  readonly #forced: ForcedRefreshLimiter;
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
    this.#forced = new ForcedRefreshLimiter(settings.forcedRefreshIntervalMs);
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
    const mayRequest = this.#forced.mayRequest(Date.now());
    events.forcedRefresh.publish(() => ({
      ...this.#settings.subject,
      refusedTokenId: tokenId(rejectedToken),
      via: mayRequest ? 'request' : 'store',
    }));
    if (!mayRequest) {
      // No token request of its own yet; another process of the fleet may have shared one.
      const shared = this.#fleet?.findReplacement(current, this.#ownTokens(false));
      return Promise.resolve(shared).then((token) => {
        if (token === undefined) throw this.#forced.refusal(Date.now());
        if (this.#current === current) this.#current = token;
        return token.accessToken;
      });
    }
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
    const servesUntil = new Date(current.mustRefreshAtMs);
    const until = servesUntil.toISOString();
    const refreshing = () => ({
      ...this.#settings.subject,
      tokenId: tokenId(current.accessToken),
      servesUntil,
    });
    this.#settings.logger.debug(
      `Refreshing the access token in the background; the current one serves until ${until}`,
    );
    events.backgroundRefreshStarted.publish(refreshing);
    this.#fetch({ token: current, refused: false }).catch((error: unknown) => {
      const nowMs = Date.now();
      const delayMs = backgroundRetryDelayMs(current.mustRefreshAtMs, nowMs);
      this.#backgroundNotBeforeMs = nowMs + delayMs;
      const code = isBookableAuthError(error) ? error.code : undefined;
      events.backgroundRefreshFailed.publish(() => ({
        ...refreshing(),
        ...(code === undefined ? {} : { errorCode: code }),
        nextAttemptInMs: delayMs,
      }));
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
    return abortableWait(this.#fetch(replacing), signal);
  }

  /** The single in-flight fetch: every concurrent caller shares it; a failure is never cached. */
  #fetch(replacing?: Replacing<CachedToken>): Promise<CachedToken> {
    if (this.#pending !== undefined) return this.#pending;
    const fleet = this.#fleet;
    const dropped = this.#dropped;
    const forced = replacing?.refused === true;
    const obtained =
      fleet === undefined
        ? this.#fetchOwn(forced)
        : fleet.obtain(
            replacing ?? (dropped === undefined ? undefined : { token: dropped, refused: true }),
            this.#ownTokens(forced),
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

  /** What the fleet may do in this process's name: fetch (`forced` by a refusal), and adopt. */
  #ownTokens(forced: boolean): OwnTokens<CachedToken> {
    return {
      fetch: () => this.#fetchOwn(forced),
      adopt: (response) => this.#toCachedToken(response),
    };
  }

  /** One token request (with retries) from this process; `forced` when a refusal asked for it. */
  async #fetchOwn(forced: boolean): Promise<CachedToken> {
    const { logger } = this.#settings;
    if (forced) this.#forced.requested(Date.now());
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
    publishTokenObtained(this.#settings.subject, 'endpoint', info);
    logger.debug(
      `Fetched an access token for audience "${this.#settings.subject.audience}", expiring at ${info.expiresAt.toISOString()} ` +
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
      events.tokenDisagreement.publish(() => ({ ...this.#settings.subject, kind, message }));
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
