import type { AxiosInstance } from 'axios';
import type { TokenProvider } from '../token-provider.js';
import type { BookableAuthOptions } from './attach-options.js';
import { bookableAuthDefaults } from './defaults.js';
import type {
  ClientSecretAuthentication,
  MutualTlsAuthentication,
  PrivateKeyJwtAuthentication,
  TokenProviderSettings,
} from './provider-options.js';
import { invalid, missingMethods, optionalBoolean } from './validation.js';

/** What `attachBookableAuth` was given, validated. */
export interface ResolvedAttachOptions {
  /** The provider to share; undefined when one is to be created from the provider options. */
  tokenProvider: TokenProvider | undefined;
  /** Normalised origins (`https://host[:port]`) that may receive the token. */
  allowedOrigins: ReadonlySet<string>;
  redactErrors: boolean;
}

type ProviderOptionKey =
  | keyof TokenProviderSettings
  | keyof ClientSecretAuthentication
  | keyof PrivateKeyJwtAuthentication
  | keyof MutualTlsAuthentication;

/**
 * Every option of a provider. The compiler holds this list to the option types (a key missing
 * here, or one that is no option, fails to compile), so an option added later is refused next to
 * `tokenProvider` too instead of being silently ignored.
 */
const PROVIDER_OPTION_KEYS = Object.keys({
  clientId: true,
  tokenUrl: true,
  domain: true,
  audience: true,
  scope: true,
  refreshMarginSeconds: true,
  timeoutMs: true,
  tokenRequestFormat: true,
  retry: true,
  forcedRefreshIntervalSeconds: true,
  logger: true,
  onTokenRefreshed: true,
  onRefreshError: true,
  store: true,
  storeEncryptionKey: true,
  storeTimeoutMs: true,
  httpsAgent: true,
  httpAgent: true,
  proxy: true,
  tlsClientCertificate: true,
  clientSecret: true,
  clientAuthentication: true,
  privateKey: true,
  keyId: true,
  algorithm: true,
  assertionAudience: true,
} satisfies Record<ProviderOptionKey, true>);

/** Validates the arguments of `attachBookableAuth` once, before anything is installed. */
export function resolveAttachOptions(
  instance: AxiosInstance,
  options: BookableAuthOptions,
): ResolvedAttachOptions {
  if (typeof instance?.interceptors?.request?.use !== 'function') {
    throw invalid('attachBookableAuth needs an axios instance, e.g. axios.create()');
  }
  if (typeof options !== 'object' || options === null) {
    throw invalid('options are missing: pass { clientId, clientSecret } or { tokenProvider }');
  }
  const redactErrors = optionalBoolean(options.redactErrors, 'redactErrors', true);
  const allowedOrigins = resolveAllowedOrigins(options.allowedOrigins, instance.defaults.baseURL);
  return { tokenProvider: resolveTokenProvider(options), allowedOrigins, redactErrors };
}

function resolveTokenProvider(options: BookableAuthOptions): TokenProvider | undefined {
  const { tokenProvider } = options;
  if (tokenProvider === undefined) return undefined;
  if (missingMethods(tokenProvider, ['getToken', 'getTokenAfterRejection']).length > 0) {
    throw invalid('`tokenProvider` must come from createTokenProvider() or attachBookableAuth()');
  }
  const given = PROVIDER_OPTION_KEYS.filter(
    (key) => (options as unknown as Record<string, unknown>)[key] !== undefined,
  );
  if (given.length > 0) {
    throw invalid(
      `give either \`tokenProvider\` or provider options, not both (also got ${given.map((k) => `\`${k}\``).join(', ')}): ` +
        'a shared provider keeps the options it was created with; set them in createTokenProvider()',
    );
  }
  return tokenProvider;
}

/**
 * `allowedOrigins` normalised, or by default the origin of the instance's `baseURL`, or
 * Bookable's API when the instance has none.
 */
function resolveAllowedOrigins(
  allowedOrigins: unknown,
  instanceBaseURL: string | undefined,
): ReadonlySet<string> {
  if (allowedOrigins !== undefined) {
    if (!Array.isArray(allowedOrigins) || allowedOrigins.length === 0) {
      throw invalid(
        '`allowedOrigins` must be a non-empty array of origins such as ["https://api.example.com"]',
      );
    }
    return new Set(
      allowedOrigins.map((o: unknown, i) => normalizeOrigin(o, `\`allowedOrigins[${i}]\``)),
    );
  }
  if (!instanceBaseURL) return new Set([bookableAuthDefaults.apiOrigin]);
  try {
    return new Set([new URL(instanceBaseURL).origin]);
  } catch {
    throw invalid(
      `the instance's baseURL ${JSON.stringify(instanceBaseURL)} is not absolute, so it names no origin: pass \`allowedOrigins\``,
    );
  }
}

/** `https://Host:443/` -> `https://host`; throws for anything but a bare http(s) origin. */
function normalizeOrigin(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw invalid(`${what} must be a string such as 'https://api.example.com'`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${what} is not an absolute URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`${what} must be an http(s) origin, got ${JSON.stringify(value)}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw invalid(
      `${what} must be an origin (scheme://host[:port]) with no path, got ${JSON.stringify(value)}: use ${JSON.stringify(url.origin)}`,
    );
  }
  return url.origin;
}
