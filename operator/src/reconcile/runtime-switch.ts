// Switching spec.runtime (sluice <-> apache) on a live KafkaConnect keeps
// connector configs and source offsets. Distributed: both runtimes read the
// same config, offset and status topics in the same formats, so the
// StatefulSet rolls pod by pod and the group keeps running, mixed while it
// rolls. Standalone: the offsets file formats differ (Apache's is Java
// serialization), so before the Deployment is replaced the old worker's
// source connectors are stopped and their offsets kept in the hand-off
// ConfigMap, exactly as for a mode switch (offsets-handoff.ts); the new
// worker gets them before its connectors run. Sink offsets live in Kafka.
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { CONFIG_MAPS, errorCode, objectPath } from '../kube/index.js';
import type { KafkaConnect, Runtime } from '../api/v1alpha1/index.js';
import { OFFSETS_FROM_ANNOTATION, RUNTIME_LABEL } from '../model/labels.js';
import { names } from '../model/names.js';
import { resolvedMode, resolvedRuntime } from '../model/spec.js';
import type { ReconcileDeps } from './deps.js';
import type { ClusterMemory } from './memory.js';
import { keepSourceOffsets } from './offsets-handoff.js';

type Workload = KubernetesObject & {
  spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number };
};

/** How long a switch waits for connector reconciles already talking to the old worker (cluster-work.ts). */
const IN_FLIGHT_WAIT_MS = 30_000;

/** The runtime the live workload's pods run (pods from before the label ran sluice). */
export function liveRuntime(workload: Workload | undefined): Runtime | undefined {
  if (!workload) return undefined;
  const label = workload.spec?.template?.metadata?.labels?.[RUNTIME_LABEL];
  return label === 'apache' ? 'apache' : 'sluice';
}

/**
 * Whether the standalone workload's pod template is rolled out: the
 * Deployment controller has seen it and no pod of an older template is left
 * (the Recreate strategy removes the old pod before it creates the new one).
 */
export function rolledOut(workload: Workload): boolean {
  const s = workload.status ?? {};
  const want = workload.spec?.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (workload.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.replicas ?? 0) <= want
  );
}

/**
 * A standalone runtime switch under way: the Deployment still runs the other
 * runtime, or its new pod template has not replaced the old worker yet while
 * captured offsets wait in the hand-off ConfigMap. Until then the old worker
 * may still answer, and a Connector reconcile must neither resume there a
 * connector whose offsets were captured nor give it the handed-off offsets.
 * (Distributed: both runtimes share the topics, so a mixed group is fine.)
 */
export async function runtimeSwitchPending(
  deps: Pick<ReconcileDeps, 'deployments' | 'rest'>,
  kc: KafkaConnect,
): Promise<boolean> {
  if (resolvedMode(kc) !== 'standalone') return false;
  const namespace = kc.metadata.namespace;
  const workload = deps.deployments.get(namespace, names.workload(kc.metadata.name)) as Workload | undefined;
  if (!workload) return false;
  if (liveRuntime(workload) !== resolvedRuntime(kc)) return true;
  if (rolledOut(workload)) return false;
  // Being replaced (only then, so this costs a request during rolls only): a runtime switch
  // if offsets wait in the hand-off ConfigMap. It was written before the Deployment, but
  // the cache may not have it yet (another watch): the apiserver answers.
  const cm = await deps.rest
    .request<V1ConfigMap>({
      method: 'GET',
      path: objectPath(CONFIG_MAPS, namespace, names.offsetsHandoff(kc.metadata.name)),
    })
    .catch((err: unknown) => {
      if (errorCode(err) === 404) return undefined;
      throw err;
    });
  return (
    cm?.metadata?.annotations?.[OFFSETS_FROM_ANNOTATION]?.startsWith('standalone/') === true &&
    Object.keys(cm.data ?? {}).length > 0
  );
}

/** The hand-off annotation value of a standalone runtime switch from `runtime`. */
export const runtimeHandoffSource = (runtime: Runtime) => `standalone/${runtime}`;

/**
 * Called before the desired objects are applied. When the live workload runs
 * another runtime than spec.runtime: an event once per switch and, in
 * standalone mode, the old worker's source offsets kept for the new one.
 * The cluster's memory keeps the switch handled ("<uid>/<from>-><to>").
 */
export async function handleRuntimeSwitch(deps: ReconcileDeps, kc: KafkaConnect, memory: ClusterMemory): Promise<void> {
  const namespace = kc.metadata.namespace;
  const mode = resolvedMode(kc);
  const informer = mode === 'standalone' ? deps.deployments : deps.statefulSets;
  const from = liveRuntime(informer.get(namespace, names.workload(kc.metadata.name)) as Workload | undefined);
  const to = resolvedRuntime(kc);
  if (!from || from === to) {
    memory.runtimeSwitchHandled = undefined;
    return;
  }
  const marker = `${kc.metadata.uid ?? ''}/${from}->${to}`;
  if (memory.runtimeSwitchHandled === marker) return;
  if (mode === 'distributed') {
    memory.runtimeSwitchHandled = marker;
    await deps.events.normal(
      kc,
      'RuntimeChanged',
      `Rolling the workers from the ${from} runtime to ${to}: both share the config, offset and status topics, so connectors and offsets carry over`,
    );
    return;
  }
  const existing = deps.configMaps.get(namespace, names.offsetsHandoff(kc.metadata.name));
  if (existing?.metadata?.annotations?.[OFFSETS_FROM_ANNOTATION] === runtimeHandoffSource(from)) {
    memory.runtimeSwitchHandled = marker;
    return;
  }
  // Reconciles of its connectors that began before the switch may still talk to the old worker.
  const key = `${namespace ?? ''}/${kc.metadata.name}`;
  if (!(await deps.clusterWork.settled(key, IN_FLIGHT_WAIT_MS)))
    deps.logger.warn('connector reconciles still running at a runtime switch; capturing the offsets anyway', {
      cluster: key,
      inFlight: deps.clusterWork.inFlight(key),
    });
  // The old worker serves REST as its runtime does (the runtimes' REST TLS defaults differ).
  const client = deps.connectFor({ ...kc, spec: { ...kc.spec, runtime: from } }, 'standalone');
  if (!(await client.health())) {
    memory.runtimeSwitchHandled = marker;
    await deps.events.warning(
      kc,
      'OffsetsNotCarried',
      `The ${from} worker is not reachable: source connectors on the ${to} worker start from the offsets it has`,
    );
    return;
  }
  const { kept, note } = await keepSourceOffsets(deps.applier, kc, client, runtimeHandoffSource(from));
  memory.runtimeSwitchHandled = marker;
  await deps.events.normal(
    kc,
    'RuntimeChanged',
    `Stopped ${kept} source connector(s) on the ${from} worker and kept their offsets for the ${to} worker${note}`,
  );
}
