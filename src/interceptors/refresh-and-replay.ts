import { isAxiosError, type AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { events, tokenId } from '../diagnostics.js';
import { BookableAuthError, isBookableAuthError } from '../errors.js';
import { decodeAccessToken } from '../provider/jwt-cross-check.js';
import type { TokenProvider } from '../token-provider.js';
import { AuthMark, MARK, type MarkedConfig } from './auth-mark.js';
import { redactAxiosError } from './redact.js';
import { signalOf } from './request-interceptors.js';
import { parseBearerChallenge, type BearerChallenge } from './www-authenticate.js';

/**
 * The response interceptor's error handler, for requests the plugin authorized. A 401 gets one
 * refresh (shared by every request refused with the same token) and one replay with the new
 * token. A 401 to the replay, and a 403 `insufficient_scope`, are explained in the error, which
 * a refresh would not fix. Every error leaves with the token scrubbed, unless `redact` is off.
 */
export function createRefreshAndReplay(
  instance: AxiosInstance,
  provider: TokenProvider,
  redact: boolean,
): (error: unknown) => Promise<AxiosResponse> {
  return async (error) => {
    if (!isAxiosError(error) || error.config === undefined) throw error;
    const config = error.config as MarkedConfig;
    const mark = config[MARK];
    if (mark === undefined) throw error; // not a request the plugin authorized
    try {
      if (error.response?.status === 401 && !mark.replayed) {
        return await replayWithFreshToken(instance, provider, error, config, mark);
      }
      throw explainRefusal(error, mark);
    } catch (thrown) {
      if (redact && isAxiosError(thrown) && thrown.config !== undefined) redactAxiosError(thrown);
      throw thrown;
    }
  };
}

/** Sends the refused request once more, with the token that replaces the refused one. */
async function replayWithFreshToken(
  instance: AxiosInstance,
  provider: TokenProvider,
  error: AxiosError,
  config: MarkedConfig,
  mark: AuthMark,
): Promise<AxiosResponse> {
  if (!isReplayable(config.data)) {
    throw annotate(
      error,
      'token_rejected',
      'The API refused the access token (401), and the request was not replayed with a fresh one ' +
        'because its body is a stream that has been consumed: send a Buffer or string body to get automatic replays',
    );
  }
  let token: string;
  try {
    token = await provider.getTokenAfterRejection(mark.token, signalOf(config));
  } catch (providerError) {
    if (isBookableAuthError(providerError) && providerError.code === 'token_rejected') {
      throw annotate(error, 'token_rejected', providerError.message);
    }
    throw providerError;
  }
  config[MARK] = new AuthMark(token, true);
  events.requestReplayed.publish(() => ({
    method: (config.method ?? 'get').toUpperCase(),
    origin: originOf(config),
    refusedTokenId: tokenId(mark.token),
    tokenId: tokenId(token),
  }));
  return instance.request(config);
}

/**
 * The error as the application should see it: a 401 after the replay, or a 403 for a missing
 * scope, says why and what to change; any other error passes unchanged.
 */
function explainRefusal(error: AxiosError, mark: AuthMark): AxiosError {
  const status = error.response?.status;
  if (status !== 401 && status !== 403) return error;
  const challenge = parseBearerChallenge(error.response?.headers?.['www-authenticate']);
  if (status === 401) {
    return annotate(
      error,
      'token_rejected',
      'The API refused a freshly fetched access token too (401 after one refresh and replay): ' +
        'check `audience` (it must be the API identifier this API expects) and that the API trusts ' +
        `this tenant as issuer${describeChallenge(challenge)}`,
    );
  }
  if (challenge?.error !== 'insufficient_scope') return error;
  const granted = decodeAccessToken(mark.token)?.scopes;
  return annotate(
    error,
    'insufficient_scope',
    `The API requires scope ${challenge.scope ? `"${challenge.scope}"` : '(not named)'} but the token has ` +
      `${granted === undefined ? 'scopes the client cannot read (opaque token)' : `"${granted.join(' ')}"`}: ` +
      'grant the scope to the application for this API and request it with the `scope` option. A new token will not help until then',
  );
}

function describeChallenge(challenge: BearerChallenge | undefined): string {
  if (challenge?.error === undefined) return '';
  return ` (the API said ${challenge.error}${challenge.error_description ? `: "${challenge.error_description}"` : ''})`;
}

/** The origin a request went to, for an event: never its path or query. */
function originOf(config: MarkedConfig): string | undefined {
  try {
    return new URL(config.url ?? '', config.baseURL).origin;
  } catch {
    return undefined;
  }
}

/** Whether the body can be sent a second time: not a stream that the first send consumed. */
function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  const d = data as { pipe?: unknown; getReader?: unknown };
  return typeof d.pipe !== 'function' && typeof d.getReader !== 'function';
}

/** Keeps the axios error (status, response) and says why in its message and `cause`. */
function annotate(
  error: AxiosError,
  code: 'token_rejected' | 'insufficient_scope',
  explanation: string,
): AxiosError {
  const reason = new BookableAuthError(code, explanation);
  error.message = `${error.message}: ${explanation}`;
  Object.defineProperty(error, 'cause', {
    value: reason,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return error;
}
