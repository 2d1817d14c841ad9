import { KeyObject, createPublicKey, type JsonWebKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { jwtVerify } from 'jose';
import { keyInput } from '../options/keys.js';
import { certificateThumbprint } from './certificates.js';
import { parseDn, sameDn, subjectOf, type DnAttribute } from './distinguished-names.js';

/*
 * How the test authorization server reads a token request: its parameters, and the client's
 * credentials in it (a secret, in the body or a Basic header; an assertion), or, failing those,
 * its TLS client certificate.
 */

/** The credentials a token request carries in its body or headers. */
export interface Credentials {
  clientId?: string;
  clientSecret?: string;
  assertion?: string;
}

export function credentialsOf(req: IncomingMessage, params: Record<string, string>): Credentials {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  }
  return {
    ...(params.client_id === undefined ? {} : { clientId: params.client_id }),
    ...(params.client_secret === undefined ? {} : { clientSecret: params.client_secret }),
    ...(params.client_assertion_type === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' &&
    params.client_assertion !== undefined
      ? { assertion: params.client_assertion }
      : {}),
  };
}

export function parseParams(
  req: IncomingMessage,
  body: string,
): Record<string, string> | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  try {
    if (type === 'application/json') {
      const json = JSON.parse(body) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
    }
    if (type === 'application/x-www-form-urlencoded') {
      return Object.fromEntries(new URLSearchParams(body));
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** How a client registered for mutual TLS is recognized by its certificate. */
export interface MutualTlsRegistration {
  subjectDn?: DnAttribute[];
  thumbprint?: string;
}

export type MutualTlsResult = { ok: true; thumbprint: string } | { ok: false; description: string };

/**
 * Authenticates a request that carries neither secret nor assertion by its TLS client certificate,
 * as RFC 8705 section 2 describes: `tls_client_auth` needs a certificate issued by the server's
 * CA with the registered subject DN, `self_signed_tls_client_auth` the registered certificate.
 */
export async function authenticateByCertificate(
  req: IncomingMessage,
  registration: MutualTlsRegistration,
): Promise<MutualTlsResult> {
  const socket = req.socket as Partial<TLSSocket>;
  const peer =
    typeof socket.getPeerX509Certificate === 'function'
      ? socket.getPeerX509Certificate()
      : undefined;
  if (peer === undefined) return { ok: false, description: 'Client certificate required' };
  const thumbprint = certificateThumbprint(peer.raw);
  if (registration.thumbprint !== undefined && registration.thumbprint === thumbprint) {
    return { ok: true, thumbprint };
  }
  if (registration.subjectDn !== undefined) {
    if (socket.authorized !== true) {
      return registration.thumbprint === undefined
        ? {
            ok: false,
            description: `Client certificate not issued by a trusted CA (${String(socket.authorizationError)})`,
          }
        : {
            ok: false,
            description: 'Client certificate does not match the registered credentials',
          };
    }
    if (sameDn(await subjectOf(peer.raw), registration.subjectDn)) return { ok: true, thumbprint };
  }
  return { ok: false, description: 'Client certificate does not match the registered credentials' };
}

/** The credentials a test client registers besides a secret. */
export interface ClientRegistration {
  clientId: string;
  publicKey?: string | KeyObject | JsonWebKey | undefined;
  tlsClientAuthSubjectDn?: string | undefined;
  selfSignedTlsClientAuthCertificate?: string | undefined;
}

/**
 * What the server checks of each client's non-secret credentials: its certificate registration
 * (mutual TLS) and its public key (private_key_jwt). A client registered for mutual TLS on a
 * server without TLS is refused at start.
 */
export function clientRegistrations(
  clients: readonly ClientRegistration[],
  tls: boolean,
): {
  mutualTls: Map<string, MutualTlsRegistration>;
  /** Verifies a client assertion as Auth0 does: signature, iss = sub = client, aud, exp, unused jti. */
  verifyAssertion(clientId: string, assertion: string, audience: string): Promise<boolean>;
} {
  const mutualTls = new Map<string, MutualTlsRegistration>();
  const publicKeys = new Map<string, KeyObject>();
  for (const client of clients) {
    const { tlsClientAuthSubjectDn: dn, selfSignedTlsClientAuthCertificate: cert } = client;
    if (dn !== undefined || cert !== undefined) {
      if (!tls) {
        throw new TypeError(
          `The test client "${client.clientId}" authenticates with mutual TLS: start the server with \`tls\``,
        );
      }
      mutualTls.set(client.clientId, {
        ...(dn === undefined ? {} : { subjectDn: parseDn(dn) }),
        ...(cert === undefined ? {} : { thumbprint: certificateThumbprint(cert) }),
      });
    }
    const key = client.publicKey;
    if (key !== undefined) {
      publicKeys.set(
        client.clientId,
        key instanceof KeyObject
          ? key.type === 'public'
            ? key
            : createPublicKey(key)
          : createPublicKey(keyInput(key)),
      );
    }
  }
  const seenAssertionIds = new Set<string>();
  return {
    mutualTls,
    async verifyAssertion(clientId, assertion, audience) {
      const key = publicKeys.get(clientId);
      if (key === undefined) return false;
      try {
        const { payload } = await jwtVerify(assertion, key, {
          issuer: clientId,
          subject: clientId,
          audience,
          algorithms: ['RS256', 'RS384', 'PS256'],
          requiredClaims: ['exp', 'jti'],
          maxTokenAge: 300,
        });
        if (seenAssertionIds.has(payload.jti!)) return false;
        seenAssertionIds.add(payload.jti!);
        return true;
      } catch {
        return false;
      }
    },
  };
}
