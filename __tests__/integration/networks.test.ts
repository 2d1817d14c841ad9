import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import {
  createTokenProvider,
  isBookableAuthError,
  type TokenProviderOptions,
} from '../../src/index.js';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';
import { useRealNetwork } from '../helpers/real-network.js';

useRealNetwork();

let tlsServer: TestServer;
let plainServer: TestServer;
let proxy: TestProxy | undefined;
const environment = { ...process.env };

beforeAll(async () => {
  [tlsServer, plainServer] = await Promise.all([startTestServer({ tls: true }), startTestServer()]);
});
afterAll(async () => {
  await Promise.all([tlsServer.close(), plainServer.close()]);
});
afterEach(async () => {
  process.env = { ...environment };
  await proxy?.close();
  proxy = undefined;
});

const endpoint = (server: TestServer) => new URL(server.tokenUrl).host;
const trustingAgent = () => new https.Agent({ ca: tlsServer.ca });
const provider = (server: TestServer, extra: Partial<TokenProviderOptions> = {}) =>
  createTokenProvider({
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    tokenUrl: server.tokenUrl,
    audience: server.audience,
    retry: { retries: 0 },
    ...extra,
  } as TokenProviderOptions);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error & { code?: string },
  );

/** The proxy tunnelled exactly once to the TLS token endpoint and never saw a secret. */
async function expectTunnelledOnce(token: string): Promise<void> {
  expect(proxy!.tunnels).toEqual([endpoint(tlsServer)]);
  expect(proxy!.forwarded).toEqual([]);
  expect(proxy!.saw(tlsServer.clientSecret)).toBe(false);
  expect(proxy!.saw(token)).toBe(false);
  expect(proxy!.saw('client_credentials')).toBe(false);
}

describe('token requests through a proxy', () => {
  it('tunnel through the `proxy` option, with the agent’s CA, and the proxy never sees the secret', async () => {
    proxy = await startTestProxy();
    const token = await provider(tlsServer, {
      proxy: { host: '127.0.0.1', port: proxy.port },
      httpsAgent: trustingAgent(),
    }).getToken();
    await expectTunnelledOnce(token);
  });

  it('tunnel through HTTPS_PROXY from the environment, even with axios versions that would not', async () => {
    proxy = await startTestProxy();
    process.env.HTTPS_PROXY = proxy.url;
    const token = await provider(tlsServer, { httpsAgent: trustingAgent() }).getToken();
    await expectTunnelledOnce(token);
  });

  it('go straight to a host that NO_PROXY names, and anywhere with proxy: false', async () => {
    proxy = await startTestProxy();
    process.env.HTTPS_PROXY = proxy.url;
    process.env.NO_PROXY = `example.com,${endpoint(tlsServer)}`;
    await provider(tlsServer, { httpsAgent: trustingAgent() }).getToken();
    delete process.env.NO_PROXY;
    await provider(tlsServer, { httpsAgent: trustingAgent(), proxy: false }).getToken();
    expect(proxy.tunnels).toEqual([]);
  });

  it('take the agent’s client certificate and CA through the tunnel too', async () => {
    const mtls = await startTestServer({
      tls: true,
      clients: [{ clientId: 'billing', tlsClientAuthSubjectDn: 'CN=billing-service' }],
    });
    try {
      proxy = await startTestProxy();
      process.env.HTTPS_PROXY = proxy.url;
      const certificate = await mtls.issueClientCertificate({ subject: 'CN=billing-service' });
      const token = await createTokenProvider({
        clientId: 'billing',
        clientAuthentication: 'tls_client_auth',
        httpsAgent: new https.Agent({ ca: mtls.ca, ...certificate }),
        tokenUrl: mtls.tokenUrl,
        audience: mtls.audience,
      }).getToken();
      expect(token).toMatch(/^eyJ/);
      expect(proxy.tunnels).toEqual([endpoint(mtls)]);
    } finally {
      await mtls.close();
    }
  });

  it('go through https-proxy-agent given as the agent, which decides alone', async () => {
    proxy = await startTestProxy();
    // A loopback http token URL: the agent tunnels it too, and the request succeeds.
    await provider(plainServer, { httpAgent: new HttpsProxyAgent(proxy.url) }).getToken();
    expect(proxy.tunnels).toEqual([endpoint(plainServer)]);
    // For https, its own options never reach the token endpoint: a private CA needs `proxy` and
    // an https.Agent with the CA (above), which the error says.
    const error = await failure(
      provider(tlsServer, { httpsAgent: new HttpsProxyAgent(proxy.url) }).getToken(),
    );
    expect(proxy.tunnels).toEqual([endpoint(plainServer), endpoint(tlsServer)]);
    expect(error.code).toBe('server_certificate_untrusted');
  });

  it('give the proxy its credentials, and say so when they are missing (407)', async () => {
    proxy = await startTestProxy({ credentials: { username: 'svc', password: 'p@ss word' } });
    const port = proxy.port;
    const error = await failure(
      provider(tlsServer, {
        proxy: { host: '127.0.0.1', port },
        httpsAgent: trustingAgent(),
      }).getToken(),
    );
    expect(isBookableAuthError(error) && error.code).toBe('proxy_authentication_required');
    expect(error.message).toContain(`proxy http://127.0.0.1:${port}`);
    await provider(tlsServer, {
      proxy: { host: '127.0.0.1', port, auth: { username: 'svc', password: 'p@ss word' } },
      httpsAgent: trustingAgent(),
    }).getToken();
    process.env.HTTPS_PROXY = `http://svc:${encodeURIComponent('p@ss word')}@127.0.0.1:${port}`;
    await provider(tlsServer, { httpsAgent: trustingAgent() }).getToken();
    expect(proxy.tunnels).toHaveLength(3);
  });
});

describe('whatever the transport', () => {
  it('keeps timeoutMs when the proxy stalls the tunnel', async () => {
    proxy = await startTestProxy({ hang: 'tunnel' });
    const error = await failure(
      provider(tlsServer, {
        proxy: { host: '127.0.0.1', port: proxy.port },
        httpsAgent: trustingAgent(),
        timeoutMs: 300,
      }).getToken(),
    );
    expect(error.code).toBe('token_endpoint_unreachable');
    expect(error.message).toMatch(/through the proxy .* did not answer within `timeoutMs`/);
  });

  it('lets the caller abort while the proxy stalls', async () => {
    proxy = await startTestProxy({ hang: 'connect' });
    process.env.HTTPS_PROXY = proxy.url;
    const controller = new AbortController();
    const pending = failure(
      provider(tlsServer, { httpsAgent: trustingAgent() }).getToken({ signal: controller.signal }),
    );
    await once(proxy.events, 'tunnel');
    controller.abort();
    expect((await pending).code).toBe('aborted');
  });

  it('still refuses to follow a redirect', async () => {
    let followed = 0;
    const redirecting = http.createServer((req, res) => {
      if (req.url === '/elsewhere') followed += 1;
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    redirecting.listen(0, '127.0.0.1');
    await once(redirecting, 'listening');
    try {
      proxy = await startTestProxy();
      const { port } = redirecting.address() as AddressInfo;
      const error = await failure(
        createTokenProvider({
          clientId: 'c',
          clientSecret: 'test-secret-value',
          tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
          proxy: { host: '127.0.0.1', port: proxy.port },
          retry: { retries: 0 },
        }).getToken(),
      );
      expect(error).toMatchObject({ code: 'token_request_rejected', status: 302 });
      expect(proxy.forwarded).toHaveLength(1);
      expect(followed).toBe(0);
    } finally {
      redirecting.closeAllConnections();
      redirecting.close();
    }
  });
});

describe('a private CA', () => {
  it('is trusted once given in httpsAgent, and its absence is named with the fix', async () => {
    const error = await failure(provider(tlsServer).getToken());
    expect(isBookableAuthError(error) && error.code).toBe('server_certificate_untrusted');
    expect(error.message).toContain('SELF_SIGNED_CERT_IN_CHAIN');
    expect(error.message).toContain('https.Agent({ ca:');
    await expect(provider(tlsServer, { httpsAgent: trustingAgent() }).getToken()).resolves.toMatch(
      /^eyJ/,
    );
  });

  it('names a certificate for another host as such', async () => {
    const other = await startTestServer({ tls: { hostnames: ['localhost'] } });
    try {
      const error = await failure(
        provider(other, { httpsAgent: new https.Agent({ ca: other.ca }) }).getToken(),
      );
      expect(error.code).toBe('server_certificate_invalid');
      expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      await other.close();
    }
  });
});
