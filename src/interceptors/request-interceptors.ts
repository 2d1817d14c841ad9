import { CanceledError } from 'axios';
import { isBookableAuthError } from '../errors.js';
import { peekToken, type TokenProvider } from '../token-provider.js';
import { AuthMark, MARK, authorizationKey, authorize, type MarkedConfig } from './auth-mark.js';
import type { OriginGuard } from './origin-guard.js';

/**
 * The two request interceptors, and the checks with which axios chooses between them. With a
 * cached token it is the synchronous one: axios then skips its promise chain, and the request
 * goes on in the same turn. Without one, the asynchronous one waits for the token. axios asks the
 * `runWhen`s in the order the interceptors were added, just before it runs the chain, so the
 * cache is read once per request and the second check reads the first one's answer.
 */
export interface RequestInterceptors {
  /** `runWhen` of the synchronous interceptor: the cache holds a usable token. */
  tokenIsCached(): boolean;
  /** `runWhen` of the asynchronous interceptor: the check before found none. */
  tokenIsMissing(): boolean;
  /** Authorizes with the token the check found, synchronously. */
  withCachedToken(config: MarkedConfig): MarkedConfig;
  /** Waits for a token, then authorizes. */
  withTokenWhenReady(config: MarkedConfig): Promise<MarkedConfig>;
}

/** A request that goes out as it is: no token, no 401 handling. */
const UNTOUCHED = null;

export function createRequestInterceptors(
  provider: TokenProvider,
  guard: OriginGuard,
): RequestInterceptors {
  const peek = (provider as { [peekToken]?: () => string | undefined })[peekToken]?.bind(provider);
  let found: AuthMark | undefined; // the mark of the token the latest check found (never cleared)
  let missing = true; // the latest check found none

  /**
   * What the request is sent with, before any token is looked up: a replay keeps the token chosen
   * for it; a request that the plugin did not authorize before gets none when it opted out, set
   * its own `Authorization` (found under `key`), or goes to another origin; otherwise
   * (undefined) the current token, which is also what a retry library re-sending an authorized
   * config gets.
   */
  const ownMark = (
    config: MarkedConfig,
    key: string | undefined,
  ): AuthMark | typeof UNTOUCHED | undefined => {
    const mark = config[MARK];
    if (mark?.replayed) return mark;
    if (
      mark === undefined &&
      (config.bookableAuth?.skip === true ||
        (key !== undefined && config.headers[key] !== undefined) ||
        !guard(config))
    ) {
      return UNTOUCHED;
    }
    return undefined;
  };

  return {
    tokenIsCached() {
      const token = peek?.();
      missing = token === undefined;
      if (!missing && token !== found?.token) found = new AuthMark(token!, false);
      return !missing;
    },
    tokenIsMissing: () => missing,
    // Runs right after its check, or, behind another library's asynchronous interceptor, later;
    // `found` is then at least as recent. Were that token refused or expired by then, the API's
    // 401 gets the usual refresh and replay.
    withCachedToken(config) {
      const key = authorizationKey(config.headers);
      const mark = ownMark(config, key);
      return mark === UNTOUCHED ? config : authorize(config, mark ?? found!, key);
    },
    async withTokenWhenReady(config) {
      const mark = ownMark(config, authorizationKey(config.headers));
      if (mark === UNTOUCHED) return config;
      if (mark !== undefined) return authorize(config, mark);
      return authorize(config, new AuthMark(await tokenFor(provider, config), false));
    },
  };
}

/** The provider's token; a caller's abort becomes axios's own cancellation. */
async function tokenFor(provider: TokenProvider, config: MarkedConfig): Promise<string> {
  try {
    return await provider.getToken(signalOf(config));
  } catch (error) {
    if (isBookableAuthError(error) && error.code === 'aborted') {
      throw new CanceledError(undefined, undefined, config);
    }
    throw error;
  }
}

/** The request's `AbortSignal` as the provider takes it (axios also allows a legacy CancelToken). */
export function signalOf(config: MarkedConfig): { signal: AbortSignal } | undefined {
  const { signal } = config;
  return signal instanceof AbortSignal ? { signal } : undefined;
}
