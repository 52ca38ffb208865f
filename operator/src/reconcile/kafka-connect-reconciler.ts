// Reconciles a KafkaConnect as a fixed list of steps (reconcile/kafka-connect/,
// one file each): load (gone: forget it), then certificates, offsets kept
// across a mode or runtime switch, a drained scale-down, the desired objects
// of its mode built and applied, the other mode's removed, the workers
// observed, and status written once.
import { splitKey, type ReconcileResult } from '../kube/index.js';
import type { ReconcileDeps } from './deps.js';
import { Memories, newClusterMemory, type ClusterMemory } from './memory.js';
import { runSteps, type Step } from './steps.js';
import type { ClusterPass } from './kafka-connect/pass.js';
import { ensureRestCertificates } from './kafka-connect/ensure-rest-certificates.js';
import { carryOffsetsAcrossModeSwitch } from './kafka-connect/carry-offsets-across-mode-switch.js';
import { handleRuntimeSwitch } from './kafka-connect/handle-runtime-switch.js';
import { drainBeforeScaleDown } from './kafka-connect/drain-before-scale-down.js';
import { buildDesired } from './kafka-connect/build-desired.js';
import { applyDesired } from './kafka-connect/apply-desired.js';
import { removeObsolete } from './kafka-connect/remove-obsolete.js';
import { observeWorkers } from './kafka-connect/observe-workers.js';
import { reportStatus } from './kafka-connect/report-status.js';

/** One pass, in order; the last step says when to look again. */
export const KAFKA_CONNECT_STEPS: readonly Step<ClusterPass>[] = [
  ensureRestCertificates,
  carryOffsetsAcrossModeSwitch,
  handleRuntimeSwitch,
  drainBeforeScaleDown,
  buildDesired,
  applyDesired,
  removeObsolete,
  observeWorkers,
  reportStatus,
];

export function kafkaConnectReconciler(
  deps: ReconcileDeps,
  memories: Memories<ClusterMemory> = new Memories(newClusterMemory),
) {
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const kc = deps.clusters.get(namespace, name);
    if (!kc || kc.metadata.deletionTimestamp) {
      memories.forget(key);
      deps.clusterGate.forget(key);
      deps.restTls?.forget(namespace ?? 'default', name);
      return; // owned objects are garbage-collected
    }
    const pass: ClusterPass = {
      deps,
      key,
      kc,
      memory: memories.of(key),
      now: deps.now().getTime(),
      conflicts: [],
      failures: [],
      tlsRecheckMs: Infinity,
    };
    return runSteps(KAFKA_CONNECT_STEPS, pass);
  };
}
