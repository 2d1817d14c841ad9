import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeAccessToken } from '../src/provider/jwt-cross-check.js';
import { computeExpiry } from '../src/provider/token-lifetime.js';
import { makeJwt } from './helpers/jwt.js';

const seconds = fc.integer({ min: 1, max: 400 * 86400 });
const epoch = fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 });

describe('computeExpiry', () => {
  it('is never later than either source, never before the request, and anchored on the request time', () => {
    fc.assert(
      fc.property(
        epoch,
        seconds,
        seconds,
        fc.integer({ min: -1e9, max: 1e9 }),
        (requestedAt, expiresIn, lifetime, skew) => {
          const iat = Math.floor(requestedAt / 1000) + skew; // any server clock
          const jwt = decodeAccessToken(makeJwt({ iat, exp: iat + lifetime }));
          const expiry = computeExpiry(requestedAt, expiresIn, jwt);
          expect(expiry).toBeDefined();
          expect(expiry!.expiresAtMs).toBe(requestedAt + Math.min(expiresIn, lifetime) * 1000);
          expect(expiry!.disagreement !== undefined).toBe(Math.abs(expiresIn - lifetime) > 60);
        },
      ),
    );
  });

  it('is independent of the skew between the server clock and the local clock', () => {
    fc.assert(
      fc.property(
        epoch,
        seconds,
        fc.integer({ min: -1e8, max: 1e8 }),
        (requestedAt, lifetime, skew) => {
          const at = (s: number) => {
            const iat = Math.floor(requestedAt / 1000) + s;
            return computeExpiry(
              requestedAt,
              undefined,
              decodeAccessToken(makeJwt({ iat, exp: iat + lifetime })),
            );
          };
          expect(at(skew)?.expiresAtMs).toBe(at(0)?.expiresAtMs);
        },
      ),
    );
  });

  it('has no answer without expires_in or a usable exp, rather than an eternal token', () => {
    expect(computeExpiry(Date.now(), undefined, undefined)).toBeUndefined();
    expect(
      computeExpiry(Date.now(), undefined, decodeAccessToken(makeJwt({ sub: 'x' }))),
    ).toBeUndefined();
    expect(
      computeExpiry(Date.now(), undefined, decodeAccessToken(makeJwt({ exp: 1000 }))),
    ).toBeUndefined();
  });
});

describe('decodeAccessToken', () => {
  it.each([
    ['an opaque token', 'opaque-token'],
    ['an encrypted token (JWE)', 'a.b.c.d.e'],
    ['garbage', 'x.y.z'],
  ])('returns undefined for %s, so expires_in rules alone', (_n, token) =>
    expect(decodeAccessToken(token)).toBeUndefined(),
  );
});
