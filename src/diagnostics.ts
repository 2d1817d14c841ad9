import { createHash } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  diagnosticsChannels,
  type BackgroundRefreshMessage,
  type ForcedRefreshMessage,
  type RequestReplayedMessage,
  type StoreAvailabilityMessage,
  type TokenDisagreementMessage,
  type TokenObtainedMessage,
  type TokenRequestAttemptMessage,
  type TokenRequestContext,
  type TokenSubject,
} from './diagnostics-channels.js';
import type { TokenInfo } from './token-info.js';

/*
 * The publishers of the channels that diagnostics-channels.ts names: each builds its message only
 * while the channel has subscribers. Internal: not exported from the package.
 */

/** A channel that builds its message only while somebody listens. */
export interface EventChannel<M> {
  readonly name: string;
  publish(message: () => M): void;
}

function eventChannel<M>(name: string): EventChannel<M> {
  const channel = diagnosticsChannel.channel(name);
  return {
    name,
    publish(message) {
      if (channel.hasSubscribers) channel.publish(message());
    },
  };
}

/** The library's publishers, one per channel. Internal: not exported from the package. */
export const events = {
  tokenRequest: diagnosticsChannel.tracingChannel<TokenRequestContext>(
    diagnosticsChannels.tokenRequest,
  ),
  tokenRequestAttempt: eventChannel<TokenRequestAttemptMessage>(
    diagnosticsChannels.tokenRequestAttempt,
  ),
  tokenObtained: eventChannel<TokenObtainedMessage>(diagnosticsChannels.tokenObtained),
  backgroundRefreshStarted: eventChannel<BackgroundRefreshMessage>(
    diagnosticsChannels.backgroundRefreshStarted,
  ),
  backgroundRefreshFailed: eventChannel<BackgroundRefreshMessage>(
    diagnosticsChannels.backgroundRefreshFailed,
  ),
  forcedRefresh: eventChannel<ForcedRefreshMessage>(diagnosticsChannels.forcedRefresh),
  requestReplayed: eventChannel<RequestReplayedMessage>(diagnosticsChannels.requestReplayed),
  storeUnavailable: eventChannel<StoreAvailabilityMessage>(diagnosticsChannels.storeUnavailable),
  storeRecovered: eventChannel<StoreAvailabilityMessage>(diagnosticsChannels.storeRecovered),
  tokenDisagreement: eventChannel<TokenDisagreementMessage>(diagnosticsChannels.tokenDisagreement),
};

/**
 * A short name for a token in events and logs: the first 8 hex digits of its SHA-256. It tells
 * tokens apart and matches across processes, but cannot be turned back into the token.
 */
export function tokenId(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('hex').slice(0, 8);
}

/** Publishes that a token came into use, from the token endpoint or from the store. */
export function publishTokenObtained(
  subject: TokenSubject,
  source: TokenObtainedMessage['source'],
  info: TokenInfo,
): void {
  events.tokenObtained.publish(() => ({
    ...subject,
    source,
    tokenId: tokenId(info.accessToken),
    expiresAt: info.expiresAt,
    expiresAtSource: info.expiresAtSource,
    refreshAt: info.refreshAt,
    scopes: info.scopes,
  }));
}
