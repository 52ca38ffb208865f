// The Secrets that hold a KafkaConnect's REST certificates (the CA, the
// workers' server certificate, the operator's and people's client
// certificates), built from a plan of tls/rest-pki-plan.ts, and read back
// into the state the next plan starts from. Pure: the certificates are made
// in tls/; here they are only stored, under the names of names.ts and the
// keys of labels.ts.
import type { V1Secret } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import type { KeyPair } from '../tls/pki.js';
import type { CaState, PkiPlan, PkiState } from '../tls/rest-pki-plan.js';
import { CA_SINCE_ANNOTATION, RENEWED_FOR_ANNOTATION, restTlsLabels } from './labels.js';
import { restTlsNames } from './names.js';
import { objectMeta } from './owner.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

function secret(
  kc: KafkaConnect,
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): V1Secret {
  const meta = objectMeta(kc, name, restTlsLabels(kc.metadata.name), annotations);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta,
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** The four Secrets of a plan. */
export function restTlsSecrets(kc: KafkaConnect, plan: PkiPlan): V1Secret[] {
  const c = kc.metadata.name;
  const { ca, server, operator, user } = plan.state;
  const caAnnotations: Record<string, string> = {};
  if (ca.since) caAnnotations[CA_SINCE_ANNOTATION] = ca.since;
  if (ca.renewedFor !== undefined) caAnnotations[RENEWED_FOR_ANNOTATION] = ca.renewedFor;
  const client = (p: KeyPair) => ({ 'tls.crt': p.cert, 'tls.key': p.key, 'ca.crt': plan.bundle });
  return [
    secret(
      kc,
      restTlsNames.ca(c),
      { 'ca.crt': ca.cert, 'ca.key': ca.key, ...(ca.previousCert ? { 'previous-ca.crt': ca.previousCert } : {}) },
      caAnnotations,
    ),
    // keystore.pem: key and chain in one file, so a renewal is one atomic file (Kafka's PEM keystore file).
    secret(kc, restTlsNames.server(c), { ...client(server), 'keystore.pem': server.key + server.cert }),
    secret(kc, restTlsNames.operator(c), client(operator)),
    secret(kc, restTlsNames.user(c), client(user)),
  ];
}

type SecretLike = { data?: Record<string, string>; metadata?: { annotations?: Record<string, string> } } | undefined;

const pair = (s: SecretLike): KeyPair | undefined => {
  const cert = unb64(s?.data?.['tls.crt']);
  const key = unb64(s?.data?.['tls.key']);
  return cert && key ? { cert, key } : undefined;
};

/** What the Secrets hold now (missing pieces are undefined). */
export function pkiStateFromSecrets(s: {
  ca: SecretLike;
  server: SecretLike;
  operator: SecretLike;
  user: SecretLike;
}): PkiState {
  const caCert = unb64(s.ca?.data?.['ca.crt']);
  const caKey = unb64(s.ca?.data?.['ca.key']);
  const annotations = s.ca?.metadata?.annotations ?? {};
  const ca: CaState | undefined =
    caCert && caKey
      ? {
          cert: caCert,
          key: caKey,
          previousCert: unb64(s.ca?.data?.['previous-ca.crt']),
          since: annotations[CA_SINCE_ANNOTATION],
          renewedFor: annotations[RENEWED_FOR_ANNOTATION],
        }
      : undefined;
  return { ca, server: pair(s.server), operator: pair(s.operator), user: pair(s.user) };
}

/** The operator's client material from its Secret (CA bundle, certificate, key). */
export function clientMaterialFromSecret(s: SecretLike): { ca: string; cert: string; key: string } | undefined {
  const p = pair(s);
  const ca = unb64(s?.data?.['ca.crt']);
  return p && ca ? { ...p, ca } : undefined;
}
