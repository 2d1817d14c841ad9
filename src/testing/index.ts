import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { TlsOptions } from 'node:tls';
import { startAuthServer, type TestClient, type TokenFailure } from './auth-server.js';
import {
  createTestCertificateAuthority,
  type CertificateAndKey,
  type CertificateRequest,
} from './certificates.js';
import { startProtectedApi, type ApiFailure } from './protected-api.js';

export type { TestClient, TokenFailure } from './auth-server.js';
export {
  certificateThumbprint,
  createSelfSignedCertificate,
  createTestCertificateAuthority,
} from './certificates.js';
export { TLS_LIBRARY_MISSING } from './tls-libraries.js';
export type {
  CertificateAndKey,
  CertificateRequest,
  TestCertificateAuthority,
} from './certificates.js';
export { startProtectedApi } from './protected-api.js';
export { createMemoryTokenStore } from './memory-store.js';
export type { ApiFailure, ProtectedApi, ProtectedApiOptions } from './protected-api.js';

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /**
   * Registered applications.
   * @default one client, `test-client`, with a random secret, granted every scope
   */
  clients?: TestClient[];
  /**
   * The protected API's identifier.
   * @default 'api.bookabletech.com'
   */
  audience?: string;
  /**
   * The scopes the API defines.
   * @default ['venue:read', 'venue-booking:create']
   */
  scopes?: string[];
  /**
   * `expires_in` of issued tokens, in seconds.
   * @default 3600
   */
  tokenLifetimeSeconds?: number;
  /**
   * Serve the token endpoint and the API over HTTPS, with a server certificate from a CA generated
   * at start (`server.ca`). `true` takes the defaults of {@link TestServerTlsOptions}. Needs the
   * optional peer dependencies `pkijs` and `asn1js`.
   * @default false
   */
  tls?: boolean | TestServerTlsOptions;
}

/** TLS settings of {@link startTestServer}. */
export interface TestServerTlsOptions {
  /**
   * Host names and IP addresses the server certificate is valid for (its subject alternative
   * names). Leave out `127.0.0.1` to make a client fail the host name check.
   * @default ['127.0.0.1', 'localhost']
   */
  hostnames?: string[];
  /**
   * What the token endpoint's TLS handshake does with client certificates.
   * - `'request'`: asks for one and lets every connection through (a certificate from the test
   *   CA, a self-signed one, or none); the token endpoint then maps the certificate to a client
   *   or answers 401 `invalid_client`, as Auth0 does behind its mutual-TLS edge.
   * - `'require'`: refuses, during the handshake, a connection without a certificate issued by
   *   the test CA, as an edge that verifies certificates itself does.
   * @default 'request'
   */
  clientCertificates?: 'request' | 'require';
}

/**
 * A local Auth0-compatible tenant and a protected API, for tests and demos. Both listen on
 * 127.0.0.1 on free ports; nothing touches the network.
 */
export interface TestServer {
  /** The token endpoint, e.g. `http://127.0.0.1:PORT/oauth/token`. Pass it as `tokenUrl`. */
  readonly tokenUrl: string;
  /** The tenant's issuer (`iss`), with a trailing slash as Auth0's. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The API identifier (`aud`). */
  readonly audience: string;
  /** The protected API's origin: use it as the axios `baseURL`. */
  readonly apiOrigin: string;
  /** The first registered client's id and secret (empty for a client with only a public key). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Token requests received so far (successful or not). */
  readonly tokenRequests: number;
  /** API requests received so far. */
  readonly apiRequests: number;
  /** Every access token the token endpoint issued, in order. */
  readonly issuedTokens: readonly string[];
  /** The bearer token each API request carried, in order (`''` for a request without one). */
  readonly apiTokens: readonly string[];
  /**
   * With `tls`: the PEM certificate of the CA that issued the server certificate. Trust it on the
   * client (`new https.Agent({ ca: server.ca })`). Undefined without `tls`.
   */
  readonly ca: string | undefined;
  /**
   * With `tls`: issues a client certificate from the server's CA, for `tls_client_auth` (register
   * its subject as the client's `tlsClientAuthSubjectDn`). Throws without `tls`.
   */
  issueClientCertificate(request: CertificateRequest): Promise<CertificateAndKey>;
  /** Sets `expires_in` (and the JWT lifetime) of the next tokens. */
  setTokenLifetime(seconds: number): void;
  /** Makes the next tokens' JWT `exp - iat` disagree with `expires_in` (undefined: agree). */
  setJwtLifetime(seconds: number | undefined): void;
  /** Revokes a token: the API answers 401 `invalid_token` to it from now on. */
  revoke(accessToken: string): void;
  /** Makes the next `count` token requests fail as described. */
  failNextTokenRequests(count: number, failure: TokenFailure): void;
  /** Makes the API refuse every token, as an API that cannot reach its key set does. */
  rejectAllTokens(reject: boolean): void;
  /** Makes the next `count` API requests fail as described, whatever their token. */
  failNextApiRequests(count: number, failure: ApiFailure): void;
  /** Makes each API request wait a random time below `maxMs` first (0: none). */
  setApiLatency(maxMs: number): void;
  close(): Promise<void>;
}

/**
 * Starts a local Auth0-compatible authorization server (RS256 JWTs, JWKS, Auth0's error bodies)
 * and a protected API that verifies its tokens.
 *
 * @example
 * ```ts
 * const server = await startTestServer();
 * const api = axios.create({ baseURL: server.apiOrigin });
 * attachBookableAuth(api, {
 *   clientId: server.clientId,
 *   clientSecret: server.clientSecret,
 *   tokenUrl: server.tokenUrl,
 *   audience: server.audience,
 * });
 * await api.get('/venues');
 * await server.close();
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const audience = options.audience ?? 'api.bookabletech.com';
  const clients = options.clients ?? [
    { clientId: 'test-client', clientSecret: randomBytes(24).toString('base64url') },
  ];
  const first = clients[0];
  if (first === undefined) throw new TypeError('startTestServer needs at least one client');
  const tls = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
  const ca = tls === undefined ? undefined : await createTestCertificateAuthority();
  let authTls: TlsOptions | undefined;
  let apiTls: TlsOptions | undefined;
  if (tls !== undefined && ca !== undefined) {
    const { cert, key } = await ca.issueServerCertificate(
      tls.hostnames ?? ['127.0.0.1', 'localhost'],
    );
    // Client certificates are asked for, and checked against the test CA; the token endpoint and
    // the API decide what a missing or unverified one means, unless the handshake must refuse it.
    apiTls = { cert, key, ca: ca.cert, requestCert: true, rejectUnauthorized: false };
    authTls = { ...apiTls, rejectUnauthorized: tls.clientCertificates === 'require' };
  }
  const auth = await startAuthServer({
    clients,
    audiences: [audience],
    scopes: options.scopes ?? ['venue:read', 'venue-booking:create'],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    ...(authTls === undefined ? {} : { tls: authTls }),
  });
  const api = await startProtectedApi({
    issuer: auth.issuer,
    audience,
    jwks: auth.jwks,
    revokedIds: auth.revokedIds,
    ...(apiTls === undefined ? {} : { tls: apiTls }),
  });
  return {
    tokenUrl: `${auth.origin}/oauth/token`,
    issuer: auth.issuer,
    jwksUrl: `${auth.origin}/.well-known/jwks.json`,
    audience,
    apiOrigin: api.origin,
    clientId: first.clientId,
    clientSecret: first.clientSecret ?? '',
    get tokenRequests() {
      return auth.tokenRequests;
    },
    get apiRequests() {
      return api.apiRequests;
    },
    get issuedTokens() {
      return auth.issuedTokens;
    },
    get apiTokens() {
      return api.apiTokens;
    },
    ca: ca?.cert,
    async issueClientCertificate(request) {
      if (ca === undefined) {
        throw new TypeError(
          'issueClientCertificate needs a TLS test server: startTestServer({ tls: true })',
        );
      }
      return ca.issueClientCertificate(request);
    },
    setTokenLifetime(seconds) {
      auth.tokenLifetimeSeconds = seconds;
    },
    setJwtLifetime(seconds) {
      auth.jwtLifetimeSeconds = seconds;
    },
    revoke(accessToken) {
      const { jti } = decodeJwt(accessToken);
      if (typeof jti === 'string') auth.revokedIds.add(jti);
    },
    failNextTokenRequests(count, failure) {
      for (let i = 0; i < count; i++) auth.failures.push(failure);
    },
    rejectAllTokens(reject) {
      api.rejectAllTokens = reject;
    },
    failNextApiRequests(count, failure) {
      for (let i = 0; i < count; i++) api.failures.push(failure);
    },
    setApiLatency(maxMs) {
      api.latencyMs = maxMs;
    },
    async close() {
      await Promise.all([auth.close(), api.close()]);
    },
  };
}
