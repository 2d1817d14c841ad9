import type { AxiosResponse } from 'axios';
import { TokenEndpointError, type BookableAuthErrorCode } from '../errors.js';

/** What the error messages of one token endpoint name. */
export interface ErrorContext {
  /** The token URL. */
  where: string;
  clientId: string;
  audience: string;
  scope: string | undefined;
  /** What to check when the credentials are refused. */
  checkHint: string;
  /** Removes the client secret from any text that echoes it. */
  scrub(text: string): string;
  /** The proxy the request went through (`scheme://host:port`), when one did. */
  proxy?: string;
}

/** A 2xx answer that holds no usable token. */
export function malformed(
  context: ErrorContext,
  status: number,
  problem: string,
): TokenEndpointError {
  return new TokenEndpointError(
    'invalid_token_response',
    `The token endpoint ${context.where} answered ${status} but ${problem}: ` +
      'check that `tokenUrl` points at an OAuth2 token endpoint (not a web page or a proxy)',
    { status },
  );
}

/** Parses `Retry-After` (seconds or HTTP date), else Auth0's `x-ratelimit-reset` (UNIX seconds). */
export function retryAtFrom(headers: AxiosResponse['headers'], nowMs: number): Date | undefined {
  const retryAfter = headers['retry-after'];
  if (typeof retryAfter === 'string' && retryAfter.trim() !== '') {
    const trimmed = retryAfter.trim();
    if (/^\d+$/.test(trimmed)) return new Date(nowMs + Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return new Date(Math.max(date, nowMs));
  }
  const reset = headers['x-ratelimit-reset'];
  if (typeof reset === 'string' && /^\d+$/.test(reset.trim())) {
    return new Date(Math.max(Number(reset.trim()) * 1000, nowMs));
  }
  return undefined;
}

/** OAuth's `error` and `error_description`, or Auth0's older `code` and `description`. */
function readOAuthError(data: string): { error?: string; description?: string } {
  try {
    const body = JSON.parse(data) as Record<string, unknown>;
    const error =
      typeof body.error === 'string'
        ? body.error
        : typeof body.code === 'string'
          ? body.code
          : undefined;
    const description =
      typeof body.error_description === 'string'
        ? body.error_description
        : typeof body.description === 'string'
          ? body.description
          : typeof body.message === 'string'
            ? body.message
            : undefined;
    return {
      ...(error === undefined ? {} : { error }),
      ...(description === undefined ? {} : { description }),
    };
  } catch {
    return {};
  }
}

/**
 * Classifies a non-2xx answer of the token endpoint into a stable code with the fix, as Auth0
 * words its refusals (see the seeds' notes on error bodies). Only rate limits and the server's
 * own failures are transient.
 */
export function refusalError(
  response: AxiosResponse<string>,
  context: ErrorContext,
): TokenEndpointError {
  const { status } = response;
  const { error, description } = readOAuthError(
    typeof response.data === 'string' ? response.data : '',
  );
  const said = context.scrub(
    [status, error, description === undefined ? undefined : JSON.stringify(description)]
      .filter((x) => x !== undefined)
      .join(' '),
  );
  const details = {
    status,
    ...(error === undefined ? {} : { oauthError: error }),
    ...(description === undefined ? {} : { oauthErrorDescription: context.scrub(description) }),
  };
  const fail = (
    code: BookableAuthErrorCode,
    fix: string,
    extra: { transient?: boolean; retryAt?: Date } = {},
  ) =>
    new TokenEndpointError(code, `${fix} (${context.where} answered ${said})`, {
      ...details,
      ...extra,
    });
  const desc = description ?? '';
  const client = `client "${context.clientId}"`;

  if (status === 407) {
    return new TokenEndpointError(
      'proxy_authentication_required',
      `The proxy ${context.proxy ?? ''} asked for credentials (407) on the way to ${context.where}: ` +
        'give them in the proxy URL (`HTTPS_PROXY=http://user:password@proxy:3128`) or as `proxy.auth`',
      { status },
    );
  }
  if (status === 429) {
    const retryAt = retryAtFrom(response.headers, Date.now());
    const when = retryAt === undefined ? 'later' : `after ${retryAt.toISOString()}`;
    const transient = { transient: true, ...(retryAt === undefined ? {} : { retryAt }) };
    if (/quota/i.test(desc)) {
      return fail(
        'quota_exceeded',
        `The tenant's machine-to-machine token quota for ${client} is used up: retry ${when}; ` +
          'share one token between processes (a token store) or raise the quota in Auth0',
        transient,
      );
    }
    return fail(
      'rate_limited',
      `The token endpoint rate-limited ${client}: retry ${when}; cache and share tokens instead of fetching one per process or request`,
      transient,
    );
  }
  if (status >= 500 || error === 'temporarily_unavailable' || error === 'server_error') {
    const retryAt = status === 503 ? retryAtFrom(response.headers, Date.now()) : undefined;
    return fail(
      'token_endpoint_unavailable',
      'The token endpoint is failing on its side: nothing to change in the configuration; ' +
        "check the provider's status page and try again",
      { transient: true, ...(retryAt === undefined ? {} : { retryAt }) },
    );
  }
  // RFC 6749 answers a failed client authentication with 401 invalid_client; Auth0 also with
  // 403 access_denied "Unauthorized".
  if (
    status === 401 ||
    error === 'invalid_client' ||
    (error === 'access_denied' && /^unauthorized\.?$/i.test(desc.trim()))
  ) {
    return fail(
      'invalid_client_credentials',
      `The token endpoint rejected the credentials of ${client}: check ${context.checkHint}`,
    );
  }
  if (/service not (found|enabled)/i.test(desc)) {
    return fail(
      'unknown_audience',
      `The audience "${context.audience}" is not an API of this tenant: set \`audience\` to the API's ` +
        'Identifier (Auth0 dashboard: Applications > APIs > Settings)',
    );
  }
  if (/not authorized to access/i.test(desc)) {
    return fail(
      'client_not_authorized',
      `${client} is not authorized for the API "${context.audience}": authorize the application for ` +
        'the API (Auth0 dashboard: APIs > your API > Machine To Machine Applications), or ask the API owner to',
    );
  }
  if (error === 'unauthorized_client') {
    return fail(
      'grant_type_not_allowed',
      `${client} may not use the client-credentials grant: enable "Client Credentials" under the ` +
        "application's Advanced Settings > Grant Types (Auth0), or use a machine-to-machine application",
    );
  }
  if (error === 'invalid_scope' || /scope/i.test(desc)) {
    return fail(
      'invalid_scope',
      `The token endpoint refused the scope ${context.scope === undefined ? '(none requested)' : `"${context.scope}"`}: ` +
        'request only scopes the API defines and the application has been granted',
    );
  }
  if (error === 'invalid_request') {
    return fail(
      'invalid_request',
      'The token endpoint found the request malformed: check `tokenUrl`, `tokenRequestFormat` and `audience`',
    );
  }
  return fail(
    'token_request_rejected',
    `The token endpoint refused the token request of ${client}: read its answer below and check the application's settings`,
  );
}
