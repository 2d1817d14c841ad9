import { describe, expect, it } from '@jest/globals';
import { parseBearerChallenge } from '../../src/interceptors/www-authenticate.js';

describe('parseBearerChallenge', () => {
  it.each([
    [
      'an Auth0-style challenge',
      'Bearer realm="api", error="insufficient_scope", scope="venue:read"',
      { realm: 'api', error: 'insufficient_scope', scope: 'venue:read' },
    ],
    [
      'escaped quotes and a token value',
      'Bearer error=invalid_token, error_description="The \\"token\\" expired"',
      { error: 'invalid_token', error_description: 'The "token" expired' },
    ],
    [
      'the Bearer challenge among others, up to the next one',
      'Basic realm="x", Bearer realm="api", error="invalid_token", DPoP algs="ES256", realm="y"',
      { realm: 'api', error: 'invalid_token' },
    ],
    [
      'a header given as an array',
      ['Basic realm="x"', 'Bearer error="invalid_token"'],
      { error: 'invalid_token' },
    ],
    ['a bare Bearer', 'Bearer', {}],
  ])('reads %s', (_name, header, params) => {
    expect(parseBearerChallenge(header)).toEqual(params);
  });

  it.each([[undefined], [''], ['Basic realm="x"'], [42], ['NotBearer error="x"']])(
    'finds no Bearer challenge in %j',
    (header) => {
      expect(parseBearerChallenge(header)).toBeUndefined();
    },
  );
});
