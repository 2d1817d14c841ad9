import { afterEach, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { jwtVerify } from 'jose';
import nock from 'nock';
import { createTokenProvider } from '../../src/index.js';
import { TENANT } from '../helpers/token-endpoint.js';

const ok = { access_token: 'opaque-access-token-1', token_type: 'Bearer', expires_in: 3600 };
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const base = {
  clientId: 'client-1',
  tokenUrl: `${TENANT}/oauth/token`,
  clientAuthentication: 'private_key_jwt' as const,
  privateKey: pem,
  keyId: 'key-1',
};

afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});

function captureBodies(statuses: number[]): string[] {
  const bodies: string[] = [];
  for (const status of statuses) {
    nock(TENANT)
      .post('/oauth/token')
      .reply((_uri, body) => {
        bodies.push(String(body));
        return status === 200
          ? [200, ok]
          : [status, { error: status >= 500 ? 'temporarily_unavailable' : 'invalid_client' }];
      });
  }
  return bodies;
}

describe('private_key_jwt', () => {
  it('sends a signed assertion with Auth0 claims and no secret', async () => {
    const bodies = captureBodies([200]);
    await createTokenProvider(base).getToken();
    const params = new URLSearchParams(bodies[0]);
    expect([...params.keys()].sort()).toEqual([
      'audience',
      'client_assertion',
      'client_assertion_type',
      'client_id',
      'grant_type',
    ]);
    expect(params.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const { payload, protectedHeader } = await jwtVerify(
      params.get('client_assertion')!,
      publicKey,
      {
        issuer: 'client-1',
        subject: 'client-1',
        audience: `${TENANT}/`,
      },
    );
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: 'key-1' });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
    expect(typeof payload.jti).toBe('string');
  });

  it('signs a fresh assertion (new jti) for every retry attempt', async () => {
    const bodies = captureBodies([503, 200]);
    await createTokenProvider({ ...base, retry: { minTimeout: 1, maxTimeout: 2 } }).getToken();
    const jtis = await Promise.all(
      bodies.map(
        async (b) =>
          (await jwtVerify(new URLSearchParams(b).get('client_assertion')!, publicKey)).payload.jti,
      ),
    );
    expect(new Set(jtis).size).toBe(2);
  });

  it('accepts a KeyObject or a private JWK, PS256, and an overridden audience', async () => {
    const bodies = captureBodies([200, 200]);
    await createTokenProvider({
      ...base,
      privateKey,
      algorithm: 'PS256',
      assertionAudience: 'https://custom.example/',
    }).getToken();
    await createTokenProvider({
      ...base,
      privateKey: privateKey.export({ format: 'jwk' }),
    }).getToken();
    const first = await jwtVerify(
      new URLSearchParams(bodies[0]).get('client_assertion')!,
      publicKey,
      { audience: 'https://custom.example/' },
    );
    expect(first.protectedHeader.alg).toBe('PS256');
    await expect(
      jwtVerify(new URLSearchParams(bodies[1]).get('client_assertion')!, publicKey),
    ).resolves.toBeDefined();
  });

  it('never shows the key or the assertion in an error', async () => {
    const bodies = captureBodies([401]);
    const error = await createTokenProvider(base)
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_client_credentials' });
    expect((error as Error).message).toContain('`privateKey`');
    const assertion = new URLSearchParams(bodies[0]).get('client_assertion')!;
    const text = inspect(error, { depth: 10, showHidden: true }) + JSON.stringify(error);
    expect(text).not.toContain(assertion);
    expect(text).not.toContain('PRIVATE KEY');
  });
});
