import { X509Certificate, createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

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

/** RFC 4514 attribute type names (and the long names OpenSSL prints) to their OIDs. */
const ATTRIBUTE_TYPES: Record<string, string> = {
  CN: '2.5.4.3',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};

// An EC P-256 key takes well under a millisecond to make; RSA-2048 about 200 ms.
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

// The few parts of pkijs and asn1js used here. Their own typings need the DOM's WebCrypto types,
// which a Node project does not load, so they are imported by a computed name and typed locally.
interface Asn1Value {
  toBER(): ArrayBuffer;
}
interface Asn1js {
  Integer: new (params: { valueHex: Uint8Array }) => Asn1Value;
  Utf8String: new (params: { value: string }) => Asn1Value;
  PrintableString: new (params: { value: string }) => Asn1Value;
  IA5String: new (params: { value: string }) => Asn1Value;
  BitString: new (params: { unusedBits: number; valueHex: Uint8Array }) => Asn1Value;
  OctetString: new (params: { valueHex: ArrayBuffer | Uint8Array }) => Asn1Value;
  Sequence: new (params: { value: Asn1Value[] }) => Asn1Value;
  Set: new (params: { value: Asn1Value[] }) => Asn1Value;
}
interface PkiObject {
  toSchema(): Asn1Value;
}
interface Names {
  typesAndValues: { type: string; value: { valueBlock: { value: unknown } } }[];
}
interface PkiCertificate extends PkiObject {
  version: number;
  serialNumber: Asn1Value;
  subject: Names;
  issuer: Names;
  notBefore: { value: Date };
  notAfter: { value: Date };
  subjectPublicKeyInfo: {
    importKey(key: CryptoKey, engine: object): Promise<void>;
    subjectPublicKey: { valueBlock: { valueHexView: Uint8Array } };
  };
  extensions: object[];
  sign(key: CryptoKey, hash: string, engine: object): Promise<void>;
}
interface Pkijs {
  CryptoEngine: new (params: { name: string; crypto: unknown }) => object;
  Certificate: { new (): PkiCertificate; fromBER(der: Uint8Array): PkiCertificate };
  RelativeDistinguishedNames: new (params: {
    typesAndValues: Names['typesAndValues'];
    valueBeforeDecode: ArrayBuffer;
  }) => Names;
  AttributeTypeAndValue: new (params: {
    type: string;
    value: Asn1Value;
  }) => Names['typesAndValues'][number] & PkiObject;
  Extension: new (params: { extnID: string; critical: boolean; extnValue: ArrayBuffer }) => object;
  BasicConstraints: new (params: { cA: boolean }) => PkiObject;
  AuthorityKeyIdentifier: new (params: { keyIdentifier: Asn1Value }) => PkiObject;
  ExtKeyUsage: new (params: { keyPurposes: string[] }) => PkiObject;
  GeneralName: new (params: { type: number; value: unknown }) => object;
  GeneralNames: new (params: { names: object[] }) => PkiObject;
}
type CryptoKey = webcrypto.CryptoKey;
interface Libraries {
  pkijs: Pkijs;
  asn1js: Asn1js;
  engine: object;
}
const PKIJS: string = 'pkijs';
const ASN1JS: string = 'asn1js';

let libraries: Promise<Libraries> | undefined;

/** The code of the error thrown when TLS is asked for and pkijs or asn1js is not installed. */
export const TLS_LIBRARY_MISSING = 'testing_tls_library_missing';

/**
 * Loads pkijs and asn1js on first use: only TLS needs them, so the testing module works without
 * them installed (they are optional peer dependencies). A failed load is not cached.
 */
function loadLibraries(): Promise<Libraries> {
  // One import after the other: Jest's ESM loader fails on concurrent imports of shared modules.
  libraries ??= (async () => ({
    asn1js: (await import(ASN1JS)) as Asn1js,
    pkijs: (await import(PKIJS)) as Pkijs,
  }))().then(
    ({ pkijs, asn1js }) => ({
      pkijs,
      asn1js,
      // A private engine: pkijs's global one (setEngine) stays as the application left it.
      engine: new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }),
    }),
    (error: unknown) => {
      libraries = undefined;
      throw Object.assign(
        new Error(
          'TLS in the testing server needs the packages pkijs and asn1js, which are not installed: ' +
            'npm install --save-dev pkijs asn1js',
          { cause: error },
        ),
        { code: TLS_LIBRARY_MISSING },
      );
    },
  );
  return libraries;
}

/** One attribute of a distinguished name: its type's OID and its value. */
export interface DnAttribute {
  type: string;
  value: string;
}

/**
 * Parses an RFC 4514 distinguished name (most specific first) into its attributes, in the same
 * order. Backslash escapes (`\,`, `\2C`) are decoded; multi-valued RDNs (`a+b`) are refused.
 */
export function parseDn(dn: string): DnAttribute[] {
  const attributes: DnAttribute[] = [];
  let i = 0;
  const fail = (problem: string): never => {
    throw new TypeError(`Invalid distinguished name ${JSON.stringify(dn)}: ${problem}`);
  };
  while (i < dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq === -1) fail('an attribute has no "="');
    const name = dn.slice(i, eq).trim();
    const type = /^\d+(\.\d+)+$/.test(name) ? name : ATTRIBUTE_TYPES[name.toUpperCase()];
    if (type === undefined) fail(`unknown attribute type "${name}"`);
    i = eq + 1;
    const bytes: number[] = [];
    let lastSignificant = 0;
    while (i < dn.length && dn[i] === ' ') i++;
    for (; i < dn.length; i++) {
      const ch = dn[i]!;
      if (ch === ',' || ch === ';') break;
      if (ch === '+') fail('multi-valued RDNs are not supported');
      if (ch === '\\') {
        const hex = dn.slice(i + 1, i + 3);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 2;
        } else if (i + 1 < dn.length) {
          bytes.push(...Buffer.from(dn[i + 1]!, 'utf8'));
          i += 1;
        } else {
          fail('it ends with a lone backslash');
        }
        lastSignificant = bytes.length;
        continue;
      }
      bytes.push(...Buffer.from(ch, 'utf8'));
      if (ch !== ' ') lastSignificant = bytes.length;
    }
    const value = Buffer.from(bytes.slice(0, lastSignificant)).toString('utf8');
    if (value === '') fail(`the attribute "${name}" is empty`);
    attributes.push({ type: type!, value });
    i += 1; // the separator
  }
  if (attributes.length === 0) fail('it is empty');
  return attributes;
}

/** Whether two distinguished names are the same: same attributes, in order, values exact. */
export function sameDn(a: DnAttribute[], b: DnAttribute[]): boolean {
  return (
    a.length === b.length && a.every((x, i) => x.type === b[i]?.type && x.value === b[i].value)
  );
}

/** The subject of a DER certificate, most specific first (as RFC 4514 writes it). */
export async function subjectOf(der: Uint8Array): Promise<DnAttribute[]> {
  const { pkijs } = await loadLibraries();
  const certificate = pkijs.Certificate.fromBER(der);
  return certificate.subject.typesAndValues
    .map((tv) => ({
      type: tv.type,
      value: String(tv.value.valueBlock.value),
    }))
    .reverse();
}

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
