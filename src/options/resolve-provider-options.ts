import type { KeyObject } from 'node:crypto';
import type { BookableAuthError } from '../errors.js';
import type { TokenStore } from '../token-store.js';
import type { TokenInfo } from '../token-info.js';
import { bookableAuthDefaults } from './defaults.js';
import { resolveCredentials, type ResolvedCredentials } from './credentials.js';
import { resolveEncryptionKey } from './keys.js';
import { resolveTransport, type ResolvedTransport } from './transport.js';
import type {
  ClientAuthentication,
  Logger,
  ResolvedLogger,
  RetryOptions,
  TokenProviderOptions,
  TokenRequestFormat,
} from './provider-options.js';
import {
  invalid,
  missingMethods,
  oneOf,
  optionalBoolean,
  optionalFunction,
  optionalNumber,
  requireString,
} from './validation.js';

/** The shared store, validated. */
export interface ResolvedStore {
  store: TokenStore;
  encryptionKey: KeyObject | undefined;
  timeoutMs: number;
}

/** Provider options after validation, with every default filled in. */
export interface ResolvedProviderOptions {
  clientId: string;
  credentials: ResolvedCredentials;
  transport: ResolvedTransport;
  tokenUrl: string;
  audience: string;
  /** Normalised (single spaces); undefined when none is asked for. */
  scope: string | undefined;
  /** As given; undefined leaves the margin to the default policy (see token-lifetime.ts). */
  refreshMarginSeconds: number | undefined;
  timeoutMs: number;
  tokenRequestFormat: TokenRequestFormat;
  retry: Required<RetryOptions>;
  forcedRefreshIntervalMs: number;
  logger: ResolvedLogger;
  onTokenRefreshed: ((info: TokenInfo) => void) | undefined;
  onRefreshError: ((error: BookableAuthError) => void) | undefined;
  store: ResolvedStore | undefined;
}

const noop = (): void => {};
const silentLogger: ResolvedLogger = { debug: noop, warn: noop, error: noop };

/** Validates the options of `createTokenProvider` once, at creation, and fills in the defaults. */
export function resolveProviderOptions(options: TokenProviderOptions): ResolvedProviderOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('options are missing: pass at least { clientId, clientSecret }');
  }
  const clientId = requireString(
    options.clientId,
    'clientId',
    "pass the application's client id (Auth0 dashboard: Applications > your app > Settings)",
  );
  const method = oneOf<ClientAuthentication>(
    options.clientAuthentication,
    'clientAuthentication',
    [
      'client_secret_post',
      'client_secret_basic',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
    ],
    bookableAuthDefaults.clientAuthentication,
  );
  const tokenUrl = resolveTokenUrl(options.tokenUrl, options.domain);
  const credentials = resolveCredentials(options, method, tokenUrl);
  const transport = resolveTransport(options, method);
  const audience =
    options.audience === undefined
      ? bookableAuthDefaults.audience
      : requireString(options.audience, 'audience', "pass the API's identifier");
  const scope = resolveScope(options.scope);
  const timeoutMs = optionalNumber(options.timeoutMs, 'timeoutMs', bookableAuthDefaults.timeoutMs, {
    min: 1,
  });
  return {
    clientId,
    credentials,
    transport,
    tokenUrl,
    audience,
    scope,
    refreshMarginSeconds:
      options.refreshMarginSeconds === undefined
        ? undefined
        : optionalNumber(options.refreshMarginSeconds, 'refreshMarginSeconds', 0),
    timeoutMs,
    tokenRequestFormat: oneOf(
      options.tokenRequestFormat,
      'tokenRequestFormat',
      ['form', 'json'],
      bookableAuthDefaults.tokenRequestFormat,
    ),
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
    store: resolveStore(options),
  };
}

/** True for `localhost`, `127.0.0.0/8` and `::1`: the hosts where plain HTTP cannot be sniffed. */
function isLoopbackHost(hostname: string): boolean {
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

function resolveScope(scope: unknown): string | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope !== 'string') {
    throw invalid(
      '`scope` must be a space-separated string, e.g. "venue:read venue-booking:create"',
    );
  }
  return scope.trim().split(/\s+/).filter(Boolean).join(' ') || undefined;
}

function resolveRetry(retry: unknown): Required<RetryOptions> {
  const defaults = bookableAuthDefaults.retry;
  if (retry === undefined) return { ...defaults };
  if (typeof retry !== 'object' || retry === null) {
    throw invalid('`retry` must be an object such as { retries: 3, minTimeout: 250 }');
  }
  const r = retry as RetryOptions;
  const randomize = optionalBoolean(r.randomize, 'retry.randomize', defaults.randomize);
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

function resolveLogger(logger: unknown): ResolvedLogger {
  if (logger === undefined) return silentLogger;
  if (missingMethods(logger, ['debug', 'warn']).length > 0) {
    throw invalid('`logger` must be an object with `debug` and `warn` methods, such as `console`');
  }
  const l = logger as Logger;
  if (l.error !== undefined && typeof l.error !== 'function') {
    throw invalid('`logger.error` must be a method when given');
  }
  const warn = l.warn.bind(l);
  return { debug: l.debug.bind(l), warn, error: l.error?.bind(l) ?? warn };
}

const STORE_METHODS = ['get', 'set', 'setIfAbsent', 'compareAndDelete'] as const;

function resolveStore(options: TokenProviderOptions): ResolvedStore | undefined {
  const { store } = options;
  if (store === undefined) {
    if (options.storeEncryptionKey !== undefined || options.storeTimeoutMs !== undefined) {
      throw invalid(
        '`storeEncryptionKey` and `storeTimeoutMs` need a `store`: pass one, e.g. createRedisTokenStore({ client })',
      );
    }
    return undefined;
  }
  const missing = missingMethods(store, STORE_METHODS);
  if (missing.length > 0) {
    throw invalid(
      `\`store\` must implement ${STORE_METHODS.join(', ')}; missing ${missing.join(', ')}. ` +
        'Use createRedisTokenStore from bookable-axios-auth/redis, or see docs/scaling.md to write one',
    );
  }
  return {
    store,
    encryptionKey: resolveEncryptionKey(options.storeEncryptionKey),
    timeoutMs: optionalNumber(
      options.storeTimeoutMs,
      'storeTimeoutMs',
      bookableAuthDefaults.storeTimeoutMs,
      { min: 1 },
    ),
  };
}
