import type { AxiosHeaders, InternalAxiosRequestConfig } from 'axios';

/**
 * The plugin's mark on a request config it authorized: the token sent, and whether this is the
 * replay. Immutable, so requests sent with the same token share one. The token sits in a private
 * field, so printing the config never shows it.
 */
export class AuthMark {
  readonly #token: string;
  readonly #header: string;
  readonly replayed: boolean;

  constructor(token: string, replayed: boolean) {
    this.#token = token;
    this.#header = sanitizeHeaderValue(`Bearer ${token}`);
    this.replayed = replayed;
  }

  get token(): string {
    return this.#token;
  }

  /** The `Authorization` value, built once per mark. */
  get header(): string {
    return this.#header;
  }
}

/** What a header value cannot carry: C0 control characters but tab, and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]+/g;

/** A header value as axios's `headers.set()` stores it: control characters removed, trimmed. */
function sanitizeHeaderValue(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '').replace(/^[ \t]+|[ \t]+$/g, '');
}

/** A string key: axios copies only string keys when it merges a config again for a replay. */
export const MARK = '__bookableAuthState';

export type MarkedConfig = InternalAxiosRequestConfig & { [MARK]?: AuthMark };

/** The name under which `headers` holds an `Authorization` header, in any letter case. */
export function authorizationKey(headers: AxiosHeaders): string | undefined {
  for (const key in headers) {
    if (key.length === 13 && key.toLowerCase() === 'authorization') return key;
  }
  return undefined;
}

/**
 * Sends `config` with the mark's token, and remembers the mark for the response side. The header
 * is written where axios keeps headers (own properties of `AxiosHeaders`), under the name it
 * already has, as `headers.set()` would write it: the mark sanitised the value once, as `set()`
 * does. `set()` would parse and validate the name and the value again on every request, which
 * costs more than all the rest of the plugin's work on the cached path.
 */
export function authorize(
  config: MarkedConfig,
  mark: AuthMark,
  key: string | undefined = authorizationKey(config.headers),
): MarkedConfig {
  config[MARK] = mark;
  (config.headers as unknown as Record<string, string>)[key ?? 'Authorization'] = mark.header;
  return config;
}
