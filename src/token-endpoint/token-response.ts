import type { AxiosResponse } from 'axios';
import { malformed, type ErrorContext } from './refusal-errors.js';

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

/**
 * Reads a 2xx answer as RFC 6749 section 5.1 defines it: a JSON object with a non-empty
 * `access_token`, `token_type` Bearer (in any case), and optionally a positive `expires_in`
 * (a numeric string too) and a string `scope`. Anything else is `invalid_token_response`.
 */
export function parseTokenResponse(
  response: AxiosResponse<string>,
  requestedAtMs: number,
  context: ErrorContext,
): TokenResponse {
  const { status } = response;
  const contentType = String(response.headers['content-type'] ?? 'no content type');
  let json: unknown;
  try {
    json = JSON.parse(response.data);
  } catch {
    // Never quote the body: a 2xx body may hold a token in some other format.
    throw malformed(
      context,
      status,
      `its body is not JSON (${contentType}, ${response.data.length} bytes)`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed(context, status, 'its body is not a JSON object');
  }
  const body = json as Record<string, unknown>;
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw malformed(
      context,
      status,
      'the field `access_token` is missing or not a non-empty string',
    );
  }
  const tokenType = body.token_type;
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw malformed(
      context,
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
        context,
        status,
        `the field \`expires_in\` is ${JSON.stringify(raw)}, not a positive number of seconds`,
      );
    }
    expiresIn = value;
  }
  const scope = body.scope;
  if (scope !== undefined && scope !== null && typeof scope !== 'string') {
    throw malformed(context, status, 'the field `scope` is not a string');
  }
  return { accessToken, expiresIn, scope: scope ?? undefined, requestedAtMs };
}
