import {
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { TokenRequestAttemptMessage, TokenRequestContext } from '../diagnostics-channels.js';
import { ATTR, errorType, subjectAttributes } from './attributes.js';

/** The span of one token fetch, retries included. */
export const TOKEN_REQUEST_SPAN = 'bookable_auth.token.request';
/** An event on that span for each attempt, as it ends. */
export const ATTEMPT_EVENT = 'bookable_auth.token.request.attempt';

/** What the token-request spans need to hear of. */
export interface TokenRequestSpans {
  start(context: TokenRequestContext): void;
  attempt(message: TokenRequestAttemptMessage): void;
  error(context: TokenRequestContext): void;
  end(context: TokenRequestContext): void;
}

/**
 * One span per token fetch, from the `token-request` tracing channel: started with the fetch,
 * ended when it settles. Each context object of the channel is one fetch, so the span hangs off
 * it in a WeakMap: the attempts, published with their fetch's context, find their span there.
 *
 * The span is `INTERNAL`: it is the logical fetch. The HTTP requests of its attempts are the HTTP
 * instrumentation's `CLIENT` spans, where there is one; counting them twice would distort service
 * maps.
 */
export function tokenRequestSpans(tracer: Tracer): TokenRequestSpans {
  const spans = new WeakMap<TokenRequestContext, Span>();
  return {
    start(context) {
      spans.set(
        context,
        tracer.startSpan(TOKEN_REQUEST_SPAN, {
          kind: SpanKind.INTERNAL,
          attributes: subjectAttributes(context),
        }),
      );
    },
    attempt(message) {
      const span = spans.get(message.request);
      if (span === undefined) return;
      const attributes: Attributes = {
        [ATTR.attemptNumber]: message.attempt,
        [ATTR.attemptDuration]: message.durationMs / 1000,
      };
      if (message.status !== undefined) attributes[ATTR.httpResponseStatusCode] = message.status;
      if (message.errorCode !== undefined) attributes[ATTR.errorType] = message.errorCode;
      span.addEvent(ATTEMPT_EVENT, attributes);
    },
    error(context) {
      const span = spans.get(context);
      if (span === undefined) return;
      const { error } = context;
      span.setAttribute(ATTR.errorType, errorType(error));
      if (context.status !== undefined) {
        span.setAttribute(ATTR.httpResponseStatusCode, context.status);
      }
      // The library's messages never hold a secret, a token or an assertion.
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    },
    end(context) {
      const span = spans.get(context);
      if (span === undefined) return;
      spans.delete(context);
      span.setAttribute(ATTR.retries, Math.max(0, context.attempts - 1));
      const { result } = context;
      if (result !== undefined) {
        span.setAttribute(ATTR.tokenId, result.tokenId);
        if (result.expiresIn !== undefined) {
          span.setAttribute(ATTR.tokenExpiresIn, result.expiresIn);
        }
        if (result.scope !== undefined) {
          span.setAttribute(ATTR.tokenScopes, result.scope.split(' ').filter(Boolean));
        }
      }
      span.end();
    },
  };
}
