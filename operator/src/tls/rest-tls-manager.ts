// Keeps each KafkaConnect's REST certificates in their Secrets (creating,
// renewing, rotating the CA: rest-pki-plan.ts) and hands the operator's
// Connect client its client certificate. The Secrets are read from the
// apiserver when not known (operator start) and every few minutes (someone
// may have deleted one); otherwise the last state applied is reused.
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { ForeignSecretsError } from '../errors.js';
import type { V1Secret } from '@kubernetes/client-node';
import {
  FIELD_MANAGER,
  isNotFound,
  type Applier,
  type EventRecorder,
  type Logger,
  type RestClient,
} from '../kube/index.js';
import { describeForeign, ownedBy } from '../reconcile/ownership.js';
import { planPki, DEFAULT_PKI_POLICY, type PkiPolicy, type PkiState, type Part } from './rest-pki-plan.js';
import { clientMaterialFromSecret, pkiStateFromSecrets, restTlsSecrets } from '../model/rest-tls-secrets.js';
import { serverHosts } from '../model/rest-tls.js';
import { RENEW_CERTIFICATES_ANNOTATION } from '../model/labels.js';
import { restTlsNames } from '../model/names.js';
import { tlsFetch, type ClientMaterial } from './tls-fetch.js';

const REREAD_MS = 5 * 60_000;

export interface RestTlsDeps {
  readonly rest: RestClient;
  readonly applier: Applier;
  readonly events: EventRecorder;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly policy?: PkiPolicy;
}

interface Known {
  uid: string;
  state: PkiState;
  readAt: number;
}

export class RestTlsManager {
  private readonly known = new Map<string, Known>();
  private readonly clients = new Map<string, ClientMaterial>();
  private readonly policy: PkiPolicy;

  constructor(private readonly deps: RestTlsDeps) {
    this.policy = deps.policy ?? DEFAULT_PKI_POLICY;
  }

  /** Brings the cluster's certificates up to date; returns when to look again (ms). */
  async ensure(kc: KafkaConnect): Promise<number> {
    const namespace = kc.metadata.namespace ?? 'default';
    const name = kc.metadata.name;
    const key = `${namespace}/${name}`;
    const uid = kc.metadata.uid ?? '';
    const now = this.deps.now();
    let known = this.known.get(key);
    if (!known || known.uid !== uid || now.getTime() - known.readAt >= REREAD_MS) {
      known = { uid, state: await this.read(kc), readAt: now.getTime() };
      this.known.set(key, known);
    }
    const plan = planPki(
      known.state,
      {
        cluster: name,
        namespace,
        now,
        serverHosts: serverHosts(name, namespace),
        renewRequest: kc.metadata.annotations?.[RENEW_CERTIFICATES_ANNOTATION],
      },
      this.policy,
    );
    if (plan.changed.size > 0) {
      const secrets = restTlsSecrets(kc, plan);
      // The CA (and so the bundle in every Secret) changed: all of them; else only the re-issued ones.
      const parts: Part[] = ['ca', 'server', 'operator', 'user'];
      for (const [i, s] of secrets.entries()) {
        if (plan.changed.has('ca') || plan.changed.has(parts[i]!)) await this.deps.applier.apply(s);
      }
      for (const note of plan.notes) await this.deps.events.normal(kc, 'RestCertificates', note);
      this.deps.logger.info('REST certificates updated', { cluster: key, changed: [...plan.changed].join(',') });
    }
    known.state = plan.state;
    this.clients.set(key, { ca: plan.bundle, cert: plan.state.operator.cert, key: plan.state.operator.key });
    return plan.recheckAfterMs;
  }

  /** A fetch that calls the cluster's workers with the operator's client certificate. */
  fetchFor(kc: KafkaConnect): typeof fetch {
    const namespace = kc.metadata.namespace ?? 'default';
    const name = kc.metadata.name;
    return tlsFetch(() => this.clientMaterial(namespace, name));
  }

  /** The operator's client material; read from its Secret when this operator has not made it. */
  async clientMaterial(namespace: string, name: string): Promise<ClientMaterial> {
    const cached = this.clients.get(`${namespace}/${name}`);
    if (cached) return cached;
    const material = clientMaterialFromSecret(await this.get(namespace, restTlsNames.operator(name)));
    if (!material) throw new Error(`no REST client certificate yet (Secret ${restTlsNames.operator(name)})`);
    return material;
  }

  forget(namespace: string, name: string): void {
    this.known.delete(`${namespace}/${name}`);
    this.clients.delete(`${namespace}/${name}`);
  }

  /** The Secrets as they are; throws ForeignSecretsError when one exists that this KafkaConnect does not own. */
  private async read(kc: KafkaConnect): Promise<PkiState> {
    const namespace = kc.metadata.namespace ?? 'default';
    const name = kc.metadata.name;
    const secrets = await Promise.all(
      [restTlsNames.ca, restTlsNames.server, restTlsNames.operator, restTlsNames.user].map((n) =>
        this.get(namespace, n(name)),
      ),
    );
    const foreign = secrets.filter(
      (s): s is NonNullable<typeof s> => s !== undefined && !ownedBy(s, kc, FIELD_MANAGER),
    );
    if (foreign.length > 0) throw new ForeignSecretsError(foreign.map((s) => describeForeign(s)));
    const [ca, server, operator, user] = secrets;
    return pkiStateFromSecrets({ ca, server, operator, user });
  }

  private async get(namespace: string, name: string) {
    try {
      return await this.deps.rest.request<V1Secret>({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
