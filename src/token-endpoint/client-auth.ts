/** The parts of one token request that client authentication writes to. */
export interface TokenRequestParts {
  params: Record<string, string>;
  headers: Record<string, string>;
}

/**
 * How the application proves who it is to the token endpoint: one value per method, applied to
 * every attempt of every token request (a private_key_jwt assertion is signed afresh each time).
 */
export interface ClientAuth {
  /** Adds the client's credentials to one token request. */
  apply(request: TokenRequestParts): void | Promise<void>;
  /** What the user should check when the token endpoint refuses the credentials. */
  readonly checkHint: string;
  /** Removes the client's secret from text that might echo it (a misbehaving server's answer). */
  scrub(text: string): string;
}

const SECRET_HINT =
  '`clientId` and `clientSecret` (and `clientAuthentication`, if the application expects client_secret_basic)';

/** A secret too short to be real would mangle every message it is scrubbed from; real ones are long. */
function scrubber(secret: string): (text: string) => string {
  return (text) => (secret.length < 8 ? text : text.split(secret).join('[redacted]'));
}

/** `client_secret_post`: the id and secret in the body (Auth0's default). */
export function clientSecretPost(clientId: string, clientSecret: string): ClientAuth {
  return {
    apply({ params }) {
      params.client_id = clientId;
      params.client_secret = clientSecret;
    },
    checkHint: SECRET_HINT,
    scrub: scrubber(clientSecret),
  };
}

/** `client_secret_basic`: the id and secret in an HTTP Basic `Authorization` header. */
export function clientSecretBasic(clientId: string, clientSecret: string): ClientAuth {
  // RFC 6749 section 2.3.1: each part is form-encoded before the Basic encoding.
  const user = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  const header = `Basic ${Buffer.from(user).toString('base64')}`;
  return {
    apply({ headers }) {
      headers.Authorization = header;
    },
    checkHint: SECRET_HINT,
    scrub: scrubber(clientSecret),
  };
}

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** `private_key_jwt` (RFC 7523): a freshly signed assertion per request, no shared secret. */
export function privateKeyJwt(clientId: string, signAssertion: () => Promise<string>): ClientAuth {
  return {
    async apply({ params }) {
      params.client_id = clientId;
      params.client_assertion_type = ASSERTION_TYPE;
      params.client_assertion = await signAssertion();
    },
    checkHint:
      "`clientId` and `privateKey`, and that the key's public half is registered with the application (and `keyId`, `algorithm`)",
    scrub: (text) => text,
  };
}

/**
 * `tls_client_auth` and `self_signed_tls_client_auth` (RFC 8705): the client certificate, sent
 * by the transport, authenticates; the body names the client, and holds nothing secret.
 */
export function mutualTls(
  clientId: string,
  method: 'tls_client_auth' | 'self_signed_tls_client_auth',
): ClientAuth {
  const registered =
    method === 'tls_client_auth'
      ? 'issued by a CA the tenant trusts, with the subject DN registered for the application'
      : 'the very certificate registered with the application';
  return {
    apply({ params }) {
      params.client_id = clientId;
    },
    checkHint: `\`clientId\` and the client certificate (\`tlsClientCertificate\`, or your \`httpsAgent\`'s \`cert\` and \`key\`): it must be ${registered}`,
    scrub: (text) => text,
  };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
