import { bookableAuthDefaults } from '../options/defaults.js';
import type { ExpirySource, JwtFacts } from '../token-info.js';

/**
 * A token's lifetime, decided in one place and as pure functions: when it expires, from when it is
 * refreshed in the background while it keeps serving (`refreshAtMs`), and from when callers must
 * wait for a new one (`mustRefreshAtMs`). The provider only compares "now" with those instants.
 */

/** `exp - iat` and `expires_in` may differ by this much before it is worth a warning. */
const LIFETIME_TOLERANCE_SECONDS = 60;
/** The default margin is capped at this share of the lifetime: one fetch per lifetime, not two. */
const DEFAULT_MARGIN_MAX_SHARE = 0.1;
/** A margin the user chose is capped at half the lifetime. */
const EXPLICIT_MARGIN_MAX_SHARE = 0.5;
/**
 * JWT times are whole seconds, so an API may count a token as expired up to a second before its
 * `expires_in` says: the lifetime cap never brings the margin below this (or half the lifetime).
 */
const MIN_MARGIN_CAP_MS = 2_000;
/** Callers wait for a new token only this close to expiry (at most half the margin). */
const BLOCKING_WINDOW_MS = 5_000;
/** Share of the margin (minus the blocking window) over which refresh times are spread. */
const REFRESH_JITTER = 0.1;
/** After a failed background refresh, the next one waits within these bounds. */
const BACKGROUND_RETRY_MIN_MS = 1_000;
const BACKGROUND_RETRY_MAX_MS = 30_000;

export interface Expiry {
  /** Expiry on the local clock, in epoch milliseconds. */
  expiresAtMs: number;
  source: ExpirySource;
  jwtLifetimeSeconds: number | undefined;
  /** A sentence for the logger when `expires_in` and the JWT disagree. */
  disagreement: string | undefined;
}

/**
 * Computes when a token expires, on the local clock, anchored on when its request was sent:
 * network time can then only make the token look older than it is, never younger.
 *
 * The JWT's lifetime is measured as `exp - iat`, so a skewed local clock cannot make the token
 * look expired or eternal; without `iat`, `exp` is read against the local clock. When both
 * `expires_in` and the JWT give a figure, the earlier expiry wins. Returns undefined when
 * neither gives a usable figure.
 */
export function computeExpiry(
  requestedAtMs: number,
  expiresIn: number | undefined,
  jwt: JwtFacts | undefined,
): Expiry | undefined {
  let jwtExpiresAtMs: number | undefined;
  let jwtSource: ExpirySource | undefined;
  let jwtLifetimeSeconds: number | undefined;
  if (jwt?.expiresAt !== undefined) {
    if (jwt.issuedAt !== undefined) {
      const lifetime = (jwt.expiresAt.getTime() - jwt.issuedAt.getTime()) / 1000;
      if (lifetime > 0) {
        jwtLifetimeSeconds = lifetime;
        jwtExpiresAtMs = requestedAtMs + lifetime * 1000;
        jwtSource = 'jwt_lifetime';
      }
    } else if (jwt.expiresAt.getTime() > requestedAtMs) {
      jwtExpiresAtMs = jwt.expiresAt.getTime();
      jwtSource = 'jwt_exp';
    }
  }
  const responseExpiresAtMs =
    expiresIn === undefined ? undefined : requestedAtMs + expiresIn * 1000;

  if (responseExpiresAtMs === undefined) {
    if (jwtExpiresAtMs === undefined || jwtSource === undefined) return undefined;
    return {
      expiresAtMs: jwtExpiresAtMs,
      source: jwtSource,
      jwtLifetimeSeconds,
      disagreement: undefined,
    };
  }
  if (jwtExpiresAtMs === undefined || jwtSource === undefined) {
    return {
      expiresAtMs: responseExpiresAtMs,
      source: 'expires_in',
      jwtLifetimeSeconds,
      disagreement: undefined,
    };
  }
  const jwtSeconds = (jwtExpiresAtMs - requestedAtMs) / 1000;
  const disagreement =
    Math.abs(jwtSeconds - (expiresIn ?? 0)) > LIFETIME_TOLERANCE_SECONDS
      ? `The token response says expires_in=${expiresIn} s but the JWT says ${Math.round(jwtSeconds)} s ` +
        `(${jwtSource === 'jwt_lifetime' ? 'exp - iat' : 'exp against the local clock'}); ` +
        'the token is treated as expiring at the earlier of the two'
      : undefined;
  return jwtExpiresAtMs < responseExpiresAtMs
    ? { expiresAtMs: jwtExpiresAtMs, source: jwtSource, jwtLifetimeSeconds, disagreement }
    : { expiresAtMs: responseExpiresAtMs, source: 'expires_in', jwtLifetimeSeconds, disagreement };
}

/** How far ahead of expiry to refresh. */
export interface RefreshPolicy {
  marginMs: number;
  /** The margin's cap, as a share of the token's lifetime. */
  maxShare: number;
}

/**
 * The policy for `refreshMarginSeconds` as given (undefined: not given). The default margin is
 * capped at a tenth of the lifetime, so that a short-lived token is not fetched twice per
 * lifetime; a margin the user chose, at half.
 */
export function refreshPolicy(refreshMarginSeconds: number | undefined): RefreshPolicy {
  return refreshMarginSeconds === undefined
    ? {
        marginMs: bookableAuthDefaults.refreshMarginSeconds * 1000,
        maxShare: DEFAULT_MARGIN_MAX_SHARE,
      }
    : { marginMs: refreshMarginSeconds * 1000, maxShare: EXPLICIT_MARGIN_MAX_SHARE };
}

/** The two instants of a token's life that the provider acts on. */
export interface RefreshSchedule {
  /** From here on, refresh in the background while the token keeps serving. */
  refreshAtMs: number;
  /** From here on, callers wait for a new token. */
  mustRefreshAtMs: number;
}

/**
 * When to refresh a token requested at `requestedAtMs` that expires at `expiresAtMs`. The margin
 * is capped by the policy's share of the lifetime (never below 2 s, or half the lifetime); the
 * blocking window is at most half the margin; `random` (in [0, 1)) spreads refresh times over a
 * tenth of the rest, so that a fleet does not refresh in lockstep.
 */
export function refreshSchedule(
  requestedAtMs: number,
  expiresAtMs: number,
  policy: RefreshPolicy,
  random: number,
): RefreshSchedule {
  const lifetimeMs = expiresAtMs - requestedAtMs;
  const capMs = Math.max(lifetimeMs * policy.maxShare, Math.min(MIN_MARGIN_CAP_MS, lifetimeMs / 2));
  const marginMs = Math.min(policy.marginMs, capMs);
  const windowMs = Math.min(BLOCKING_WINDOW_MS, marginMs / 2);
  return {
    refreshAtMs: expiresAtMs - marginMs + random * REFRESH_JITTER * (marginMs - windowMs),
    mustRefreshAtMs: expiresAtMs - windowMs,
  };
}

/**
 * After a background refresh failed at `nowMs`, how long to wait before the next one: half the
 * time left before callers must wait, within 1 to 30 s.
 */
export function backgroundRetryDelayMs(mustRefreshAtMs: number, nowMs: number): number {
  return Math.min(
    BACKGROUND_RETRY_MAX_MS,
    Math.max(BACKGROUND_RETRY_MIN_MS, (mustRefreshAtMs - nowMs) / 2),
  );
}
