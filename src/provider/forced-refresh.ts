import { BookableAuthError } from '../errors.js';

/**
 * Spaces the token requests that an API's refusal (401) forces: at most one per interval, so an
 * API that refuses every token cannot make the provider hammer the token endpoint. Only a token
 * request counts: taking a newer token that another process shared costs none.
 */
export class ForcedRefreshLimiter {
  readonly #intervalMs: number;
  #lastRequestMs: number | undefined;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Whether a refusal may be answered with a token request now. */
  mayRequest(nowMs: number): boolean {
    const last = this.#lastRequestMs;
    return last === undefined || nowMs - last >= this.#intervalMs;
  }

  /** Records a token request forced by a refusal. */
  requested(nowMs: number): void {
    this.#lastRequestMs = nowMs;
  }

  /** The error for a refusal that may not be answered with a token request. */
  refusal(nowMs: number): BookableAuthError {
    const last = this.#lastRequestMs ?? nowMs;
    return new BookableAuthError(
      'token_rejected',
      `The API refused the access token again, ${Math.round((nowMs - last) / 1000)} s after the last ` +
        `forced refresh; not fetching another for ${Math.ceil((last + this.#intervalMs - nowMs) / 1000)} s ` +
        '(`forcedRefreshIntervalSeconds`). A freshly issued token that is refused points at a wrong ' +
        '`audience`, an API that trusts another issuer (tenant), or an API that cannot reach its key set',
    );
  }
}
