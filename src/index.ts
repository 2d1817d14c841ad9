export { attachBookableAuth } from './interceptors.js';
export type {
  AttachOptions,
  BookableAuthAttachment,
  BookableAuthOptions,
  BookableAuthRequestConfig,
} from './interceptors.js';
export { createTokenProvider } from './token-provider.js';
export type { GetTokenOptions, TokenProvider } from './token-provider.js';
export { bookableAuthDefaults } from './options.js';
export type { AssertionAlgorithm } from './client-assertion.js';
export type {
  ClientAuthentication,
  ClientSecretAuthentication,
  Logger,
  PrivateKeyJwtAuthentication,
  TokenProviderSettings,
  RetryOptions,
  TokenProviderOptions,
  TokenRequestFormat,
} from './options.js';
export type { TokenStore } from './token-store.js';
export type { ExpirySource, JwtFacts, ScopeSource, TokenInfo } from './token-info.js';
export { BookableAuthError, TokenEndpointError, isBookableAuthError } from './errors.js';
export type {
  BookableAuthErrorCode,
  BookableAuthErrorOptions,
  TokenEndpointErrorDetails,
} from './errors.js';
