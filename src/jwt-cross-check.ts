import { decodeJwt } from 'jose';
import type { ExpirySource, JwtFacts, ScopeSource } from './token-info.js';

/** `exp - iat` and `expires_in` may differ by this much before it is worth a warning. */
const LIFETIME_TOLERANCE_SECONDS = 60;

/**
 * Decodes the access token's claims without verifying them: the client does not hold the key,
 * and the claims only cross-check what the token response says. Returns undefined for an opaque
 * or encrypted (JWE) token, which is fine: `expires_in` then rules alone.
 */
export function decodeAccessToken(token: string): JwtFacts | undefined {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return undefined;
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const seconds = (v: unknown): Date | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : undefined;
  const aud = claims.aud;
  let scopes: string[] | undefined;
  if (typeof claims.scope === 'string') scopes = splitScopes(claims.scope);
  else if (Array.isArray(claims.permissions)) {
    scopes = claims.permissions.filter((p): p is string => typeof p === 'string');
  }
  return {
    issuer: str(claims.iss),
    subject: str(claims.sub),
    audience:
      typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
        ? aud
        : undefined,
    issuedAt: seconds(claims.iat),
    expiresAt: seconds(claims.exp),
    scopes,
  };
}

export function splitScopes(scope: string): string[] {
  return scope.split(/\s+/).filter(Boolean);
}

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

export interface GrantedScopes {
  scopes: string[];
  source: ScopeSource;
  /** A sentence for the logger when the response and the JWT name different scopes. */
  disagreement: string | undefined;
}

/** The granted scopes: the response's `scope`, else the JWT's, else the requested ones. */
export function grantedScopes(
  responseScope: string | undefined,
  jwt: JwtFacts | undefined,
  requestedScope: string | undefined,
): GrantedScopes {
  const jwtScopes = jwt?.scopes;
  if (responseScope !== undefined) {
    const scopes = splitScopes(responseScope);
    let disagreement: string | undefined;
    if (jwtScopes !== undefined && !sameSet(scopes, jwtScopes)) {
      disagreement =
        `The token response grants scope "${scopes.join(' ')}" but the JWT says ` +
        `"${jwtScopes.join(' ')}"; the response's scope is reported`;
    }
    return { scopes, source: 'response', disagreement };
  }
  if (jwtScopes !== undefined) return { scopes: jwtScopes, source: 'jwt', disagreement: undefined };
  if (requestedScope !== undefined) {
    return { scopes: splitScopes(requestedScope), source: 'requested', disagreement: undefined };
  }
  return { scopes: [], source: 'none', disagreement: undefined };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
}
