/** The parameters of a `Bearer` challenge (RFC 6750 section 3), lower-cased names. */
export type BearerChallenge = Record<string, string>;

/** One `name=value` or `name="quoted value"` at the start of the text, after commas and spaces. */
const PARAM = /^[\s,]*([a-z_][a-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/i;

/**
 * Reads the `Bearer` challenge of a `WWW-Authenticate` header, e.g.
 * `Bearer realm="api", error="insufficient_scope", scope="venue:read"`. Its parameters end where
 * the next challenge (another scheme, e.g. `DPoP algs="ES256"`) begins. Returns undefined when
 * there is no Bearer challenge.
 */
export function parseBearerChallenge(header: unknown): BearerChallenge | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (typeof value !== 'string') return undefined;
  const start = value.search(/(^|[\s,])bearer(\s|,|$)/i);
  if (start === -1) return undefined;
  let rest = value.slice(start).replace(/^[\s,]*bearer/i, '');
  const params: BearerChallenge = {};
  for (let match = PARAM.exec(rest); match !== null; match = PARAM.exec(rest)) {
    const name = match[1]!.toLowerCase();
    if (name in params) break;
    params[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    rest = rest.slice(match[0].length);
  }
  return params;
}
