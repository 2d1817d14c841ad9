export { attachBookableAuth } from './interceptors/attach.js';
export type { BookableAuthAttachment } from './interceptors/attach.js';
export type {
  AttachOptions,
  BookableAuthOptions,
  BookableAuthRequestConfig,
} from './options/attach-options.js';
export { createTokenProvider } from './provider/create-token-provider.js';
export type { GetTokenOptions, TokenProvider } from './token-provider.js';
export { bookableAuthDefaults } from './options/defaults.js';
export type {
  AssertionAlgorithm,
  ClientAuthentication,
  ClientSecretAuthentication,
  Logger,
  PrivateKeyJwtAuthentication,
  TokenProviderSettings,
  RetryOptions,
  TokenProviderOptions,
  TokenRequestFormat,
} from './options/provider-options.js';
export type { TokenStore } from './token-store.js';
export type { ExpirySource, JwtFacts, ScopeSource, TokenInfo } from './token-info.js';
export { BookableAuthError, TokenEndpointError, isBookableAuthError } from './errors.js';
export type {
  BookableAuthErrorCode,
  BookableAuthErrorOptions,
  TokenEndpointErrorDetails,
} from './errors.js';
export { diagnosticsChannels } from './diagnostics-channels.js';
export type {
  BackgroundRefreshMessage,
  ForcedRefreshMessage,
  RequestReplayedMessage,
  StoreAvailabilityMessage,
  TokenDisagreementMessage,
  TokenObtainedMessage,
  TokenRequestAttemptMessage,
  TokenRequestContext,
  TokenRequestResult,
  TokenSubject,
} from './diagnostics-channels.js';
