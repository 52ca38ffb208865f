// Test certificates for the runtime's TLS tests: a CA and certificates it
// signs, made fresh per run (no key material in the repository). The
// operator makes the real ones (operator/src/tls/pki.ts); the runtime image
// does not carry operator code, hence this small twin.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestPair {
  cert: string;
  key: string;
}

function make(
  cn: string,
  signer: TestPair | undefined,
  o: { ca?: boolean; hosts?: string[]; days?: number },
): TestPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + (o.days ?? 1) * 86_400_000);
  const attrs = [{ name: 'commonName', value: cn }];
  cert.setSubject(attrs);
  const signerCert = signer ? forge.pki.certificateFromPem(signer.cert) : undefined;
  cert.setIssuer(signerCert ? signerCert.subject.attributes : attrs);
  cert.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
          {
            name: 'subjectAltName',
            altNames: (o.hosts ?? []).map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
          },
        ],
  );
  const signKey = signer ? (forge.pki.privateKeyFromPem(signer.key) as forge.pki.rsa.PrivateKey) : priv;
  cert.sign(signKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}

export const testCa = (cn = 'test-ca'): TestPair => make(cn, undefined, { ca: true, days: 2 });
export const testCert = (ca: TestPair, cn: string, hosts = ['localhost', '127.0.0.1']): TestPair =>
  make(cn, ca, { hosts });
