import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import axios, { type AxiosResponse } from 'axios';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createTokenProvider } from '../../src/index.js';
import {
  certificateThumbprint,
  createSelfSignedCertificate,
  startTestServer,
  type CertificateAndKey,
  type TestServer,
} from '../../src/testing/index.js';
import { plainRequest, postForm } from '../helpers/https-request.js';

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

/** The certificate a TLS server presents, read with a bare TLS connection. */
function serverCertificate(origin: string, ca: string): Promise<X509Certificate> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca }, () => {
      resolve(socket.getPeerX509Certificate()!);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('TLS', () => {
  let tlsServer: TestServer;
  beforeAll(async () => {
    tlsServer = await startTestServer({
      tls: true,
      clients: [{ clientId: 'test-client', clientSecret: 'test-secret-value' }],
    });
  });
  afterAll(async () => tlsServer.close());

  it('serves the token endpoint and the API over HTTPS, with a certificate from its own CA for 127.0.0.1 and localhost', async () => {
    expect(tlsServer.tokenUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/oauth\/token$/);
    expect(tlsServer.apiOrigin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const agent = new Agent({ ca: tlsServer.ca! });
    const token = await postForm(tlsServer.tokenUrl, grant, agent);
    expect(token.status).toBe(200);
    const ca = new X509Certificate(tlsServer.ca!);
    expect(ca.ca).toBe(true);
    for (const origin of [tlsServer.tokenUrl, tlsServer.apiOrigin]) {
      const served = await serverCertificate(origin, tlsServer.ca!);
      expect(served.checkIssued(ca)).toBe(true);
      expect(served.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    }
    const { access_token } = JSON.parse(token.body) as { access_token: string };
    const api = await plainRequest(`${tlsServer.apiOrigin}/venues`, {
      headers: { authorization: `Bearer ${access_token}` },
      agent,
    });
    expect(api.status).toBe(200);
  });

  it('is refused by a client that does not trust its CA', async () => {
    // The server sends its CA along (the same CA verifies client certificates), hence this code
    // rather than UNABLE_TO_VERIFY_LEAF_SIGNATURE.
    await expect(postForm(tlsServer.tokenUrl, grant)).rejects.toMatchObject({
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(tlsServer.tokenRequests).toBe(1);
  });

  it('fails the host name check of a client when its certificate leaves out 127.0.0.1', async () => {
    const elsewhere = await startTestServer({ tls: { hostnames: ['auth.example.test'] } });
    try {
      await expect(
        postForm(elsewhere.tokenUrl, grant, new Agent({ ca: elsewhere.ca! })),
      ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    } finally {
      await elsewhere.close();
    }
  });

  it('has no CA and issues no client certificate without tls', async () => {
    expect(server.ca).toBeUndefined();
    await expect(server.issueClientCertificate({ subject: 'CN=x' })).rejects.toThrow(
      /startTestServer\(\{ tls: true \}\)/,
    );
  });
});

describe('mutual TLS client authentication', () => {
  let mtls: TestServer;
  let registered: CertificateAndKey;
  let issued: CertificateAndKey;
  const token = (clientId: string, credential?: CertificateAndKey, extra: object = {}) =>
    postForm(
      mtls.tokenUrl,
      { grant_type: 'client_credentials', client_id: clientId, audience: 'api.bookabletech.com' },
      new Agent({ ca: mtls.ca!, ...credential, ...extra }),
    );
  const claims = (body: string) =>
    decodeJwt((JSON.parse(body) as { access_token: string }).access_token);

  beforeAll(async () => {
    registered = await createSelfSignedCertificate({ subject: 'CN=reporting-job,O=Example Corp' });
    mtls = await startTestServer({
      tls: true,
      clients: [
        { clientId: 'ca-signed', tlsClientAuthSubjectDn: 'CN=billing-service,O=Example Corp' },
        { clientId: 'self-signed', selfSignedTlsClientAuthCertificate: registered.cert },
        {
          clientId: 'bound',
          tlsClientAuthSubjectDn: 'CN=bound-service',
          certificateBoundAccessTokens: true,
        },
        { clientId: 'escaped', tlsClientAuthSubjectDn: ' cn = Billing\\, Payments , o=Example ' },
      ],
    });
    issued = await mtls.issueClientCertificate({ subject: 'CN=billing-service,O=Example Corp' });
  });
  afterAll(async () => mtls.close());

  it('tls_client_auth: a certificate from the CA with the registered subject DN authenticates a body with only client_id', async () => {
    const response = await token('ca-signed', issued);
    expect(response.status).toBe(200);
    const payload = claims(response.body);
    expect(payload).toMatchObject({ sub: 'ca-signed@clients', azp: 'ca-signed' });
    expect(payload.cnf).toBeUndefined();
  });

  it('self_signed_tls_client_auth: the registered self-signed certificate authenticates a body with only client_id', async () => {
    const response = await token('self-signed', registered);
    expect(response.status).toBe(200);
    expect(claims(response.body).sub).toBe('self-signed@clients');
  });

  it('compares subject DNs as RFC 4514 does: attribute types in any case, spaces around separators ignored, escapes decoded', async () => {
    const cert = await mtls.issueClientCertificate({ subject: 'CN=Billing\\, Payments,O=Example' });
    expect((await token('escaped', cert)).status).toBe(200);
    const other = await mtls.issueClientCertificate({ subject: 'CN=Billing Payments,O=Example' });
    expect((await token('escaped', other)).status).toBe(401);
  });

  it.each([
    ['no certificate', 'ca-signed', () => undefined, 'Client certificate required'],
    [
      'a certificate from the CA with another subject',
      'ca-signed',
      () => mtls.issueClientCertificate({ subject: 'CN=someone-else,O=Example Corp' }),
      'Client certificate does not match the registered credentials',
    ],
    [
      'a self-signed certificate with the registered subject',
      'ca-signed',
      () => createSelfSignedCertificate({ subject: 'CN=billing-service,O=Example Corp' }),
      'Client certificate not issued by a trusted CA (DEPTH_ZERO_SELF_SIGNED_CERT)',
    ],
    [
      'an expired certificate from the CA with the registered subject',
      'ca-signed',
      () =>
        mtls.issueClientCertificate({
          subject: 'CN=billing-service,O=Example Corp',
          notBefore: new Date(Date.now() - 2 * 86_400_000),
          notAfter: new Date(Date.now() - 86_400_000),
        }),
      'Client certificate not issued by a trusted CA (CERT_HAS_EXPIRED)',
    ],
    [
      'another self-signed certificate with the same subject',
      'self-signed',
      () => createSelfSignedCertificate({ subject: 'CN=reporting-job,O=Example Corp' }),
      'Client certificate does not match the registered credentials',
    ],
    [
      "another client's certificate",
      'self-signed',
      () => Promise.resolve(issued),
      'Client certificate does not match the registered credentials',
    ],
  ])('answers %s with 401 invalid_client', async (_name, clientId, make, description) => {
    const response = await token(clientId, await make());
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_client',
      error_description: description,
    });
  });

  it('still checks a secret or an assertion when the request carries one, whatever the certificate', async () => {
    const response = await postForm(
      mtls.tokenUrl,
      {
        grant_type: 'client_credentials',
        client_id: 'ca-signed',
        client_secret: 'guess',
        audience: 'api.bookabletech.com',
      },
      new Agent({ ca: mtls.ca!, ...issued }),
    );
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      error: 'access_denied',
      error_description: 'Unauthorized',
    });
  });

  it('binds tokens to the certificate (cnf x5t#S256) for a client that asks for it, and the API then wants that certificate', async () => {
    const cert = await mtls.issueClientCertificate({ subject: 'CN=bound-service' });
    const response = await token('bound', cert);
    expect(response.status).toBe(200);
    const { access_token } = JSON.parse(response.body) as { access_token: string };
    expect(decodeJwt(access_token).cnf).toEqual({ 'x5t#S256': certificateThumbprint(cert.cert) });
    const call = (credential?: CertificateAndKey) =>
      plainRequest(`${mtls.apiOrigin}/venues`, {
        headers: { authorization: `Bearer ${access_token}` },
        agent: new Agent({ ca: mtls.ca!, ...credential }),
      });
    expect((await call(cert)).status).toBe(200);
    for (const wrong of [undefined, issued]) {
      const refused = await call(wrong);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it("with clientCertificates: 'require', refuses at the handshake a connection without a certificate from the CA", async () => {
    const strict = await startTestServer({
      tls: { clientCertificates: 'require' },
      clients: [{ clientId: 'ca-signed', tlsClientAuthSubjectDn: 'CN=billing-service' }],
    });
    try {
      const cert = await strict.issueClientCertificate({ subject: 'CN=billing-service' });
      const send = (credential?: CertificateAndKey) =>
        postForm(
          strict.tokenUrl,
          {
            grant_type: 'client_credentials',
            client_id: 'ca-signed',
            audience: 'api.bookabletech.com',
          },
          new Agent({ ca: strict.ca!, ...credential }),
        );
      expect((await send(cert)).status).toBe(200);
      for (const wrong of [
        undefined,
        await createSelfSignedCertificate({ subject: 'CN=billing-service' }),
      ]) {
        await expect(send(wrong)).rejects.toMatchObject({
          code: expect.stringMatching(
            /^(ECONNRESET|ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ERR_SSL_TLSV1_ALERT_UNKNOWN_CA)$/,
          ),
        });
      }
      expect(strict.tokenRequests).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('refuses to start with a mutual-TLS client but without tls', async () => {
    await expect(
      startTestServer({ clients: [{ clientId: 'x', tlsClientAuthSubjectDn: 'CN=x' }] }),
    ).rejects.toThrow(
      'The test client "x" authenticates with mutual TLS: start the server with `tls`',
    );
  });
});
