import {
  CanceledError,
  isAxiosError,
  type AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { BookableAuthError, isBookableAuthError } from './errors.js';
import { decodeAccessToken } from './jwt-cross-check.js';
import type { TokenProviderOptions } from './options.js';
import { createOriginGuard } from './origin-guard.js';
import { redactAxiosError } from './redact.js';
import {
  createTokenProvider,
  peekToken,
  type GetTokenOptions,
  type TokenProvider,
} from './token-provider.js';
import { parseBearerChallenge } from './www-authenticate.js';

/** Per-request settings, under `bookableAuth` on an axios request config. */
export interface BookableAuthRequestConfig {
  /** Send this request without a token (and without 401 handling). */
  skip?: boolean;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request settings of bookable-axios-auth. */
    bookableAuth?: BookableAuthRequestConfig;
  }
}

/** Options of {@link attachBookableAuth} besides where tokens come from. */
export interface AttachOptions {
  /**
   * The only origins (`scheme://host[:port]`) that receive the token. Requests anywhere else go
   * out untouched.
   * @default the origin of the instance's `baseURL`, else `['https://api.bookabletech.com']`
   */
  allowedOrigins?: readonly string[];
  /**
   * Remove the bearer token from errors that leave the instance (config, headers, the raw
   * request). Turning it off puts live tokens into whatever logs your errors.
   * @default true
   */
  redactErrors?: boolean;
}

/** Options of {@link attachBookableAuth}: provider options, or a provider to share. */
export type BookableAuthOptions =
  | (TokenProviderOptions & AttachOptions & { tokenProvider?: never })
  | (AttachOptions & { tokenProvider: TokenProvider });

/** What {@link attachBookableAuth} returns. */
export interface BookableAuthAttachment {
  /** The provider in use: pass it to other instances to share one token. */
  readonly tokenProvider: TokenProvider;
  /** Ejects the interceptors; later requests carry no token. */
  detach(): void;
}

/**
 * The plugin's mark on a request config it authorized: the token sent, and whether this is the
 * replay. Immutable, so requests sent with the same token share one. The token sits in a private
 * field, so printing the config never shows it. The key is a string because axios copies only
 * string keys when it merges a config again on a replay.
 */
class RequestAuthState {
  readonly #token: string;
  readonly replayed: boolean;
  constructor(token: string, replayed: boolean) {
    this.#token = token;
    this.replayed = replayed;
  }
  get token(): string {
    return this.#token;
  }
}

const STATE_KEY = '__bookableAuthState';
type ConfigWithState = InternalAxiosRequestConfig & { [STATE_KEY]?: RequestAuthState };

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
  if (typeof instance?.interceptors?.request?.use !== 'function') {
    throw new BookableAuthError(
      'invalid_options',
      'attachBookableAuth needs an axios instance, e.g. axios.create()',
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new BookableAuthError(
      'invalid_options',
      'options are missing: pass { clientId, clientSecret } or { tokenProvider }',
    );
  }
  if (options.redactErrors !== undefined && typeof options.redactErrors !== 'boolean') {
    throw new BookableAuthError('invalid_options', '`redactErrors` must be a boolean');
  }
  const redact = options.redactErrors !== false;
  const guard = createOriginGuard(options.allowedOrigins, instance.defaults.baseURL);
  const provider = resolveProvider(options);

  const peek = (provider as { [peekToken]?: () => string | undefined })[peekToken]?.bind(provider);
  const wantsToken = (config: ConfigWithState): boolean =>
    config.bookableAuth?.skip !== true && !config.headers.has('Authorization') && guard(config);
  const authorize = (
    config: ConfigWithState,
    state: RequestAuthState,
    header: string,
  ): ConfigWithState => {
    config[STATE_KEY] = state;
    config.headers.set('Authorization', header);
    return config;
  };

  // Two request interceptors; axios runs the one whose `runWhen` holds. With a cached token it is
  // the synchronous one: axios then skips its promise chain, and the request goes on in the same
  // turn. Without one, the asynchronous one waits for the token. axios asks the `runWhen`s in the
  // order the interceptors were added, just before it runs the chain, so the cache is read once
  // per request and the second check reads the first one's answer.
  let found: RequestAuthState | undefined; // for the token the latest check found (never cleared)
  let foundHeader = ''; // its header value, built once per token
  let missing = true; // the latest check found none
  const tokenIsCached = (): boolean => {
    const token = peek?.();
    missing = token === undefined;
    if (!missing && token !== found?.token) {
      found = new RequestAuthState(token!, false);
      foundHeader = `Bearer ${token}`;
    }
    return !missing;
  };
  // Runs right after its check, or, behind another library's asynchronous interceptor, later;
  // `found` is then at least as recent. Were that token refused or expired by then, the API's 401
  // gets the usual refresh and replay.
  const onRequestCached = (config: ConfigWithState): ConfigWithState => {
    const state = config[STATE_KEY];
    // A replay keeps the token chosen for it; a retry library re-sending a config takes the current one.
    if (state?.replayed) return authorize(config, state, `Bearer ${state.token}`);
    if (state === undefined && !wantsToken(config)) return config;
    return authorize(config, found!, foundHeader);
  };
  const onRequestUncached = async (config: ConfigWithState): Promise<ConfigWithState> => {
    const state = config[STATE_KEY];
    if (state?.replayed) return authorize(config, state, `Bearer ${state.token}`);
    if (state === undefined && !wantsToken(config)) return config;
    const token = await getToken(provider, config);
    return authorize(config, new RequestAuthState(token, false), `Bearer ${token}`);
  };

  const onResponseError = async (error: unknown): Promise<AxiosResponse> => {
    if (!isAxiosError(error) || error.config === undefined) throw error;
    const config = error.config as ConfigWithState;
    const state = config[STATE_KEY];
    if (state === undefined) throw error; // not a request the plugin authorized
    try {
      const status = error.response?.status;
      if (status === 401 && !state.replayed) {
        if (!isReplayable(config.data)) {
          throw annotate(
            error,
            'token_rejected',
            'The API refused the access token (401), and the request was not replayed with a fresh one ' +
              'because its body is a stream that has been consumed: send a Buffer or string body to get automatic replays',
          );
        }
        let token: string;
        try {
          token = await provider.getTokenAfterRejection(state.token, signalOf(config));
        } catch (providerError) {
          if (isBookableAuthError(providerError) && providerError.code === 'token_rejected') {
            throw annotate(error, 'token_rejected', providerError.message);
          }
          throw providerError;
        }
        config[STATE_KEY] = new RequestAuthState(token, true);
        return await instance.request(config);
      }
      if (status === 401) {
        throw annotate(
          error,
          'token_rejected',
          'The API refused a freshly fetched access token too (401 after one refresh and replay): ' +
            'check `audience` (it must be the API identifier this API expects) and that the API trusts ' +
            `this tenant as issuer${describeChallenge(error)}`,
        );
      }
      if (status === 403) annotateInsufficientScope(error, state.token);
      throw error;
    } catch (thrown) {
      if (redact && isAxiosError(thrown) && thrown.config !== undefined) redactAxiosError(thrown);
      throw thrown;
    }
  };

  attachments.get(instance)?.detach();
  const cachedId = instance.interceptors.request.use(onRequestCached, undefined, {
    synchronous: true,
    runWhen: tokenIsCached,
  });
  const uncachedId = instance.interceptors.request.use(onRequestUncached, undefined, {
    runWhen: () => missing,
  });
  const responseId = instance.interceptors.response.use(undefined, onResponseError);
  let attached = true;
  const attachment: BookableAuthAttachment = {
    tokenProvider: provider,
    detach() {
      if (!attached) return;
      attached = false;
      instance.interceptors.request.eject(cachedId);
      instance.interceptors.request.eject(uncachedId);
      instance.interceptors.response.eject(responseId);
      if (attachments.get(instance) === attachment) attachments.delete(instance);
    },
  };
  attachments.set(instance, attachment);
  return attachment;
}

function resolveProvider(options: BookableAuthOptions): TokenProvider {
  const { tokenProvider } = options;
  if (tokenProvider === undefined) return createTokenProvider(options as TokenProviderOptions);
  if (
    typeof tokenProvider?.getToken !== 'function' ||
    typeof tokenProvider.getTokenAfterRejection !== 'function'
  ) {
    throw new BookableAuthError(
      'invalid_options',
      '`tokenProvider` must come from createTokenProvider() or attachBookableAuth()',
    );
  }
  const extra = [
    'clientId',
    'clientSecret',
    'privateKey',
    'tokenUrl',
    'domain',
    'audience',
    'scope',
  ].filter((key) => (options as unknown as Record<string, unknown>)[key] !== undefined);
  if (extra.length > 0) {
    throw new BookableAuthError(
      'invalid_options',
      `give either \`tokenProvider\` or provider options, not both (also got ${extra.map((k) => `\`${k}\``).join(', ')})`,
    );
  }
  return tokenProvider;
}

function signalOf(config: InternalAxiosRequestConfig): GetTokenOptions | undefined {
  const { signal } = config;
  return signal instanceof AbortSignal ? { signal } : undefined;
}

async function getToken(
  provider: TokenProvider,
  config: InternalAxiosRequestConfig,
): Promise<string> {
  try {
    return await provider.getToken(signalOf(config));
  } catch (error) {
    if (isBookableAuthError(error) && error.code === 'aborted') {
      throw new CanceledError(undefined, undefined, config);
    }
    throw error;
  }
}

/** Whether the body can be sent a second time: not a stream that the first send consumed. */
function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  const d = data as { pipe?: unknown; getReader?: unknown };
  return typeof d.pipe !== 'function' && typeof d.getReader !== 'function';
}

/** Keeps the axios error (status, response) and says why in its message and `cause`. */
function annotate(
  error: AxiosError,
  code: 'token_rejected' | 'insufficient_scope',
  explanation: string,
): AxiosError {
  const reason = new BookableAuthError(code, explanation);
  error.message = `${error.message}: ${explanation}`;
  Object.defineProperty(error, 'cause', {
    value: reason,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return error;
}

function describeChallenge(error: AxiosError): string {
  const challenge = parseBearerChallenge(error.response?.headers?.['www-authenticate']);
  if (challenge?.error === undefined) return '';
  return ` (the API said ${challenge.error}${challenge.error_description ? `: "${challenge.error_description}"` : ''})`;
}

function annotateInsufficientScope(error: AxiosError, token: string): void {
  const challenge = parseBearerChallenge(error.response?.headers?.['www-authenticate']);
  if (challenge?.error !== 'insufficient_scope') return;
  const granted = decodeAccessToken(token)?.scopes;
  annotate(
    error,
    'insufficient_scope',
    `The API requires scope ${challenge.scope ? `"${challenge.scope}"` : '(not named)'} but the token has ` +
      `${granted === undefined ? 'scopes the client cannot read (opaque token)' : `"${granted.join(' ')}"`}: ` +
      'grant the scope to the application for this API and request it with the `scope` option. A new token will not help until then',
  );
}
