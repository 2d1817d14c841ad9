import pRetry from 'p-retry';
import type {
  TokenRequestContext,
  TokenRequestResult,
  TokenSubject,
} from '../diagnostics-channels.js';
import { events, tokenId } from '../diagnostics.js';
import { TokenEndpointError } from '../errors.js';
import type { Logger, RetryOptions } from '../options/provider-options.js';
import type { TokenRequest } from './token-request.js';
import type { TokenResponse } from './token-response.js';

/** What sending with retries reads. */
export interface RetrySettings {
  retry: Required<RetryOptions>;
  logger: Logger;
  /** Who the diagnostics events are about. */
  subject: TokenSubject;
}

/**
 * Sends the token request with backoff (p-retry). Only transient failures are retried: network
 * errors, timeouts, 5xx, 503 `temporarily_unavailable` and 429. A 429's `Retry-After` (or
 * `x-ratelimit-reset`) is honoured even beyond `maxTimeout`: the next attempt waits for the later
 * of the backoff and that moment. When that moment lies beyond the retry budget
 * (`maxRetryTime`), it fails at once, saying when to try again, instead of sleeping.
 *
 * The whole fetch is traced on the `token-request` tracing channel, and each attempt is published
 * on `token-request-attempt` as it ends (see diagnostics.ts).
 */
export async function requestWithRetries(
  request: TokenRequest,
  settings: RetrySettings,
): Promise<TokenResponse> {
  const context: TokenRequestContext = { ...settings.subject, attempts: 0 };
  let response: TokenResponse | undefined;
  await events.tokenRequest.tracePromise(async (): Promise<TokenRequestResult> => {
    response = await sendWithRetries(request, settings, context);
    return {
      tokenId: tokenId(response.accessToken),
      expiresIn: response.expiresIn,
      scope: response.scope,
    };
  }, context);
  return response!;
}

async function sendWithRetries(
  request: TokenRequest,
  { retry, logger }: RetrySettings,
  context: TokenRequestContext,
): Promise<TokenResponse> {
  let attempts = 0;
  let notBeforeMs = 0;
  const startedMs = Date.now();
  try {
    return await pRetry(
      async () => {
        const waitMs = notBeforeMs - Date.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        attempts += 1;
        context.attempts = attempts;
        const attemptStartedMs = Date.now();
        let failure: TokenEndpointError | undefined;
        try {
          return await request();
        } catch (error) {
          if (error instanceof TokenEndpointError) failure = error;
          context.status = failure?.status;
          throw error;
        } finally {
          const attempt = attempts;
          const durationMs = Date.now() - attemptStartedMs;
          events.tokenRequestAttempt.publish(() => ({
            request: context,
            attempt,
            durationMs,
            ...(failure?.status === undefined ? {} : { status: failure.status }),
            ...(failure === undefined ? {} : { errorCode: failure.code }),
          }));
        }
      },
      {
        retries: retry.retries,
        factor: retry.factor,
        minTimeout: retry.minTimeout,
        maxTimeout: retry.maxTimeout,
        randomize: retry.randomize,
        maxRetryTime: retry.maxRetryTime,
        // p-retry 7 asks shouldRetry only when retries and time are left.
        shouldRetry: ({ error, retriesConsumed }) => {
          if (
            !(error instanceof TokenEndpointError) ||
            !error.transient ||
            error.code === 'aborted'
          ) {
            return false;
          }
          const nowMs = Date.now();
          let delay = backoffRange(retry, retriesConsumed);
          if (error.retryAt !== undefined) {
            const serverWaitMs = error.retryAt.getTime() - nowMs;
            if (serverWaitMs > retry.maxRetryTime - (nowMs - startedMs)) return false;
            notBeforeMs = error.retryAt.getTime();
            if (serverWaitMs > delay.max) delay = { min: serverWaitMs, max: serverWaitMs };
          }
          logger.debug(
            `Token request attempt ${attempts} failed (${error.code}${error.status === undefined ? '' : `, ${error.status}`}); ` +
              `retrying in ${delay.min === delay.max ? delay.min : `${delay.min}-${delay.max}`} ms`,
            { attempt: attempts, code: error.code, status: error.status, delayMs: delay },
          );
          return true;
        },
      },
    );
  } catch (error) {
    throw error instanceof TokenEndpointError && attempts > 1
      ? error.withAttempts(attempts)
      : error;
  } finally {
    context.durationMs = Date.now() - startedMs;
  }
}

/** The wait p-retry chooses before retry number `retriesConsumed + 1`. */
function backoffRange(
  retry: Required<RetryOptions>,
  retriesConsumed: number,
): { min: number; max: number } {
  const base = retry.minTimeout * retry.factor ** retriesConsumed;
  return {
    min: Math.min(Math.round(base), retry.maxTimeout),
    max: Math.min(Math.round(base * (retry.randomize ? 2 : 1)), retry.maxTimeout),
  };
}
