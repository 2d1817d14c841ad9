import { describe, expect, it } from '@jest/globals';
import { decodeAccessToken } from '../../src/provider/jwt-cross-check.js';

describe('decodeAccessToken', () => {
  it.each([
    ['an opaque token', 'opaque-token'],
    ['an encrypted token (JWE)', 'a.b.c.d.e'],
    ['garbage', 'x.y.z'],
  ])('returns undefined for %s, so expires_in rules alone', (_n, token) =>
    expect(decodeAccessToken(token)).toBeUndefined(),
  );
});
