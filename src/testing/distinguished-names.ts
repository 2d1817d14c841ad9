import { loadLibraries } from './tls-libraries.js';

/** RFC 4514 attribute type names (and the long names OpenSSL prints) to their OIDs. */
export const ATTRIBUTE_TYPES: Record<string, string> = {
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
