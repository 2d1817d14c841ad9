import type { TokenSubject } from '../diagnostics-channels.js';
import type { TokenProviderOptions } from '../options/provider-options.js';
import type { ResolvedCredentials } from '../options/credentials.js';
import { resolveProviderOptions } from '../options/resolve-provider-options.js';
import { Fleet } from '../store/fleet.js';
import { SharedStore } from '../store/shared-store.js';
import { createStoreCodec, storeKey } from '../store/store-codec.js';
import { createAssertionSigner } from '../token-endpoint/client-assertion.js';
import {
  clientSecretBasic,
  clientSecretPost,
  mutualTls,
  privateKeyJwt,
  type ClientAuth,
} from '../token-endpoint/client-auth.js';
import { requestWithRetries } from '../token-endpoint/retry.js';
import { createTokenRequest } from '../token-endpoint/token-request.js';
import { createTransport } from '../token-endpoint/transport.js';
import { ClientCredentialsTokenProvider } from './client-credentials-provider.js';
import { refreshPolicy } from './token-lifetime.js';
import type { TokenProvider } from '../token-provider.js';

/**
 * Creates a client-credentials token provider.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({
 *   clientId: process.env.BOOKABLE_CLIENT_ID!,
 *   clientSecret: process.env.BOOKABLE_CLIENT_SECRET!,
 * });
 * const token = await provider.getToken();
 * ```
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const o = resolveProviderOptions(options);
  const { logger } = o;
  const subject: TokenSubject = Object.freeze({
    clientId: o.clientId,
    audience: o.audience,
    tokenUrl: o.tokenUrl,
  });
  const request = createTokenRequest({
    tokenUrl: o.tokenUrl,
    clientId: o.clientId,
    audience: o.audience,
    scope: o.scope,
    tokenRequestFormat: o.tokenRequestFormat,
    timeoutMs: o.timeoutMs,
    clientAuth: clientAuthFor(o.clientId, o.credentials),
    transport: createTransport({ tokenUrl: o.tokenUrl, ...o.transport }),
  });
  const fleet =
    o.store &&
    new Fleet(
      new SharedStore({
        store: o.store.store,
        codec: createStoreCodec(storeKey(o, o.store.encryptionKey), o.store.encryptionKey),
        timeoutMs: o.store.timeoutMs,
        logger,
        subject,
      }),
      { tokenRequestTimeoutMs: o.timeoutMs, logger, subject },
    );
  return new ClientCredentialsTokenProvider(
    {
      tokenUrl: o.tokenUrl,
      scope: o.scope,
      refreshPolicy: refreshPolicy(o.refreshMarginSeconds),
      forcedRefreshIntervalMs: o.forcedRefreshIntervalMs,
      logger,
      onTokenRefreshed: o.onTokenRefreshed,
      onRefreshError: o.onRefreshError,
      subject,
    },
    () => requestWithRetries(request, { retry: o.retry, logger, subject }),
    fleet,
  );
}

function clientAuthFor(clientId: string, credentials: ResolvedCredentials): ClientAuth {
  switch (credentials.method) {
    case 'client_secret_post':
      return clientSecretPost(clientId, credentials.clientSecret);
    case 'client_secret_basic':
      return clientSecretBasic(clientId, credentials.clientSecret);
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      return mutualTls(clientId, credentials.method);
    case 'private_key_jwt':
      return privateKeyJwt(
        clientId,
        createAssertionSigner({
          clientId,
          key: credentials.privateKey,
          algorithm: credentials.algorithm,
          keyId: credentials.keyId,
          audience: credentials.assertionAudience,
        }),
      );
  }
}
