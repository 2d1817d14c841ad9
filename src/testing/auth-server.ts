import { randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TlsOptions } from 'node:tls';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import {
  authenticateByCertificate,
  clientRegistrations,
  credentialsOf,
  parseParams,
} from './request-credentials.js';
import {
  failRequest,
  listenOnLoopback,
  readBody,
  sendJson,
  type InjectedFailure,
  type LoopbackServer,
} from './http.js';

/** An application registered with the test authorization server. */
export interface TestClient {
  clientId: string;
  /** The secret, for client_secret_post and client_secret_basic. */
  clientSecret?: string;
  /** The registered public key (PEM, KeyObject or JWK), for private_key_jwt. */
  publicKey?: string | KeyObject | JsonWebKey;
  /** APIs (audiences) the application is authorized for. @default every audience of the server */
  audiences?: string[];
  /** Scopes the application is granted. @default every scope of the server */
  scopes?: string[];
  /** Whether the client-credentials grant is enabled. @default true */
  clientCredentials?: boolean;
  /**
   * For `tls_client_auth` (mutual TLS with a CA-signed certificate): the subject distinguished name,
   * RFC 4514 form (e.g. `'CN=billing-service,O=Example Corp'`), that the client's certificate must
   * have. The certificate must also be issued by the server's CA (`server.issueClientCertificate`).
   * Needs `tls`.
   */
  tlsClientAuthSubjectDn?: string;
  /**
   * For `self_signed_tls_client_auth` (mutual TLS with a self-signed certificate): the registered
   * certificate (PEM). The client must present this very certificate (same SHA-256 thumbprint).
   * Needs `tls`.
   */
  selfSignedTlsClientAuthCertificate?: string;
  /**
   * Bind the tokens issued over mutual TLS to the client certificate (RFC 8705 section 3): they
   * carry `cnf: { 'x5t#S256': thumbprint }`, and the protected API accepts them only from a
   * connection that presents the same certificate.
   * @default false
   */
  certificateBoundAccessTokens?: boolean;
}

/**
 * How the next token requests fail, for fault-injection tests: as any request of the test server
 * ({@link InjectedFailure}; the default body is Auth0's `temporarily_unavailable`), or with a
 * broken success.
 */
export interface TokenFailure extends InjectedFailure {
  /** Answer 200 with a body that is not a token (an HTML page). */
  malformed?: boolean;
  /** Answer 200 and close the connection halfway through the body. */
  truncated?: boolean;
}

export interface AuthServerOptions {
  clients: TestClient[];
  audiences: string[];
  scopes: string[];
  tokenLifetimeSeconds: number;
  /** Serve HTTPS with these options; mutual TLS needs `requestCert: true` and the client CA. */
  tls?: TlsOptions;
}

/** The authorization server's side of the test server. */
export interface AuthServer extends LoopbackServer {
  issuer: string;
  jwks: { keys: JsonWebKey[] };
  tokenRequests: number;
  /** Every access token issued, in order. */
  issuedTokens: string[];
  tokenLifetimeSeconds: number;
  /** When set, the JWT's `exp - iat` is this many seconds while `expires_in` stays as configured. */
  jwtLifetimeSeconds: number | undefined;
  failures: TokenFailure[];
  revokedIds: Set<string>;
}

/**
 * An authorization server that answers `/oauth/token` like an Auth0 tenant: the client-credentials
 * grant in JSON or form bodies, with `client_secret_post` or `client_secret_basic`, RS256 JWTs with
 * Auth0's claims, and Auth0's error bodies. The key is generated at start; `/.well-known/jwks.json`
 * publishes it.
 */
export async function startAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const { mutualTls, verifyAssertion } = clientRegistrations(
    options.clients,
    options.tls !== undefined,
  );
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  // Filled in once the server listens; the handler runs only after that.
  const state = {} as AuthServer;
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', state.origin);
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      sendJson(res, 200, state.jwks);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      sendJson(res, 200, {
        issuer: state.issuer,
        token_endpoint: `${state.origin}/oauth/token`,
        jwks_uri: `${state.origin}/.well-known/jwks.json`,
      });
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/oauth/token') {
      sendJson(res, 404, {
        error: 'not_found',
        error_description: `${req.method} ${url.pathname}`,
      });
      return;
    }
    const body = (await readBody(req)).toString('utf8');
    state.tokenRequests += 1;
    const failure = state.failures.shift();
    if (failure !== undefined) {
      if (failure.malformed || failure.truncated) {
        if (failure.delayMs) await sleep(failure.delayMs);
        if (failure.malformed) {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<!DOCTYPE html><html><body>Sign in</body></html>');
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
          res.write('{"access_token":"eyJ');
          res.socket?.destroy();
        }
        return;
      }
      const answered = await failRequest(req, res, failure, {
        error: 'temporarily_unavailable',
        error_description: 'Injected failure',
      });
      if (answered) return;
    }
    const params = parseParams(req, body);
    if (params === undefined) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'Unsupported or malformed body',
      });
      return;
    }
    if (params.grant_type !== 'client_credentials') {
      sendJson(res, 400, {
        error: 'unsupported_grant_type',
        error_description: `Unsupported grant type: ${params.grant_type ?? '(none)'}`,
      });
      return;
    }
    const { clientId, clientSecret, assertion } = credentialsOf(req, params);
    const client = options.clients.find((c) => c.clientId === clientId);
    const refuse = () =>
      sendJson(res, 401, { error: 'access_denied', error_description: 'Unauthorized' });
    if (client === undefined) {
      refuse();
      return;
    }
    const registration = mutualTls.get(client.clientId);
    // RFC 8705: a request with neither secret nor assertion authenticates by its certificate.
    let certificateThumbprintSha256: string | undefined;
    if (registration !== undefined && clientSecret === undefined && assertion === undefined) {
      const result = await authenticateByCertificate(req, registration);
      if (!result.ok) {
        sendJson(res, 401, { error: 'invalid_client', error_description: result.description });
        return;
      }
      certificateThumbprintSha256 = result.thumbprint;
    } else if (
      !(assertion !== undefined
        ? await verifyAssertion(client.clientId, assertion, `${state.origin}/`)
        : client.clientSecret !== undefined && client.clientSecret === clientSecret)
    ) {
      refuse();
      return;
    }
    if (client.clientCredentials === false) {
      sendJson(res, 403, {
        error: 'unauthorized_client',
        error_description: "Grant type 'client_credentials' not allowed for the client.",
      });
      return;
    }
    const audience = params.audience ?? '';
    if (!options.audiences.includes(audience)) {
      sendJson(res, 403, {
        error: 'access_denied',
        error_description: `Service not found: ${audience}`,
      });
      return;
    }
    if (client.audiences !== undefined && !client.audiences.includes(audience)) {
      sendJson(res, 403, {
        error: 'access_denied',
        error_description: `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`,
      });
      return;
    }
    const granted = client.scopes ?? options.scopes;
    const requested = params.scope?.split(/\s+/).filter(Boolean);
    const missing = requested?.filter((s) => !granted.includes(s)) ?? [];
    if (missing.length > 0) {
      sendJson(res, 403, {
        error: 'access_denied',
        error_description: `Client has not been granted scopes: ${missing.join(' ')}`,
      });
      return;
    }
    const scope = (requested ?? granted).join(' ');
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = state.tokenLifetimeSeconds;
    const confirmation =
      client.certificateBoundAccessTokens === true && certificateThumbprintSha256 !== undefined
        ? { cnf: { 'x5t#S256': certificateThumbprintSha256 } }
        : {};
    const accessToken = await new SignJWT({
      scope,
      gty: 'client-credentials',
      azp: client.clientId,
      ...confirmation,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(state.issuer)
      .setSubject(`${client.clientId}@clients`)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (state.jwtLifetimeSeconds ?? expiresIn))
      .setJti(randomUUID())
      .sign(privateKey);
    state.issuedTokens.push(accessToken);
    sendJson(res, 200, {
      access_token: accessToken,
      scope,
      expires_in: expiresIn,
      token_type: 'Bearer',
    });
  };

  const server = await listenOnLoopback(handler, options.tls ? { tls: options.tls } : {});
  return Object.assign(state, server, {
    issuer: `${server.origin}/`,
    jwks: { keys: [jwk] },
    tokenRequests: 0,
    issuedTokens: [],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    jwtLifetimeSeconds: undefined,
    failures: [],
    revokedIds: new Set<string>(),
  });
}
