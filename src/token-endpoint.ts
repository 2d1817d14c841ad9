import { Axios, isAxiosError, type AxiosResponse } from 'axios';
import { ASSERTION_TYPE } from './client-assertion.js';
import { TokenEndpointError, type BookableAuthErrorCode } from './errors.js';
import type { ResolvedProviderOptions } from './options.js';

/** A token response that passed validation. */
export interface TokenResponse {
  accessToken: string;
  /** `expires_in` in seconds, when the response had one. */
  expiresIn: number | undefined;
  /** The response's `scope`, when it had one. */
  scope: string | undefined;
  /** When the request was sent (epoch ms): every lifetime counts from here. */
  requestedAtMs: number;
}

/** One token request, without retries. */
export type TokenRequest = (signal?: AbortSignal) => Promise<TokenResponse>;

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Builds the client-credentials token request of RFC 6749 section 4.4 (as Auth0 documents it)
 * and returns a function that sends it once.
 *
 * The request goes through a private `Axios` instance built without `axios.defaults`, so no
 * interceptor, default header or base URL of the application ever touches it; redirects are not
 * followed, so the secret cannot be forwarded to another host.
 */
export function createTokenRequest(options: ResolvedProviderOptions): TokenRequest {
  const { clientId, clientSecret = '', tokenUrl, audience, scope, signAssertion } = options;
  const params: Record<string, string> = { grant_type: 'client_credentials' };
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (signAssertion !== undefined) {
    params.client_id = clientId;
  } else if (options.clientAuthentication === 'client_secret_basic') {
    // RFC 6749 section 2.3.1: each part is form-encoded before the Basic encoding.
    const user = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
    headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
  } else {
    params.client_id = clientId;
    params.client_secret = clientSecret;
  }
  params.audience = audience;
  if (scope !== undefined) params.scope = scope;

  const json = options.tokenRequestFormat === 'json';
  headers['Content-Type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
  const encode = (p: Record<string, string>) =>
    json ? JSON.stringify(p) : new URLSearchParams(p).toString();
  const fixedBody = encode(params);
  // With private_key_jwt every request, every retry too, carries a fresh assertion.
  const bodyFor = async () =>
    signAssertion === undefined
      ? fixedBody
      : encode({
          ...params,
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await signAssertion(),
        });

  const http = new Axios({
    timeout: options.timeoutMs,
    maxRedirects: 0,
    responseType: 'text',
    maxContentLength: MAX_RESPONSE_BYTES,
    validateStatus: null,
  });
  const describe = describer(options);

  return async function requestToken(signal) {
    const body = await bodyFor();
    const requestedAtMs = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await http.post<string>(tokenUrl, body, {
        headers,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw transportError(error, describe);
    }
    if (response.status >= 200 && response.status < 300) {
      return parseSuccess(response, requestedAtMs, describe);
    }
    throw httpError(response, describe);
  };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

interface Describer {
  /** What to check when the credentials are refused. */
  credentials: string;
  where: string;
  clientId: string;
  audience: string;
  scope: string | undefined;
  /** Removes the client secret from any text that echoes it (a misbehaving server might). */
  scrub(text: string): string;
}

function describer(options: ResolvedProviderOptions): Describer {
  const secret = options.clientSecret ?? '';
  return {
    credentials:
      options.signAssertion === undefined
        ? '`clientId` and `clientSecret` (and `clientAuthentication`, if the application expects client_secret_basic)'
        : "`clientId` and `privateKey`, and that the key's public half is registered with the application (and `keyId`, `algorithm`)",
    where: options.tokenUrl,
    clientId: options.clientId,
    audience: options.audience,
    scope: options.scope,
    // A secret too short to be real would mangle every message; real ones are long.
    scrub: (text) => (secret.length < 8 ? text : text.split(secret).join('[redacted]')),
  };
}

function malformed(describe: Describer, status: number, problem: string): TokenEndpointError {
  return new TokenEndpointError(
    'invalid_token_response',
    `The token endpoint ${describe.where} answered ${status} but ${problem}: ` +
      'check that `tokenUrl` points at an OAuth2 token endpoint (not a web page or a proxy)',
    { status },
  );
}

function parseSuccess(
  response: AxiosResponse<string>,
  requestedAtMs: number,
  describe: Describer,
): TokenResponse {
  const { status } = response;
  const contentType = String(response.headers['content-type'] ?? 'no content type');
  let json: unknown;
  try {
    json = JSON.parse(response.data);
  } catch {
    // Never quote the body: a 2xx body may hold a token in some other format.
    throw malformed(
      describe,
      status,
      `its body is not JSON (${contentType}, ${response.data.length} bytes)`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed(describe, status, 'its body is not a JSON object');
  }
  const body = json as Record<string, unknown>;
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw malformed(
      describe,
      status,
      'the field `access_token` is missing or not a non-empty string',
    );
  }
  const tokenType = body.token_type;
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw malformed(
      describe,
      status,
      `the field \`token_type\` is ${tokenType === undefined ? 'missing' : JSON.stringify(tokenType)}, not "Bearer"`,
    );
  }
  let expiresIn: number | undefined;
  if (body.expires_in !== undefined && body.expires_in !== null) {
    const raw = body.expires_in;
    const value =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw)
          ? Number(raw)
          : NaN;
    if (!Number.isFinite(value) || value <= 0) {
      throw malformed(
        describe,
        status,
        `the field \`expires_in\` is ${JSON.stringify(raw)}, not a positive number of seconds`,
      );
    }
    expiresIn = value;
  }
  const scope = body.scope;
  if (scope !== undefined && scope !== null && typeof scope !== 'string') {
    throw malformed(describe, status, 'the field `scope` is not a string');
  }
  return { accessToken, expiresIn, scope: scope ?? undefined, requestedAtMs };
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

function httpError(response: AxiosResponse<string>, describe: Describer): TokenEndpointError {
  const { status } = response;
  const { error, description } = readOAuthError(
    typeof response.data === 'string' ? response.data : '',
  );
  const said = describe.scrub(
    [status, error, description === undefined ? undefined : JSON.stringify(description)]
      .filter((x) => x !== undefined)
      .join(' '),
  );
  const details = {
    status,
    ...(error === undefined ? {} : { oauthError: error }),
    ...(description === undefined ? {} : { oauthErrorDescription: describe.scrub(description) }),
  };
  const fail = (
    code: BookableAuthErrorCode,
    fix: string,
    extra: { transient?: boolean; retryAt?: Date } = {},
  ) =>
    new TokenEndpointError(code, `${fix} (${describe.where} answered ${said})`, {
      ...details,
      ...extra,
    });
  const desc = description ?? '';
  const client = `client "${describe.clientId}"`;

  if (status === 429) {
    const retryAt = retryAtFrom(response.headers, Date.now());
    const when = retryAt === undefined ? 'later' : `after ${retryAt.toISOString()}`;
    if (/quota/i.test(desc)) {
      return fail(
        'quota_exceeded',
        `The tenant's machine-to-machine token quota for ${client} is used up: retry ${when}; ` +
          'share one token between processes (a token store) or raise the quota in Auth0',
        { transient: true, ...(retryAt === undefined ? {} : { retryAt }) },
      );
    }
    return fail(
      'rate_limited',
      `The token endpoint rate-limited ${client}: retry ${when}; cache and share tokens instead of fetching one per process or request`,
      { transient: true, ...(retryAt === undefined ? {} : { retryAt }) },
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
  if (
    error === 'invalid_client' ||
    (error === 'access_denied' && /^unauthorized\.?$/i.test(desc.trim()))
  ) {
    return fail(
      'invalid_client_credentials',
      `The token endpoint rejected the credentials of ${client}: check ${describe.credentials}`,
    );
  }
  if (/service not (found|enabled)/i.test(desc)) {
    return fail(
      'unknown_audience',
      `The audience "${describe.audience}" is not an API of this tenant: set \`audience\` to the API's ` +
        'Identifier (Auth0 dashboard: Applications > APIs > Settings)',
    );
  }
  if (/not authorized to access/i.test(desc)) {
    return fail(
      'client_not_authorized',
      `${client} is not authorized for the API "${describe.audience}": authorize the application for ` +
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
      `The token endpoint refused the scope ${describe.scope === undefined ? '(none requested)' : `"${describe.scope}"`}: ` +
        'request only scopes the API defines and the application has been granted',
    );
  }
  if (status === 401) {
    return fail(
      'invalid_client_credentials',
      `The token endpoint rejected the credentials of ${client}: check ${describe.credentials}`,
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

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/**
 * Turns a failure to get any answer into a `token_endpoint_unreachable` error. The axios error
 * itself is dropped: it carries the request body (the secret) and headers. Only the underlying
 * system error (code, syscall, address) is kept as `cause`.
 */
function transportError(error: unknown, describe: Describer): TokenEndpointError {
  let code: string | undefined;
  let message: string;
  let cause: Error;
  if (isAxiosError(error)) {
    const inner = error.cause;
    code = (inner as { code?: string } | undefined)?.code ?? error.code;
    if (inner instanceof Error && !isAxiosError(inner)) {
      cause = inner;
    } else {
      cause = new Error(describe.scrub(error.message));
      if (code !== undefined) Object.assign(cause, { code });
    }
    message = describe.scrub(error.message);
    if (error.code === 'ERR_CANCELED') {
      return new TokenEndpointError(
        'aborted',
        'The token request was aborted',
        { transient: true },
        { cause },
      );
    }
  } else {
    cause = error instanceof Error ? error : new Error(String(error));
    message = describe.scrub(cause.message);
  }
  const timedOut = code !== undefined && TIMEOUT_CODES.has(code);
  return new TokenEndpointError(
    'token_endpoint_unreachable',
    timedOut
      ? `The token endpoint ${describe.where} did not answer within \`timeoutMs\`: check network and proxy, or raise \`timeoutMs\``
      : `Could not reach the token endpoint ${describe.where} (${code ?? message}): check \`tokenUrl\` (or \`domain\`), DNS, proxy and firewall`,
    { transient: true },
    { cause },
  );
}
