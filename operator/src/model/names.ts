// Every object name the operator derives from a KafkaConnect or a
// Connector, in one place (the operator and the tests both use it).
export const names = {
  serviceAccount: (cluster: string) => `${cluster}-connect`,
  configMap: (cluster: string) => `${cluster}-connect-config`,
  apiService: (cluster: string) => `${cluster}-connect-api`,
  headlessService: (cluster: string) => `${cluster}-connect`,
  workload: (cluster: string) => `${cluster}-connect`,
  pvc: (cluster: string) => `${cluster}-connect-data`,
  /** source offsets carried across a mode switch */
  offsetsHandoff: (cluster: string) => `${cluster}-connect-offsets-handoff`,
  /** a connector's offsets, listed on demand (sluice.dev/offsets: list) */
  connectorOffsets: (connector: string) => `${connector}-offsets`,
  pdb: (cluster: string) => `${cluster}-connect`,
  networkPolicy: (cluster: string) => `${cluster}-connect`,
  /** distributed workers' stable pod names */
  pod: (cluster: string, ordinal: number) => `${cluster}-connect-${ordinal}`,
  apiUrl: (cluster: string, namespace: string) => `http://${cluster}-connect-api.${namespace}.svc:8083`,
  /** one distributed worker's REST API, through the headless Service (its advertised name) */
  workerUrl: (cluster: string, namespace: string, ordinal: number) =>
    `http://${cluster}-connect-${ordinal}.${cluster}-connect.${namespace}.svc:8083`,
  // Namespace-qualified: two KafkaConnects of the same name in different
  // namespaces on one Kafka must not join one Connect group or share topics.
  groupId: (cluster: string, namespace: string) => `${namespace}.${cluster}`,
  configTopic: (cluster: string, namespace: string) => `${namespace}.${cluster}-configs`,
  offsetTopic: (cluster: string, namespace: string) => `${namespace}.${cluster}-offsets`,
  statusTopic: (cluster: string, namespace: string) => `${namespace}.${cluster}-status`,
};

/** The Secrets of a cluster's REST certificates. */
export const restTlsNames = {
  ca: (cluster: string) => `${cluster}-connect-rest-ca`,
  /** mounted by the workers: server certificate (also their client certificate), key, CA bundle */
  server: (cluster: string) => `${cluster}-connect-rest-server`,
  /** the operator's client certificate */
  operator: (cluster: string) => `${cluster}-connect-rest-operator`,
  /** a client certificate for people: kubectl port-forward and curl --cert */
  user: (cluster: string) => `${cluster}-connect-rest-client`,
};

export const REST_PORT = 8083;
export const CONFIG_DIR = '/etc/sluice';
export const DATA_DIR = '/var/lib/sluice';
export const SECRETS_DIR = '/etc/sluice/secrets';
