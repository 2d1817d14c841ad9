import diagnosticsChannel from 'node:diagnostics_channel';
import { diagnosticsChannels } from '../diagnostics-channels.js';
import type * as Channel from '../diagnostics-channels.js';
import { errorMessage } from '../errors.js';

/** The events heard since the last `drain()`, one short line each. */
export interface EventLines {
  drain(): string[];
  stop(): void;
}

const PREFIX = 'bookable-axios-auth:';
const WIDTH = Math.max(...Object.values(diagnosticsChannels).map((n) => n.length)) - PREFIX.length;

/** `key=value` pairs, leaving out what is undefined. */
function fields(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** Seconds from now until `date`, rounded to a tenth: what a gauge of remaining time shows. */
function secondsUntil(date: Date): string {
  return `${((date.getTime() - Date.now()) / 1000).toFixed(1)}s`;
}

const describers: { [K in keyof typeof diagnosticsChannels]?: (message: never) => string } = {
  tokenRequestAttempt: (m: Channel.TokenRequestAttemptMessage) =>
    fields({
      attempt: m.attempt,
      status: m.status,
      errorCode: m.errorCode,
      durationMs: m.durationMs,
    }),
  tokenObtained: (m: Channel.TokenObtainedMessage) =>
    fields({
      source: m.source,
      tokenId: m.tokenId,
      expiresIn: secondsUntil(m.expiresAt),
      refreshIn: secondsUntil(m.refreshAt),
    }),
  backgroundRefreshStarted: (m: Channel.BackgroundRefreshMessage) =>
    fields({ tokenId: m.tokenId, servesFor: secondsUntil(m.servesUntil) }),
  backgroundRefreshFailed: (m: Channel.BackgroundRefreshMessage) =>
    fields({ tokenId: m.tokenId, errorCode: m.errorCode, nextAttemptInMs: m.nextAttemptInMs }),
  forcedRefresh: (m: Channel.ForcedRefreshMessage) =>
    fields({ refusedTokenId: m.refusedTokenId, via: m.via }),
  requestReplayed: (m: Channel.RequestReplayedMessage) =>
    fields({
      method: m.method,
      origin: m.origin,
      refusedTokenId: m.refusedTokenId,
      tokenId: m.tokenId,
    }),
  storeUnavailable: (m: Channel.StoreAvailabilityMessage) =>
    fields({ operation: m.operation, reason: m.reason }),
  storeRecovered: (m: Channel.StoreAvailabilityMessage) =>
    fields({ unavailableForMs: m.unavailableForMs }),
  tokenDisagreement: (m: Channel.TokenDisagreementMessage) => fields({ kind: m.kind }),
};

/** One token fetch as it ends: its attempts, how long, and the token or the error. */
function describeFetch(context: Channel.TokenRequestContext): string {
  const error = context.error;
  return fields({
    attempts: context.attempts,
    durationMs: context.durationMs,
    ...(error === undefined
      ? { tokenId: context.result?.tokenId }
      : {
          status: context.status,
          errorCode: (error as { code?: string }).code ?? errorMessage(error),
        }),
  });
}

/**
 * Subscribes to every channel of the library, as an operator's tooling would, and keeps one line
 * per message: the channel's short name, then the fields worth graphing.
 */
export function listenToEvents(): EventLines {
  let lines: string[] = [];
  const line = (name: string, text: string) =>
    lines.push(`${name.slice(PREFIX.length).padEnd(WIDTH)}  ${text}`);
  const stops: Array<() => void> = [];

  const noop = () => {};
  const tracing = diagnosticsChannel.tracingChannel<unknown, Channel.TokenRequestContext>(
    diagnosticsChannels.tokenRequest,
  );
  const handlers = {
    start: noop,
    end: noop,
    asyncStart: (context: Channel.TokenRequestContext) =>
      line(diagnosticsChannels.tokenRequest, describeFetch(context)),
    asyncEnd: noop,
    error: noop,
  };
  tracing.subscribe(handlers);
  stops.push(() => tracing.unsubscribe(handlers));

  for (const [key, text] of Object.entries(describers)) {
    const name = diagnosticsChannels[key as keyof typeof diagnosticsChannels];
    const handler = (message: unknown) => line(name, text(message as never));
    diagnosticsChannel.subscribe(name, handler);
    stops.push(() => diagnosticsChannel.unsubscribe(name, handler));
  }
  return {
    drain() {
      const drained = lines;
      lines = [];
      return drained;
    },
    stop: () => stops.forEach((stop) => stop()),
  };
}
