import type { ClientAuthentication, TokenRequestFormat } from './provider-options.js';

/** The defaults of every optional setting. */
export const bookableAuthDefaults = Object.freeze({
  tokenUrl: 'https://bookabletech.uk.auth0.com/oauth/token',
  audience: 'api.bookabletech.com',
  /** Where tokens go when the axios instance has no `baseURL` and no `allowedOrigins` are given. */
  apiOrigin: 'https://api.bookabletech.com',
  refreshMarginSeconds: 60,
  timeoutMs: 10_000,
  tokenRequestFormat: 'form' as TokenRequestFormat,
  clientAuthentication: 'client_secret_post' as ClientAuthentication,
  forcedRefreshIntervalSeconds: 30,
  storeTimeoutMs: 500,
  retry: Object.freeze({
    retries: 3,
    factor: 2,
    minTimeout: 250,
    maxTimeout: 5_000,
    randomize: true,
    maxRetryTime: 15_000,
  }),
});
