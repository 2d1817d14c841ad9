import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import { inspect } from 'node:util';
import { HttpsProxyAgent } from 'https-proxy-agent';
import nock from 'nock';
import { createTokenProvider, type TokenProviderOptions } from '../../src/index.js';
import { createSelfSignedCertificate, type CertificateAndKey } from '../../src/testing/index.js';
import { CLIENT, TENANT, TOKEN_BODY, TOKEN_URL } from '../helpers/token-endpoint.js';
import { creationError } from '../helpers/creation-error.js';

let certificate: CertificateAndKey;
let other: CertificateAndKey;
beforeAll(async () => {
  [certificate, other] = await Promise.all([
    createSelfSignedCertificate({ subject: 'CN=billing-service' }),
    createSelfSignedCertificate({ subject: 'CN=someone-else' }),
  ]);
});
afterEach(() => {
  nock.cleanAll();
});

const mtls = { clientId: 'client-1', tokenUrl: TOKEN_URL, clientAuthentication: 'tls_client_auth' };

describe('transport options are validated at creation', () => {
  it.each([
    [
      'an agent that is not one',
      () => ({ ...CLIENT, httpsAgent: {} }),
      '`httpsAgent` must be an agent',
    ],
    [
      'a proxy without a port',
      () => ({ ...CLIENT, proxy: { host: 'proxy' } }),
      '`proxy` must be false or { host, port }',
    ],
    [
      'a proxy protocol other than http(s)',
      () => ({ ...CLIENT, proxy: { host: 'p', port: 1, protocol: 'socks5' } }),
      "`proxy.protocol` must be 'http' or 'https'",
    ],
    [
      'proxy credentials without a password',
      () => ({ ...CLIENT, proxy: { host: 'p', port: 1, auth: { username: 'u' } } }),
      '`proxy.auth` must be { username, password }',
    ],
    [
      'a proxy agent and a proxy',
      () => ({
        ...CLIENT,
        httpsAgent: new HttpsProxyAgent('http://p:1'),
        proxy: { host: 'p', port: 1 },
      }),
      'give a proxy once',
    ],
    [
      'a client secret with tls_client_auth',
      () => ({ ...mtls, clientSecret: 'x', tlsClientCertificate: certificate }),
      '`clientSecret` is not used with tls_client_auth',
    ],
    [
      'a private key with self_signed_tls_client_auth',
      () => ({
        ...mtls,
        clientAuthentication: 'self_signed_tls_client_auth',
        privateKey: certificate.key,
        tlsClientCertificate: certificate,
      }),
      '`privateKey` is not used with self_signed_tls_client_auth',
    ],
    [
      'mutual TLS without a certificate',
      () => ({ ...mtls, httpsAgent: new https.Agent({ ca: 'x' }) }),
      'tls_client_auth needs a client certificate',
    ],
    [
      'a certificate and a key that are no pair',
      () => ({ ...mtls, tlsClientCertificate: { cert: certificate.cert, key: other.key } }),
      'is not the private key of',
    ],
    [
      'a certificate that is not PEM',
      () => ({ ...mtls, tlsClientCertificate: { cert: 'not pem', key: 'not pem' } }),
      '`tlsClientCertificate` cannot be read',
    ],
    [
      'a certificate in the agent and in the option',
      () => ({
        ...mtls,
        tlsClientCertificate: certificate,
        httpsAgent: new https.Agent({ ...other }),
      }),
      'not both',
    ],
    [
      'a certificate with a proxy agent',
      () => ({
        ...mtls,
        tlsClientCertificate: certificate,
        httpsAgent: new HttpsProxyAgent('http://p:1'),
      }),
      'give the proxy as `proxy`',
    ],
  ])('refuses %s with invalid_options naming the problem', (_name, options, says) => {
    const error = creationError(options());
    expect(error.code).toBe('invalid_options');
    expect(error.message).toContain(says);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(
      certificate.key.split('\n')[1],
    );
  });

  it('accepts an agent with the certificate, or the certificate next to an agent with a CA, and proxy: false', () => {
    expect(() =>
      createTokenProvider({
        ...mtls,
        httpsAgent: new https.Agent({ ...certificate }),
      } as TokenProviderOptions),
    ).not.toThrow();
    expect(() =>
      createTokenProvider({
        ...mtls,
        tlsClientCertificate: certificate,
        httpsAgent: new https.Agent({ ca: certificate.cert }),
      } as TokenProviderOptions),
    ).not.toThrow();
    expect(() =>
      createTokenProvider({ ...CLIENT, proxy: false, httpAgent: new http.Agent() }),
    ).not.toThrow();
  });
});

describe('the token request with mutual TLS', () => {
  it.each(['tls_client_auth', 'self_signed_tls_client_auth'])(
    '%s sends only client_id: no secret, no assertion, no Authorization header',
    async (method) => {
      nock(TENANT, { badheaders: ['authorization'] })
        .post(
          '/oauth/token',
          'grant_type=client_credentials&client_id=client-1&audience=api.bookabletech.com',
        )
        .reply(200, TOKEN_BODY);
      const provider = createTokenProvider({
        ...mtls,
        clientAuthentication: method,
        tlsClientCertificate: certificate,
      } as TokenProviderOptions);
      await expect(provider.getToken()).resolves.toBe(TOKEN_BODY.access_token);
      expect(nock.isDone()).toBe(true);
    },
  );
});
