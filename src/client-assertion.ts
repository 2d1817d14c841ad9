import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { BookableAuthError } from './errors.js';

/** Signing algorithms Auth0 accepts for client assertions. */
export type AssertionAlgorithm = 'RS256' | 'RS384' | 'PS256';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_LIFETIME_SECONDS = 60;
const MIN_RSA_BITS = 2048;

function invalid(message: string): BookableAuthError {
  return new BookableAuthError('invalid_options', message);
}

/**
 * Turns `privateKey` (PEM, `KeyObject` or JWK) into a private `KeyObject` and checks that it can
 * sign with `algorithm`, at creation: a public key, a non-RSA key, an RSA key under 2048 bits or
 * an algorithm the key cannot do is a configuration error, not a failed request. Messages never
 * quote the key.
 */
export function resolvePrivateKey(value: unknown, algorithm: AssertionAlgorithm): KeyObject {
  let key: KeyObject;
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as KeyObject).type !== undefined &&
    typeof (value as KeyObject).export === 'function'
  ) {
    key = value as KeyObject;
  } else if (typeof value === 'string' || (typeof value === 'object' && value !== null)) {
    try {
      key =
        typeof value === 'string'
          ? createPrivateKey(value)
          : createPrivateKey({ key: value as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch {
      let isPublic = false;
      try {
        isPublic =
          (typeof value === 'string'
            ? createPublicKey(value)
            : createPublicKey({ key: value as import('node:crypto').JsonWebKey, format: 'jwk' })
          ).type === 'public';
      } catch {
        // neither
      }
      throw invalid(
        isPublic
          ? '`privateKey` is a public key: pass the private key (the public one is what you register with Auth0)'
          : '`privateKey` is not a readable private key: pass a PEM string (PKCS#8 or PKCS#1), a KeyObject or a private JWK',
      );
    }
  } else {
    throw invalid("`privateKey` is required with clientAuthentication: 'private_key_jwt'");
  }
  if (key.type !== 'private') {
    throw invalid(
      '`privateKey` is a public key: pass the private key (the public one is what you register with Auth0)',
    );
  }
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'rsa-pss') {
    throw invalid(
      `\`privateKey\` is a ${type ?? 'non-RSA'} key, but Auth0 accepts RS256, RS384 and PS256: use an RSA key`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw invalid(`\`privateKey\` is a ${bits}-bit RSA key: use at least ${MIN_RSA_BITS} bits`);
  }
  if (type === 'rsa-pss' && algorithm !== 'PS256') {
    throw invalid(
      `\`privateKey\` is an RSA-PSS key, which cannot sign ${algorithm}: set \`algorithm: 'PS256'\``,
    );
  }
  return key;
}

/** Signs a fresh client assertion for each token request (RFC 7523, as Auth0 requires it). */
export function createAssertionSigner(options: {
  clientId: string;
  key: KeyObject;
  algorithm: AssertionAlgorithm;
  keyId: string | undefined;
  audience: string;
}): () => Promise<string> {
  const { clientId, key, algorithm, keyId, audience } = options;
  return () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({
        alg: algorithm,
        typ: 'JWT',
        ...(keyId === undefined ? {} : { kid: keyId }),
      })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
      .sign(key);
  };
}
