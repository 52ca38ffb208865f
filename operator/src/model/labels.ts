// Labels and annotations on everything the operator creates.
export const CLUSTER_LABEL = 'sluice.dev/cluster';
export const COMPONENT_LABEL = 'sluice.dev/component';
/** sluice or apache: which runtime a worker pod runs (the chart's PodMonitors select on it) */
export const RUNTIME_LABEL = 'sluice.dev/runtime';
export const CONFIG_HASH_ANNOTATION = 'sluice.dev/config-hash';
export const MODE_ANNOTATION = 'sluice.dev/mode';
export const OPERATOR_LABEL_VALUE = 'sluice-operator';

/** Selects a cluster's worker pods; immutable once a workload exists. */
export function selectorLabels(cluster: string): Record<string, string> {
  return { [CLUSTER_LABEL]: cluster, [COMPONENT_LABEL]: 'worker' };
}

export function commonLabels(cluster: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'kafka-connect',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/managed-by': OPERATOR_LABEL_VALUE,
    'app.kubernetes.io/part-of': 'sluice',
    [CLUSTER_LABEL]: cluster,
  };
}

export function workerLabels(cluster: string): Record<string, string> {
  return { ...commonLabels(cluster), ...selectorLabels(cluster) };
}

export const selectorString = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
