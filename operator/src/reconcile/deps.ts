// What the reconcilers need from the world, as narrow interfaces, so the
// operator wires real clients and tests can wire the same real clients with
// a different way to reach the workers' REST API.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Connector, KafkaConnect, Mode } from '../api/v1alpha1/index.js';
import type { ConnectApi } from '../connect/connect-client.js';
import type { ClusterGate } from '../connect/cluster-gate.js';
import type { ClusterWork } from './cluster-work.js';
import type { Applier, EventRecorder, Informer, Logger, RestClient } from '../kube/index.js';
import type { OperatorSettings } from '../model/desired.js';
import type { RestTlsManager } from '../tls/rest-tls-manager.js';

export interface ReconcileDeps {
  readonly clusters: Informer<KafkaConnect & KubernetesObject>;
  readonly connectors: Informer<Connector & KubernetesObject>;
  readonly deployments: Informer;
  readonly statefulSets: Informer;
  /** the operator's ConfigMaps (label app.kubernetes.io/managed-by) */
  readonly configMaps: Informer;
  readonly applier: Applier;
  readonly rest: RestClient;
  readonly events: EventRecorder;
  readonly settings: OperatorSettings;
  /**
   * REST client of a cluster's workers (in a cluster: its API Service, which
   * reaches the workers of either mode). `mode` (default: the spec's) names
   * which workload is meant during a mode switch.
   */
  readonly connectFor: (kc: KafkaConnect, mode?: Mode) => ConnectApi;
  /** REST client of one distributed worker (in a cluster: its pod's DNS name), for draining it. */
  readonly workerFor: (kc: KafkaConnect, ordinal: number) => ConnectApi;
  /** Health of each cluster's REST API, shared by its connectors (and the cluster reconciler). */
  readonly clusterGate: ClusterGate;
  /** Connector reconciles in flight per cluster, which a standalone runtime switch waits out (cluster-work.ts). */
  readonly clusterWork: ClusterWork;
  /** How long a Connector's delete waits for its workers to confirm before the finalizer goes anyway. */
  readonly connectorDeleteGraceMs: number;
  readonly now: () => Date;
  /** unit of the auto-restart backoff (Strimzi: one minute) */
  readonly restartUnitMs: number;
  readonly logger: Logger;
  /** the clusters' REST certificates (absent: the reconciler leaves them alone) */
  readonly restTls?: RestTlsManager;
}
