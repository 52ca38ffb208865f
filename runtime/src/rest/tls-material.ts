// Turns TlsSettings into the key, certificate chain and trusted CAs that
// node:tls takes, reading files where the settings name files; and watches
// those files so renewed certificates (a Kubernetes Secret volume updated in
// place) are used without a restart: new connections get the new material,
// open ones keep theirs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError } from '../sdk/index.js';
import type { TlsSettings } from './tls-settings.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The PEM blocks of a text, split into private keys and certificates. */
export function splitPem(text: string): { keys: string[]; certs: string[] } {
  const keys: string[] = [];
  const certs: string[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1]!.endsWith('PRIVATE KEY')) keys.push(m[0]);
    else if (m[1] === 'CERTIFICATE') certs.push(m[0]);
  }
  return { keys, certs };
}

function read(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(key, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The files the settings read (watched for renewals). */
export function materialFiles(s: TlsSettings): string[] {
  const files: string[] = [];
  if (s.keystore && s.keystore.kind !== 'pem-inline') files.push(s.keystore.path);
  if (s.truststore?.kind === 'pem-file') files.push(s.truststore.path);
  return files;
}

/**
 * Key, chain and CAs for node:tls; throws ConfigError naming the key when
 * a file is missing or holds no usable PEM. Checked by building a context,
 * so a wrong passphrase or a key that does not match the certificate fails
 * here rather than on the first connection.
 */
export function loadMaterial(s: TlsSettings): SecureContextOptions {
  const p = s.prefix;
  const out: SecureContextOptions = { minVersion: s.minVersion, maxVersion: s.maxVersion };
  const ks = s.keystore;
  if (ks?.kind === 'pkcs12-file') {
    out.pfx = read(ks.path, `${p}ssl.keystore.location`);
    if (s.passphrase !== undefined) out.passphrase = s.passphrase;
  } else if (ks) {
    const where = ks.kind === 'pem-file' ? `${p}ssl.keystore.location` : `${p}ssl.keystore.key`;
    const keyText = ks.kind === 'pem-file' ? read(ks.path, where).toString('utf8') : ks.key;
    const chainText = ks.kind === 'pem-file' ? keyText : ks.chain;
    const { keys } = splitPem(keyText);
    const { certs } = splitPem(chainText);
    if (keys.length !== 1) throw new ConfigError(where, `expected one PEM private key, found ${keys.length}`);
    if (certs.length === 0) throw new ConfigError(where, 'no PEM certificate found for the key');
    out.key = keys[0]!;
    out.cert = certs.join('\n');
    if (s.passphrase !== undefined) out.passphrase = s.passphrase;
  }
  if (s.truststore) {
    const where = s.truststore.kind === 'pem-file' ? `${p}ssl.truststore.location` : `${p}ssl.truststore.certificates`;
    const text =
      s.truststore.kind === 'pem-file' ? read(s.truststore.path, where).toString('utf8') : s.truststore.certificates;
    const { certs } = splitPem(text);
    if (certs.length === 0) throw new ConfigError(where, 'no PEM certificate found');
    out.ca = certs;
  }
  try {
    createSecureContext(out);
  } catch (err) {
    throw new ConfigError(`${p}ssl.keystore.location`, `unusable TLS material: ${(err as Error).message}`);
  }
  return out;
}

/** A fingerprint of the material's inputs, to notice a renewal. */
function inputsDigest(s: TlsSettings): string {
  const h = createHash('sha256');
  for (const f of materialFiles(s)) {
    try {
      h.update(readFileSync(f));
    } catch {
      h.update('missing:' + f);
    }
  }
  return h.digest('hex');
}

export interface MaterialWatch {
  current(): SecureContextOptions;
  stop(): void;
}

/**
 * Loads the material now (throwing on bad settings) and polls its files;
 * on a change that loads cleanly, calls onChange. A half-written or broken
 * renewal is reported and the previous material stays in use.
 */
export function watchMaterial(
  s: TlsSettings,
  onChange: (material: SecureContextOptions) => void,
  onError: (err: Error) => void,
  intervalMs = 5_000,
): MaterialWatch {
  let material = loadMaterial(s);
  let digest = inputsDigest(s);
  let failedDigest = '';
  const timer =
    materialFiles(s).length === 0
      ? undefined
      : setInterval(() => {
          const now = inputsDigest(s);
          if (now === digest || now === failedDigest) return;
          try {
            material = loadMaterial(s);
            digest = now;
            onChange(material);
          } catch (err) {
            failedDigest = now;
            onError(err as Error);
          }
        }, intervalMs);
  timer?.unref();
  return {
    current: () => material,
    stop: () => clearInterval(timer),
  };
}
