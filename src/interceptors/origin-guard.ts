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

/**
 * Builds the guard for the origins that may receive the token (normalised by
 * resolve-attach-options.ts).
 */
export function createOriginGuard(allowed: ReadonlySet<string>): OriginGuard {
  const isAllowed = (origin: string | undefined): boolean =>
    origin !== undefined && allowed.has(origin);
  // baseURL -> whether its origin is allowed, so that a relative request costs a lookup; the last
  // one asked for (usually the instance's own) costs a comparison.
  const baseAllowed = new Map<string, boolean>();
  let lastBase: string | undefined;
  let lastBaseAllowed = false;
  const isBaseAllowed = (baseURL: string): boolean => {
    if (baseURL === lastBase) return lastBaseAllowed;
    let verdict = baseAllowed.get(baseURL);
    if (verdict === undefined) {
      verdict = isAllowed(originOf(baseURL));
      if (baseAllowed.size >= MAX_CACHED_BASE_URLS) baseAllowed.clear();
      baseAllowed.set(baseURL, verdict);
    }
    lastBase = baseURL;
    lastBaseAllowed = verdict;
    return verdict;
  };

  return ({ url = '', baseURL, allowAbsoluteUrls }) => {
    const absolute = isAbsolute(url);
    if (baseURL && (!absolute || allowAbsoluteUrls === false)) {
      // axios joins them as `base + '/' + url`: the base's authority is kept whatever `url` holds.
      return isBaseAllowed(baseURL);
    }
    if (!absolute) return false;
    // A protocol-relative URL takes the base's scheme; with no base it is not a usable URL.
    if (url.startsWith('//')) return baseURL ? isAllowed(originOf(url, baseURL)) : false;
    return isAllowed(originOf(url));
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
