import { randomUUID, type KeyObject } from 'node:crypto';
import type { AssertionAlgorithm } from '../options/provider-options.js';

const ASSERTION_LIFETIME_SECONDS = 60;

/** What a client assertion is signed with; the key was validated at creation. */
export interface AssertionSettings {
  clientId: string;
  key: KeyObject;
  algorithm: AssertionAlgorithm;
  keyId: string | undefined;
  audience: string;
}

/** Signs a fresh client assertion for each token request (RFC 7523, as Auth0 requires it). */
export function createAssertionSigner(settings: AssertionSettings): () => Promise<string> {
  const { clientId, key, algorithm, keyId, audience } = settings;
  // JWT signing is loaded only for private_key_jwt, from the provider's creation on.
  const jwt = import('jose/jwt/sign');
  jwt.catch(() => {}); // a failure surfaces on first use, not as an unhandled rejection
  return async () => {
    const { SignJWT } = await jwt;
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
