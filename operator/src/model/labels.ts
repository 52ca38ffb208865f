// Every sluice.dev/* key the operator reads or writes (labels, annotations,
// the finalizer), and the label sets on everything it creates.
export const CLUSTER_LABEL = 'sluice.dev/cluster';
export const COMPONENT_LABEL = 'sluice.dev/component';
/** sluice or apache: which runtime a worker pod runs (the chart's PodMonitors select on it) */
export const RUNTIME_LABEL = 'sluice.dev/runtime';
/** on a connector's offsets ConfigMap: the connector it was written for */
export const CONNECTOR_LABEL = 'sluice.dev/connector';
export const CONFIG_HASH_ANNOTATION = 'sluice.dev/config-hash';
export const MODE_ANNOTATION = 'sluice.dev/mode';
/** on the hand-off ConfigMap: where its offsets came from (a mode, or standalone/<runtime>) */
export const OFFSETS_FROM_ANNOTATION = 'sluice.dev/offsets-from-mode';
/** KafkaConnect annotation: a new value renews the CA and every certificate (Strimzi: strimzi.io/force-renew). */
export const RENEW_CERTIFICATES_ANNOTATION = 'sluice.dev/renew-certificates';
/** on the REST CA Secret: when the CA was made */
export const CA_SINCE_ANNOTATION = 'sluice.dev/ca-since';
/** on the REST certificate Secrets: the renew request they were made for */
export const RENEWED_FOR_ANNOTATION = 'sluice.dev/renewed-for';
/** Connector annotation: restart it (value: includeTasks, onlyFailed, comma-separated) */
export const RESTART_ANNOTATION = 'sluice.dev/restart';
/** Connector annotation: restart the task of this id */
export const RESTART_TASK_ANNOTATION = 'sluice.dev/restart-task';
/** Connector annotation: list, alter or reset its offsets */
export const OFFSETS_ANNOTATION = 'sluice.dev/offsets';
/** A Connector keeps this until it is deleted from its cluster's workers. */
export const CONNECTOR_FINALIZER = 'sluice.dev/connector-cleanup';
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

/** The labels of a cluster's REST certificate Secrets. */
export const restTlsLabels = (cluster: string): Record<string, string> => ({
  ...commonLabels(cluster),
  [COMPONENT_LABEL]: 'rest-tls',
});

/** The labels of the offsets ConfigMap written for a connector (sluice.dev/offsets: list). */
export const connectorOffsetsLabels = (connector: string, cluster: string): Record<string, string> => ({
  [CONNECTOR_LABEL]: connector,
  [CLUSTER_LABEL]: cluster,
});

export const selectorString = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
