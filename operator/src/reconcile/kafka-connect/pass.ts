// What one KafkaConnect reconcile pass knows: the resource, its memory, the
// time the pass began, and what earlier steps found out (each field says
// which step sets it).
import type { KafkaConnect } from '../../api/v1alpha1/index.js';
import type { PluginInfo } from '../../connect/connect-client.js';
import type { Desired } from '../../model/desired.js';
import type { ObservedWorkload } from '../cluster-status.js';
import type { ReconcileDeps } from '../deps.js';
import type { ClusterMemory } from '../memory.js';

export interface ClusterPass {
  readonly deps: ReconcileDeps;
  /** namespace/name */
  readonly key: string;
  readonly kc: KafkaConnect;
  readonly memory: ClusterMemory;
  /** when the pass began (ms) */
  readonly now: number;
  /** objects of the cluster's names that are not its own, left alone (reported as ResourceConflict) */
  readonly conflicts: string[];
  /** requests the apiserver refused for good (reported as ApplyFailed) */
  readonly failures: string[];
  /** ensure-rest-certificates: when a certificate step is due next (ms; Infinity: none) */
  tlsRecheckMs: number;
  /** drain-before-scale-down: departing workers still drain; the StatefulSet keeps this size meanwhile */
  drainingAt?: number;
  /** build-desired: the objects of the cluster's mode */
  desired?: Desired;
  /** observe-workers: the workload of the cluster's mode, and the plugins its workers offer */
  workload?: ObservedWorkload;
  plugins?: PluginInfo[];
}
