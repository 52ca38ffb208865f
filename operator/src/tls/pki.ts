// Certificates for a Connect cluster's REST API: a CA, server certificates
// (serverAuth + clientAuth: the workers also call each other with them) and
// client certificates. node:crypto makes the keys (native RSA) and parses
// certificates (X509Certificate) but cannot sign one: node-forge (pinned,
// no dependencies) builds and signs the X.509 structures.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyPair {
  /** PEM certificate */
  readonly cert: string;
  /** PEM private key (PKCS#1) */
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

const ORG = 'Sluice';

function rsaKey(): { pub: forge.pki.rsa.PublicKey; priv: forge.pki.rsa.PrivateKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { pub, priv, pem: privateKey };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f; // positive
  return bytes.toString('hex');
}

function subject(commonName: string): forge.pki.CertificateField[] {
  return [
    { name: 'organizationName', value: ORG },
    { name: 'commonName', value: commonName.slice(0, 64) },
  ];
}

/** A self-signed CA certificate and its key. */
export function createCa(commonName: string, notBefore: Date, notAfter: Date): KeyPair {
  const k = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject(commonName));
  cert.setIssuer(subject(commonName));
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.priv, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: k.pem };
}

/** A certificate signed by `ca`. */
export function issue(ca: KeyPair, o: IssueOptions): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const k = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = o.notBefore;
  cert.validity.notAfter = o.notAfter;
  cert.setSubject(subject(o.commonName));
  cert.setIssuer(caCert.subject.attributes);
  const altNames = (o.hosts ?? []).map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    // Workers present their server certificate when they call each other.
    { name: 'extKeyUsage', serverAuth: o.usage === 'server', clientAuth: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: k.pem };
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
