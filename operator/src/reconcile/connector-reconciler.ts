// Reconciles a Connector through its cluster's REST API, as a fixed list of
// steps (reconcile/connector/, one file each): load (gone: forget it), then
// the finalizer, the cluster and its health, the config (created with
// initial_state or PUT only on drift), state, restarts and offsets on
// demand, automatic restarts, and the status mirrored once.
import { splitKey, type ReconcileResult } from '../kube/index.js';
import type { ReconcileDeps } from './deps.js';
import { Memories, newConnectorMemory, type ConnectorMemory } from './memory.js';
import { runSteps, type Step } from './steps.js';
import type { ConnectorPass } from './connector/pass.js';
import { finalizeDeletion } from './connector/finalize-deletion.js';
import { ensureFinalizer } from './connector/ensure-finalizer.js';
import { requireCluster } from './connector/require-cluster.js';
import { waitForModeSwitch } from './connector/wait-for-mode-switch.js';
import { waitForRuntimeSwitch } from './connector/wait-for-runtime-switch.js';
import { probeCluster } from './connector/probe-cluster.js';
import { sealSecrets } from './connector/seal-secrets.js';
import { carryOffsets } from './connector/carry-offsets.js';
import { syncConfig } from './connector/sync-config.js';
import { readStatus } from './connector/read-status.js';
import { alignState } from './connector/align-state.js';
import { restartOnDemand } from './connector/restart-on-demand.js';
import { offsetsOnDemand } from './connector/offsets-on-demand.js';
import { autoRestart } from './connector/auto-restart.js';
import { reportStatus } from './connector/report-status.js';

/** One pass, in order; a step may end it early (done, or look again after a while). */
export const CONNECTOR_STEPS: readonly Step<ConnectorPass>[] = [
  finalizeDeletion,
  ensureFinalizer,
  requireCluster,
  waitForModeSwitch,
  waitForRuntimeSwitch,
  probeCluster,
  sealSecrets,
  carryOffsets,
  syncConfig,
  readStatus,
  alignState,
  restartOnDemand,
  offsetsOnDemand,
  autoRestart,
  reportStatus,
];

export function connectorReconciler(
  deps: ReconcileDeps,
  memories: Memories<ConnectorMemory> = new Memories(newConnectorMemory),
) {
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cr = deps.connectors.get(namespace, name);
    if (!cr) {
      memories.forget(key);
      return;
    }
    const cluster = deps.clusters.get(namespace, cr.spec.clusterRef.name);
    return runSteps(CONNECTOR_STEPS, { deps, key, cr, cluster, memory: memories.of(key) });
  };
}
