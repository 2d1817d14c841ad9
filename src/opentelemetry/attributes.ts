import type { Attributes } from '@opentelemetry/api';
import type { TokenSubject } from '../diagnostics-channels.js';

/**
 * The attribute names, in OpenTelemetry's semantic-convention style. Where the registry has an
 * attribute for the fact (`server.address`, `error.type`, ...), it is used; the library's own
 * facts live under the `bookable_auth` namespace, as the conventions ask of system-specific names.
 */
export const ATTR = Object.freeze({
  /** The token endpoint's host, or the API's for a replayed request (registry, stable). */
  serverAddress: 'server.address',
  serverPort: 'server.port',
  /** The error's stable `code`, `_OTHER` for an error that is not the library's (stable). */
  errorType: 'error.type',
  httpResponseStatusCode: 'http.response.status_code',
  httpRequestMethod: 'http.request.method',
  /** The OAuth2 client id, as `azure.client.id` and `messaging.client.id` name theirs. */
  clientId: 'bookable_auth.client.id',
  /** The API identifier the token is for. */
  audience: 'bookable_auth.token.audience',
  /** The first 8 hex digits of the token's SHA-256: names a token, cannot be turned back. */
  tokenId: 'bookable_auth.token.id',
  /** The response's `expires_in`, in seconds. */
  tokenExpiresIn: 'bookable_auth.token.expires_in',
  tokenScopes: 'bookable_auth.token.scopes',
  /** Attempts after the first, in one token fetch. */
  retries: 'bookable_auth.token.request.retries',
  /** 1 for the first attempt (on an attempt event). */
  attemptNumber: 'bookable_auth.token.request.attempt.number',
  /** How long the attempt took, in seconds (on an attempt event). */
  attemptDuration: 'bookable_auth.token.request.attempt.duration',
  /** `request` or `store`: how a refused token is replaced. */
  forcedRefreshVia: 'bookable_auth.token.forced_refresh.via',
  /** What the store failed to do, e.g. `read the token`. */
  storeOperation: 'bookable_auth.store.operation',
});

/** `error.type`: the library's code, or the fallback the registry defines. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && code !== '' ? code : '_OTHER';
}

/** Host and port of a URL, as `server.address` and `server.port`; nothing for a bad URL. */
export function serverAttributes(url: string | undefined): Attributes {
  if (url === undefined) return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {};
  }
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return { [ATTR.serverAddress]: parsed.hostname, [ATTR.serverPort]: port };
}

/** Who a message is about, as attributes: client id, audience, token endpoint host (no secret). */
export function subjectAttributes(subject: TokenSubject): Attributes {
  return {
    [ATTR.clientId]: subject.clientId,
    [ATTR.audience]: subject.audience,
    ...serverAttributes(subject.tokenUrl),
  };
}

/** One key per provider configuration: client, audience and token endpoint. */
export function subjectKey(subject: TokenSubject): string {
  return `${subject.tokenUrl}\n${subject.clientId}\n${subject.audience}`;
}
