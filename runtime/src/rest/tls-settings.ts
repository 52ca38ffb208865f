// The TLS settings of an https listener, from Kafka's keys: the
// `listeners.https.` (or `admin.listeners.https.`) prefixed `ssl.*` keys when
// any is given, else the unprefixed `ssl.*` keys (Kafka's "all or nothing").
// Key and trust material as PEM (a file or inline) or a PKCS12 keystore file.
// Pure: reading the files is tls-material.ts's job.
import { ConfigError } from '../sdk/index.js';

export type ClientAuth = 'required' | 'requested' | 'none';

export type KeySource =
  | { readonly kind: 'pem-file'; readonly path: string }
  | { readonly kind: 'pem-inline'; readonly chain: string; readonly key: string }
  | { readonly kind: 'pkcs12-file'; readonly path: string };

export type TrustSource =
  { readonly kind: 'pem-file'; readonly path: string } | { readonly kind: 'pem-inline'; readonly certificates: string };

export interface TlsSettings {
  /** the key prefix the settings came from ('' for unprefixed), for error messages */
  readonly prefix: string;
  readonly keystore: KeySource | undefined;
  /** ssl.key.password (an encrypted PEM key) or ssl.keystore.password (PKCS12) */
  readonly passphrase: string | undefined;
  readonly truststore: TrustSource | undefined;
  readonly clientAuth: ClientAuth;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  /** ssl.endpoint.identification.algorithm: 'https' checks the server's host name (client side) */
  readonly verifyHostname: boolean;
}

/** Kafka's AbstractConfig.valuesWithPrefixAllOrNothing for `ssl.*` keys. */
export function sslKeys(
  raw: Readonly<Record<string, string>>,
  prefix: string,
): { keys: Record<string, string>; prefix: string } {
  const prefixed: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith(prefix + 'ssl.')) prefixed[k.slice(prefix.length)] = v;
  if (Object.keys(prefixed).length > 0) return { keys: prefixed, prefix };
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith('ssl.')) plain[k] = v;
  return { keys: plain, prefix: '' };
}

export function tlsSettings(raw: Readonly<Record<string, string>>, prefix: string): TlsSettings {
  const { keys, prefix: used } = sslKeys(raw, prefix);
  const get = (k: string): string | undefined => {
    const v = keys[k];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const fail = (k: string, msg: string): never => {
    throw new ConfigError(used + k, msg);
  };

  const ksType = (get('ssl.keystore.type') ?? 'JKS').toUpperCase();
  const ksLocation = get('ssl.keystore.location');
  const chain = get('ssl.keystore.certificate.chain');
  const key = get('ssl.keystore.key');
  let keystore: KeySource | undefined;
  if (chain !== undefined || key !== undefined) {
    if (ksType !== 'PEM')
      fail('ssl.keystore.type', 'must be PEM with ssl.keystore.certificate.chain and ssl.keystore.key');
    if (chain === undefined || key === undefined)
      fail('ssl.keystore.key', 'ssl.keystore.certificate.chain and ssl.keystore.key go together');
    if (ksLocation !== undefined)
      fail('ssl.keystore.location', 'give either a keystore file or inline PEM (certificate.chain and key), not both');
    keystore = { kind: 'pem-inline', chain: chain!, key: key! };
  } else if (ksLocation !== undefined) {
    if (ksType === 'PEM') keystore = { kind: 'pem-file', path: ksLocation };
    else if (ksType === 'PKCS12') keystore = { kind: 'pkcs12-file', path: ksLocation };
    else fail('ssl.keystore.type', `${ksType} keystores are not supported: use PEM or PKCS12`);
  }
  const passphrase =
    keystore?.kind === 'pkcs12-file' ? get('ssl.keystore.password') : (get('ssl.key.password') ?? undefined);

  const tsType = (get('ssl.truststore.type') ?? 'JKS').toUpperCase();
  const tsLocation = get('ssl.truststore.location');
  const certificates = get('ssl.truststore.certificates');
  let truststore: TrustSource | undefined;
  if (certificates !== undefined || tsLocation !== undefined) {
    if (tsType !== 'PEM') fail('ssl.truststore.type', `${tsType} truststores are not supported: use PEM`);
    if (certificates !== undefined && tsLocation !== undefined)
      fail('ssl.truststore.location', 'give either a truststore file or ssl.truststore.certificates, not both');
    truststore =
      certificates !== undefined ? { kind: 'pem-inline', certificates } : { kind: 'pem-file', path: tsLocation! };
  }

  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase();
  if (!['required', 'requested', 'none'].includes(clientAuth))
    fail('ssl.client.auth', `"${clientAuth}" is not one of required, requested, none`);
  if (clientAuth !== 'none' && truststore === undefined)
    fail('ssl.client.auth', `ssl.client.auth=${clientAuth} needs a truststore (the CA of the client certificates)`);

  const protocols = (get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const known = protocols.filter((p): p is 'TLSv1.2' | 'TLSv1.3' => p === 'TLSv1.2' || p === 'TLSv1.3');
  if (known.length === 0) fail('ssl.enabled.protocols', 'must include TLSv1.2 or TLSv1.3');
  const algorithm = (keys['ssl.endpoint.identification.algorithm'] ?? 'https').trim().toLowerCase();

  return {
    prefix: used,
    keystore,
    passphrase,
    truststore,
    clientAuth: clientAuth as ClientAuth,
    minVersion: known.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3',
    maxVersion: known.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2',
    verifyHostname: algorithm === 'https',
  };
}

/** For a server: a key is needed. */
export function requireKeystore(s: TlsSettings): void {
  if (!s.keystore)
    throw new ConfigError(
      `${s.prefix}ssl.keystore.location`,
      `an https listener needs a keystore: ${s.prefix}ssl.keystore.type=PEM with ${s.prefix}ssl.keystore.location, or ${s.prefix}ssl.keystore.certificate.chain and ${s.prefix}ssl.keystore.key`,
    );
}
