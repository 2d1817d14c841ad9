import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { BookableAuthError } from '../errors.js';
import type { TokenStore } from '../token-store.js';
import type { TokenInfo } from '../token-info.js';

/** Signing algorithms Auth0 accepts for client assertions. */
export type AssertionAlgorithm = 'RS256' | 'RS384' | 'PS256';

/**
 * Where the library reports what it does. `console` fits, and so do winston loggers; pino and
 * bunyan take the details first, so adapt them (docs/observability.md). Messages are full
 * sentences; `details` never holds a secret or a token.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  /** A misconfiguration found only once running (a token store that refuses its commands). `warn` when absent. */
  error?(message: string, details?: Record<string, unknown>): void;
}

/** A {@link Logger} with every level. */
export type ResolvedLogger = Required<Logger>;

/** Backoff for failed token requests, in p-retry's terms. */
export interface RetryOptions {
  /**
   * Retries after the first attempt (0 turns retrying off).
   * @default 3
   */
  retries?: number;
  /**
   * Growth of the wait from one retry to the next.
   * @default 2
   */
  factor?: number;
  /**
   * Wait before the first retry, in milliseconds.
   * @default 250
   */
  minTimeout?: number;
  /**
   * Longest backoff wait, in milliseconds. A server's `Retry-After` may ask for longer.
   * @default 5000
   */
  maxTimeout?: number;
  /**
   * Multiply each wait by a random factor between 1 and 2, so a fleet does not retry in lockstep.
   * @default true
   */
  randomize?: boolean;
  /**
   * Total time, in milliseconds, a waiting caller may spend on retries. A `Retry-After` longer than
   * what is left fails at once with `rate_limited` instead of sleeping.
   * @default 15000
   */
  maxRetryTime?: number;
}

/** How the application authenticates to the token endpoint. */
export type ClientAuthentication =
  | 'client_secret_post'
  | 'client_secret_basic'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth';

/** The body format of the token request. */
export type TokenRequestFormat = 'form' | 'json';

/** Authentication with a client secret (the default). */
export interface ClientSecretAuthentication {
  /** The application's client secret. Never logged, never put in an error. */
  clientSecret: string;
  /**
   * `'client_secret_post'` sends the credentials in the body; `'client_secret_basic'` in an
   * HTTP Basic `Authorization` header.
   * @default 'client_secret_post'
   */
  clientAuthentication?: 'client_secret_post' | 'client_secret_basic';
  privateKey?: never;
}

/**
 * Authentication with a signed assertion (Private Key JWT): no shared secret on the wire. Register
 * the matching public key with the application (see docs/configuration.md).
 */
export interface PrivateKeyJwtAuthentication {
  clientAuthentication: 'private_key_jwt';
  /** The RSA private key (2048 bits or more): a PEM string, a `KeyObject` or a private JWK. */
  privateKey: string | KeyObject | JsonWebKey;
  /** The `kid` header of the assertion, when the application has several keys. */
  keyId?: string;
  /**
   * The assertion's signing algorithm.
   * @default 'RS256'
   */
  algorithm?: AssertionAlgorithm;
  /**
   * The assertion's `aud`.
   * @default the token URL's origin with a trailing slash (Auth0's rule), e.g. 'https://tenant.eu.auth0.com/'
   */
  assertionAudience?: string;
  clientSecret?: never;
}

/**
 * Authentication with a client certificate over mutual TLS (RFC 8705): nothing secret crosses the
 * wire. `'tls_client_auth'` matches the certificate's subject DN against the one registered with
 * the application (a certificate from a CA the tenant trusts); `'self_signed_tls_client_auth'`
 * matches the certificate itself. The certificate comes from `tlsClientCertificate`, or from an
 * `httpsAgent` created with `cert` and `key` (see docs/networks.md).
 */
export interface MutualTlsAuthentication {
  clientAuthentication: 'tls_client_auth' | 'self_signed_tls_client_auth';
  clientSecret?: never;
  privateKey?: never;
}

/** Options of {@link createTokenProvider}. */
export type TokenProviderOptions = TokenProviderSettings &
  (ClientSecretAuthentication | PrivateKeyJwtAuthentication | MutualTlsAuthentication);

/** A proxy for the token request, in axios's terms (`AxiosProxyConfig`). */
export interface ProxyOptions {
  host: string;
  port: number;
  /** `'http'` (the default) or `'https'`: how to reach the proxy itself. */
  protocol?: string;
  auth?: { username: string; password: string };
}

/** A client certificate and its private key, PEM-encoded, for mutual TLS. */
export interface TlsClientCertificate {
  /** The certificate (and any intermediates), PEM. */
  cert: string | Buffer;
  /** Its private key, PEM. Never logged, never put in an error. */
  key: string | Buffer;
  /** The key's passphrase, when it is encrypted. */
  passphrase?: string;
}

/** The settings of {@link TokenProviderOptions} shared by every authentication method. */
export interface TokenProviderSettings {
  /** The application's client id. Required. */
  clientId: string;
  /**
   * The token endpoint. Must be `https:` (plain `http:` only for loopback hosts).
   * @default 'https://bookabletech.uk.auth0.com/oauth/token'
   */
  tokenUrl?: string;
  /**
   * Shorthand for `tokenUrl: 'https://<domain>/oauth/token'`, e.g. `'tenant.eu.auth0.com'`.
   * Give `tokenUrl` or `domain`, not both.
   */
  domain?: string;
  /**
   * The API identifier the token is for.
   * @default 'api.bookabletech.com'
   */
  audience?: string;
  /** Space-separated scopes to ask for. By default none are named and the server grants its own. */
  scope?: string;
  /**
   * Refresh this many seconds before the token expires, in the background, while the current
   * token keeps serving. A value given here is capped at half the token's lifetime; the default
   * at a tenth (but not below 2 s, JWT times being whole seconds), so that a short-lived token is
   * not refreshed twice per lifetime. Callers wait for a new token only in the last 5 s before
   * expiry (at most half the margin).
   * @default 60
   */
  refreshMarginSeconds?: number;
  /**
   * Timeout of one token request, in milliseconds.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * `'form'` (RFC 6749's `application/x-www-form-urlencoded`, accepted by every authorization
   * server) or `'json'` (Auth0 also accepts it; Bookable's guide shows it).
   * @default 'form'
   */
  tokenRequestFormat?: TokenRequestFormat;
  /** Backoff for failed token requests. See {@link RetryOptions} for the defaults. */
  retry?: RetryOptions;
  /**
   * After the API refuses a token (401), the least time before another such forced refresh, in
   * seconds. Requests refused in between fail with `token_rejected` instead of fetching again,
   * so an API that refuses every token cannot make the provider hammer the token endpoint.
   * @default 30
   */
  forcedRefreshIntervalSeconds?: number;
  /** Receives debug lines and warnings. Silent by default. */
  logger?: Logger;
  /**
   * Called after each successful token fetch by this provider, with the token's facts (the token
   * is not printed). A token taken from the `store` was fetched elsewhere and does not call it.
   */
  onTokenRefreshed?: (info: TokenInfo) => void;
  /** Called after each failed token fetch, foreground or background. */
  onRefreshError?: (error: BookableAuthError) => void;
  /**
   * Shares one token between processes (see docs/scaling.md), e.g.
   * `createRedisTokenStore({ client })` from `bookable-axios-auth/redis`. Each process still keeps
   * its own copy and reads the store only when that copy is due for a refresh; one process fetches
   * for the fleet. By default every process fetches its own tokens.
   */
  store?: TokenStore;
  /**
   * Encrypts tokens in the store (JWE `dir` + `A256GCM`) with this 32-byte key, so that whoever
   * can read the store cannot use them. Give every process the same key.
   */
  storeEncryptionKey?: Uint8Array | KeyObject;
  /**
   * Longest wait for one store operation, in milliseconds. A store slower than this counts as
   * down: the process fetches its own token, warns once, and tries the store again 5 s later.
   * @default 500
   */
  storeTimeoutMs?: number;
  /**
   * The agent for an `https:` token URL: one with `ca` for a private CA, with `cert` and `key`
   * for mutual TLS, or a proxy agent such as `new HttpsProxyAgent(url)` from `https-proxy-agent`.
   * Only the token request uses it; your API requests keep your axios instance's transport.
   * @default none: Node's global agent
   */
  httpsAgent?: import('node:http').Agent;
  /** The agent for a plain `http:` token URL (loopback only). */
  httpAgent?: import('node:http').Agent;
  /**
   * The proxy for the token request, or `false` for none, not even the environment's. By
   * default the environment decides, as in axios: `HTTPS_PROXY` (or `HTTP_PROXY` for an `http:`
   * URL) and `NO_PROXY`. An `https:` token URL is always reached through a CONNECT tunnel, so the
   * proxy never sees the client secret.
   * @default from the environment
   */
  proxy?: ProxyOptions | false;
  /** The client certificate for mutual TLS, when it is not in `httpsAgent`. */
  tlsClientCertificate?: TlsClientCertificate;
}
