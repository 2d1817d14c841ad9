import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { certificateThumbprint } from './certificates.js';
import {
  failRequest,
  listenOnLoopback,
  readBody,
  sendJson,
  type InjectedFailure,
  type LoopbackServer,
} from './http.js';

export interface ProtectedApiOptions {
  /** The issuer whose tokens are accepted (`iss`). */
  issuer: string;
  /** The API identifier (`aud`). */
  audience: string;
  /** The key set: published keys, or a URL to fetch them from. */
  jwks: { keys: object[] } | URL;
  /** `jti`s refused as revoked. */
  revokedIds?: Set<string>;
  /**
   * Serve HTTPS with these options (`cert`, `key`). With `requestCert: true`, certificate-bound
   * tokens (`cnf.x5t#S256`) are accepted from a connection that presents their certificate.
   */
  tls?: TlsOptions;
}

/**
 * How the next API requests fail, before their token is checked, for tests of error paths (the
 * default body is `{ error: 'injected_failure' }`).
 */
export type ApiFailure = InjectedFailure;

/** The protected API's side of the test server. */
export interface ProtectedApi extends LoopbackServer {
  apiRequests: number;
  /** The bearer token of each request, in order (`''` for a request without one). */
  apiTokens: string[];
  /** Answer 401 to every token, as an API that cannot reach its key set does. */
  rejectAllTokens: boolean;
  /** Each request first waits a random time below this many milliseconds. */
  latencyMs: number;
  /** Taken one per request, in order. */
  failures: ApiFailure[];
}

function challenge(res: ServerResponse, status: 401 | 403, error: string, extra: string): void {
  sendJson(
    res,
    status,
    { error, message: status === 401 ? 'Unauthorized' : 'Forbidden' },
    {
      'www-authenticate': `Bearer realm="api", error="${error}", ${extra}`,
    },
  );
}

/**
 * An API protected as an Auth0-protected API is: it verifies the bearer JWT's signature against
 * the key set, its `iss`, `aud` and `exp`, and answers 401 `invalid_token` or 403
 * `insufficient_scope` with a `WWW-Authenticate` challenge. `GET|POST /<anything>` echoes the
 * request (method, path, query, headers but `authorization`, the body as text and base64, the
 * token's subject and scope); a path under `/scoped/<scope>/` also needs that scope.
 */
export async function startProtectedApi(options: ProtectedApiOptions): Promise<ProtectedApi> {
  const keys =
    options.jwks instanceof URL
      ? createRemoteJWKSet(options.jwks)
      : createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
  const state = {} as ProtectedApi;

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    state.apiRequests += 1;
    const url = new URL(req.url ?? '/', state.origin);
    const auth = req.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/i.exec(auth);
    state.apiTokens.push(match?.[1] ?? '');
    if (state.latencyMs > 0) await sleep(Math.random() * state.latencyMs);
    const failure = state.failures.shift();
    if (
      failure !== undefined &&
      (await failRequest(req, res, failure, { error: 'injected_failure' }))
    ) {
      return;
    }
    if (match?.[1] === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="api"' });
      res.end();
      return;
    }
    if (state.rejectAllTokens) {
      challenge(res, 401, 'invalid_token', 'error_description="Unable to verify the token"');
      return;
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256'],
      }));
    } catch (error) {
      const description =
        error instanceof errors.JWTExpired ? 'The token has expired' : 'The token is invalid';
      challenge(res, 401, 'invalid_token', `error_description="${description}"`);
      return;
    }
    // RFC 8705 section 3: a certificate-bound token is good only with its certificate.
    const bound = (payload.cnf as Record<string, unknown> | undefined)?.['x5t#S256'];
    if (bound !== undefined) {
      const peer = (req.socket as Partial<TLSSocket>).getPeerX509Certificate?.();
      if (peer === undefined || certificateThumbprint(peer.raw) !== bound) {
        challenge(
          res,
          401,
          'invalid_token',
          'error_description="The token is bound to a client certificate that this request did not present"',
        );
        return;
      }
    }
    if (typeof payload.jti === 'string' && options.revokedIds?.has(payload.jti)) {
      challenge(res, 401, 'invalid_token', 'error_description="The token has been revoked"');
      return;
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const needed = /^\/scoped\/([^/]+)/.exec(url.pathname)?.[1];
    if (needed !== undefined && !scopes.includes(decodeURIComponent(needed))) {
      challenge(res, 403, 'insufficient_scope', `scope="${decodeURIComponent(needed)}"`);
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    sendJson(res, 200, {
      method: req.method,
      path: url.pathname,
      query: url.search,
      headers,
      subject: payload.sub,
      scope: scopes.join(' '),
      body: body.toString('utf8'),
      bodyBase64: body.toString('base64'),
    });
  };

  const server = await listenOnLoopback(handler, options.tls ? { tls: options.tls } : {});
  return Object.assign(state, server, {
    apiRequests: 0,
    apiTokens: [],
    rejectAllTokens: false,
    latencyMs: 0,
    failures: [],
  });
}
