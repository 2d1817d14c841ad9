import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth0Jwt } from './jwt.js';

export interface LocalApiOptions {
  /** Token lifetime, in seconds. */
  expiresIn?: number;
  /** Delay of each token answer, in ms. */
  tokenDelayMs?: number;
  /** API latency: a random delay in [0, apiJitterMs) ms. */
  apiJitterMs?: number;
  /** Scope written into the issued JWTs. */
  scope?: string;
}

/**
 * A token endpoint and a protected API on one 127.0.0.1 port. The API accepts only tokens this
 * server issued and has not revoked, answering 401 with a Bearer challenge as an Auth0-protected
 * API does; `/scoped/<scope>` answers 403 insufficient_scope unless the token has the scope.
 */
export interface LocalApi {
  origin: string;
  tokenUrl: string;
  tokenCalls: number;
  apiCalls: number;
  issued: string[];
  /** Answer 401 to every token, as an API that cannot reach its key set does. */
  rejectAll: boolean;
  /** Hang API requests without answering. */
  hang: boolean;
  revoke(token: string): void;
  /** Tokens that reached the API, in order. */
  seen: string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const valid = new Set<string>();
  const scopes = new Map<string, string[]>();
  const api = {
    tokenCalls: 0,
    apiCalls: 0,
    issued: [] as string[],
    seen: [] as string[],
    rejectAll: false,
    hang: false,
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const deny = (res: ServerResponse, status: number, challenge: string, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json', 'www-authenticate': challenge });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        api.tokenCalls += 1;
        if (options.tokenDelayMs) await sleep(options.tokenDelayMs);
        const scope = options.scope ?? 'venue:read';
        const token = auth0Jwt(options.expiresIn ?? 3600, {
          scope,
          jti: `${api.tokenCalls}-${Math.random()}`,
        });
        valid.add(token);
        scopes.set(token, scope.split(' '));
        api.issued.push(token);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: token,
            token_type: 'Bearer',
            expires_in: options.expiresIn ?? 3600,
            scope,
          }),
        );
        return;
      }
      api.apiCalls += 1;
      if (api.hang) return;
      if (options.apiJitterMs) await sleep(Math.random() * options.apiJitterMs);
      if (url.pathname === '/reset') {
        req.socket.destroy();
        return;
      }
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      api.seen.push(token);
      if (url.pathname.startsWith('/public')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
        return;
      }
      if (!token || api.rejectAll || !valid.has(token)) {
        deny(
          res,
          401,
          'Bearer realm="api", error="invalid_token", error_description="The access token is invalid or revoked"',
          { message: 'Unauthorized' },
        );
        return;
      }
      const needed = url.pathname.startsWith('/scoped/')
        ? decodeURIComponent(url.pathname.slice(8))
        : undefined;
      if (needed !== undefined && !scopes.get(token)?.includes(needed)) {
        deny(res, 403, `Bearer realm="api", error="insufficient_scope", scope="${needed}"`, {
          message: 'Forbidden',
        });
        return;
      }
      if (url.pathname.startsWith('/status/')) {
        res.writeHead(Number(url.pathname.slice(8)), { 'content-type': 'application/json' });
        res.end(JSON.stringify({ problem: 'as requested' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          path: url.pathname,
          query: url.search,
          contentType: req.headers['content-type'] ?? null,
          custom: req.headers['x-custom'] ?? null,
          body: body.toString('base64'),
        }),
      );
    })();
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return Object.assign(api, {
    origin,
    tokenUrl: `${origin}/oauth/token`,
    revoke: (token: string) => void valid.delete(token),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as LocalApi;
}
