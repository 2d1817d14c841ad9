import type { TokenProvider } from '../token-provider.js';
import type { TokenProviderOptions } from './provider-options.js';

/** Per-request settings, under `bookableAuth` on an axios request config. */
export interface BookableAuthRequestConfig {
  /** Send this request without a token (and without 401 handling). */
  skip?: boolean;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request settings of bookable-axios-auth. */
    bookableAuth?: BookableAuthRequestConfig;
  }
}

/** Options of {@link attachBookableAuth} besides where tokens come from. */
export interface AttachOptions {
  /**
   * The only origins (`scheme://host[:port]`) that receive the token. Requests anywhere else go
   * out untouched.
   * @default the origin of the instance's `baseURL`, else `['https://api.bookabletech.com']`
   */
  allowedOrigins?: readonly string[];
  /**
   * Remove the bearer token from errors that leave the instance (config, headers, the raw
   * request). Turning it off puts live tokens into whatever logs your errors.
   * @default true
   */
  redactErrors?: boolean;
}

/** Options of {@link attachBookableAuth}: provider options, or a provider to share. */
export type BookableAuthOptions =
  | (TokenProviderOptions & AttachOptions & { tokenProvider?: never })
  | (AttachOptions & { tokenProvider: TokenProvider });
