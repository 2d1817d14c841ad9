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

/** Builds the guard for the origins that may receive the token (normalised, see resolve-attach-options.ts). */
export function createOriginGuard(allowed: ReadonlySet<string>): OriginGuard {
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
