import {
  KeyObject,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  type JsonWebKey,
} from 'node:crypto';
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

/** A PEM string or a JWK as node:crypto's key input. */
export function keyInput(value: string | JsonWebKey): string | { key: JsonWebKey; format: 'jwk' } {
  return typeof value === 'string' ? value : { key: value, format: 'jwk' };
}

const PUBLIC_KEY_GIVEN =
  '`privateKey` is a public key: pass the private key (the public one is what you register with Auth0)';

/**
 * Turns `privateKey` (PEM, `KeyObject` or JWK) into a private `KeyObject` and checks that it can
 * sign with `algorithm`, at creation: a public key, a non-RSA key, an RSA key under 2048 bits or
 * an algorithm the key cannot do is a configuration error, not a failed request. Messages never
 * quote the key.
 */
export function resolvePrivateKey(value: unknown, algorithm: AssertionAlgorithm): KeyObject {
  if (typeof value !== 'string' && (typeof value !== 'object' || value === null)) {
    throw invalid("`privateKey` is required with clientAuthentication: 'private_key_jwt'");
  }
  let key: KeyObject;
  if (value instanceof KeyObject) {
    key = value;
  } else {
    const input = keyInput(value as string | JsonWebKey);
    try {
      key = createPrivateKey(input);
    } catch {
      let isPublic = false;
      try {
        isPublic = createPublicKey(input).type === 'public';
      } catch {
        // neither a private nor a public key
      }
      throw invalid(
        isPublic
          ? PUBLIC_KEY_GIVEN
          : '`privateKey` is not a readable private key: pass a PEM string (PKCS#8 or PKCS#1), a KeyObject or a private JWK',
      );
    }
  }
  if (key.type !== 'private') throw invalid(PUBLIC_KEY_GIVEN);
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
