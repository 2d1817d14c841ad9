import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback, sendJson } from '../../src/testing/http.js';
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

/** The raw bytes (not text, unlike the testing server's), so a replayed binary body can be compared. */
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

  const deny = (res: ServerResponse, status: number, challenge: string, body: object) =>
    sendJson(res, status, body, { 'www-authenticate': challenge });

  const server = await listenOnLoopback(async (req, res) => {
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
      sendJson(res, 200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 3600,
        scope,
      });
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
      sendJson(res, 200, { authorization: req.headers.authorization ?? null });
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
      sendJson(res, Number(url.pathname.slice(8)), { problem: 'as requested' });
      return;
    }
    sendJson(res, 200, {
      method: req.method,
      path: url.pathname,
      query: url.search,
      contentType: req.headers['content-type'] ?? null,
      custom: req.headers['x-custom'] ?? null,
      body: body.toString('base64'),
    });
  });
  return Object.assign(api, {
    origin: server.origin,
    tokenUrl: `${server.origin}/oauth/token`,
    revoke: (token: string) => void valid.delete(token),
    close: server.close,
  }) as LocalApi;
}
