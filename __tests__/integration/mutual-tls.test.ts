import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import https from 'node:https';
import { inspect } from 'node:util';
import {
  createTokenProvider,
  isBookableAuthError,
  type TokenProviderOptions,
} from '../../src/index.js';
import {
  createSelfSignedCertificate,
  startTestServer,
  type CertificateAndKey,
  type TestServer,
} from '../../src/testing/index.js';
import { useRealNetwork } from '../helpers/real-network.js';

useRealNetwork();

let server: TestServer;
let strict: TestServer;
let issued: CertificateAndKey;
let registered: CertificateAndKey;

beforeAll(async () => {
  registered = await createSelfSignedCertificate({ subject: 'CN=reporting-job' });
  const clients = [
    { clientId: 'billing', tlsClientAuthSubjectDn: 'CN=billing-service,O=Example Corp' },
    { clientId: 'reporting', selfSignedTlsClientAuthCertificate: registered.cert },
  ];
  [server, strict] = await Promise.all([
    startTestServer({ tls: true, clients }),
    startTestServer({ tls: { clientCertificates: 'require' }, clients }),
  ]);
  issued = await server.issueClientCertificate({ subject: 'CN=billing-service,O=Example Corp' });
});
afterAll(async () => {
  await Promise.all([server.close(), strict.close()]);
});

const mtls = (
  target: TestServer,
  clientId: string,
  method: 'tls_client_auth' | 'self_signed_tls_client_auth',
  transport: Partial<TokenProviderOptions>,
) =>
  createTokenProvider({
    clientId,
    clientAuthentication: method,
    tokenUrl: target.tokenUrl,
    audience: target.audience,
    retry: { retries: 0 },
    ...transport,
  } as TokenProviderOptions);

/** Every way an application might print the error. */
const views = (error: unknown) =>
  [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), String(error)].join(
    '\n',
  );

describe('mutual TLS client authentication', () => {
  it('authenticates with tls_client_auth: a certificate from a trusted CA with the registered DN', async () => {
    // The test server's CA is private: an agent carries it, and the certificate joins it.
    const viaOption = mtls(server, 'billing', 'tls_client_auth', {
      tlsClientCertificate: issued,
      httpsAgent: new https.Agent({ ca: server.ca }),
    });
    await expect(viaOption.getToken()).resolves.toMatch(/^eyJ/);
    const viaAgent = mtls(server, 'billing', 'tls_client_auth', {
      httpsAgent: new https.Agent({ ca: server.ca, ...issued }),
    });
    await expect(viaAgent.getToken()).resolves.toMatch(/^eyJ/);
  });

  it('authenticates with self_signed_tls_client_auth: the registered certificate itself', async () => {
    const provider = mtls(server, 'reporting', 'self_signed_tls_client_auth', {
      httpsAgent: new https.Agent({ ca: server.ca, ...registered }),
    });
    await expect(provider.getToken()).resolves.toMatch(/^eyJ/);
  });

  it('names a wrong certificate as refused credentials, with what to check, and never shows the key', async () => {
    const stranger = await createSelfSignedCertificate({
      subject: 'CN=billing-service,O=Example Corp',
    });
    const error = await mtls(server, 'billing', 'tls_client_auth', {
      httpsAgent: new https.Agent({ ca: server.ca, ...stranger }),
    })
      .getToken()
      .catch((e: unknown) => e);
    expect(isBookableAuthError(error) && error.code).toBe('invalid_client_credentials');
    expect((error as Error).message).toMatch(/client certificate .*subject DN registered/);
    for (const key of [stranger.key, issued.key]) {
      expect(views(error)).not.toContain(key.split('\n')[1]);
    }
    expect(views(error)).not.toContain('PRIVATE KEY');
  });

  it('names a handshake refused for want of a certificate as client_certificate_rejected', async () => {
    const error = await createTokenProvider({
      clientId: 'billing',
      clientSecret: 'no-certificate-here',
      tokenUrl: strict.tokenUrl,
      audience: strict.audience,
      httpsAgent: new https.Agent({ ca: strict.ca }),
      retry: { retries: 0 },
    })
      .getToken()
      .catch((e: unknown) => e);
    expect(isBookableAuthError(error) && error.code).toBe('client_certificate_rejected');
    expect((error as Error).message).toContain('tlsClientCertificate');
    const accepted = mtls(strict, 'billing', 'tls_client_auth', {
      httpsAgent: new https.Agent({
        ca: strict.ca,
        ...(await strict.issueClientCertificate({ subject: 'CN=billing-service,O=Example Corp' })),
      }),
    });
    await expect(accepted.getToken()).resolves.toMatch(/^eyJ/);
  });
});
