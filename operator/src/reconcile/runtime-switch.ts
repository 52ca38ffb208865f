// Switching spec.runtime (sluice <-> apache) on a live KafkaConnect keeps
// connector configs and source offsets. Distributed: both runtimes read the
// same config, offset and status topics in the same formats, so the
// StatefulSet rolls pod by pod and the group keeps running, mixed while it
// rolls. Standalone: the offsets file formats differ (Apache's is Java
// serialization), so before the Deployment is replaced the old worker's
// source connectors are stopped and their offsets kept in the hand-off
// ConfigMap, exactly as for a mode switch (offsets-handoff.ts); the new
// worker gets them before its connectors run. Sink offsets live in Kafka.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KafkaConnect, Runtime } from '../api/v1alpha1/index.js';
import { OFFSETS_FROM_ANNOTATION, RUNTIME_LABEL } from '../model/labels.js';
import { names } from '../model/names.js';
import { resolvedMode, resolvedRuntime } from '../model/spec.js';
import type { ReconcileDeps } from './deps.js';
import type { ClusterMemory } from './memory.js';
import { keepSourceOffsets } from './offsets-handoff.js';

type Workload = KubernetesObject & { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };

/** The runtime the live workload's pods run (pods from before the label ran sluice). */
export function liveRuntime(workload: Workload | undefined): Runtime | undefined {
  if (!workload) return undefined;
  const label = workload.spec?.template?.metadata?.labels?.[RUNTIME_LABEL];
  return label === 'apache' ? 'apache' : 'sluice';
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
  const client = deps.connectFor(kc, 'standalone');
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
