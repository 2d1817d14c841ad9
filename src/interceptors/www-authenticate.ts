/** The parameters of a `Bearer` challenge (RFC 6750 section 3), lower-cased names. */
export type BearerChallenge = Record<string, string>;

const PARAM = /([a-z_][a-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi;

/**
 * Reads the `Bearer` challenge of a `WWW-Authenticate` header, e.g.
 * `Bearer realm="api", error="insufficient_scope", scope="venue:read"`.
 * Returns undefined when there is no Bearer challenge.
 */
export function parseBearerChallenge(header: unknown): BearerChallenge | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (typeof value !== 'string') return undefined;
  const start = value.search(/(^|[\s,])bearer(\s|$)/i);
  if (start === -1) return undefined;
  const rest = value.slice(start).replace(/^[\s,]*bearer/i, '');
  const params: BearerChallenge = {};
  for (const match of rest.matchAll(PARAM)) {
    const name = match[1]!.toLowerCase();
    if (name in params) break; // the next challenge has begun
    params[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
  }
  return params;
}
