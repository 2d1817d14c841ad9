import { TokenEndpointError } from '../errors.js';
import type { TokenResponse } from '../token-endpoint/token-response.js';
import type { TokenInfo } from '../token-info.js';
import { decodeAccessToken, grantedScopes } from './jwt-cross-check.js';
import { computeExpiry, refreshSchedule, type RefreshPolicy } from './token-lifetime.js';

/** A token as the provider keeps it: the response, its facts, and when to refresh it. */
export interface CachedToken {
  readonly accessToken: string;
  readonly response: TokenResponse;
  readonly info: TokenInfo;
  /** From here on, refresh in the background. */
  readonly refreshAtMs: number;
  /** From here on, callers wait for a new token. */
  readonly mustRefreshAtMs: number;
  /** The value that holds this token in the shared store, when it is there. */
  readonly storedAs?: string;
}

/** What turning a token response into a {@link CachedToken} reads. */
export interface CachedTokenSettings {
  /** Named in the error for a token with no usable lifetime. */
  tokenUrl: string;
  /** The scope asked for: the granted scopes when neither the response nor the JWT names any. */
  scope: string | undefined;
  refreshPolicy: RefreshPolicy;
}

/** Where a disagreement between the token response and its JWT is reported. */
export type Disagreement = (kind: 'lifetime' | 'scope', message: string) => void;

/**
 * Cross-checks a token response with its JWT (when it is one) and schedules its refresh. Throws
 * `invalid_token_response` for a token with no usable lifetime. The access token is readable on
 * `info` but not enumerable, so logging the info never prints it.
 */
export function toCachedToken(
  response: TokenResponse,
  settings: CachedTokenSettings,
  disagree: Disagreement,
  random: number = Math.random(),
): CachedToken {
  const { accessToken, requestedAtMs } = response;
  const jwt = decodeAccessToken(accessToken);
  const expiry = computeExpiry(requestedAtMs, response.expiresIn, jwt);
  if (expiry === undefined) {
    throw new TokenEndpointError(
      'invalid_token_response',
      `The token endpoint ${settings.tokenUrl} answered a token with no usable lifetime: no \`expires_in\` ` +
        'and no JWT `exp` in the future. Check `tokenUrl`, and the local clock if the token is a JWT without `iat`',
    );
  }
  if (expiry.disagreement !== undefined) disagree('lifetime', expiry.disagreement);
  const scopes = grantedScopes(response.scope, jwt, settings.scope);
  if (scopes.disagreement !== undefined) disagree('scope', scopes.disagreement);

  const schedule = refreshSchedule(
    requestedAtMs,
    expiry.expiresAtMs,
    settings.refreshPolicy,
    random,
  );
  const info = {
    tokenType: 'Bearer',
    obtainedAt: new Date(requestedAtMs),
    expiresAt: new Date(expiry.expiresAtMs),
    expiresAtSource: expiry.source,
    refreshAt: new Date(schedule.refreshAtMs),
    expiresIn: response.expiresIn,
    jwtLifetimeSeconds: expiry.jwtLifetimeSeconds,
    scopes: Object.freeze(scopes.scopes),
    scopesSource: scopes.source,
    jwt,
  } as Omit<TokenInfo, 'accessToken'> as TokenInfo;
  Object.defineProperty(info, 'accessToken', { value: accessToken, enumerable: false });
  return { accessToken, response, info: Object.freeze(info), ...schedule };
}
