import { UnsecuredJWT } from 'jose';

/** An unsigned JWT with the given claims: the client only decodes tokens, it never verifies them. */
export function makeJwt(claims: Record<string, unknown>): string {
  return new UnsecuredJWT(claims).encode();
}

/** An Auth0-shaped access token issued "now" (by the given clock) for `lifetimeSeconds`. */
export function auth0Jwt(
  lifetimeSeconds: number,
  extra: Record<string, unknown> = {},
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  return makeJwt({
    iss: 'https://tenant.example.auth0.com/',
    sub: 'test-client@clients',
    aud: 'api.bookabletech.com',
    iat: nowSeconds,
    exp: nowSeconds + lifetimeSeconds,
    gty: 'client-credentials',
    azp: 'test-client',
    ...extra,
  });
}
