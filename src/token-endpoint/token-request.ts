import { Axios, type AxiosResponse } from 'axios';
import type { TokenRequestFormat } from '../options/provider-options.js';
import type { ClientAuth } from './client-auth.js';
import type { TransportConfig } from './transport.js';
import { refusalError, type ErrorContext } from './refusal-errors.js';
import { transportError } from './transport-errors.js';
import { parseTokenResponse, type TokenResponse } from './token-response.js';

/** What the token request is built from. */
export interface TokenEndpointSettings {
  tokenUrl: string;
  clientId: string;
  audience: string;
  scope: string | undefined;
  tokenRequestFormat: TokenRequestFormat;
  timeoutMs: number;
  clientAuth: ClientAuth;
  /** How each request reaches the token endpoint: agents and proxy (see transport.ts). */
  transport: () => Promise<TransportConfig>;
}

/** One token request, without retries. */
export type TokenRequest = (signal?: AbortSignal) => Promise<TokenResponse>;

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Builds the client-credentials token request of RFC 6749 section 4.4 (as Auth0 documents it)
 * and returns a function that sends it once.
 *
 * The request goes through a private `Axios` instance built without `axios.defaults`, so no
 * interceptor, default header or base URL of the application ever touches it; redirects are not
 * followed, so the secret cannot be forwarded to another host. `timeoutMs` is also kept by a
 * deadline of its own, which holds whatever the agent or proxy (axios's timer does not, with an
 * agent and a silent proxy, before 1.16).
 */
export function createTokenRequest(settings: TokenEndpointSettings): TokenRequest {
  const { tokenUrl, audience, scope, clientAuth } = settings;
  const json = settings.tokenRequestFormat === 'json';
  const context: ErrorContext = {
    where: tokenUrl,
    clientId: settings.clientId,
    audience,
    scope,
    checkHint: clientAuth.checkHint,
    scrub: clientAuth.scrub,
  };
  const http = new Axios({
    timeout: settings.timeoutMs,
    maxRedirects: 0,
    responseType: 'text',
    maxContentLength: MAX_RESPONSE_BYTES,
    validateStatus: null,
  });

  return async function requestToken(signal) {
    const params: Record<string, string> = { grant_type: 'client_credentials' };
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
    };
    // Before the audience, so the form's order reads as Auth0's documentation shows it.
    await clientAuth.apply({ params, headers });
    params.audience = audience;
    if (scope !== undefined) params.scope = scope;
    const body = json ? JSON.stringify(params) : new URLSearchParams(params).toString();

    const requestedAtMs = Date.now();
    const deadline = AbortSignal.timeout(settings.timeoutMs);
    let response: AxiosResponse<string>;
    let transport: TransportConfig | undefined;
    try {
      transport = await settings.transport();
      response = await http.post<string>(tokenUrl, body, {
        headers,
        ...transport.axios,
        signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
      });
    } catch (error) {
      throw transportError(error, withProxy(context, transport), deadline.aborted);
    }
    if (response.status >= 200 && response.status < 300) {
      return parseTokenResponse(response, requestedAtMs, context);
    }
    throw refusalError(response, withProxy(context, transport));
  };
}

function withProxy(context: ErrorContext, transport: TransportConfig | undefined): ErrorContext {
  const proxy = transport?.proxyOrigin;
  return proxy === undefined ? context : { ...context, proxy };
}
