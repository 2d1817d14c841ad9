import type { KeyObject, JsonWebKey } from 'node:crypto';
import {
  createAssertionSigner,
  resolvePrivateKey,
  type AssertionAlgorithm,
} from './client-assertion.js';
import { BookableAuthError } from './errors.js';
import {
  createStoreCodec,
  resolveEncryptionKey,
  storeKey,
  type StoreCodec,
} from './store-codec.js';
import type { TokenInfo } from './token-info.js';
import type { TokenStore } from './token-store.js';

/**
 * Where the library reports what it does. `console` fits; so do pino, winston and bunyan loggers.
 * Messages are full sentences; `details` never holds a secret or a token.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

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
export type ClientAuthentication = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

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

/** Options of {@link createTokenProvider}. */
export type TokenProviderOptions = TokenProviderSettings &
  (ClientSecretAuthentication | PrivateKeyJwtAuthentication);

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
   * Renew this many seconds before the token expires, in the background, while the current
   * token keeps serving. A value given here is capped at half the token's lifetime; the default
   * at a tenth (but not below 2 s, JWT times being whole seconds), so that a short-lived token is
   * not renewed twice per lifetime.
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
   * its own copy and reads the store only when that copy is due for renewal; one process fetches
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
}

/** The defaults of every optional setting. */
export const bookableAuthDefaults = Object.freeze({
  tokenUrl: 'https://bookabletech.uk.auth0.com/oauth/token',
  audience: 'api.bookabletech.com',
  apiOrigin: 'https://api.bookabletech.com',
  refreshMarginSeconds: 60,
  timeoutMs: 10_000,
  tokenRequestFormat: 'form' as TokenRequestFormat,
  clientAuthentication: 'client_secret_post' as ClientAuthentication,
  forcedRefreshIntervalSeconds: 30,
  storeTimeoutMs: 500,
  /**
   * Callers wait for a new token only this close to expiry (capped at half the refresh margin);
   * before that, the current token serves while one background refresh runs.
   */
  expiryWindowSeconds: 5,
  retry: Object.freeze({
    retries: 3,
    factor: 2,
    minTimeout: 250,
    maxTimeout: 5_000,
    randomize: true,
    maxRetryTime: 15_000,
  }),
});

/** Options after validation, with every default filled in. */
export interface ResolvedProviderOptions {
  clientId: string;
  /** Undefined with private_key_jwt. */
  clientSecret: string | undefined;
  /** With private_key_jwt: signs a fresh assertion per request. */
  signAssertion: (() => Promise<string>) | undefined;
  tokenUrl: string;
  audience: string;
  scope: string | undefined;
  refreshMarginMs: number;
  /** The margin's cap, as a share of the token's lifetime. */
  refreshMarginMaxShare: number;
  timeoutMs: number;
  tokenRequestFormat: TokenRequestFormat;
  clientAuthentication: ClientAuthentication;
  retry: Required<RetryOptions>;
  forcedRefreshIntervalMs: number;
  logger: Logger;
  onTokenRefreshed: ((info: TokenInfo) => void) | undefined;
  onRefreshError: ((error: BookableAuthError) => void) | undefined;
  store: ResolvedStoreOptions | undefined;
}

/** The shared store, validated, with its key and codec. */
export interface ResolvedStoreOptions {
  store: TokenStore;
  codec: StoreCodec;
  timeoutMs: number;
  /** A lock holder's fetch may take this long before another process takes over. */
  lockTtlMs: number;
}

const noop = (): void => {};
const silentLogger: Logger = { debug: noop, warn: noop };

function invalid(message: string): BookableAuthError {
  return new BookableAuthError('invalid_options', message);
}

function requireString(value: unknown, name: string, hint: string): string {
  if (value === undefined || value === null) throw invalid(`\`${name}\` is missing: ${hint}`);
  if (typeof value !== 'string') {
    throw invalid(`\`${name}\` must be a string, got ${typeof value}: ${hint}`);
  }
  if (value.trim() === '') throw invalid(`\`${name}\` is empty: ${hint}`);
  return value;
}

function optionalNumber(
  value: unknown,
  name: string,
  fallback: number,
  { min = 0, integer = false }: { min?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`\`${name}\` must be a finite number, got ${String(value)}`);
  }
  if (value < min) throw invalid(`\`${name}\` must be at least ${min}, got ${value}`);
  if (integer && !Number.isInteger(value)) {
    throw invalid(`\`${name}\` must be a whole number, got ${value}`);
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw invalid(
      `\`${name}\` must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** True for `localhost`, `127.0.0.0/8` and `::1`: the hosts where plain HTTP cannot be sniffed. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(?:\.\d{1,3}){3}$/.test(host)
  );
}

function resolveTokenUrl(tokenUrl: unknown, domain: unknown): string {
  if (tokenUrl !== undefined && domain !== undefined) {
    throw invalid('give `tokenUrl` or `domain`, not both (`domain` is a shorthand for the URL)');
  }
  let raw: string;
  if (domain !== undefined) {
    const host = requireString(
      domain,
      'domain',
      "give the tenant's host, e.g. 'tenant.eu.auth0.com'",
    );
    if (!/^[a-z0-9.-]+(?::\d+)?$/i.test(host)) {
      throw invalid(
        `\`domain\` must be a bare host such as 'tenant.eu.auth0.com', got ${JSON.stringify(host)}: ` +
          'use `tokenUrl` for a full URL',
      );
    }
    raw = `https://${host}/oauth/token`;
  } else if (tokenUrl !== undefined) {
    raw = requireString(tokenUrl, 'tokenUrl', "give the token endpoint's URL");
  } else {
    raw = bookableAuthDefaults.tokenUrl;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`\`tokenUrl\` is not a valid absolute URL: ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password) {
    throw invalid(
      '`tokenUrl` must not hold credentials: pass them as `clientId` and `clientSecret`',
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw invalid(
      `\`tokenUrl\` ${url.origin} uses plain http, which would send the client secret unencrypted: ` +
        'use https (plain http is allowed only for localhost and 127.0.0.1)',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`\`tokenUrl\` must be an https URL, got ${url.protocol}`);
  }
  return url.href;
}

function resolveRetry(retry: unknown): Required<RetryOptions> {
  const defaults = bookableAuthDefaults.retry;
  if (retry === undefined) return { ...defaults };
  if (typeof retry !== 'object' || retry === null) {
    throw invalid('`retry` must be an object such as { retries: 3, minTimeout: 250 }');
  }
  const r = retry as RetryOptions;
  const randomize = r.randomize ?? defaults.randomize;
  if (typeof randomize !== 'boolean') throw invalid('`retry.randomize` must be a boolean');
  const resolved = {
    retries: optionalNumber(r.retries, 'retry.retries', defaults.retries, { integer: true }),
    factor: optionalNumber(r.factor, 'retry.factor', defaults.factor, { min: 1 }),
    minTimeout: optionalNumber(r.minTimeout, 'retry.minTimeout', defaults.minTimeout),
    maxTimeout: optionalNumber(r.maxTimeout, 'retry.maxTimeout', defaults.maxTimeout),
    randomize,
    maxRetryTime: optionalNumber(r.maxRetryTime, 'retry.maxRetryTime', defaults.maxRetryTime),
  };
  if (resolved.maxTimeout < resolved.minTimeout) {
    throw invalid(
      `\`retry.maxTimeout\` (${resolved.maxTimeout}) is below \`retry.minTimeout\` (${resolved.minTimeout})`,
    );
  }
  return resolved;
}

function resolveLogger(logger: unknown): Logger {
  if (logger === undefined) return silentLogger;
  const l = logger as Partial<Logger> | null;
  if (
    typeof l !== 'object' ||
    l === null ||
    typeof l.debug !== 'function' ||
    typeof l.warn !== 'function'
  ) {
    throw invalid('`logger` must be an object with `debug` and `warn` methods, such as `console`');
  }
  return { debug: l.debug.bind(l), warn: l.warn.bind(l) };
}

function optionalFunction<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(`\`${name}\` must be a function`);
  return value as F;
}

const STORE_METHODS = ['get', 'set', 'setIfAbsent', 'compareAndDelete'] as const;

function resolveStore(
  options: TokenProviderOptions,
  identity: { tokenUrl: string; clientId: string; audience: string; scope: string | undefined },
  timeoutMs: number,
): ResolvedStoreOptions | undefined {
  const { store } = options;
  if (store === undefined) {
    if (options.storeEncryptionKey !== undefined || options.storeTimeoutMs !== undefined) {
      throw invalid(
        '`storeEncryptionKey` and `storeTimeoutMs` need a `store`: pass one, e.g. createRedisTokenStore({ client })',
      );
    }
    return undefined;
  }
  const missing = STORE_METHODS.filter(
    (name) =>
      typeof store !== 'object' ||
      store === null ||
      typeof (store as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0) {
    throw invalid(
      `\`store\` must implement ${STORE_METHODS.join(', ')}; missing ${missing.join(', ')}. ` +
        'Use createRedisTokenStore from bookable-axios-auth/redis, or see docs/scaling.md to write one',
    );
  }
  const encryptionKey = resolveEncryptionKey(options.storeEncryptionKey);
  return {
    store,
    codec: createStoreCodec(storeKey(identity, encryptionKey), encryptionKey),
    timeoutMs: optionalNumber(
      options.storeTimeoutMs,
      'storeTimeoutMs',
      bookableAuthDefaults.storeTimeoutMs,
      { min: 1 },
    ),
    // One token request, plus room for the lock holder to write the token back.
    lockTtlMs: timeoutMs + 2_000,
  };
}

/** Validates the options once, at creation, and fills in the defaults. */
export function resolveProviderOptions(options: TokenProviderOptions): ResolvedProviderOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('options are missing: pass at least { clientId, clientSecret }');
  }
  const clientId = requireString(
    options.clientId,
    'clientId',
    "pass the application's client id (Auth0 dashboard: Applications > your app > Settings)",
  );
  const clientAuthentication = oneOf<ClientAuthentication>(
    options.clientAuthentication,
    'clientAuthentication',
    ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
    bookableAuthDefaults.clientAuthentication,
  );
  const tokenUrl = resolveTokenUrl(options.tokenUrl, options.domain);
  let clientSecret: string | undefined;
  let signAssertion: (() => Promise<string>) | undefined;
  if (clientAuthentication === 'private_key_jwt') {
    const o = options as TokenProviderSettings & PrivateKeyJwtAuthentication;
    if (o.clientSecret !== undefined) {
      throw invalid(
        '`clientSecret` is not used with private_key_jwt: remove it, so it cannot leak',
      );
    }
    const algorithm = oneOf<AssertionAlgorithm>(
      o.algorithm,
      'algorithm',
      ['RS256', 'RS384', 'PS256'],
      'RS256',
    );
    if (o.keyId !== undefined) requireString(o.keyId, 'keyId', "pass the key's id as registered");
    const audience =
      o.assertionAudience === undefined
        ? `${new URL(tokenUrl).origin}/`
        : requireString(
            o.assertionAudience,
            'assertionAudience',
            "pass the tenant's URL, e.g. 'https://tenant.eu.auth0.com/'",
          );
    signAssertion = createAssertionSigner({
      clientId,
      key: resolvePrivateKey(o.privateKey, algorithm),
      algorithm,
      keyId: o.keyId,
      audience,
    });
  } else {
    clientSecret = requireString(
      options.clientSecret,
      'clientSecret',
      "pass the application's client secret, e.g. from an environment variable (or use clientAuthentication: 'private_key_jwt')",
    );
  }
  const audience =
    options.audience === undefined
      ? bookableAuthDefaults.audience
      : requireString(options.audience, 'audience', "pass the API's identifier");
  let scope: string | undefined;
  if (options.scope !== undefined) {
    if (typeof options.scope !== 'string') {
      throw invalid(
        '`scope` must be a space-separated string, e.g. "venue:read venue-booking:create"',
      );
    }
    scope = options.scope.trim().split(/\s+/).filter(Boolean).join(' ') || undefined;
  }
  const timeoutMs = optionalNumber(options.timeoutMs, 'timeoutMs', bookableAuthDefaults.timeoutMs, {
    min: 1,
  });
  return {
    clientId,
    clientSecret,
    signAssertion,
    tokenUrl,
    audience,
    scope,
    refreshMarginMs:
      1000 *
      optionalNumber(
        options.refreshMarginSeconds,
        'refreshMarginSeconds',
        bookableAuthDefaults.refreshMarginSeconds,
      ),
    refreshMarginMaxShare: options.refreshMarginSeconds === undefined ? 0.1 : 0.5,
    timeoutMs,
    tokenRequestFormat: oneOf(
      options.tokenRequestFormat,
      'tokenRequestFormat',
      ['form', 'json'],
      bookableAuthDefaults.tokenRequestFormat,
    ),
    clientAuthentication,
    retry: resolveRetry(options.retry),
    forcedRefreshIntervalMs:
      1000 *
      optionalNumber(
        options.forcedRefreshIntervalSeconds,
        'forcedRefreshIntervalSeconds',
        bookableAuthDefaults.forcedRefreshIntervalSeconds,
      ),
    logger: resolveLogger(options.logger),
    onTokenRefreshed: optionalFunction(options.onTokenRefreshed, 'onTokenRefreshed'),
    onRefreshError: optionalFunction(options.onRefreshError, 'onRefreshError'),
    store: resolveStore(options, { tokenUrl, clientId, audience, scope }, timeoutMs),
  };
}
