// A connector that uses a Secret must not reach the workers before every
// worker has that Secret mounted: a task started on an old pod would fail
// to read it. Adding a Secret to spec.connectorSecrets rolls the workers;
// this says whether the roll is done, from the workload in the cache.
import type { KubernetesObject, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { KafkaConnect } from '../api/v1alpha1/index.js';
import { names } from '../model/names.js';
import { resolvedMode } from '../model/spec.js';
import type { ReconcileDeps } from './deps.js';

type Workload = KubernetesObject & {
  spec?: { replicas?: number; template?: V1PodTemplateSpec };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number };
};

/** Whether all of the cluster's current workers run with every one of `secrets` mounted. */
export function secretsMounted(deps: ReconcileDeps, kc: KafkaConnect, secrets: readonly string[]): boolean {
  if (secrets.length === 0) return true;
  const informer = resolvedMode(kc) === 'standalone' ? deps.deployments : deps.statefulSets;
  const w = informer.get(kc.metadata.namespace, names.workload(kc.metadata.name)) as Workload | undefined;
  if (!w?.spec?.template) return false;
  const mounted = new Set((w.spec.template.spec?.volumes ?? []).map((v) => v.secret?.secretName));
  if (!secrets.every((s) => mounted.has(s))) return false;
  const st = w.status ?? {};
  const wanted = w.spec.replicas ?? 1;
  return (
    st.observedGeneration === w.metadata?.generation &&
    (st.updatedReplicas ?? 0) >= wanted &&
    (st.replicas ?? 0) <= wanted
  );
}
