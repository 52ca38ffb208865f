// What one Connector reconcile pass knows: the resource and its cluster as
// loaded, the connector's memory, and what earlier steps found out (each
// field says which step sets it).
import type { Connector, KafkaConnect } from '../../api/v1alpha1/index.js';
import type { ConnectApi, ConnectorConfig, ConnectorStatus } from '../../connect/connect-client.js';
import type { AutoRestartDecision } from '../connector-logic.js';
import type { ReconcileDeps } from '../deps.js';
import type { ConnectorMemory } from '../memory.js';

export interface ConnectorPass {
  readonly deps: ReconcileDeps;
  /** namespace/name */
  readonly key: string;
  readonly cr: Connector;
  /** the KafkaConnect spec.clusterRef names, when it exists */
  readonly cluster: KafkaConnect | undefined;
  readonly memory: ConnectorMemory;
  /** require-cluster: the cluster's worker selector, for the status */
  labelSelector?: string;
  /** probe-cluster: the cluster's REST API, behind its health gate */
  client?: ConnectApi;
  /** seal-secrets: the config to send (secrets as placeholders) and the Secrets it uses */
  wanted?: ConnectorConfig;
  secrets?: readonly string[];
  /** read-status: the connector's status as the workers report it */
  status?: ConnectorStatus;
  /** offsets-on-demand: what the last offsets request did, for the Ready message */
  offsetsNote?: string;
  /** auto-restart: the decision and its counters, for the status */
  restart?: AutoRestartDecision;
}

/** How often to mirror status while healthy, and to look again while not. */
export const RESYNC_MS = 60_000;
export const UNSETTLED_MS = 3_000;
export const CLUSTER_WAIT_MS = 10_000;
