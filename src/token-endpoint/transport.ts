import type { AxiosProxyConfig } from 'axios';
import type { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { getProxyForUrl } from 'proxy-from-env';
import type { ProxyOptions } from '../options/provider-options.js';
import { isProxyAgent, type ResolvedTransport } from '../options/transport.js';

/** What the token request's transport is built from. */
export interface TransportSettings extends ResolvedTransport {
  tokenUrl: string;
}

/** How one token request goes out. */
export interface TransportConfig {
  /** The transport part of its axios config. */
  axios: { httpsAgent?: Agent; httpAgent?: Agent; proxy: AxiosProxyConfig | false };
  /** The proxy in use, for error messages: `scheme://host:port`, never its credentials. */
  proxyOrigin?: string;
}

/**
 * Decides, for each token request, how it reaches the token endpoint. axios is always told
 * `proxy: false`, and the proxy (given, or from `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY`, read as
 * axios reads them, with the same library) is applied here:
 *
 * - An `https:` token URL goes through a CONNECT tunnel (`https-proxy-agent`), loaded only when a
 *   proxy applies. axios before 1.16.1 would send the request, secret included, in clear to the
 *   proxy, and before 1.17 would drop the agent's TLS settings; the tunnel carries them (a private
 *   CA, a client certificate) to the token endpoint on every axios version.
 * - A proxy agent given as `httpsAgent` decides for itself.
 * - A plain `http:` token URL (loopback only) uses axios's own forwarding.
 */
export function createTransport(settings: TransportSettings): () => Promise<TransportConfig> {
  const { tokenUrl, httpAgent } = settings;
  if (new URL(tokenUrl).protocol === 'http:') {
    return () =>
      Promise.resolve({
        axios: { ...(httpAgent ? { httpAgent } : {}), proxy: httpProxy(settings) },
      });
  }
  const tls = tlsOptions(settings);
  // A client certificate given as an option joins the agent's other TLS settings (its CA).
  const direct =
    settings.tlsClientCertificate === undefined
      ? settings.httpsAgent
      : new HttpsAgent({ ...tls, keepAlive: true });
  const tunnels = new Map<string, Promise<Agent>>();
  return async () => {
    const proxyUrl = httpsProxyUrl(settings);
    if (proxyUrl === undefined) {
      return { axios: { ...(direct ? { httpsAgent: direct } : {}), proxy: false } };
    }
    let tunnel = tunnels.get(proxyUrl);
    if (tunnel === undefined) {
      tunnel = tunnelThrough(proxyUrl, tls);
      tunnels.set(proxyUrl, tunnel);
      tunnel.catch(() => tunnels.delete(proxyUrl));
    }
    return {
      axios: { httpsAgent: await tunnel, proxy: false },
      proxyOrigin: new URL(proxyUrl).origin,
    };
  };
}

/** The proxy URL for the `https:` token URL, if one applies. */
function httpsProxyUrl({ proxy, httpsAgent, tokenUrl }: TransportSettings): string | undefined {
  if (proxy === false || isProxyAgent(httpsAgent)) return undefined;
  if (proxy !== undefined) return urlOf(proxy);
  return getProxyForUrl(tokenUrl) || undefined;
}

/** axios's proxy for the plain `http:` token URL. */
function httpProxy({ proxy, tokenUrl }: TransportSettings): AxiosProxyConfig | false {
  if (proxy !== undefined) return proxy;
  const fromEnvironment = getProxyForUrl(tokenUrl);
  if (!fromEnvironment) return false;
  const url = new URL(fromEnvironment);
  return {
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    protocol: url.protocol.replace(/:$/, ''),
    ...(url.username
      ? {
          auth: {
            username: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
          },
        }
      : {}),
  };
}

function urlOf({ protocol = 'http', host, port, auth }: ProxyOptions): string {
  const credentials = auth
    ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@`
    : '';
  return `${protocol}://${credentials}${host}:${port}`;
}

/** The TLS settings of a user's agent that must reach the token endpoint through a tunnel. */
const TLS_OPTION_NAMES = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'crl',
  'ciphers',
  'ecdhCurve',
  'minVersion',
  'maxVersion',
  'secureOptions',
  'sigalgs',
  'rejectUnauthorized',
  'checkServerIdentity',
] as const;

/** The TLS settings for the token endpoint: those of `httpsAgent`, and the client certificate. */
function tlsOptions({
  httpsAgent,
  tlsClientCertificate,
}: TransportSettings): Record<string, unknown> {
  const options = (httpsAgent as { options?: Record<string, unknown> } | undefined)?.options ?? {};
  return {
    ...Object.fromEntries(
      TLS_OPTION_NAMES.filter((name) => options[name] !== undefined).map((name) => [
        name,
        options[name],
      ]),
    ),
    ...tlsClientCertificate,
  };
}

/**
 * A CONNECT tunnel to the token endpoint through `proxyUrl`, whose TLS connection carries `tls`.
 * The proxy agent keeps its own settings for the proxy; an agent's `options` are what Node merges
 * into each request, and so into the TLS connection made through the tunnel.
 */
async function tunnelThrough(proxyUrl: string, tls: Record<string, unknown>): Promise<Agent> {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const agent = new HttpsProxyAgent(proxyUrl, { keepAlive: true });
  Object.assign((agent as unknown as { options: Record<string, unknown> }).options, tls);
  return agent;
}
