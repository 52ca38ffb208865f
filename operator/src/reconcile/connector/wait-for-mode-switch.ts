// While the cluster's workload of the other mode still exists (a mode switch
// under way, seen in the world), the connector waits: it moves to the new
// workers once the old ones are gone and their offsets are kept. The memory
// notes that a switch was seen, so carry-offsets reads the hand-off fresh.
import { names } from '../../model/names.js';
import { resolvedMode } from '../../model/spec.js';
import { need, proceed, requeueAfter, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';
import { clusterFields, reportNotReady } from './report.js';

const MODE_SWITCH_RECHECK_MS = 2_000;

export const waitForModeSwitch: Step<ConnectorPass> = {
  name: 'wait-for-mode-switch',
  async run(pass) {
    const { deps } = pass;
    const cluster = need(pass.cluster, 'cluster');
    const mode = resolvedMode(cluster);
    const other = mode === 'standalone' ? deps.statefulSets : deps.deployments;
    if (other.get(cluster.metadata.namespace, names.workload(cluster.metadata.name)) === undefined) return proceed;
    pass.memory.lastMode = 'switching';
    await reportNotReady(
      pass,
      'ModeSwitching',
      `KafkaConnect ${cluster.metadata.name} is switching to ${mode} mode; the connector moves once the old workers are gone`,
      clusterFields(pass),
    );
    return requeueAfter(MODE_SWITCH_RECHECK_MS);
  },
};
