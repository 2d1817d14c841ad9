import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
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
  }: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    agent?: HttpAgent | HttpsAgent;
  } = {},
): Promise<PlainResponse> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(agent === undefined ? {} : { agent }) }, (res) => {
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
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts a form-encoded client-credentials grant with these parameters. */
export function postForm(
  url: string,
  params: Record<string, string>,
  agent?: HttpAgent | HttpsAgent,
): Promise<PlainResponse> {
  return plainRequest(url, {
    method: 'POST',
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...(agent === undefined ? {} : { agent }),
  });
}
