// Observe the world: the workload of the cluster's mode from the cache and,
// when some worker is ready, the plugins its REST API offers (the loggers of
// spec.logging are set on the way). Workers known to hang or fail are not
// asked again until that expires (connect/cluster-gate.ts).
import type { KubernetesObject } from '@kubernetes/client-node';
import { messageOf } from '../../errors.js';
import { names } from '../../model/names.js';
import { resolvedMode } from '../../model/spec.js';
import type { ObservedWorkload } from '../cluster-status.js';
import { proceed, type Step } from '../steps.js';
import type { ClusterPass } from './pass.js';

export const observeWorkers: Step<ClusterPass> = {
  name: 'observe-workers',
  async run(pass) {
    const { deps, kc } = pass;
    const workload = observeWorkload(pass);
    pass.workload = workload;
    const direct = workload && workload.readyReplicas > 0 ? deps.connectFor(kc) : undefined;
    if (direct && !deps.clusterGate.knownFailure(kc, direct)) {
      const client = deps.clusterGate.guard(kc, direct);
      try {
        pass.plugins = await client.plugins();
        for (const [logger, level] of Object.entries(kc.spec.logging?.loggers ?? {}))
          await client.setLoggerLevel(logger, level);
      } catch (err) {
        deps.logger.debug('Connect REST API not reachable yet', { cluster: pass.key, error: messageOf(err) });
      }
    }
    return proceed;
  },
};

function observeWorkload({ deps, kc }: ClusterPass): ObservedWorkload | undefined {
  const informer = resolvedMode(kc) === 'standalone' ? deps.deployments : deps.statefulSets;
  const obj = informer.get(kc.metadata.namespace, names.workload(kc.metadata.name)) as
    (KubernetesObject & { status?: Record<string, number> }) | undefined;
  if (!obj) return undefined;
  const s = obj.status ?? {};
  return {
    replicas: s['replicas'] ?? 0,
    readyReplicas: s['readyReplicas'] ?? 0,
    updatedReplicas: s['updatedReplicas'] ?? 0,
  };
}
