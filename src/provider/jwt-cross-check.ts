import { decodeJwt } from 'jose/jwt/decode';
import type { JwtFacts, ScopeSource } from '../token-info.js';

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
