// Certificates for a Connect cluster's REST API: a CA, server certificates
// (serverAuth + clientAuth: the workers also call each other with them) and
// client certificates, all ECDSA P-256. node:crypto makes the keys (under a
// millisecond, where RSA-2048 took 100-700 ms of blocked event loop) and
// signs; node-forge (pinned, no dependencies) only encodes the X.509 ASN.1
// structures (it cannot sign with EC keys itself).
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyPair {
  /** PEM certificate */
  readonly cert: string;
  /** PEM private key (PKCS#8) */
  readonly key: string;
}

export type Usage = 'server' | 'client';

export interface IssueOptions {
  readonly commonName: string;
  /** host names (wildcards allowed) and IP addresses, as subjectAltName */
  readonly hosts?: readonly string[];
  readonly usage: Usage;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const A = forge.asn1;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const ORG = 'Sluice';

const seq = (value: forge.asn1.Asn1[]) => A.create(A.Class.UNIVERSAL, A.Type.SEQUENCE, true, value);
const signatureAlgorithm = () =>
  seq([A.create(A.Class.UNIVERSAL, A.Type.OID, false, A.oidToDer(ECDSA_WITH_SHA256).getBytes())]);
// RFC 5280: UTCTime through 2049, GeneralizedTime after.
const time = (d: Date) =>
  d.getUTCFullYear() < 2050
    ? A.create(A.Class.UNIVERSAL, A.Type.UTCTIME, false, A.dateToUtcTime(d))
    : A.create(A.Class.UNIVERSAL, A.Type.GENERALIZEDTIME, false, A.dateToGeneralizedTime(d));

interface Fields {
  subjectCn: string;
  /** issuer subject attributes; undefined: self-signed */
  issuerCn?: string;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Buffer;
  extensions: object[];
  /** the issuer's public key (SPKI DER); undefined: self-signed */
  issuerSpkiDer?: Buffer;
  signingKey: string;
}

const keyId = (spkiDer: Buffer) => createHash('sha1').update(spkiDer).digest();

const dn = (cn: string) => {
  // forge fills in the attribute types (OIDs) when a certificate's subject is set.
  const holder = forge.pki.createCertificate();
  holder.setSubject([
    { name: 'organizationName', value: ORG },
    { name: 'commonName', value: cn.slice(0, 64) },
  ]);
  return forge.pki.distinguishedNameToAsn1(holder.subject);
};

function build(f: Fields): string {
  const holder = forge.pki.createCertificate();
  holder.setExtensions(f.extensions as never);
  // Key identifiers from our own keys (forge would derive them from an RSA key).
  const octets = (b: Buffer) => A.create(A.Class.UNIVERSAL, A.Type.OCTETSTRING, false, b.toString('binary'));
  holder.extensions.push({ id: '2.5.29.14', critical: false, value: octets(keyId(f.spkiDer)) });
  if (f.issuerSpkiDer)
    holder.extensions.push({
      id: '2.5.29.35',
      critical: false,
      value: seq([A.create(A.Class.CONTEXT_SPECIFIC, 0, false, keyId(f.issuerSpkiDer).toString('binary'))]),
    });
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive INTEGER
  serial[0]! |= 0x01; // without a leading zero byte
  const tbs = seq([
    A.create(A.Class.CONTEXT_SPECIFIC, 0, true, [
      A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, A.integerToDer(2).getBytes()),
    ]),
    A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, serial.toString('binary')),
    signatureAlgorithm(),
    dn(f.issuerCn ?? f.subjectCn),
    seq([time(f.notBefore), time(f.notAfter)]),
    dn(f.subjectCn),
    A.fromDer(f.spkiDer.toString('binary')),
    (forge.pki as unknown as { certificateExtensionsToAsn1(e: unknown): forge.asn1.Asn1 }).certificateExtensionsToAsn1(
      holder.extensions,
    ),
  ]);
  const tbsDer = Buffer.from(A.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, createPrivateKey(f.signingKey));
  const cert = seq([
    tbs,
    signatureAlgorithm(),
    A.create(A.Class.UNIVERSAL, A.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  const der = Buffer.from(A.toDer(cert).getBytes(), 'binary');
  return new X509Certificate(der).toString();
}

function ecKey(): { key: string; spkiDer: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { key: privateKey, spkiDer: publicKey };
}

/** A self-signed CA certificate and its key. */
export function createCa(commonName: string, notBefore: Date, notAfter: Date): KeyPair {
  const k = ecKey();
  const cert = build({
    subjectCn: commonName,
    notBefore,
    notAfter,
    spkiDer: k.spkiDer,
    signingKey: k.key,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert, key: k.key };
}

/** A certificate signed by `ca`. */
export function issue(ca: KeyPair, o: IssueOptions): KeyPair {
  const caX509 = new X509Certificate(ca.cert);
  const caSpki = caX509.publicKey.export({ type: 'spki', format: 'der' });
  const k = ecKey();
  const altNames = (o.hosts ?? []).map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  const cert = build({
    subjectCn: o.commonName,
    issuerCn: /CN=([^\n,]*)/.exec(caX509.subject)?.[1] ?? 'CA',
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    spkiDer: k.spkiDer,
    signingKey: ca.key,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      // Workers present their server certificate when they call each other.
      { name: 'extKeyUsage', serverAuth: o.usage === 'server', clientAuth: true },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    ],
    issuerSpkiDer: caSpki,
  });
  return { cert, key: k.key };
}

export interface CertInfo {
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly fingerprint: string;
  readonly subject: string;
  /** subjectAltName entries, e.g. ["DNS:a.b", "IP Address:127.0.0.1"] */
  readonly altNames: string[];
  /** whether `issuer` signed this certificate */
  signedBy(issuer: string): boolean;
}

export function certInfo(pem: string): CertInfo {
  const x = new X509Certificate(pem);
  return {
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    fingerprint: x.fingerprint256,
    subject: x.subject,
    altNames: (x.subjectAltName ?? '').split(', ').filter(Boolean),
    signedBy(issuer) {
      try {
        const ca = new X509Certificate(issuer);
        return x.checkIssued(ca) && x.verify(ca.publicKey);
      } catch {
        return false;
      }
    },
  };
}

/** The PEM certificates in a bundle. */
export function splitCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}
