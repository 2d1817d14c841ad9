// Default imports, read at call time: a named import would keep the request function nock had
// patched when this module was linked, even after the test file turns nock off.
import http, { type Agent as HttpAgent } from 'node:http';
import https, { type Agent as HttpsAgent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';

export interface PlainResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The server certificate, for an HTTPS request. */
  serverCertificate: X509Certificate | undefined;
}

/**
 * One request with Node's own http/https client, no axios: for tests of the test servers
 * themselves, where the client must be as plain as possible.
 */
export function plainRequest(
  url: string,
  {
    method = 'GET',
    body,
    headers = {},
    agent,
    tls = {},
    forwardProxy,
  }: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    agent?: HttpAgent | HttpsAgent;
    /** TLS options of this request (`ca`, `cert`, `key`): they reach the origin through any agent. */
    tls?: { ca?: string; cert?: string; key?: string };
    /** Send the request to this HTTP proxy, with the absolute URI as its path (forward proxying). */
    forwardProxy?: string;
  } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const options = { method, headers, ...tls, ...(agent === undefined ? {} : { agent }) };
    let req;
    if (forwardProxy !== undefined) {
      const proxy = new URL(forwardProxy);
      req = http.request(
        {
          ...options,
          host: proxy.hostname,
          port: proxy.port,
          path: url,
          headers: { host: new URL(url).host, ...headers },
        },
        onResponse,
      );
    } else {
      req = (url.startsWith('https:') ? https.request : http.request)(url, options, onResponse);
    }
    function onResponse(res: http.IncomingMessage) {
      const socket = res.socket as Partial<TLSSocket>;
      const serverCertificate = socket.getPeerX509Certificate?.();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text,
          serverCertificate,
        }),
      );
      res.on('error', reject);
    }
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts a form-encoded client-credentials grant with these parameters. */
export function postForm(
  url: string,
  params: Record<string, string>,
  agent?: HttpAgent | HttpsAgent,
  more: Omit<Parameters<typeof plainRequest>[1] & object, 'method' | 'body' | 'agent'> = {},
): Promise<PlainResponse> {
  return plainRequest(url, {
    ...more,
    method: 'POST',
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...more.headers },
    ...(agent === undefined ? {} : { agent }),
  });
}
