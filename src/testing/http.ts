import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TlsOptions } from 'node:tls';

/** An HTTP server listening on 127.0.0.1 and a free port. */
export interface LoopbackServer {
  origin: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  keepAliveTimeoutMs?: number;
  /** Serve HTTPS with these options (`cert`, `key`, `requestCert`, ...) instead of HTTP. */
  tls?: TlsOptions;
}

export async function listenOnLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  { keepAliveTimeoutMs = 1_000, tls }: ListenOptions = {},
): Promise<LoopbackServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server: Server =
    tls === undefined ? createServer(listener) : createTlsServer(tls, listener);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's body, as it came (a binary body too). */
export function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length > limit) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** How a request of the test server fails on purpose, before it is handled. */
export interface InjectedFailure {
  /** Answer with this status, and `body` (else an error body of the server's kind). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (or before failing). */
  delayMs?: number;
  /** Drop the connection without an answer. */
  reset?: boolean;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

/**
 * Applies an injected failure: waits `delayMs`, then drops the connection (`reset`), leaves the
 * request unanswered (`hang`, until the server closes), or answers `status` with `body`. Resolves
 * whether the request was answered (or dropped) here.
 */
export async function failRequest(
  req: IncomingMessage,
  res: ServerResponse,
  failure: InjectedFailure,
  defaultBody: unknown,
): Promise<boolean> {
  if (failure.delayMs) await sleep(failure.delayMs);
  if (failure.hang) return true;
  if (failure.reset) {
    req.socket.destroy();
    return true;
  }
  if (failure.status === undefined) return false;
  sendJson(res, failure.status, failure.body ?? defaultBody, failure.headers);
  return true;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
