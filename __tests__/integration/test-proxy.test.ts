import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { plainRequest, postForm } from '../helpers/https-request.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';
import { useRealNetwork } from '../helpers/real-network.js';

useRealNetwork();

const SECRET = 'proxy-test-secret-value-0123456789';

let tlsServer: TestServer;
let httpServer: TestServer;
let proxy: TestProxy;
beforeAll(async () => {
  const clients = [{ clientId: 'test-client', clientSecret: SECRET }];
  [tlsServer, httpServer, proxy] = await Promise.all([
    startTestServer({ tls: true, clients }),
    startTestServer({ clients }),
    startTestProxy(),
  ]);
});
afterAll(async () => {
  await Promise.all([tlsServer.close(), httpServer.close(), proxy.close()]);
});

const grant = {
  grant_type: 'client_credentials',
  client_id: 'test-client',
  client_secret: SECRET,
  audience: 'api.bookabletech.com',
};
const hostOf = (url: string) => new URL(url).host;
const tokenOf = (body: string) => (JSON.parse(body) as { access_token: string }).access_token;

/** A request to the TLS server's API through `via`: whether it was answered or failed. */
const apiRequestThrough = (via: TestProxy): Promise<'answered' | 'failed'> =>
  plainRequest(tlsServer.apiOrigin, {
    agent: new HttpsProxyAgent(via.url),
    tls: { ca: tlsServer.ca! },
  }).then(
    () => 'answered',
    () => 'failed',
  );

describe('the test proxy', () => {
  it('tunnels an https:// token request (CONNECT from https-proxy-agent), counts the tunnel, and sees neither secret nor token', async () => {
    const target = hostOf(tlsServer.tokenUrl);
    // https-proxy-agent's own options are for the connection to the proxy: the origin's CA goes
    // with the request.
    const response = await postForm(tlsServer.tokenUrl, grant, new HttpsProxyAgent(proxy.url), {
      tls: { ca: tlsServer.ca! },
    });
    expect(response.status).toBe(200);
    expect(proxy.tunnels).toEqual([target]);
    expect(proxy.tunnelsTo(target)).toBe(1);
    expect(proxy.saw(`CONNECT ${target} HTTP/1.1`)).toBe(true);
    expect(proxy.saw(SECRET)).toBe(false);
    expect(proxy.saw('client_credentials')).toBe(false);
    expect(proxy.saw(tokenOf(response.body))).toBe(false);
    expect(tlsServer.tokenRequests).toBe(1);
  });

  it('forwards an absolute-URI request for an http:// target, seeing the secret in clear, and refuses a request that is not one', async () => {
    const forwarded = await postForm(httpServer.tokenUrl, grant, undefined, {
      forwardProxy: proxy.url,
    });
    expect(forwarded.status).toBe(200);
    expect(proxy.forwarded).toEqual([`POST ${httpServer.tokenUrl}`]);
    expect(proxy.saw(SECRET)).toBe(true);
    expect(proxy.saw(tokenOf(forwarded.body))).toBe(true);
    expect(httpServer.tokenRequests).toBe(1);

    const direct = await plainRequest(`${proxy.url}/oauth/token`);
    expect(direct.status).toBe(400);
    expect(proxy.forwarded).toHaveLength(1);
  });

  it('answers 407 without its credentials (https-proxy-agent hands the 407 to the request as its response), and records the Proxy-Authorization it gets', async () => {
    const guarded = await startTestProxy({ credentials: { username: 'u', password: 'p w' } });
    try {
      const tls = { ca: tlsServer.ca! };
      const refused = await postForm(tlsServer.tokenUrl, grant, new HttpsProxyAgent(guarded.url), {
        tls,
      });
      expect(refused.status).toBe(407);
      expect(refused.headers['proxy-authenticate']).toBe('Basic realm="test proxy"');
      const withCredentials = guarded.url.replace('http://', 'http://u:p%20w@');
      const accepted = await postForm(
        tlsServer.tokenUrl,
        grant,
        new HttpsProxyAgent(withCredentials),
        { tls },
      );
      expect(accepted.status).toBe(200);
      expect(guarded.authorizations).toEqual([`Basic ${Buffer.from('u:p w').toString('base64')}`]);
      expect(guarded.tunnels).toHaveLength(2);
    } finally {
      await guarded.close();
    }
  });

  it("with hang: 'tunnel', accepts the CONNECT and then starves the TLS handshake: the ClientHello arrives, nothing answers", async () => {
    const stalled = await startTestProxy({ hang: 'tunnel' });
    try {
      const before = tlsServer.apiRequests;
      const tunnel = once(stalled.events, 'tunnel');
      const outcome = apiRequestThrough(stalled);
      await tunnel;
      // A TLS handshake record (type 22) went into the tunnel.
      await new Promise<void>((resolve) => {
        const check = () => (stalled.saw('\u0016\u0003') ? resolve() : setImmediate(check));
        check();
      });
      await stalled.close();
      expect(await outcome).toBe('failed');
      expect(tlsServer.apiRequests).toBe(before);
    } finally {
      await stalled.close();
    }
  });

  it("with hang: 'connect', never answers the CONNECT", async () => {
    const stalled = await startTestProxy({ hang: 'connect' });
    try {
      const tunnel = once(stalled.events, 'tunnel');
      const outcome = apiRequestThrough(stalled);
      expect(await tunnel).toEqual([hostOf(tlsServer.apiOrigin)]);
      expect(stalled.saw('\u0016\u0003')).toBe(false);
      await stalled.close();
      expect(await outcome).toBe('failed');
    } finally {
      await stalled.close();
    }
  });
});
