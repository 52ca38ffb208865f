// What a cluster's REST certificates should be now, given what they are:
// a CA, the workers' server certificate, the operator's client certificate
// and a client certificate for people (kubectl port-forward + curl --cert).
// Pure apart from key generation (no client, the clock is an input).
//
// Renewal without downtime, in three steps when the CA changes:
//  1. a new CA joins the trust bundle next to the old one; certificates stay
//     signed by the old CA while the bundle reaches every worker (Secret
//     volumes are refreshed by the kubelet within about a minute, and the
//     workers reload the files without a restart);
//  2. after trustPropagationMs the certificates are re-issued by the new CA:
//     whoever has not reloaded yet still trusts both CAs;
//  3. after another trustPropagationMs the old CA leaves the bundle.
// Certificates alone (same CA) are re-issued before they expire in one step.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { certInfo, createCa, issue, splitCertificates, type KeyPair } from './pki.js';

export interface CaState extends KeyPair {
  /** the CA this one replaces, trusted until the overlap ends */
  readonly previousCert?: string | undefined;
  /** when this CA was made (ISO time) */
  readonly since?: string | undefined;
  /** the renewal request (KafkaConnect annotation value) this CA answered */
  readonly renewedFor?: string | undefined;
}

export interface PkiState {
  readonly ca?: CaState | undefined;
  readonly server?: KeyPair | undefined;
  readonly operator?: KeyPair | undefined;
  readonly user?: KeyPair | undefined;
}

export type Part = 'ca' | 'server' | 'operator' | 'user';

export interface PkiPolicy {
  readonly caValidityMs: number;
  readonly certValidityMs: number;
  /** renew a CA or certificate when less than this fraction of its lifetime is left */
  readonly renewAtRemainingFraction: number;
  /** how long a new CA is in the bundle before certificates use it, and the old CA stays after */
  readonly trustPropagationMs: number;
}

const DAY = 86_400_000;
export const DEFAULT_PKI_POLICY: PkiPolicy = {
  caValidityMs: 5 * 365 * DAY,
  certValidityMs: 365 * DAY,
  renewAtRemainingFraction: 1 / 6,
  trustPropagationMs: 3 * 60_000,
};

export interface PkiInput {
  readonly cluster: string;
  readonly namespace: string;
  readonly now: Date;
  /** subjectAltNames of the server certificate */
  readonly serverHosts: readonly string[];
  /** the KafkaConnect's sluice.dev/renew-certificates annotation, if any */
  readonly renewRequest?: string | undefined;
}

export interface PkiPlan {
  readonly state: Required<Pick<PkiState, 'ca' | 'server' | 'operator' | 'user'>>;
  readonly changed: ReadonlySet<Part>;
  /** PEM CAs every party trusts (the current CA, and the previous one during an overlap) */
  readonly bundle: string;
  /** when to look again (the next step of a renewal, or the next renewal) */
  readonly recheckAfterMs: number;
  /** what happened, for Events */
  readonly notes: readonly string[];
}

function usable(pair: KeyPair | undefined): boolean {
  if (!pair?.cert || !pair.key) return false;
  try {
    return new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key));
  } catch {
    return false;
  }
}

/** When a certificate should be renewed (its notAfter minus the renewal margin). */
function renewAt(cert: string, policy: PkiPolicy): number {
  const info = certInfo(cert);
  const life = info.notAfter.getTime() - info.notBefore.getTime();
  return info.notAfter.getTime() - life * policy.renewAtRemainingFraction;
}

const sameHosts = (cert: string, hosts: readonly string[]) => {
  const have = certInfo(cert)
    .altNames.map((n) => n.replace(/^(DNS|IP Address):/, ''))
    .sort();
  return JSON.stringify(have) === JSON.stringify([...hosts].sort());
};

export function planPki(current: PkiState, input: PkiInput, policy: PkiPolicy = DEFAULT_PKI_POLICY): PkiPlan {
  const now = input.now.getTime();
  const changed = new Set<Part>();
  const notes: string[] = [];
  // Backdated a little: clocks of the parties may differ.
  const notBefore = new Date(now - 5 * 60_000);

  let ca = current.ca;
  const renewRequested = input.renewRequest !== undefined && input.renewRequest !== (ca?.renewedFor ?? undefined);
  if (!ca || !usable(ca)) {
    const fresh = createCa(
      `${input.namespace}/${input.cluster} Connect REST CA`,
      notBefore,
      new Date(now + policy.caValidityMs),
    );
    ca = { ...fresh, since: input.now.toISOString(), renewedFor: input.renewRequest };
    changed.add('ca');
    notes.push('Created the REST API certificate authority');
  } else if (renewRequested || now >= renewAt(ca.cert, policy)) {
    const fresh = createCa(
      `${input.namespace}/${input.cluster} Connect REST CA`,
      notBefore,
      new Date(now + policy.caValidityMs),
    );
    ca = {
      ...fresh,
      previousCert: ca.cert,
      since: input.now.toISOString(),
      renewedFor: input.renewRequest ?? ca.renewedFor,
    };
    changed.add('ca');
    notes.push(
      `Renewing the REST API certificate authority (${renewRequested ? 'requested' : 'close to expiry'}): the new CA is trusted first, certificates move to it after ${Math.round(policy.trustPropagationMs / 1000)} s`,
    );
  }
  const signer: CaState = ca;
  const since = ca.since ? Date.parse(ca.since) : 0;
  const previousValid = ca.previousCert !== undefined && certInfo(ca.previousCert).notAfter.getTime() > now;
  const overlapStarted = !previousValid || now >= since + policy.trustPropagationMs;

  const signedByCurrent = (pair: KeyPair) => certInfo(pair.cert).signedBy(signer.cert);
  const signedByPrevious = (pair: KeyPair) => previousValid && certInfo(pair.cert).signedBy(signer.previousCert!);
  const leaf = (part: 'server' | 'operator' | 'user', commonName: string, hosts: readonly string[]): KeyPair => {
    const pair = current[part];
    const ok =
      pair !== undefined &&
      usable(pair) &&
      (signedByCurrent(pair) || (!overlapStarted && signedByPrevious(pair))) &&
      now < renewAt(pair.cert, policy) &&
      (part !== 'server' || sameHosts(pair.cert, hosts));
    if (ok) return pair;
    changed.add(part);
    return issue(signer, {
      commonName,
      hosts,
      usage: part === 'server' ? 'server' : 'client',
      notBefore,
      // never beyond the CA
      notAfter: new Date(Math.min(now + policy.certValidityMs, certInfo(signer.cert).notAfter.getTime())),
    });
  };
  const server = leaf('server', `${input.cluster}-connect.${input.namespace}`, input.serverHosts);
  const operator = leaf('operator', 'sluice-operator', []);
  const user = leaf('user', `${input.cluster}-connect-client`, []);
  if (changed.has('server') && !changed.has('ca')) notes.push('Issued the REST API server and client certificates');

  // The old CA leaves the bundle once every certificate is the new CA's and the overlap is over.
  let recheck = Number.POSITIVE_INFINITY;
  if (ca.previousCert !== undefined) {
    const allCurrent = [server, operator, user].every(signedByCurrent);
    const end = since + 2 * policy.trustPropagationMs;
    if (!previousValid || (allCurrent && now >= end)) {
      ca = { ...ca, previousCert: undefined };
      changed.add('ca');
      notes.push('Finished renewing the REST API certificate authority: the previous CA is no longer trusted');
    } else {
      recheck = Math.max(1_000, (overlapStarted ? end : since + policy.trustPropagationMs) - now);
    }
  }
  const nextRenewal =
    Math.min(...[ca.cert, server.cert, operator.cert, user.cert].map((c) => renewAt(c, policy))) - now;
  recheck = Math.min(recheck, Math.max(1_000, nextRenewal));
  const bundle = [ca.cert, ...(ca.previousCert ? [ca.previousCert] : [])].map((c) => c.trim()).join('\n') + '\n';
  return { state: { ca, server, operator, user }, changed, bundle, recheckAfterMs: recheck, notes };
}

/** The certificates of a bundle, for comparisons. */
export const bundleCertificates = splitCertificates;
