import { webcrypto } from 'node:crypto';

// The few parts of pkijs and asn1js used here. Their own typings need the DOM's WebCrypto types,
// which a Node project does not load, so they are imported by a computed name and typed locally.
export interface Asn1Value {
  toBER(): ArrayBuffer;
}
export interface Asn1js {
  Integer: new (params: { valueHex: Uint8Array }) => Asn1Value;
  Utf8String: new (params: { value: string }) => Asn1Value;
  PrintableString: new (params: { value: string }) => Asn1Value;
  IA5String: new (params: { value: string }) => Asn1Value;
  BitString: new (params: { unusedBits: number; valueHex: Uint8Array }) => Asn1Value;
  OctetString: new (params: { valueHex: ArrayBuffer | Uint8Array }) => Asn1Value;
  Sequence: new (params: { value: Asn1Value[] }) => Asn1Value;
  Set: new (params: { value: Asn1Value[] }) => Asn1Value;
}
export interface PkiObject {
  toSchema(): Asn1Value;
}
export interface Names {
  typesAndValues: { type: string; value: { valueBlock: { value: unknown } } }[];
}
export interface PkiCertificate extends PkiObject {
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
export interface Pkijs {
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
export type CryptoKey = webcrypto.CryptoKey;
export interface Libraries {
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
export function loadLibraries(): Promise<Libraries> {
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
