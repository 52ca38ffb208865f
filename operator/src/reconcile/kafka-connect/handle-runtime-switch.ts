// A runtime switch (sluice <-> apache), seen in the world: the live
// workload's pods run another runtime than spec.runtime (runtime-switch.ts).
import { handleRuntimeSwitch as handle } from '../runtime-switch.js';
import { proceed, type Step } from '../steps.js';
import type { ClusterPass } from './pass.js';

export const handleRuntimeSwitch: Step<ClusterPass> = {
  name: 'handle-runtime-switch',
  async run({ deps, kc, memory }) {
    await handle(deps, kc, memory);
    return proceed;
  },
};
