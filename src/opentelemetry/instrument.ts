import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  diagnosticsChannels,
  type ForcedRefreshMessage,
  type RequestReplayedMessage,
  type StoreAvailabilityMessage,
  type TokenObtainedMessage,
  type TokenRequestAttemptMessage,
  type TokenRequestContext,
} from '../diagnostics-channels.js';
import { bookableAuthMetrics } from './metrics.js';
import { tokenRequestSpans } from './token-request-spans.js';

/** The instrumentation scope of the spans and metrics. */
export const INSTRUMENTATION_SCOPE = 'bookable-axios-auth';

/** Options of {@link instrumentBookableAuth}. */
export interface InstrumentBookableAuthOptions {
  /**
   * Where the spans go.
   * @default the global one (`trace.getTracerProvider()`, registered by the OpenTelemetry SDK)
   */
  tracerProvider?: TracerProvider;
  /**
   * Where the metrics go.
   * @default the global one (`metrics.getMeterProvider()`): instrument after the SDK has started,
   * as the global meter provider has no stand-in that catches up later
   */
  meterProvider?: MeterProvider;
}

/** What {@link instrumentBookableAuth} returns. */
export interface BookableAuthInstrumentation {
  /**
   * Stops this instrumentation: nothing more is recorded through it. Calling it again does
   * nothing. A fetch in flight when it is called gets no span.
   */
  unsubscribe(): void;
}

interface Shared {
  handles: number;
  unsubscribe(): void;
}

/** One instrumentation per pair of providers, however many times it is asked for. */
const instrumentations = new WeakMap<TracerProvider, WeakMap<MeterProvider, Shared>>();

/**
 * Turns the library's diagnostics channels into OpenTelemetry spans and metrics: a span per token
 * fetch with its attempts as events, the fetch duration, fetches by outcome, forced refreshes,
 * replayed requests, store fallbacks, and the current token's remaining lifetime. See
 * docs/observability.md for every name and attribute.
 *
 * Asking again for the same providers shares the first instrumentation, so nothing is counted
 * twice; it stops when every handle has unsubscribed.
 *
 * @example
 * ```ts
 * const instrumentation = instrumentBookableAuth(); // the global providers, after sdk.start()
 * // on shutdown:
 * instrumentation.unsubscribe();
 * ```
 */
export function instrumentBookableAuth(
  options: InstrumentBookableAuthOptions = {},
): BookableAuthInstrumentation {
  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
  let byMeter = instrumentations.get(tracerProvider);
  if (byMeter === undefined) {
    byMeter = new WeakMap();
    instrumentations.set(tracerProvider, byMeter);
  }
  let shared = byMeter.get(meterProvider);
  if (shared === undefined) {
    const unsubscribe = subscribe(tracerProvider, meterProvider);
    const created: Shared = {
      handles: 0,
      unsubscribe: () => {
        if (byMeter.get(meterProvider) === created) byMeter.delete(meterProvider);
        unsubscribe();
      },
    };
    shared = created;
    byMeter.set(meterProvider, shared);
  }
  const mine = shared;
  mine.handles += 1;
  let subscribed = true;
  return {
    unsubscribe() {
      if (!subscribed) return;
      subscribed = false;
      mine.handles -= 1;
      if (mine.handles === 0) mine.unsubscribe();
    },
  };
}

/** Subscribes to every channel; returns what undoes it. */
function subscribe(tracerProvider: TracerProvider, meterProvider: MeterProvider): () => void {
  const spans = tokenRequestSpans(tracerProvider.getTracer(INSTRUMENTATION_SCOPE));
  const meters = bookableAuthMetrics(meterProvider.getMeter(INSTRUMENTATION_SCOPE));
  const noop = () => {};
  const tracing = diagnosticsChannel.tracingChannel<unknown, TokenRequestContext>(
    diagnosticsChannels.tokenRequest,
  );
  const tracingHandlers = {
    start: (context: TokenRequestContext) => spans.start(context),
    end: noop,
    asyncStart: (context: TokenRequestContext) => {
      spans.end(context);
      meters.tokenRequestEnded(context);
    },
    asyncEnd: noop,
    error: (context: TokenRequestContext) => spans.error(context),
  };
  const handlers: Array<[string, (message: unknown) => void]> = [
    [
      diagnosticsChannels.tokenRequestAttempt,
      (message) => spans.attempt(message as TokenRequestAttemptMessage),
    ],
    [
      diagnosticsChannels.tokenObtained,
      (message) => meters.tokenObtained(message as TokenObtainedMessage),
    ],
    [
      diagnosticsChannels.forcedRefresh,
      (message) => meters.forcedRefresh(message as ForcedRefreshMessage),
    ],
    [
      diagnosticsChannels.requestReplayed,
      (message) => meters.requestReplayed(message as RequestReplayedMessage),
    ],
    [
      diagnosticsChannels.storeUnavailable,
      (message) => meters.storeUnavailable(message as StoreAvailabilityMessage),
    ],
  ];
  tracing.subscribe(tracingHandlers);
  for (const [name, handler] of handlers) diagnosticsChannel.subscribe(name, handler);
  return () => {
    tracing.unsubscribe(tracingHandlers);
    for (const [name, handler] of handlers) diagnosticsChannel.unsubscribe(name, handler);
    meters.stop();
  };
}
