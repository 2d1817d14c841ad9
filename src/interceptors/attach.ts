import type { AxiosInstance } from 'axios';
import type { BookableAuthOptions } from '../options/attach-options.js';
import type { TokenProviderOptions } from '../options/provider-options.js';
import { resolveAttachOptions } from '../options/resolve-attach-options.js';
import { createTokenProvider } from '../provider/create-token-provider.js';
import type { TokenProvider } from '../token-provider.js';
import { createOriginGuard } from './origin-guard.js';
import { createRefreshAndReplay } from './refresh-and-replay.js';
import { createRequestInterceptors } from './request-interceptors.js';

/** What {@link attachBookableAuth} returns. */
export interface BookableAuthAttachment {
  /** The provider in use: pass it to other instances to share one token. */
  readonly tokenProvider: TokenProvider;
  /** Ejects the interceptors; later requests carry no token. */
  detach(): void;
}

const attachments = new WeakMap<AxiosInstance, BookableAuthAttachment>();

/**
 * Installs the interceptors on an axios instance: on the request side, `Authorization: Bearer
 * <token>` for allowed origins (in the same turn when the token is cached); the response
 * interceptor answers a 401 with one refresh and one replay. Attaching again to the same instance
 * replaces the earlier attachment.
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://api.bookabletech.com' });
 * const auth = attachBookableAuth(api, {
 *   clientId: process.env.BOOKABLE_CLIENT_ID!,
 *   clientSecret: process.env.BOOKABLE_CLIENT_SECRET!,
 * });
 * const { data } = await api.get('/venues');
 * ```
 */
export function attachBookableAuth(
  instance: AxiosInstance,
  options: BookableAuthOptions,
): BookableAuthAttachment {
  const resolved = resolveAttachOptions(instance, options);
  const provider = resolved.tokenProvider ?? createTokenProvider(options as TokenProviderOptions);
  const auth = createRequestInterceptors(provider, createOriginGuard(resolved.allowedOrigins));
  const { request, response } = instance.interceptors;

  attachments.get(instance)?.detach();
  const ids = [
    request.use(auth.withCachedToken, undefined, {
      synchronous: true,
      runWhen: auth.tokenIsCached,
    }),
    request.use(auth.withTokenWhenReady, undefined, { runWhen: auth.tokenIsMissing }),
  ];
  const responseId = response.use(
    undefined,
    createRefreshAndReplay(instance, provider, resolved.redactErrors),
  );
  let attached = true;
  const attachment: BookableAuthAttachment = {
    tokenProvider: provider,
    detach() {
      if (!attached) return;
      attached = false;
      for (const id of ids) request.eject(id);
      response.eject(responseId);
      if (attachments.get(instance) === attachment) attachments.delete(instance);
    },
  };
  attachments.set(instance, attachment);
  return attachment;
}
