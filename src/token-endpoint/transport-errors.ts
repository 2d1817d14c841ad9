import { isAxiosError } from 'axios';
import { TokenEndpointError } from '../errors.js';
import type { ErrorContext } from './refusal-errors.js';

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/** Why Node refused the token endpoint's certificate, by the code it reports. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
const INVALID_CERTIFICATE_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
]);
/** The token endpoint's TLS alerts about the client's certificate (TLS 1.3 and 1.2). */
const CLIENT_CERTIFICATE_CODES = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);

/**
 * Turns a failure to get any answer into a stable code: the server's certificate refused
 * (`server_certificate_untrusted`, `server_certificate_invalid`), the client's certificate refused
 * (`client_certificate_rejected`), a timeout or a network failure (`token_endpoint_unreachable`),
 * or the caller's abort. `timedOut` says the request's own deadline fired. The axios error itself
 * is dropped: it carries the request body (the secret), the headers and the agents (a private
 * key). Only the underlying system error (code, syscall, address) is kept as `cause`.
 */
export function transportError(
  error: unknown,
  context: ErrorContext,
  timedOut = false,
): TokenEndpointError {
  let code: string | undefined;
  let message: string;
  let cause: Error;
  if (isAxiosError(error)) {
    const inner = error.cause;
    code = (inner as { code?: string } | undefined)?.code ?? error.code;
    if (inner instanceof Error && !isAxiosError(inner)) {
      cause = inner;
    } else {
      cause = new Error(context.scrub(error.message));
      if (code !== undefined) Object.assign(cause, { code });
    }
    message = context.scrub(error.message);
    if (error.code === 'ERR_CANCELED' && !timedOut) {
      return new TokenEndpointError(
        'aborted',
        'The token request was aborted',
        { transient: true },
        { cause },
      );
    }
  } else {
    cause = error instanceof Error ? error : new Error(String(error));
    code = (cause as { code?: string }).code;
    message = context.scrub(cause.message);
  }
  const via = context.proxy === undefined ? '' : ` through the proxy ${context.proxy}`;
  if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new TokenEndpointError(
      'server_certificate_untrusted',
      `The token endpoint ${context.where}${via} presented a certificate from a CA this process does not trust (${code}): ` +
        "pass that CA, e.g. `httpsAgent: new https.Agent({ ca: readFileSync('corporate-ca.pem') })` " +
        '(or NODE_EXTRA_CA_CERTS for the whole process); a TLS-inspecting proxy needs its own CA',
      {},
      { cause },
    );
  }
  if (code !== undefined && INVALID_CERTIFICATE_CODES.has(code)) {
    return new TokenEndpointError(
      'server_certificate_invalid',
      `The token endpoint ${context.where}${via} presented a certificate that is not valid for it (${code}): ` +
        (code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'check that `tokenUrl` (or `domain`) names the host the certificate is for'
          : "check the server's certificate and this machine's clock"),
      {},
      { cause },
    );
  }
  if (
    code !== undefined &&
    (CLIENT_CERTIFICATE_CODES.has(code) ||
      (code === 'EPROTO' && /alert (handshake failure|bad certificate)/i.test(cause.message)))
  ) {
    return new TokenEndpointError(
      'client_certificate_rejected',
      `The token endpoint ${context.where}${via} refused the TLS connection over its client certificate (${code}): ` +
        'pass one it accepts as `tlsClientCertificate: { cert, key }` (or in `httpsAgent`), issued by a CA ' +
        'the tenant trusts, and registered with the application',
      {},
      { cause },
    );
  }
  return new TokenEndpointError(
    'token_endpoint_unreachable',
    timedOut || (code !== undefined && TIMEOUT_CODES.has(code))
      ? `The token endpoint ${context.where}${via} did not answer within \`timeoutMs\`: check network and proxy, or raise \`timeoutMs\``
      : `Could not reach the token endpoint ${context.where}${via} (${code ?? message}): check \`tokenUrl\` (or \`domain\`), DNS, proxy and firewall`,
    { transient: true },
    { cause },
  );
}
