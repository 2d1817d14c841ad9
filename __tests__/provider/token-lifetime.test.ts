import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeAccessToken } from '../../src/provider/jwt-cross-check.js';
import {
  backgroundRetryDelayMs,
  computeExpiry,
  refreshPolicy,
  refreshSchedule,
} from '../../src/provider/token-lifetime.js';
import { makeJwt } from '../helpers/jwt.js';

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

describe('refreshPolicy', () => {
  it('caps the default 60 s margin at a tenth of the lifetime, and a chosen one at half', () => {
    expect(refreshPolicy(undefined)).toEqual({ marginMs: 60_000, maxShare: 0.1 });
    expect(refreshPolicy(30)).toEqual({ marginMs: 30_000, maxShare: 0.5 });
    expect(refreshPolicy(0)).toEqual({ marginMs: 0, maxShare: 0.5 });
  });
});

describe('refreshSchedule', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const schedule = (lifetimeSeconds: number, marginSeconds: number | undefined, random: number) => {
    const { refreshAtMs, mustRefreshAtMs } = refreshSchedule(
      T0,
      T0 + lifetimeSeconds * 1000,
      refreshPolicy(marginSeconds),
      random,
    );
    return { refreshAt: refreshAtMs - T0, mustRefreshAt: mustRefreshAtMs - T0 };
  };

  it.each([
    // lifetime, margin option, earliest refresh, latest refresh (jitter), callers wait from
    [
      'an hour, default margin: 60 s, jittered over a tenth of the 55 s left',
      3600,
      undefined,
      3540_000,
      3545_500,
      3595_000,
    ],
    ['30 s, default margin: capped at a tenth, 3 s', 30, undefined, 27_000, 27_150, 28_500],
    ['4 s, default margin: not below 2 s', 4, undefined, 2_000, 2_100, 3_000],
    ['30 s, a chosen 60 s margin: capped at half, 15 s', 30, 60, 15_000, 16_000, 25_000],
    [
      'an hour, margin 0: refresh only when callers must wait',
      3600,
      0,
      3600_000,
      3600_000,
      3600_000,
    ],
  ])('schedules %s', (_name, lifetime, margin, earliest, latest, mustRefreshAt) => {
    expect(schedule(lifetime, margin, 0)).toEqual({ refreshAt: earliest, mustRefreshAt });
    expect(schedule(lifetime, margin, 1).refreshAt).toBeCloseTo(latest, 6);
  });

  it('orders request, refresh, must-refresh and expiry for any lifetime, margin and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 * 86400 }),
        fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (lifetime, margin, random) => {
          const { refreshAt, mustRefreshAt } = schedule(lifetime, margin, random);
          expect(refreshAt).toBeGreaterThanOrEqual(lifetime * 1000 * 0.5 - 1e-6);
          expect(refreshAt).toBeLessThanOrEqual(mustRefreshAt + 1e-6);
          expect(mustRefreshAt).toBeLessThanOrEqual(lifetime * 1000);
        },
      ),
    );
  });
});

describe('backgroundRetryDelayMs', () => {
  it('waits half the time left before callers must wait, within 1 to 30 s', () => {
    expect(backgroundRetryDelayMs(10_000, 0)).toBe(5_000);
    expect(backgroundRetryDelayMs(600_000, 0)).toBe(30_000);
    expect(backgroundRetryDelayMs(1_000, 0)).toBe(1_000);
    expect(backgroundRetryDelayMs(0, 5_000)).toBe(1_000);
  });
});
