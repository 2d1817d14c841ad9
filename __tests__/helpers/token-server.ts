import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from '../../src/testing/http.js';

export { sendJson };

export type TokenHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  call: number,
) => void | Promise<void>;

/** A real token endpoint on 127.0.0.1 that counts its calls. */
export interface LocalTokenServer {
  url: string;
  calls: number;
  bodies: string[];
  handler: TokenHandler;
  close(): Promise<void>;
}

let serial = 0;

/** A unique opaque token per call, so tests can tell tokens apart. */
export function opaqueToken(): string {
  serial += 1;
  return `opaque-test-token-${serial}`;
}

export function okToken(res: ServerResponse, extra: Record<string, unknown> = {}): void {
  sendJson(res, 200, {
    access_token: opaqueToken(),
    token_type: 'Bearer',
    expires_in: 3600,
    ...extra,
  });
}

export async function startTokenServer(
  handler: TokenHandler = (_q, res) => okToken(res),
): Promise<LocalTokenServer> {
  const state = { calls: 0, bodies: [] as string[], handler };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      state.calls += 1;
      state.bodies.push(body);
      void state.handler(req, res, body, state.calls);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const result: LocalTokenServer = {
    url: `http://127.0.0.1:${port}/oauth/token`,
    get calls() {
      return state.calls;
    },
    set calls(v: number) {
      state.calls = v;
    },
    get bodies() {
      return state.bodies;
    },
    get handler() {
      return state.handler;
    },
    set handler(h: TokenHandler) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return result;
}
