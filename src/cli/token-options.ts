import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import type { ParseArgsConfig } from 'node:util';
import type { ClientAuthentication, TokenProviderOptions } from '../options/provider-options.js';
import type { ParsedFlags } from './io.js';

/** The `token` command's flags; each has an environment variable, named in the usage text. */
export const TOKEN_FLAGS = {
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'private-key-file': { type: 'string' },
  'key-id': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'client-authentication': { type: 'string' },
  'token-url': { type: 'string' },
  audience: { type: 'string' },
  scope: { type: 'string' },
  'print-token': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies NonNullable<ParseArgsConfig['options']>;

/** The provider options, or why they cannot be made (a sentence for the user). */
export type TokenOptionsResult = { options: TokenProviderOptions } | { problem: string };

/**
 * Reads the provider options from the flags, then the environment: the credentials (a secret,
 * a private key file for private_key_jwt, or a certificate and key for mutual TLS), a CA file
 * for a private CA, and where to ask. A proxy comes from `HTTPS_PROXY` and `NO_PROXY`, as the
 * library reads them.
 */
export function tokenOptions(values: ParsedFlags, env: NodeJS.ProcessEnv): TokenOptionsResult {
  const pick = (flag: string, variable: string): string | undefined => {
    const value = values[flag] ?? env[variable];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const clientId = pick('client-id', 'BOOKABLE_CLIENT_ID');
  const clientSecret = pick('client-secret', 'BOOKABLE_CLIENT_SECRET');
  const privateKeyFile = pick('private-key-file', 'BOOKABLE_PRIVATE_KEY_FILE');
  const certFile = pick('cert-file', 'BOOKABLE_CERT_FILE');
  const keyFile = pick('key-file', 'BOOKABLE_KEY_FILE');
  const caFile = pick('ca-file', 'BOOKABLE_CA_FILE');
  const method = pick('client-authentication', 'BOOKABLE_CLIENT_AUTHENTICATION');
  const missing = [
    clientId === undefined ? 'BOOKABLE_CLIENT_ID (or --client-id)' : undefined,
    clientSecret === undefined && privateKeyFile === undefined && certFile === undefined
      ? 'BOOKABLE_CLIENT_SECRET, BOOKABLE_PRIVATE_KEY_FILE, or BOOKABLE_CERT_FILE and BOOKABLE_KEY_FILE ' +
        '(or --client-secret / --private-key-file / --cert-file and --key-file)'
      : undefined,
    (certFile === undefined) !== (keyFile === undefined)
      ? 'both BOOKABLE_CERT_FILE and BOOKABLE_KEY_FILE (or --cert-file and --key-file)'
      : undefined,
  ].filter(Boolean);
  if (missing.length > 0) {
    return { problem: `Missing ${missing.join(' and ')}: set the application's credentials.` };
  }
  const files: Record<string, string> = {};
  for (const [name, file] of Object.entries({
    'private key': privateKeyFile,
    certificate: certFile,
    key: keyFile,
    CA: caFile,
  })) {
    if (file === undefined) continue;
    try {
      files[name] = readFileSync(file, 'utf8');
    } catch (error) {
      return {
        problem: `Cannot read the ${name} file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      };
    }
  }
  const certificate =
    files.certificate === undefined ? undefined : { cert: files.certificate, key: files.key! };
  const clientAuthentication = (method ??
    (files['private key'] !== undefined
      ? 'private_key_jwt'
      : clientSecret === undefined
        ? 'tls_client_auth'
        : undefined)) as ClientAuthentication | undefined;
  const keyId = pick('key-id', 'BOOKABLE_KEY_ID');
  const tokenUrl = pick('token-url', 'BOOKABLE_TOKEN_URL');
  const audience = pick('audience', 'BOOKABLE_AUDIENCE');
  const scope = pick('scope', 'BOOKABLE_SCOPE');
  // Validated by createTokenProvider, which names any option that is wrong.
  const options = {
    clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(clientAuthentication === undefined ? {} : { clientAuthentication }),
    ...(files['private key'] === undefined ? {} : { privateKey: files['private key'] }),
    ...(keyId === undefined ? {} : { keyId }),
    ...(certificate === undefined ? {} : { tlsClientCertificate: certificate }),
    ...(files.CA === undefined ? {} : { httpsAgent: new HttpsAgent({ ca: files.CA }) }),
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    ...(audience === undefined ? {} : { audience }),
    ...(scope === undefined ? {} : { scope }),
  } as unknown as TokenProviderOptions;
  return { options };
}
