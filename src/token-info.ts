/** Where the expiry of a token came from. */
export type ExpirySource =
  /** The token response's `expires_in`, counted from when the request was sent. */
  | 'expires_in'
  /** The JWT's own lifetime `exp - iat`, counted from when the request was sent. */
  | 'jwt_lifetime'
  /** The JWT's `exp` against the local clock (the JWT has no `iat`). */
  | 'jwt_exp';

/** Where the granted scopes came from. */
export type ScopeSource = 'response' | 'jwt' | 'requested' | 'none';

/** What the access token's JWT says about itself, when it is a JWT (decoded, not verified). */
export interface JwtFacts {
  issuer: string | undefined;
  subject: string | undefined;
  audience: string | string[] | undefined;
  /** `iat`, as a date. */
  issuedAt: Date | undefined;
  /** `exp`, as a date. */
  expiresAt: Date | undefined;
  /** The `scope` claim (or `permissions`), when present. */
  scopes: string[] | undefined;
}

/**
 * The facts of the current token. `accessToken` is readable but not enumerable, so logging a
 * `TokenInfo` (as `onTokenRefreshed` handlers do) never prints the token.
 */
export interface TokenInfo {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** When the token request was sent: the anchor of every lifetime. */
  readonly obtainedAt: Date;
  /** The earlier of what `expires_in` and the JWT say. */
  readonly expiresAt: Date;
  readonly expiresAtSource: ExpirySource;
  /** From when on the provider refreshes in the background while the token keeps serving. */
  readonly refreshAt: Date;
  /** The token response's `expires_in`, in seconds, if it had one. */
  readonly expiresIn: number | undefined;
  /** The JWT's `exp - iat`, in seconds, if the token is a JWT with both. */
  readonly jwtLifetimeSeconds: number | undefined;
  readonly scopes: readonly string[];
  readonly scopesSource: ScopeSource;
  /** The JWT's claims, or undefined for an opaque or encrypted token. */
  readonly jwt: JwtFacts | undefined;
}
