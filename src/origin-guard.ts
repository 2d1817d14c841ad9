import { BookableAuthError } from './errors.js';
import { bookableAuthDefaults } from './options.js';

/** The parts of an axios request config that decide where the request goes. */
export interface RequestTarget {
  url?: string | undefined;
  baseURL?: string | undefined;
  allowAbsoluteUrls?: boolean | undefined;
}

/** Decides whether a request may carry the token: only to the allowed origins. */
export type OriginGuard = (target: RequestTarget) => boolean;

/** axios's own rule for an absolute URL: `scheme://` or protocol-relative `//`. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const SLASH = 0x2f;
const MAX_CACHED_BASE_URLS = 64;

/** The same rule, without the regular expression for the usual path such as `/venues`. */
function isAbsolute(url: string): boolean {
  return url.charCodeAt(0) === SLASH ? url.charCodeAt(1) === SLASH : ABSOLUTE_URL.test(url);
}

function invalid(message: string): BookableAuthError {
  return new BookableAuthError('invalid_options', message);
}

/** `https://Host:443/` -> `https://host`; throws for anything but a bare http(s) origin. */
function normalizeOrigin(value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw invalid(`${what} must be a string such as 'https://api.example.com'`);
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

/**
 * Builds the guard. `allowedOrigins` defaults to the origin of the instance's `baseURL`, or
 * Bookable's API when the instance has none.
 */
export function createOriginGuard(
  allowedOrigins: readonly string[] | undefined,
  instanceBaseURL: string | undefined,
): OriginGuard {
  let allowed: Set<string>;
  if (allowedOrigins !== undefined) {
    if (!Array.isArray(allowedOrigins) || allowedOrigins.length === 0) {
      throw invalid(
        '`allowedOrigins` must be a non-empty array of origins such as ["https://api.example.com"]',
      );
    }
    allowed = new Set(allowedOrigins.map((o, i) => normalizeOrigin(o, `\`allowedOrigins[${i}]\``)));
  } else if (instanceBaseURL) {
    let origin: string;
    try {
      origin = new URL(instanceBaseURL).origin;
    } catch {
      throw invalid(
        `the instance's baseURL ${JSON.stringify(instanceBaseURL)} is not absolute, so it names no origin: pass \`allowedOrigins\``,
      );
    }
    allowed = new Set([origin]);
  } else {
    allowed = new Set([bookableAuthDefaults.apiOrigin]);
  }

  // baseURL -> its origin (undefined when it has none), so a relative request costs a lookup.
  const baseOrigins = new Map<string, string | undefined>();
  const originOfBase = (baseURL: string): string | undefined => {
    let origin = baseOrigins.get(baseURL);
    if (origin === undefined && !baseOrigins.has(baseURL)) {
      origin = originOf(baseURL);
      if (baseOrigins.size >= MAX_CACHED_BASE_URLS) baseOrigins.clear();
      baseOrigins.set(baseURL, origin);
    }
    return origin;
  };

  return ({ url = '', baseURL, allowAbsoluteUrls }) => {
    const absolute = isAbsolute(url);
    let origin: string | undefined;
    if (baseURL && (!absolute || allowAbsoluteUrls === false)) {
      // axios joins them as `base + '/' + url`: the base's authority is kept whatever `url` holds.
      origin = originOfBase(baseURL);
    } else if (absolute) {
      // A protocol-relative URL takes the base's scheme; with no base it is not a usable URL.
      origin = url.startsWith('//')
        ? baseURL
          ? originOf(url, baseURL)
          : undefined
        : originOf(url);
    }
    return origin !== undefined && allowed.has(origin);
  };
}

function originOf(url: string, base?: string): string | undefined {
  try {
    const { origin } = new URL(url, base);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
