import { createSecureContext } from 'node:tls';
import type {
  ClientAuthentication,
  ProxyOptions,
  TokenProviderOptions,
} from './provider-options.js';
import { invalid, missingMethods } from './validation.js';

/** How the token request reaches the token endpoint, validated. */
export interface ResolvedTransport {
  httpsAgent: import('node:http').Agent | undefined;
  httpAgent: import('node:http').Agent | undefined;
  /** A proxy, `false` for none, or undefined: the environment decides. */
  proxy: ProxyOptions | false | undefined;
  /** The client certificate for mutual TLS, checked (cert and key are a pair). */
  tlsClientCertificate:
    { cert: string | Buffer; key: string | Buffer; passphrase?: string } | undefined;
}

const AGENT_HINT = 'pass an http.Agent or https.Agent (or a proxy agent such as HttpsProxyAgent)';

/**
 * Validates the token request's transport: the agents, the proxy and the client certificate.
 * A client certificate is checked at creation (a key that does not match the certificate, or
 * cannot be read, is a configuration error, not a failed request); messages never quote it.
 */
export function resolveTransport(
  options: TokenProviderOptions,
  method: ClientAuthentication,
): ResolvedTransport {
  const httpsAgent = optionalAgent(options.httpsAgent, 'httpsAgent');
  const httpAgent = optionalAgent(options.httpAgent, 'httpAgent');
  const proxy = resolveProxy(options.proxy);
  const certificate = resolveClientCertificate(options.tlsClientCertificate);
  if (isProxyAgent(httpsAgent) && proxy !== undefined && proxy !== false) {
    throw invalid('give a proxy once: as a proxy agent in `httpsAgent`, or as `proxy`, not both');
  }
  if (certificate !== undefined && (agentHasCertificate(httpsAgent) || isProxyAgent(httpsAgent))) {
    throw invalid(
      isProxyAgent(httpsAgent)
        ? "a proxy agent's options never reach the token endpoint: give the proxy as `proxy`, next to `tlsClientCertificate`"
        : '`httpsAgent` already has a client certificate: give it there or as `tlsClientCertificate`, not both',
    );
  }
  if (
    (method === 'tls_client_auth' || method === 'self_signed_tls_client_auth') &&
    certificate === undefined &&
    !agentHasCertificate(httpsAgent)
  ) {
    throw invalid(
      `${method} needs a client certificate: pass \`tlsClientCertificate: { cert, key }\`, or an ` +
        '`httpsAgent` created with `cert` and `key`',
    );
  }
  return { httpsAgent, httpAgent, proxy, tlsClientCertificate: certificate };
}

function optionalAgent(value: unknown, name: string): import('node:http').Agent | undefined {
  if (value === undefined) return undefined;
  if (missingMethods(value, ['addRequest']).length > 0) {
    throw invalid(`\`${name}\` must be an agent: ${AGENT_HINT}`);
  }
  return value as import('node:http').Agent;
}

function resolveProxy(value: unknown): ProxyOptions | false | undefined {
  if (value === undefined || value === false) return value;
  const proxy = value as Partial<ProxyOptions> | null;
  if (
    typeof proxy !== 'object' ||
    proxy === null ||
    typeof proxy.host !== 'string' ||
    proxy.host === '' ||
    typeof proxy.port !== 'number' ||
    !Number.isInteger(proxy.port) ||
    proxy.port < 1 ||
    proxy.port > 65_535
  ) {
    throw invalid(
      "`proxy` must be false or { host, port } (axios's AxiosProxyConfig), e.g. { host: 'proxy.internal', port: 3128 }",
    );
  }
  const protocol = (proxy.protocol ?? 'http').replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw invalid(
      `\`proxy.protocol\` must be 'http' or 'https', got ${JSON.stringify(proxy.protocol)}`,
    );
  }
  const auth = proxy.auth;
  if (
    auth !== undefined &&
    (typeof auth !== 'object' ||
      auth === null ||
      typeof auth.username !== 'string' ||
      typeof auth.password !== 'string')
  ) {
    throw invalid('`proxy.auth` must be { username, password }');
  }
  return { host: proxy.host, port: proxy.port, protocol, ...(auth ? { auth } : {}) };
}

function resolveClientCertificate(value: unknown): ResolvedTransport['tlsClientCertificate'] {
  if (value === undefined) return undefined;
  const c = value as { cert?: unknown; key?: unknown; passphrase?: unknown } | null;
  const pem = (v: unknown) => typeof v === 'string' || Buffer.isBuffer(v);
  if (typeof c !== 'object' || c === null || !pem(c.cert) || !pem(c.key)) {
    throw invalid(
      '`tlsClientCertificate` must be { cert, key } with both PEM-encoded (strings or Buffers), e.g. read with readFileSync',
    );
  }
  if (c.passphrase !== undefined && typeof c.passphrase !== 'string') {
    throw invalid('`tlsClientCertificate.passphrase` must be a string');
  }
  const certificate = {
    cert: c.cert as string | Buffer,
    key: c.key as string | Buffer,
    ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase as string }),
  };
  try {
    createSecureContext(certificate);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw invalid(
      code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
        ? '`tlsClientCertificate.key` is not the private key of `tlsClientCertificate.cert`: pass the pair'
        : `\`tlsClientCertificate\` cannot be read (${typeof code === 'string' ? code : 'unreadable'}): ` +
            'pass the certificate and its private key as PEM, and the passphrase if the key is encrypted',
    );
  }
  return certificate;
}

/** Whether an agent was created with a client certificate (Node keeps an agent's options). */
function agentHasCertificate(agent: import('node:http').Agent | undefined): boolean {
  const options = (agent as { options?: { cert?: unknown; pfx?: unknown } } | undefined)?.options;
  return options?.cert !== undefined || options?.pfx !== undefined;
}

/** A proxy agent (`https-proxy-agent` and the like) names its proxy. */
export function isProxyAgent(agent: import('node:http').Agent | undefined): boolean {
  return agent !== undefined && 'proxy' in agent;
}
