// Objects of the other mode that the cluster owns are removed (foreground,
// so the old pods are gone before the new mode's workers take over their
// work). Someone else's object of such a name is not ours to remove. What
// is known gone is remembered for a while, so it is not asked about each pass.
import { resolvedMode } from '../../model/spec.js';
import { need, proceed, type Step } from '../steps.js';
import { beingDeleted, cachedVersion, foreignObject } from './children.js';
import type { ClusterPass } from './pass.js';
import { fresh } from './reapply.js';

export const removeObsolete: Step<ClusterPass> = {
  name: 'remove-obsolete',
  async run(pass) {
    const { deps, kc, memory, now } = pass;
    const namespace = kc.metadata.namespace;
    const records = memory.applied;
    const d = need(pass.desired, 'desired');
    // Objects of this mode are not "gone" any more.
    for (const obj of d.objects) records.delete(`-${obj.kind}/${obj.metadata?.name ?? ''}`);
    for (const old of d.obsoleteKinds) {
      const goneKey = `-${old.kind}/${old.name}`;
      const gone = `${kc.metadata.uid ?? ''}:gone`;
      // Watched kinds: the cache says whether there is anything to delete; others: known gone lately.
      if (cachedVersion(deps, old.kind, namespace, old.name) === '' || fresh(pass, goneKey, gone, undefined, old.name))
        continue;
      // A workload already being deleted (foreground: until its pods are gone) is not removed again.
      if (beingDeleted(deps, old.kind, namespace, old.name)) continue;
      records.delete(`${old.kind}/${old.name}`);
      if (await foreignObject(deps, kc, old)) {
        records.set(goneKey, { hash: gone, at: now, version: undefined });
        continue;
      }
      if (await deps.applier.delete({ ...old, namespace }, { propagationPolicy: 'Foreground' })) {
        await deps.events.normal(
          kc,
          'ModeChanged',
          `Removed ${old.kind} ${old.name}: the cluster now runs in ${resolvedMode(kc)} mode`,
        );
      } else {
        records.set(goneKey, { hash: gone, at: now, version: undefined });
      }
    }
    return proceed;
  },
};
