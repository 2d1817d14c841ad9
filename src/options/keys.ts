import {
  KeyObject,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
} from 'node:crypto';
import type { AssertionAlgorithm } from './provider-options.js';
import { invalid } from './validation.js';

/** Auth0 refuses client assertions signed with smaller RSA keys. */
const MIN_RSA_BITS = 2048;

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

const ENCRYPTION_KEY_HINT =
  'pass 32 random bytes, e.g. Buffer.from(process.env.TOKEN_STORE_KEY, "base64") with a value from `openssl rand -base64 32`';

/** Validates `storeEncryptionKey`: 32 bytes (A256GCM), as bytes or a secret `KeyObject`. */
export function resolveEncryptionKey(value: unknown): KeyObject | undefined {
  if (value === undefined) return undefined;
  let key: KeyObject;
  if (value instanceof KeyObject) {
    if (value.type !== 'secret') {
      throw invalid(
        `\`storeEncryptionKey\` must be a secret key, got a ${value.type} key: ${ENCRYPTION_KEY_HINT}`,
      );
    }
    key = value;
  } else if (value instanceof Uint8Array) {
    key = createSecretKey(value);
  } else {
    throw invalid(
      `\`storeEncryptionKey\` must be a Uint8Array (or Buffer) or a secret KeyObject, got ${typeof value}: ${ENCRYPTION_KEY_HINT}`,
    );
  }
  if (key.symmetricKeySize !== 32) {
    throw invalid(
      `\`storeEncryptionKey\` must be 32 bytes long for A256GCM, got ${key.symmetricKeySize}: ${ENCRYPTION_KEY_HINT}`,
    );
  }
  return key;
}
