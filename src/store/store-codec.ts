import { createHash, type KeyObject } from 'node:crypto';
import type { TokenResponse } from '../token-endpoint/token-response.js';

/** What a store entry holds: the token response, bound to the key it was written under. */
interface StoredRecord {
  v: 1;
  key: string;
  accessToken: string;
  requestedAtMs: number;
  expiresIn?: number;
  scope?: string;
}

/** Turns token responses into store values and back, encrypting them when given a key. */
export interface StoreCodec {
  /** The store key of this provider's token (the lock lives beside it). */
  readonly key: string;
  encode(response: TokenResponse): Promise<string>;
  /** Undefined for a value that is not a record of this key; throws when decryption fails. */
  decode(value: string): Promise<TokenResponse | undefined>;
}

/**
 * The store key: a hash of what makes tokens interchangeable (token URL, client id, audience,
 * scope) and never of the secret. With encryption, a fingerprint of the key joins the hash, so
 * processes with different keys (a key rotation rolling out) keep apart instead of overwriting
 * each other's entries.
 */
export function storeKey(
  identity: { tokenUrl: string; clientId: string; audience: string; scope: string | undefined },
  encryptionKey: KeyObject | undefined,
): string {
  const parts = [identity.tokenUrl, identity.clientId, identity.audience, identity.scope ?? ''];
  if (encryptionKey !== undefined) {
    parts.push(createHash('sha256').update(encryptionKey.export()).digest('base64url'));
  }
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  return `token:${digest}`;
}

export function createStoreCodec(key: string, encryptionKey: KeyObject | undefined): StoreCodec {
  const toRecord = (response: TokenResponse): string => {
    const record: StoredRecord = {
      v: 1,
      key,
      accessToken: response.accessToken,
      requestedAtMs: response.requestedAtMs,
    };
    if (response.expiresIn !== undefined) record.expiresIn = response.expiresIn;
    if (response.scope !== undefined) record.scope = response.scope;
    return JSON.stringify(record);
  };
  const fromRecord = (json: string): TokenResponse | undefined => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return undefined;
    }
    const r = parsed as Partial<StoredRecord> | null;
    if (
      typeof r !== 'object' ||
      r === null ||
      r.v !== 1 ||
      r.key !== key ||
      typeof r.accessToken !== 'string' ||
      r.accessToken === '' ||
      typeof r.requestedAtMs !== 'number' ||
      (r.expiresIn !== undefined && typeof r.expiresIn !== 'number') ||
      (r.scope !== undefined && typeof r.scope !== 'string')
    ) {
      return undefined;
    }
    return {
      accessToken: r.accessToken,
      requestedAtMs: r.requestedAtMs,
      expiresIn: r.expiresIn,
      scope: r.scope,
    };
  };

  if (encryptionKey === undefined) {
    return {
      key,
      encode: (response) => Promise.resolve(toRecord(response)),
      decode: (value) => Promise.resolve(fromRecord(value)),
    };
  }
  // JWE is loaded only for a provider that encrypts, from its creation on (not on every start).
  // One after the other: they share modules, which Jest's ESM loader cannot link twice at once.
  const jwe = import('jose/jwe/compact/encrypt').then(
    async (encrypt) => [encrypt, await import('jose/jwe/compact/decrypt')] as const,
  );
  jwe.catch(() => {}); // a failure surfaces on first use, not as an unhandled rejection
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    key,
    encode: async (response) => {
      const [{ CompactEncrypt }] = await jwe;
      return new CompactEncrypt(encoder.encode(toRecord(response)))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .encrypt(encryptionKey);
    },
    decode: async (value) => {
      const [, { compactDecrypt }] = await jwe;
      const { plaintext } = await compactDecrypt(value, encryptionKey, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return fromRecord(decoder.decode(plaintext));
    },
  };
}
