import type { InternalAxiosRequestConfig } from 'axios';

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
    this.#header = `Bearer ${token}`;
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

/** A string key: axios copies only string keys when it merges a config again for a replay. */
export const MARK = '__bookableAuthState';

export type MarkedConfig = InternalAxiosRequestConfig & { [MARK]?: AuthMark };

/** Sends `config` with the mark's token and remembers the mark for the response side. */
export function authorize(config: MarkedConfig, mark: AuthMark): MarkedConfig {
  config[MARK] = mark;
  config.headers.set('Authorization', mark.header);
  return config;
}
