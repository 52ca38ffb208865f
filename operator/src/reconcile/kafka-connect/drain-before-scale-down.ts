// Distributed mode, fewer replicas than the StatefulSet has: drain the
// departing workers first (scale-down.ts). Until they are drained the
// StatefulSet is built at its current size (pass.drainingAt), and the pass
// looks again soon.
import type { KubernetesObject } from '@kubernetes/client-node';
import { names } from '../../model/names.js';
import { runtimeTraits } from '../../model/runtime.js';
import { resolvedMode, resolvedReplicas } from '../../model/spec.js';
import { departingOrdinals, drainDeparting } from '../scale-down.js';
import { proceed, type Step } from '../steps.js';
import type { ClusterPass } from './pass.js';

export const drainBeforeScaleDown: Step<ClusterPass> = {
  name: 'drain-before-scale-down',
  async run(pass) {
    const { deps, kc, memory, now } = pass;
    const wanted = resolvedReplicas(kc);
    const sts = deps.statefulSets.get(kc.metadata.namespace, names.workload(kc.metadata.name)) as
      (KubernetesObject & { spec?: { replicas?: number } }) | undefined;
    const current = sts?.spec?.replicas ?? 0;
    // Scaling to zero stops the whole cluster: nobody could take the work.
    // Apache Kafka Connect has no drain endpoint: its workers stop gracefully and, with
    // scheduled.rebalance.max.delay.ms 0 (runtime.ts), their tasks move at once.
    if (resolvedMode(kc) !== 'distributed' || wanted === 0 || wanted >= current || !runtimeTraits(kc).canDrain) {
      memory.drainStartedAt = undefined;
      return proceed;
    }
    const ordinals = departingOrdinals(current, wanted);
    if (memory.drainStartedAt === undefined) {
      memory.drainStartedAt = now;
      await deps.events.normal(
        kc,
        'Draining',
        `Draining worker(s) ${ordinals.map((i) => names.pod(kc.metadata.name, i)).join(', ')} before scaling down to ${wanted}`,
      );
    }
    const progress = await drainDeparting(kc, ordinals, deps.workerFor, memory.drainStartedAt, now, deps.logger);
    if (progress.phase === 'draining') {
      pass.drainingAt = current;
      return proceed;
    }
    memory.drainStartedAt = undefined;
    if (progress.phase === 'timed-out')
      await deps.events.warning(
        kc,
        'DrainTimedOut',
        `Worker(s) ${progress.waitingFor.join(', ')} did not drain in time; scaling down to ${wanted} anyway`,
      );
    else await deps.events.normal(kc, 'Drained', `Drained worker(s) ${ordinals.join(', ')}; scaling down to ${wanted}`);
    return proceed;
  },
};
