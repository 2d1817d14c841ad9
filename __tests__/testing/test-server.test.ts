import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import axios, { type AxiosResponse } from 'axios';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createTokenProvider } from '../../src/index.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    clients: [
      { clientId: 'test-client', clientSecret: 'test-secret-value' },
      { clientId: 'other-api-client', clientSecret: 'test-secret-value', audiences: ['api.other'] },
      { clientId: 'no-cc-client', clientSecret: 'test-secret-value', clientCredentials: false },
      { clientId: 'read-only-client', clientSecret: 'test-secret-value', scopes: ['venue:read'] },
    ],
  });
});
afterAll(async () => server.close());

const http = axios.create({ validateStatus: () => true });
const form = (params: Record<string, string>) =>
  http.post(server.tokenUrl, new URLSearchParams(params).toString(), {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
const grant = {
  grant_type: 'client_credentials',
  client_id: 'test-client',
  client_secret: 'test-secret-value',
  audience: 'api.bookabletech.com',
};

describe('token endpoint', () => {
  it('issues RS256 JWTs with Auth0 claims, verifiable with the published JWKS', async () => {
    const response = await form({ ...grant, scope: 'venue:read' });
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'venue:read',
    });
    const { payload, protectedHeader } = await jwtVerify(
      (response.data as { access_token: string }).access_token,
      createRemoteJWKSet(new URL(server.jwksUrl)),
      { issuer: server.issuer, audience: 'api.bookabletech.com' },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: 'test-client@clients',
      azp: 'test-client',
      gty: 'client-credentials',
      scope: 'venue:read',
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('accepts JSON bodies and client_secret_basic', async () => {
    const json = await http.post(server.tokenUrl, grant);
    const basic = await form({
      grant_type: 'client_credentials',
      audience: 'api.bookabletech.com',
    }).catch(() => undefined);
    expect(json.status).toBe(200);
    expect(basic?.status).toBe(401); // no credentials at all
    const withBasic = await http.post(
      server.tokenUrl,
      'grant_type=client_credentials&audience=api.bookabletech.com',
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        auth: { username: 'test-client', password: 'test-secret-value' },
      },
    );
    expect(withBasic.status).toBe(200);
  });

  it.each([
    [
      'a wrong secret',
      { client_secret: 'nope' },
      401,
      { error: 'access_denied', error_description: 'Unauthorized' },
    ],
    [
      'an unknown audience',
      { audience: 'api.nowhere' },
      403,
      { error: 'access_denied', error_description: 'Service not found: api.nowhere' },
    ],
    [
      'a client without a grant for the API',
      { client_id: 'other-api-client' },
      403,
      { error: 'access_denied' },
    ],
    [
      'a client without client credentials',
      { client_id: 'no-cc-client' },
      403,
      { error: 'unauthorized_client' },
    ],
    [
      'a scope not granted',
      { client_id: 'read-only-client', scope: 'venue-booking:create' },
      403,
      { error_description: 'Client has not been granted scopes: venue-booking:create' },
    ],
    ['another grant type', { grant_type: 'password' }, 400, { error: 'unsupported_grant_type' }],
  ])('answers %s as Auth0 does', async (_name, change, status, body) => {
    const response = await form({ ...grant, ...change });
    expect(response.status).toBe(status);
    expect(response.data).toMatchObject(body);
  });
});

describe('protected API', () => {
  async function token(): Promise<string> {
    return ((await form(grant)).data as { access_token: string }).access_token;
  }
  const call = (path: string, authorization?: string): Promise<AxiosResponse> =>
    http.get(`${server.apiOrigin}${path}`, authorization ? { headers: { authorization } } : {});

  it('accepts a valid token and echoes the request', async () => {
    const response = await call('/venues?x=1', `Bearer ${await token()}`);
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({
      path: '/venues',
      query: '?x=1',
      subject: 'test-client@clients',
    });
  });

  it('answers a revoked, tampered or foreign token with 401 invalid_token', async () => {
    const revoked = await token();
    server.revoke(revoked);
    const valid = await token();
    const [header, payload, signature] = valid.split('.');
    const claims = decodeJwt(valid);
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url')}.${signature}`;
    for (const bad of [revoked, tampered, `${payload}`]) {
      const response = await call('/venues', `Bearer ${bad}`);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(
        /^Bearer realm="api", error="invalid_token"/,
      );
    }
    expect((await call('/venues')).status).toBe(401);
  });

  it('answers a missing scope with 403 insufficient_scope naming it', async () => {
    const readOnly = (
      (await form({ ...grant, client_id: 'read-only-client' })).data as { access_token: string }
    ).access_token;
    const response = await call('/scoped/venue-booking:create/bookings', `Bearer ${readOnly}`);
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toContain(
      'error="insufficient_scope", scope="venue-booking:create"',
    );
  });
});

describe('controls', () => {
  it('injects failures: status, malformed body and reset, in order, then recovers; and counts requests', async () => {
    const before = server.tokenRequests;
    server.failNextTokenRequests(1, { status: 503 });
    server.failNextTokenRequests(1, { malformed: true });
    server.failNextTokenRequests(1, { reset: true });
    expect((await form(grant)).status).toBe(503);
    expect((await form(grant)).headers['content-type']).toBe('text/html');
    await expect(form(grant)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await form(grant)).status).toBe(200);
    expect(server.tokenRequests - before).toBe(4);
  });

  it('issues tokens whose JWT lifetime disagrees with expires_in, and the provider takes the earlier', async () => {
    server.setTokenLifetime(3600);
    server.setJwtLifetime(600);
    try {
      const info = await createTokenProvider({
        clientId: 'test-client',
        clientSecret: 'test-secret-value',
        tokenUrl: server.tokenUrl,
      }).getTokenInfo();
      expect(info.expiresIn).toBe(3600);
      expect(info.jwtLifetimeSeconds).toBe(600);
      expect(info.expiresAtSource).toBe('jwt_lifetime');
    } finally {
      server.setJwtLifetime(undefined);
    }
  });

  it('makes the API refuse every token on demand', async () => {
    server.rejectAllTokens(true);
    try {
      const response = await http.get(`${server.apiOrigin}/x`, {
        headers: {
          authorization: `Bearer ${((await form(grant)).data as { access_token: string }).access_token}`,
        },
      });
      expect(response.status).toBe(401);
    } finally {
      server.rejectAllTokens(false);
    }
  });
});
