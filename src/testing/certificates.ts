import { X509Certificate, createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { ATTRIBUTE_TYPES, parseDn, type DnAttribute } from './distinguished-names.js';
import { loadLibraries, type CryptoKey, type Libraries } from './tls-libraries.js';

/** A certificate and its private key, both PEM (the key in PKCS #8). */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** What a certificate made for tests says. */
export interface CertificateRequest {
  /**
   * The subject distinguished name in RFC 4514 form, most specific first, e.g.
   * `'CN=billing-service,O=Example Corp,C=GB'`. Attribute types: CN, O, OU, C, ST, L, STREET, DC,
   * UID, SERIALNUMBER, EMAILADDRESS, or a dotted OID.
   */
  subject: string;
  /** @default one minute ago */
  notBefore?: Date;
  /** @default one day from now */
  notAfter?: Date;
}

/** A certificate authority generated in memory, for a test server and its clients. */
export interface TestCertificateAuthority {
  /** The CA certificate (PEM): give it to clients as `ca`. */
  readonly cert: string;
  /** Issues a server certificate for these host names and IP addresses (its SAN). */
  issueServerCertificate(hostnames: string[]): Promise<CertificateAndKey>;
  /** Issues a client certificate (extended key usage `clientAuth`). */
  issueClientCertificate(request: CertificateRequest): Promise<CertificateAndKey>;
}

// X.509 object identifiers used below.
const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

// An EC P-256 key takes well under a millisecond to make; RSA-2048 about 200 ms.
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The certificate's SHA-256 thumbprint, base64url-encoded: the `x5t#S256` of RFC 8705, and what
 * Auth0 matches a self-signed certificate by.
 */
export function certificateThumbprint(certificate: string | Uint8Array): string {
  const der = typeof certificate === 'string' ? new X509Certificate(certificate).raw : certificate;
  return createHash('sha256').update(der).digest('base64url');
}

function toPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

interface Signer {
  subject: DnAttribute[];
  privateKey: CryptoKey;
  keyIdentifier: ArrayBuffer;
}

interface Profile {
  subject: DnAttribute[];
  notBefore?: Date | undefined;
  notAfter?: Date | undefined;
  ca?: boolean;
  extendedKeyUsage?: string;
  hostnames?: string[];
  /** Signs with this issuer's key; self-signed when absent. */
  issuer?: Signer;
}

async function makeCertificate(
  libs: Libraries,
  profile: Profile,
): Promise<CertificateAndKey & { signer: Signer }> {
  const { pkijs, asn1js, engine } = libs;
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero
  certificate.serialNumber = new asn1js.Integer({ valueHex: serial });

  const name = (attributes: DnAttribute[]) => {
    // DER lists the most general attribute first: the reverse of RFC 4514.
    const typesAndValues = [...attributes].reverse().map(({ type, value }) => {
      const asn1Value =
        type === ATTRIBUTE_TYPES.C
          ? new asn1js.PrintableString({ value })
          : type === ATTRIBUTE_TYPES.EMAILADDRESS || type === ATTRIBUTE_TYPES.DC
            ? new asn1js.IA5String({ value })
            : new asn1js.Utf8String({ value });
      return new pkijs.AttributeTypeAndValue({ type, value: asn1Value });
    });
    // One attribute per RDN. pkijs on its own would put them all in a single multi-valued RDN.
    const der = new asn1js.Sequence({
      value: typesAndValues.map((tv) => new asn1js.Set({ value: [tv.toSchema()] })),
    }).toBER();
    return new pkijs.RelativeDistinguishedNames({ typesAndValues, valueBeforeDecode: der });
  };
  certificate.subject = name(profile.subject);
  certificate.issuer = name(profile.issuer?.subject ?? profile.subject);
  certificate.notBefore.value = profile.notBefore ?? new Date(now - 60_000);
  certificate.notAfter.value = profile.notAfter ?? new Date(now + DAY_MS);
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
  const keyIdentifier = await webcrypto.subtle.digest(
    'SHA-1',
    certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
  );

  const extension = (extnID: string, critical: boolean, value: { toBER(): ArrayBuffer }) =>
    new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
  const extensions = [
    extension(
      OID.basicConstraints,
      true,
      new pkijs.BasicConstraints({ cA: profile.ca === true }).toSchema(),
    ),
    // keyCertSign + cRLSign for a CA, digitalSignature otherwise (bit string, first bit first).
    extension(
      OID.keyUsage,
      true,
      profile.ca === true
        ? new asn1js.BitString({ unusedBits: 1, valueHex: new Uint8Array([0x06]) })
        : new asn1js.BitString({ unusedBits: 7, valueHex: new Uint8Array([0x80]) }),
    ),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier })),
  ];
  if (profile.issuer !== undefined) {
    extensions.push(
      extension(
        OID.authorityKeyIdentifier,
        false,
        new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: profile.issuer.keyIdentifier }),
        }).toSchema(),
      ),
    );
  }
  if (profile.extendedKeyUsage !== undefined) {
    extensions.push(
      extension(
        OID.extKeyUsage,
        false,
        new pkijs.ExtKeyUsage({ keyPurposes: [profile.extendedKeyUsage] }).toSchema(),
      ),
    );
  }
  if (profile.hostnames !== undefined) {
    const names = profile.hostnames.map((host) => {
      const family = isIP(host);
      if (family === 0) return new pkijs.GeneralName({ type: 2, value: host });
      const bytes = family === 4 ? Uint8Array.from(host.split('.').map(Number)) : ipv6Bytes(host);
      return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: bytes }) });
    });
    extensions.push(
      extension(OID.subjectAltName, false, new pkijs.GeneralNames({ names }).toSchema()),
    );
  }
  certificate.extensions = extensions;
  await certificate.sign(profile.issuer?.privateKey ?? keys.privateKey, 'SHA-256', engine);

  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    cert: toPem(certificate.toSchema().toBER(), 'CERTIFICATE'),
    key: toPem(pkcs8, 'PRIVATE KEY'),
    signer: { subject: profile.subject, privateKey: keys.privateKey, keyIdentifier },
  };
}

function ipv6Bytes(address: string): Uint8Array {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return Uint8Array.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/**
 * Generates a certificate authority in memory (EC P-256, valid for a day), which issues server
 * and client certificates. Needs the optional peer dependencies pkijs and asn1js.
 */
export async function createTestCertificateAuthority(
  subject = 'CN=bookable-axios-auth test CA',
): Promise<TestCertificateAuthority> {
  const libs = await loadLibraries();
  const ca = await makeCertificate(libs, { subject: parseDn(subject), ca: true });
  return {
    cert: ca.cert,
    async issueServerCertificate(hostnames) {
      const { cert, key } = await makeCertificate(libs, {
        subject: [{ type: ATTRIBUTE_TYPES.CN!, value: hostnames[0] ?? 'localhost' }],
        extendedKeyUsage: OID.serverAuth,
        hostnames,
        issuer: ca.signer,
      });
      return { cert, key };
    },
    async issueClientCertificate(request) {
      const { cert, key } = await makeCertificate(libs, {
        subject: parseDn(request.subject),
        notBefore: request.notBefore,
        notAfter: request.notAfter,
        extendedKeyUsage: OID.clientAuth,
        issuer: ca.signer,
      });
      return { cert, key };
    },
  };
}

/**
 * Makes a self-signed client certificate (EC P-256), as `openssl req -x509` does: what Auth0's
 * `self_signed_tls_client_auth` registers. Needs the optional peer dependencies pkijs and asn1js.
 */
export async function createSelfSignedCertificate(
  request: CertificateRequest,
): Promise<CertificateAndKey> {
  const libs = await loadLibraries();
  const { cert, key } = await makeCertificate(libs, {
    subject: parseDn(request.subject),
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    extendedKeyUsage: OID.clientAuth,
  });
  return { cert, key };
}
