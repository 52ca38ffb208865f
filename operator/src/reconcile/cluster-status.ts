// The KafkaConnect status, computed from what the cluster looks like now.
import { restScheme } from '../model/rest-tls.js';
import type { KafkaConnect, KafkaConnectStatus } from '../api/v1alpha1/index.js';
import type { PluginInfo } from '../connect/connect-client.js';
import { names } from '../model/names.js';
import { selectorLabels, selectorString } from '../model/labels.js';
import { resolvedMode, resolvedReplicas, resolvedRuntime } from '../model/spec.js';
import { readyCondition, setCondition } from './conditions.js';

export interface ObservedWorkload {
  readonly replicas: number;
  readonly readyReplicas: number;
  /** pods already running the current pod template */
  readonly updatedReplicas: number;
}

export function clusterStatus(
  kc: KafkaConnect,
  workload: ObservedWorkload | undefined,
  plugins: PluginInfo[] | undefined,
  now: Date,
): KafkaConnectStatus {
  const desired = resolvedReplicas(kc);
  const ready = workload?.readyReplicas ?? 0;
  const gen = kc.metadata.generation;
  let condition;
  if (desired === 0) condition = readyCondition(false, 'ScaledToZero', 'spec.replicas is 0: no workers run', gen);
  else if (!workload) condition = readyCondition(false, 'Creating', 'Creating the workers', gen);
  else if (ready < desired || workload.updatedReplicas < desired) {
    condition = readyCondition(
      false,
      'WorkersNotReady',
      `${ready}/${desired} workers ready, ${workload.updatedReplicas}/${desired} updated`,
      gen,
    );
  } else condition = readyCondition(true, 'Ready', `${ready}/${desired} workers ready`, gen);
  const previous = kc.status ?? {};
  return {
    ...previous,
    observedGeneration: gen,
    mode: resolvedMode(kc),
    runtime: resolvedRuntime(kc),
    replicas: workload?.replicas ?? 0,
    readyReplicas: ready,
    labelSelector: selectorString(selectorLabels(kc.metadata.name)),
    ...(desired > 0
      ? { url: names.apiUrl(kc.metadata.name, kc.metadata.namespace).replace(/^http:/, `${restScheme(kc)}:`) }
      : { url: undefined }),
    ...(plugins
      ? { connectorPlugins: plugins.map((p) => ({ class: p.class, type: p.type, version: p.version })) }
      : {}),
    conditions: setCondition(previous.conditions, condition, now),
  };
}

export const isClusterReady = (kc: KafkaConnect | undefined) =>
  kc?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
