import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import type {
  ForcedRefreshMessage,
  RequestReplayedMessage,
  StoreAvailabilityMessage,
  TokenObtainedMessage,
  TokenRequestContext,
} from '../diagnostics-channels.js';
import { ATTR, errorType, serverAttributes, subjectAttributes, subjectKey } from './attributes.js';

/** The metric names, documented in docs/observability.md: renaming one breaks dashboards. */
export const METRIC = Object.freeze({
  tokenRequestDuration: 'bookable_auth.token.request.duration',
  tokenRequests: 'bookable_auth.token.requests',
  forcedRefreshes: 'bookable_auth.token.forced_refreshes',
  replayedRequests: 'bookable_auth.replayed_requests',
  storeFallbacks: 'bookable_auth.store.fallbacks',
  tokenRemainingLifetime: 'bookable_auth.token.remaining_lifetime',
});

/**
 * Buckets for the fetch duration, in seconds: the HTTP conventions' boundaries up to 10 s, then
 * the default retry budget (15 s) and twice it, for fetches that ride out an outage.
 */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30,
];

/** What the metrics need to hear of. */
export interface BookableAuthMetrics {
  tokenRequestEnded(context: TokenRequestContext): void;
  tokenObtained(message: TokenObtainedMessage): void;
  forcedRefresh(message: ForcedRefreshMessage): void;
  requestReplayed(message: RequestReplayedMessage): void;
  storeUnavailable(message: StoreAvailabilityMessage): void;
  /** Stops observing the remaining lifetime. */
  stop(): void;
}

/** The instruments, fed by the channels' messages. */
export function bookableAuthMetrics(meter: Meter): BookableAuthMetrics {
  const duration = meter.createHistogram(METRIC.tokenRequestDuration, {
    description: 'How long a token fetch took, its retries included.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const requests = meter.createCounter(METRIC.tokenRequests, {
    description: 'Token fetches from the token endpoint; error.type is set on those that failed.',
    unit: '{request}',
  });
  const forcedRefreshes = meter.createCounter(METRIC.forcedRefreshes, {
    description: 'Tokens replaced because an API refused them (401).',
    unit: '{refresh}',
  });
  const replays = meter.createCounter(METRIC.replayedRequests, {
    description: 'Requests sent again with a new token after the API refused theirs (401).',
    unit: '{request}',
  });
  const fallbacks = meter.createCounter(METRIC.storeFallbacks, {
    description:
      'Times the token store failed and the process went on fetching its own tokens (once per outage).',
    unit: '{fallback}',
  });
  const remaining = meter.createObservableGauge(METRIC.tokenRemainingLifetime, {
    description:
      'Seconds until the newest token of each client and audience expires (0 once it has).',
    unit: 's',
  });

  // The newest token's expiry per client, audience and token endpoint.
  const expiries = new Map<string, { attributes: Attributes; expiresAtMs: number }>();
  const observe = (result: ObservableResult) => {
    const nowMs = Date.now();
    for (const { attributes, expiresAtMs } of expiries.values()) {
      result.observe(Math.max(0, (expiresAtMs - nowMs) / 1000), attributes);
    }
  };
  remaining.addCallback(observe);

  return {
    tokenRequestEnded(context) {
      const attributes = subjectAttributes(context);
      if (context.error !== undefined) attributes[ATTR.errorType] = errorType(context.error);
      requests.add(1, attributes);
      if (context.durationMs !== undefined) duration.record(context.durationMs / 1000, attributes);
    },
    tokenObtained(message) {
      expiries.set(subjectKey(message), {
        attributes: subjectAttributes(message),
        expiresAtMs: message.expiresAt.getTime(),
      });
    },
    forcedRefresh(message) {
      forcedRefreshes.add(1, {
        ...subjectAttributes(message),
        [ATTR.forcedRefreshVia]: message.via,
      });
    },
    requestReplayed(message) {
      replays.add(1, {
        [ATTR.httpRequestMethod]: message.method,
        ...serverAttributes(message.origin),
      });
    },
    storeUnavailable(message) {
      fallbacks.add(1, {
        ...subjectAttributes(message),
        ...(message.operation === undefined ? {} : { [ATTR.storeOperation]: message.operation }),
      });
    },
    stop() {
      remaining.removeCallback(observe);
      expiries.clear();
    },
  };
}
