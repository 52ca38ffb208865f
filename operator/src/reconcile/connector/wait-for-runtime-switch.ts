// While a standalone cluster switches runtimes (runtime-switch.ts), the
// connector keeps off the workers: the old worker's source offsets were
// captured (or are about to be), so nothing may resume there, and the
// handed-off offsets are for the new worker. It moves once the new pod
// template has replaced the old worker. The memory notes that a switch was
// seen, so carry-offsets reads the hand-off fresh.
import { resolvedRuntime } from '../../model/spec.js';
import { runtimeSwitchPending } from '../runtime-switch.js';
import { need, proceed, requeueAfter, type Step } from '../steps.js';
import type { ConnectorPass } from './pass.js';
import { clusterFields, reportNotReady } from './report.js';

const RUNTIME_SWITCH_RECHECK_MS = 2_000;

export const waitForRuntimeSwitch: Step<ConnectorPass> = {
  name: 'wait-for-runtime-switch',
  async run(pass) {
    const cluster = need(pass.cluster, 'cluster');
    if (!(await runtimeSwitchPending(pass.deps, cluster))) return proceed;
    pass.memory.lastMode = 'switching';
    await reportNotReady(
      pass,
      'RuntimeSwitching',
      `KafkaConnect ${cluster.metadata.name} is switching to the ${resolvedRuntime(cluster)} runtime; the connector resumes on the new worker`,
      clusterFields(pass),
    );
    return requeueAfter(RUNTIME_SWITCH_RECHECK_MS);
  },
};
