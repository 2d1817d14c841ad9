/**
 * Every `code` a {@link BookableAuthError} can carry. Codes are stable: match on them, not on
 * messages. `docs/errors.md` explains each one and how to fix it.
 */
export type BookableAuthErrorCode =
  /** An option is missing or has the wrong value. Thrown at creation, never on a request. */
  | 'invalid_options'
  /** The token endpoint refused the client id or secret. */
  | 'invalid_client_credentials'
  /** The `audience` is not an API of the tenant ("Service not found"). */
  | 'unknown_audience'
  /** The application is not authorized for the API (no client grant). */
  | 'client_not_authorized'
  /** The application may not use the client-credentials grant. */
  | 'grant_type_not_allowed'
  /** A requested scope is unknown or not granted to the application. */
  | 'invalid_scope'
  /** The token endpoint found the request malformed. */
  | 'invalid_request'
  /** Any other refusal (4xx) from the token endpoint. */
  | 'token_request_rejected'
  /** The token endpoint rate-limited the client for longer than the retry budget. */
  | 'rate_limited'
  /** The tenant's machine-to-machine token quota is used up. */
  | 'quota_exceeded'
  /** The token endpoint kept answering 5xx (or 503 `temporarily_unavailable`). */
  | 'token_endpoint_unavailable'
  /** The token endpoint could not be reached (refused, reset, DNS, timeout). */
  | 'token_endpoint_unreachable'
  /** The token endpoint's certificate comes from a CA this process does not trust. */
  | 'server_certificate_untrusted'
  /** The token endpoint's certificate is not valid for it (another host, expired). */
  | 'server_certificate_invalid'
  /** The token endpoint refused the TLS connection over the client certificate (mutual TLS). */
  | 'client_certificate_rejected'
  /** The proxy asked for credentials (407). */
  | 'proxy_authentication_required'
  /** The token endpoint answered 2xx with something that is not a usable token. */
  | 'invalid_token_response'
  /** The protected API refused a freshly fetched token. */
  | 'token_rejected'
  /** The protected API answered 403 `insufficient_scope`. */
  | 'insufficient_scope'
  /** The caller's `AbortSignal` fired while it waited for a token. */
  | 'aborted'
  /** Loaded in a browser: client credentials there would be readable by anyone. */
  | 'unsupported_environment'
  /**
   * The token store refused a command for a reason no retry cures (an ACL, a password, a key of
   * another type, a missing command). Raised by the store, logged by the provider at error
   * level; no request fails, each process fetches its own tokens meanwhile.
   */
  | 'store_misconfigured';

/** Options accepted by {@link BookableAuthError}'s constructor. */
export interface BookableAuthErrorOptions {
  /** The underlying error. Never an axios error of the token request (it holds the secret). */
  cause?: unknown;
}

/**
 * The base class of every error this library raises.
 *
 * @example
 * ```ts
 * try {
 *   await provider.getToken();
 * } catch (error) {
 *   if (isBookableAuthError(error) && error.code === 'invalid_client_credentials') {
 *     // fix the configuration
 *   }
 * }
 * ```
 */
export class BookableAuthError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: BookableAuthErrorCode;

  constructor(code: BookableAuthErrorCode, message: string, options?: BookableAuthErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BookableAuthError';
    this.code = code;
  }
}

/** What the token endpoint said, on a {@link TokenEndpointError}. */
export interface TokenEndpointErrorDetails {
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** OAuth `error` (or Auth0's older `code`) of the last answer. */
  oauthError?: string;
  /** OAuth `error_description` (or Auth0's older `description`). */
  oauthErrorDescription?: string;
  /** How many token requests were made before giving up. */
  attempts?: number;
  /** When the server said a new attempt may succeed (from `Retry-After` or `x-ratelimit-reset`). */
  retryAt?: Date;
  /** True when a later attempt may succeed without any change of configuration. */
  transient?: boolean;
}

/** A failure of the token request, with what the token endpoint answered. */
export class TokenEndpointError extends BookableAuthError {
  readonly status: number | undefined;
  readonly oauthError: string | undefined;
  readonly oauthErrorDescription: string | undefined;
  readonly attempts: number;
  readonly retryAt: Date | undefined;
  readonly transient: boolean;
  /** The details as given, so that a copy carries every one of them (see {@link withAttempts}). */
  readonly #details: TokenEndpointErrorDetails;

  constructor(
    code: BookableAuthErrorCode,
    message: string,
    details: TokenEndpointErrorDetails = {},
    options?: BookableAuthErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'TokenEndpointError';
    this.#details = details;
    this.status = details.status;
    this.oauthError = details.oauthError;
    this.oauthErrorDescription = details.oauthErrorDescription;
    this.attempts = details.attempts ?? 1;
    this.retryAt = details.retryAt;
    this.transient = details.transient ?? false;
  }

  /**
   * This failure as the last of `attempts` token requests: the same code and details, the count
   * in `attempts` and in the message. The original stays reachable as `cause`.
   */
  withAttempts(attempts: number): TokenEndpointError {
    return new TokenEndpointError(
      this.code,
      `${this.message}; gave up after ${attempts} attempts`,
      { ...this.#details, attempts },
      { cause: this.cause ?? this },
    );
  }
}

const ERROR_NAMES = new Set(['BookableAuthError', 'TokenEndpointError']);

/**
 * True for errors raised by this library, also when they come from another copy of the package
 * (two versions in one `node_modules`), where `instanceof` fails.
 */
export function isBookableAuthError(value: unknown): value is BookableAuthError {
  if (value instanceof BookableAuthError) return true;
  return (
    value instanceof Error &&
    ERROR_NAMES.has(value.name) &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** The message of anything thrown, for a log line. Internal: not exported from the package. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
