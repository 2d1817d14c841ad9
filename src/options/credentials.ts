import type { KeyObject } from 'node:crypto';
import { resolvePrivateKey } from './keys.js';
import type {
  AssertionAlgorithm,
  ClientAuthentication,
  PrivateKeyJwtAuthentication,
  TokenProviderOptions,
  TokenProviderSettings,
} from './provider-options.js';
import { invalid, oneOf, requireString } from './validation.js';

/** How the client authenticates, validated; the token request is built from it. */
export type ResolvedCredentials =
  | { method: 'client_secret_post' | 'client_secret_basic'; clientSecret: string }
  | {
      method: 'private_key_jwt';
      privateKey: KeyObject;
      algorithm: AssertionAlgorithm;
      keyId: string | undefined;
      assertionAudience: string;
    }
  | { method: 'tls_client_auth' | 'self_signed_tls_client_auth' };

/**
 * Validates what the client authenticates with, for the method chosen: a secret, a private key
 * with its algorithm, key id and assertion audience, or (mutual TLS) the certificate, which the
 * transport holds (see transport.ts). A secret or key given where none is used is refused, so it
 * cannot leak.
 */
export function resolveCredentials(
  options: TokenProviderOptions,
  method: ClientAuthentication,
  tokenUrl: string,
): ResolvedCredentials {
  if (method === 'tls_client_auth' || method === 'self_signed_tls_client_auth') {
    for (const unused of ['clientSecret', 'privateKey'] as const) {
      if ((options as unknown as Record<string, unknown>)[unused] !== undefined) {
        throw invalid(
          `\`${unused}\` is not used with ${method}, where the client certificate authenticates: remove it, so it cannot leak`,
        );
      }
    }
    return { method };
  }
  if (method !== 'private_key_jwt') {
    return {
      method,
      clientSecret: requireString(
        options.clientSecret,
        'clientSecret',
        "pass the application's client secret, e.g. from an environment variable (or use clientAuthentication: 'private_key_jwt')",
      ),
    };
  }
  const o = options as TokenProviderSettings & PrivateKeyJwtAuthentication;
  if (o.clientSecret !== undefined) {
    throw invalid('`clientSecret` is not used with private_key_jwt: remove it, so it cannot leak');
  }
  const algorithm = oneOf<AssertionAlgorithm>(
    o.algorithm,
    'algorithm',
    ['RS256', 'RS384', 'PS256'],
    'RS256',
  );
  if (o.keyId !== undefined) requireString(o.keyId, 'keyId', "pass the key's id as registered");
  const assertionAudience =
    o.assertionAudience === undefined
      ? `${new URL(tokenUrl).origin}/`
      : requireString(
          o.assertionAudience,
          'assertionAudience',
          "pass the tenant's URL, e.g. 'https://tenant.eu.auth0.com/'",
        );
  return {
    method,
    privateKey: resolvePrivateKey(o.privateKey, algorithm),
    algorithm,
    keyId: o.keyId,
    assertionAudience,
  };
}
