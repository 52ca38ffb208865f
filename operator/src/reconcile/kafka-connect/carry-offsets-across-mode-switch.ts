// A mode switch, seen in the world: the workload of the other mode is still
// there. Before anything of the new mode runs, stop the old workers' source
// connectors and keep their offsets for the new workers (offsets-handoff.ts).
// Once per switch (the memory, and the hand-off ConfigMap's origin, say so).
import { OFFSETS_FROM_ANNOTATION } from '../../model/labels.js';
import { obsoleteKinds } from '../../model/desired.js';
import { names } from '../../model/names.js';
import { resolvedMode } from '../../model/spec.js';
import { keepSourceOffsets } from '../offsets-handoff.js';
import { proceed, type Step } from '../steps.js';
import { cachedVersion } from './children.js';
import type { ClusterPass } from './pass.js';

export const carryOffsetsAcrossModeSwitch: Step<ClusterPass> = {
  name: 'carry-offsets-across-mode-switch',
  async run({ deps, kc, memory }) {
    const namespace = kc.metadata.namespace;
    const old = obsoleteKinds(kc).find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
    if (!old || cachedVersion(deps, old.kind, namespace, old.name) === '') {
      memory.offsetsCapturedFor = undefined;
      return proceed;
    }
    const fromMode = old.kind === 'Deployment' ? 'standalone' : 'distributed';
    const toMode = resolvedMode(kc);
    const marker = `${kc.metadata.uid ?? ''}/${fromMode}`;
    // Once per switch: remembered here too, as the ConfigMap may not be in the cache yet.
    if (memory.offsetsCapturedFor === marker) return proceed;
    const existing = deps.configMaps.get(namespace, names.offsetsHandoff(kc.metadata.name));
    if (existing?.metadata?.annotations?.[OFFSETS_FROM_ANNOTATION] === fromMode) return proceed;
    const client = deps.connectFor(kc, fromMode);
    if (!(await client.health())) {
      await deps.events.warning(
        kc,
        'OffsetsNotCarried',
        `The ${fromMode} workers are not reachable: source connectors start from the offsets the ${toMode} workers have`,
      );
      return proceed;
    }
    const { kept, note } = await keepSourceOffsets(deps.applier, kc, client, fromMode);
    memory.offsetsCapturedFor = marker;
    await deps.events.normal(
      kc,
      'OffsetsCaptured',
      `Stopped ${kept} source connector(s) on the ${fromMode} workers and kept their offsets for the ${toMode} workers${note}`,
    );
    return proceed;
  },
};
