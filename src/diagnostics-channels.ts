import type { BookableAuthErrorCode } from './errors.js';
import type { ExpirySource } from './token-info.js';

/*
 * The contract of the library's diagnostics: channel names and message shapes, public API. This
 * module loads nothing of Node's, so that the browser build can export the names too; the
 * publishers are in diagnostics.ts.
 */

/**
 * The names of the library's `node:diagnostics_channel` channels: public API, documented in
 * docs/observability.md. Messages are published only while a channel has subscribers, never on
 * the per-request path of a cached token, and never carry a secret, a token, an assertion or a
 * key: a token is named by its {@link tokenId}.
 */
export const diagnosticsChannels = Object.freeze({
  /** A `TracingChannel` around every token fetch, its retries included: {@link TokenRequestContext}. */
  tokenRequest: 'bookable-axios-auth:token-request',
  /** Each attempt of a token fetch, as it ends: {@link TokenRequestAttemptMessage}. */
  tokenRequestAttempt: 'bookable-axios-auth:token-request-attempt',
  /** A token came into use, from the token endpoint or the store: {@link TokenObtainedMessage}. */
  tokenObtained: 'bookable-axios-auth:token-obtained',
  /** A refresh started in the background while the current token serves. */
  backgroundRefreshStarted: 'bookable-axios-auth:background-refresh-started',
  /** A background refresh failed; the current token keeps serving. */
  backgroundRefreshFailed: 'bookable-axios-auth:background-refresh-failed',
  /** An API refused a token (401) and the provider replaces it: {@link ForcedRefreshMessage}. */
  forcedRefresh: 'bookable-axios-auth:forced-refresh',
  /** A refused request was sent again with a new token: {@link RequestReplayedMessage}. */
  requestReplayed: 'bookable-axios-auth:request-replayed',
  /** The token store failed or timed out; the process fetches for itself. */
  storeUnavailable: 'bookable-axios-auth:store-unavailable',
  /** The token store answers again. */
  storeRecovered: 'bookable-axios-auth:store-recovered',
  /** The token response and its JWT disagree on the lifetime or the scopes. */
  tokenDisagreement: 'bookable-axios-auth:token-disagreement',
});

/** Which provider a message is about. */
export interface TokenSubject {
  readonly clientId: string;
  readonly audience: string;
  readonly tokenUrl: string;
}

/**
 * The context of one token fetch on the `token-request` tracing channel. Node adds `result` (a
 * {@link TokenRequestResult}) or `error` (a `TokenEndpointError`) when the fetch ends.
 */
export interface TokenRequestContext extends TokenSubject {
  /** Attempts made so far; the total once the fetch ends. */
  attempts: number;
  /** The HTTP status of the last failed answer, when there was one. */
  status?: number | undefined;
  /** From the first attempt to the end, in milliseconds, once the fetch ends. */
  durationMs?: number;
  result?: TokenRequestResult;
  error?: unknown;
}

/** What a successful token fetch reports (never the token itself). */
export interface TokenRequestResult {
  tokenId: string;
  /** The response's `expires_in`, in seconds. */
  expiresIn: number | undefined;
  scope: string | undefined;
}

export interface TokenRequestAttemptMessage {
  /** The fetch this attempt belongs to (the tracing channel's context). */
  request: TokenRequestContext;
  /** 1 for the first attempt. */
  attempt: number;
  durationMs: number;
  /** The HTTP status, when the token endpoint answered. */
  status?: number;
  /** Undefined when the attempt got a token. */
  errorCode?: BookableAuthErrorCode;
}

export interface TokenObtainedMessage extends TokenSubject {
  /** `endpoint`: this process fetched it; `store`: another process shared it. */
  source: 'endpoint' | 'store';
  tokenId: string;
  expiresAt: Date;
  expiresAtSource: ExpirySource;
  /** From when on it is refreshed in the background. */
  refreshAt: Date;
  scopes: readonly string[];
}

export interface BackgroundRefreshMessage extends TokenSubject {
  /** The token being replaced. */
  tokenId: string;
  /** Until when the current token may still serve. */
  servesUntil: Date;
  /** On failure: why, and when the next attempt may start. */
  errorCode?: BookableAuthErrorCode;
  nextAttemptInMs?: number;
}

export interface ForcedRefreshMessage extends TokenSubject {
  /** The token the API refused. */
  refusedTokenId: string;
  /**
   * `request`: this process fetches a new token; `store`: inside `forcedRefreshIntervalSeconds`,
   * it looks for one another process shared.
   */
  via: 'request' | 'store';
}

export interface RequestReplayedMessage {
  method: string;
  /** The origin the request went to (no path or query). */
  origin: string | undefined;
  refusedTokenId: string;
  tokenId: string;
}

export interface StoreAvailabilityMessage extends TokenSubject {
  /** `unavailable`: what failed, and why (no key, no value). */
  operation?: string;
  reason?: string;
  /** `unavailable`: set when the store refused the command for good rather than being down. */
  errorCode?: 'store_misconfigured';
  /** `recovered`: how long the store was out, in milliseconds. */
  unavailableForMs?: number;
}

export interface TokenDisagreementMessage extends TokenSubject {
  kind: 'lifetime' | 'scope';
  message: string;
}
